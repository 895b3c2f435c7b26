// An appeal's photo, by its random key: for the appealing household and the village's committee
// (appeals/appeals.server.ts, appealPhoto); anyone else gets the same 404 as for a missing photo.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { appealPhoto } from "~/appeals/appeals.server";
import { photoKeyParam } from "~/claims/photos.server";
import { idParam, notFound, requireVillagePerson } from "~/platform/access.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const key = photoKeyParam(params.photoId);
  const viewer = await requireVillagePerson(request, villageId);
  const photo = await appealPhoto(viewer, villageId, key);
  if (!photo) notFound();
  return new Response(new Uint8Array(photo.body), {
    headers: { "content-type": photo.mime, "cache-control": "private, no-store", "content-disposition": "inline" },
  });
}
