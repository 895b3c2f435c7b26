// The scoring pages' service worker (sanitation/offline-worker.server.ts), for the round's inspectors.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam } from "~/platform/access.server";
import { offlineWorkerResponse } from "~/sanitation/pages.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  return offlineWorkerResponse(request, idParam(params.villageId), idParam(params.roundId));
}
