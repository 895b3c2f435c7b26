// An evidence photo, only for people of its village.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam, notFound, requireVillagePerson } from "~/utils/access.server";
import { readPhoto } from "~/utils/claim-photos.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const photoId = idParam(params.photoId);
  await requireVillagePerson(request, villageId);
  const photo = readPhoto(villageId, photoId);
  if (!photo) notFound();
  return new Response(new Uint8Array(photo.body), {
    headers: { "content-type": photo.mime, "cache-control": "private, no-store", "content-disposition": "inline" },
  });
}
