import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import exportStyles from "~/exports/exports.css";
import { ExportForm } from "~/exports/export-form";
import { exportPage } from "~/exports/exports.server";
import { requireRole } from "~/platform/access.server";
import { villageChoices } from "~/exports/access.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: exportStyles }];

export const meta: MetaFunction = () => [{ title: "导出表格 · 乡镇管理 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, ["township_admin"], null);
  const base = "/township/exports";
  const { state, status } = await exportPage(new URL(request.url), base, true);
  return data({ villages: await villageChoices(), action: base, ...state }, { status });
}

export default function TownshipExports() {
  const { villages, action, values, errors } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <p className="muted small">
        <Link to="/township" className="back">‹ 乡镇管理</Link>
      </p>
      <h1>导出表格</h1>
      <p className="muted small">可以导出一个村，也可以导出全乡镇（一个文件，第一列是村名）。</p>
      <ExportForm action={action} values={values} errors={errors} villages={villages} />
    </section>
  );
}
