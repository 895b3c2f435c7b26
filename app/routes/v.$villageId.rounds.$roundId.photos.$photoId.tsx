// An inspection photo, by its random key: for the committee and inspectors of the village and for the household itself.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam } from "~/platform/access.server";
import { photoKeyParam } from "~/claims/photos.server";
import { inspectionPhotoResponse } from "~/sanitation/pages.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return inspectionPhotoResponse(request, idParam(params.villageId), idParam(params.roundId), photoKeyParam(params.photoId));
}
