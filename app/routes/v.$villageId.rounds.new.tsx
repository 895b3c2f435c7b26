import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/sanitation/sanitation.css";
import { SelectField } from "~/ui/form-parts";
import { AssignChecks } from "~/sanitation/assign-form";
import { Field, FormError } from "~/ui/field";
import { DateField } from "~/ui/pickers";
import { idParam } from "~/platform/access.server";
import { SANITATION_MAX } from "~/sanitation/labels";
import { newRoundAction, newRoundPage, type Reply } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "新建卫生评比 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return newRoundPage(request, idParam(params.villageId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await newRoundAction(request, idParam(params.villageId));
  if (out instanceof Response) return out;
  return data(out.reply, { status: out.status });
}

export default function NewRound() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const v: Record<string, string> = result?.values ?? d.values;
  const e: Record<string, string | undefined> = result?.errors ?? {};
  return (
    <section className="card">
      <p className="muted small"><Link className="back" to={`/v/${d.villageId}/rounds`}>‹ 卫生评比</Link></p>
      <h1>新建卫生评比</h1>
      {d.checklists.length === 0 ? <p className="form-error">还没有在用的检查表，请村管理员先在“村务管理 → 卫生检查表”里建一张。</p> : null}
      <Form method="post" noValidate>
        <FormError message={e._form} />
        <Field label="评比名称" name="title" defaultValue={v.title} error={e.title} maxLength={SANITATION_MAX.roundTitle} autoComplete="off" hint="如 2026年11月" />
        <SelectField label="检查表" name="checklistId" defaultValue={v.checklistId} error={e.checklistId} options={[{ value: "", label: "请选择" }, ...d.checklists.map((c) => ({ value: String(c.id), label: c.name }))]} />
        <DateField label="开始日期" name="startsOn" defaultValue={v.startsOn} error={e.startsOn} />
        <DateField label="结束日期" name="endsOn" defaultValue={v.endsOn} error={e.endsOn} />
        <h2>各网格的检查员</h2>
        <p className="muted small">检查员只看得到分给他的网格里的农户。可以先建好，开始前再改。</p>
        <AssignChecks grids={d.grids} inspectors={d.inspectors} checked={(v.assign ?? "").split(",")} error={e.assign} />
        <button type="submit" className="primary block" disabled={busy}>建好评比（还未开始）</button>
      </Form>
    </section>
  );
}
