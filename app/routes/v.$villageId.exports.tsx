import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import exportStyles from "~/exports/exports.css";
import { ExportForm } from "~/exports/export-form";
import { exportPage } from "~/exports/exports.server";
import { EXPORT_ROLES } from "~/exports/access.server";
import { idParam, requireRole } from "~/platform/access.server";
import { getVillage } from "~/people/villages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: exportStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `导出表格 · ${data?.village.name ?? ""} · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, EXPORT_ROLES, villageId);
  const village = (await getVillage(villageId))!;
  const base = `/v/${villageId}/exports`;
  const { state, status } = await exportPage(new URL(request.url), base, false);
  return data({ village: { id: village.id, name: village.name }, action: base, ...state }, { status });
}

export default function VillageExports() {
  const { village, action, values, errors } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h1>{village.name} · 导出表格</h1>
      <p className="muted small">选好内容和日期，点下面的按钮，表格就会下载到手机或电脑里。</p>
      <ExportForm action={action} values={values} errors={errors} />
    </section>
  );
}
