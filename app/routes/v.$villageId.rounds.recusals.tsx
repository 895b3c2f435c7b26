import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { Field, FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { SANITATION_MAX } from "~/sanitation/labels";
import { recusalAction, recusalPage, type Reply } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "亲属回避申报 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return recusalPage(request, idParam(params.villageId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await recusalAction(request, idParam(params.villageId));
  return data(out.reply, { status: out.status });
}

export default function Recusals() {
  const { villageId, recusals } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const addErr: Record<string, string | undefined> = result?.intent === "recusal.add" ? result.errors : {};
  return (
    <>
      <p className="muted small"><Link className="back" to={`/v/${villageId}/rounds`}>‹ 我的卫生检查</Link></p>
      <section className="card">
        <h1>亲属回避申报</h1>
        <p className="muted">给亲属家评分要回避。申报后，评分时这些户会标为“回避”，由本网格的其他检查员评分。自己家不用申报，本来就不能评。</p>
        <FormOk message={result?.ok} />
        <FormError message={result && result.intent !== "recusal.add" ? result.errors._form : null} />
        {recusals.length === 0 ? <p className="muted">还没有申报回避的农户</p> : null}
        <ul className="entries">
          {recusals.map((r) => (
            <li key={r.id}>
              <div className="what">
                <div>{r.number}号户 {r.head ?? ""}</div>
                <div className="when">{r.relation}</div>
              </div>
              <Form method="post">
                <input type="hidden" name="intent" value="recusal.remove" />
                <input type="hidden" name="recusalId" value={r.id} />
                <button type="submit" className="secondary" disabled={busy}>取消</button>
              </Form>
            </li>
          ))}
        </ul>
      </section>
      <section className="card">
        <h2>新增回避</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="recusal.add" />
          <FormError message={addErr._form} />
          <Field label="户号" name="number" inputMode="numeric" maxLength={SANITATION_MAX.householdNumber} autoComplete="off" placeholder="如 008" error={addErr.number} defaultValue={result?.intent === "recusal.add" && !result.ok ? result.values.number : undefined} />
          <Field label="亲属关系" name="relation" maxLength={SANITATION_MAX.relation} autoComplete="off" placeholder="如 兄弟、舅舅家" error={addErr.relation} defaultValue={result?.intent === "recusal.add" && !result.ok ? result.values.relation : undefined} />
          <button type="submit" className="primary block" disabled={busy}>申报回避</button>
        </Form>
      </section>
    </>
  );
}
