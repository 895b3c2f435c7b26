// The export file itself (a resource route): ?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|xlsx.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { EXPORT_ROLES } from "~/exports/access.server";
import { badRequestPage, exportFile, noSuchExport, parseFileQuery } from "~/exports/exports.server";
import { isExportKind } from "~/exports/labels";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, EXPORT_ROLES, villageId);
  const kind = params.kind;
  if (!isExportKind(kind)) return noSuchExport(`/v/${villageId}/exports`);
  const query = await parseFileQuery(new URL(request.url), false);
  if (!query.ok) return badRequestPage(query.messages, `/v/${villageId}/exports?kind=${kind}`);
  return exportFile({ kind, range: query.range, villageId, township: false, actor: actorOf(access), signal: request.signal, drained: context.drained, head: request.method === "HEAD" });
}
