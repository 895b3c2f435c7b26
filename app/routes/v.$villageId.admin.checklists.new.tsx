import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { ChecklistForm } from "~/sanitation/checklist-form";
import { idParam } from "~/platform/access.server";
import { checklistAction, checklistPage, type Reply } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "新建卫生检查表 · 村务管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return checklistPage(request, idParam(params.villageId), null);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await checklistAction(request, idParam(params.villageId), null);
  if (out instanceof Response) return out;
  return data(out.reply, { status: out.status });
}

export default function NewChecklist() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card">
      <p className="muted small"><Link className="back" to={`/v/${d.villageId}/admin/checklists`}>‹ 检查表</Link></p>
      <h2>新建卫生检查表</h2>
      <ChecklistForm values={result?.values ?? d.values} errors={result?.errors ?? {}} rules={d.rules} submit="保存检查表" busy={busy} />
    </section>
  );
}
