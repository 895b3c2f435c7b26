import type { LoaderFunctionArgs } from "@remix-run/node";
import { idParam, requireRole } from "~/platform/access.server";
import { ROSTER_SAMPLE_CSV, ROSTER_SAMPLE_FILENAME } from "~/people/roster.server";
import { getVillage } from "~/people/villages.server";

/** The sample roster, UTF-8 with BOM so that Excel shows the Chinese correctly. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["village_admin", "township_admin"], villageId);
  if (!(await getVillage(villageId))) throw new Response("找不到这个村", { status: 404 });
  return new Response(ROSTER_SAMPLE_CSV, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="roster-sample.csv"; filename*=UTF-8''${encodeURIComponent(ROSTER_SAMPLE_FILENAME)}`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
