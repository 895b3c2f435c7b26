// A save kept on the inspector's phone while offline, sent with its own key (sanitation/offline.server.ts).
// JSON both ways; GET answers what the server holds for the household.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { idParam } from "~/platform/access.server";
import { keptSaveAction, keptSavePage } from "~/sanitation/pages.server";

const NO_STORE = { "cache-control": "no-store" };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const out = await keptSavePage(request, idParam(params.villageId), idParam(params.roundId), idParam(params.householdId));
  return Response.json(out, { headers: NO_STORE });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await keptSaveAction(request, idParam(params.villageId), idParam(params.roundId), idParam(params.householdId));
  return Response.json(out.reply, { status: out.status, headers: NO_STORE });
}
