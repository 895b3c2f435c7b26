import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam } from "~/platform/access.server";
import { monthQuerySchema, monthReport, settlementCsv } from "~/store/reports.server";
import { pickStore, requireKeeper } from "~/store/access.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireKeeper(request, idParam(params.villageId), ["committee", "store_keeper", "village_admin", "township_admin"]);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const month = monthQuerySchema.parse(url.searchParams.get("month"));
  const body = settlementCsv(store.name, await monthReport(store.id, month));
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="settlement-${month}.csv"; filename*=UTF-8''${encodeURIComponent(`${store.name}${month}结算.csv`)}`,
    },
  });
}
