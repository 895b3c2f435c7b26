import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { ChecklistForm } from "~/sanitation/checklist-form";
import { FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { checklistAction, checklistPage, type Reply } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "卫生检查表 · 村务管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return checklistPage(request, idParam(params.villageId), idParam(params.checklistId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await checklistAction(request, idParam(params.villageId), idParam(params.checklistId));
  if (out instanceof Response) return out;
  return data(out.reply, { status: out.status });
}

export default function EditChecklist() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const saveErrors = result && result.intent === "checklist.save" ? result.errors : {};
  const otherError = result && result.intent !== "checklist.save" ? result.errors._form : null;
  return (
    <>
      <section className="card">
        <p className="muted small"><Link className="back" to={`/v/${d.villageId}/admin/checklists`}>‹ 检查表</Link></p>
        <h2>修改卫生检查表</h2>
        {params.get("saved") === "1" && !result ? <FormOk message="检查表已保存，村委新建评比时可以选用" /> : null}
        <FormOk message={result?.ok} />
        <FormError message={otherError} />
        {d.used ? <p className="muted small">已有 {d.used} 轮评比用过这张表。修改只影响以后新建的评比，已经建好的评比按建立时的表计分。</p> : null}
        <ChecklistForm values={result?.intent === "checklist.save" && !result.ok ? result.values : d.values} errors={saveErrors} rules={d.rules} submit="保存修改" busy={busy} />
      </section>
      <section className="card">
        <h2>{d.active ? "停用" : "重新启用"}</h2>
        <Form method="post">
          <input type="hidden" name="intent" value={d.active ? "checklist.retire" : "checklist.restore"} />
          <button type="submit" className="secondary block" disabled={busy}>{d.active ? "停用这张检查表" : "重新启用"}</button>
        </Form>
      </section>
    </>
  );
}
