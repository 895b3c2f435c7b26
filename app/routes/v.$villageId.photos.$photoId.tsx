// A claim's evidence photo, by its random key. Before 公示 only the claim's household, its filer and
// the committee see it; from 公示 on anyone of the village (claims/photos.server.ts, claimPhoto).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam, notFound, requireVillagePerson } from "~/platform/access.server";
import { claimPhoto, photoKeyParam } from "~/claims/photos.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const key = photoKeyParam(params.photoId);
  const viewer = await requireVillagePerson(request, villageId);
  const photo = await claimPhoto(viewer, villageId, key);
  if (!photo) notFound();
  return new Response(new Uint8Array(photo.body), {
    headers: { "content-type": photo.mime, "cache-control": "private, no-store", "content-disposition": "inline" },
  });
}
