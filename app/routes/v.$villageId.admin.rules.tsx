import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { RuleFields } from "~/rules/rule-form";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { CAP_FIELDS, CAP_LABELS, RULE_CATEGORIES } from "~/rules/labels";
import { createRule, ruleFromForm, rulesPageIntent, setRuleActive, updateRule, villageRules } from "~/rules/rules.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "积分细则 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;
const FIELDS = ["name", "category", "points", "unit", "evidence", ...CAP_FIELDS];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  return { rules: await villageRules(villageId) };
}

interface Reply {
  intent: string;
  ruleId: number | null;
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  stamp?: number;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const form = formToObject(await readForm(request));
  const parsed = rulesPageIntent.safeParse(form);
  const ruleId = /^\d{1,12}$/.test(form.ruleId ?? "") ? Number(form.ruleId) : null;
  const values = echoValues(form, FIELDS);
  const reply = (r: Omit<Reply, "intent" | "ruleId">, status = 200) => data<Reply>({ intent: form.intent ?? "", ruleId, ...r }, { status });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.ruleId) errors._form = errors.intent ?? errors.ruleId;
    return reply({ errors, values }, 400);
  }
  const i = parsed.data;
  const actor = actorOf(access);
  const out =
    i.intent === "rule.create" ? await createRule(actor, villageId, ruleFromForm(i))
    : i.intent === "rule.update" ? await updateRule(actor, villageId, i.ruleId, ruleFromForm(i))
    : await setRuleActive(actor, villageId, i.ruleId, i.intent === "rule.activate");
  if (!out.ok) return reply({ errors: out.errors, values }, out.status === 404 ? 404 : out.status ?? 400);
  const ok = { "rule.create": "已新增细则", "rule.update": "已保存", "rule.retire": "已停用，已有的申报和记录不受影响", "rule.activate": "已重新启用" }[i.intent];
  return reply({ errors: {}, ok, stamp: Date.now() });
}

const fmtPoints = (p: number, unit: string) => `${p > 0 ? "+" : ""}${p} 分/${unit === "hour" ? "小时" : "次"}`;

export default function Rules() {
  const { rules } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const createErr = result?.intent === "rule.create" && !result.ok ? result.errors : {};
  const known = result && (result.intent === "rule.create" || rules.some((r) => r.id === result.ruleId));
  return (
    <>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>新增细则</h2>
        {result && !known && !result.ok ? <FormError message={result.errors._form ?? "请求有误，请刷新页面后再试"} /> : null}
        {result?.intent === "rule.create" && result.ok ? <FormOk message={result.ok} /> : null}
        <details open={Object.keys(createErr).length > 0}>
          <summary>填写新细则</summary>
          <Form method="post" noValidate key={`new-${result?.intent === "rule.create" ? result.stamp ?? 0 : 0}`}>
            <input type="hidden" name="intent" value="rule.create" />
            <FormError message={createErr._form} />
            <RuleFields prefix="new" values={result?.intent === "rule.create" && !result.ok ? result.values ?? {} : {}} errors={createErr} />
            <button type="submit" className="primary block" disabled={busy}>新增</button>
          </Form>
        </details>
      </section>
      <section className="card">
        <h2 style={{ marginTop: 0 }}>本村积分细则（{rules.filter((r) => r.active).length} 条在用）</h2>
        <p className="muted small">细则一旦用过就不能删除，只能停用；停用后不能再申报，已有记录不受影响。</p>
        {rules.map((r) => {
          const mine = result?.ruleId === r.id && result.intent !== "rule.create" ? result : undefined;
          const errs = mine && !mine.ok ? mine.errors : {};
          const caps = CAP_FIELDS.map((c) => [CAP_LABELS[c], r[`cap_${c}`]] as const).filter(([, v]) => v !== null);
          return (
            <div key={r.id} className={r.active ? "rule-row" : "rule-row retired"} data-testid={`rule-${r.id}`}>
              <p style={{ margin: 0 }}>
                <strong>{r.name}</strong> <span className={r.points > 0 ? "amount plus" : "amount minus"}>{fmtPoints(r.points, r.unit)}</span>
                <span className="tag">{RULE_CATEGORIES[r.category]}</span>
                {r.evidence_required ? <span className="tag">需照片</span> : null}
                {r.post_name !== null ? <span className="tag">岗位补贴</span> : null}
                {r.active ? null : <span className="tag">已停用</span>}
              </p>
              <p className="muted small" style={{ margin: 0 }}>上限：{caps.length ? caps.map(([l, v]) => `${l} ${v} 分`).join("，") : "不限"}</p>
              {mine?.ok ? <FormOk message={mine.ok} /> : null}
              {errs._form ? <FormError message={errs._form} /> : null}
              {r.post_name !== null ? (
                <p className="muted small" style={{ margin: 0 }}>岗位“{r.post_name}”的每月补贴：由村委在定岗管理里修改或停用这个岗位，这条细则随之改变。</p>
              ) : (
                <>
                  <details open={Object.keys(errs).some((k) => k !== "_form")}>
                    <summary>修改</summary>
                    <Form method="post" noValidate key={`r${r.id}-${mine?.stamp ?? 0}`}>
                      <input type="hidden" name="intent" value="rule.update" />
                      <input type="hidden" name="ruleId" value={r.id} />
                      <RuleFields
                        prefix={`r${r.id}`}
                        errors={errs}
                        values={mine && !mine.ok && mine.intent === "rule.update" ? mine.values ?? {} : {
                          ...r, evidence: r.evidence_required ? "1" : "0",
                          member_day: r.cap_member_day, member_month: r.cap_member_month, member_year: r.cap_member_year,
                          household_day: r.cap_household_day, household_month: r.cap_household_month, household_year: r.cap_household_year,
                        }}
                      />
                      <button type="submit" className="primary block" disabled={busy}>保存</button>
                    </Form>
                  </details>
                  <Form method="post">
                    <input type="hidden" name="intent" value={r.active ? "rule.retire" : "rule.activate"} />
                    <input type="hidden" name="ruleId" value={r.id} />
                    <button type="submit" className="secondary" disabled={busy}>{r.active ? "停用" : "重新启用"}</button>
                  </Form>
                </>
              )}
            </div>
          );
        })}
      </section>
    </>
  );
}
