// The township's export file (a resource route): ?village=<id, or empty for all>&from=&to=&format=csv|xlsx.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { badRequestPage, exportFile, noSuchExport, parseFileQuery } from "~/exports/exports.server";
import { isExportKind } from "~/exports/labels";
import { requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireRole(request, ["township_admin"], null);
  const kind = params.kind;
  if (!isExportKind(kind)) return noSuchExport("/township/exports");
  const query = await parseFileQuery(new URL(request.url), true);
  if (!query.ok) return badRequestPage(query.messages, `/township/exports?kind=${kind}`);
  return exportFile({ kind, range: query.range, villageId: query.villageId, township: true, actor: actorOf(access), signal: request.signal, drained: context.drained, head: request.method === "HEAD" });
}
