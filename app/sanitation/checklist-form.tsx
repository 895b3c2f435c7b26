// The checklist template form: name, item rows (name + full marks), tier rows (name + minimum + rule).
import { Form } from "@remix-run/react";
import { Field, FormError } from "~/ui/field";
import { SelectField } from "~/ui/form-parts";
import { ITEM_ROWS, SANITATION_MAX, TIER_ROWS } from "./labels";
import type { TierRuleChoice } from "./checklists.server";

interface Props {
  values: Record<string, string>;
  errors: Record<string, string | undefined>;
  rules: TierRuleChoice[];
  submit: string;
  busy: boolean;
}

export function ChecklistForm({ values, errors, rules, submit, busy }: Props) {
  const ruleOptions = [{ value: "", label: "请选择细则" }, ...rules.map((r) => ({ value: String(r.id), label: `${r.name}（${r.points > 0 ? "+" : ""}${r.points} 分）` }))];
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="intent" value="checklist.save" />
      <FormError message={errors._form} />
      <Field label="检查表名称" name="name" defaultValue={values.name} error={errors.name} maxLength={SANITATION_MAX.checklistName} autoComplete="off" />
      <h3>检查项目和满分</h3>
      <p className="muted small">不用的行留空。总分等于各项满分相加。</p>
      {Array.from({ length: ITEM_ROWS }, (_, i) => (
        <div className="item-row" key={i}>
          <Field label={`项目 ${i + 1}`} name={`item${i}Name`} defaultValue={values[`item${i}Name`]} error={errors[`item${i}Name`]} maxLength={SANITATION_MAX.itemName} autoComplete="off" />
          <Field label="满分" name={`item${i}Max`} inputMode="numeric" defaultValue={values[`item${i}Max`]} error={errors[`item${i}Max`]} maxLength={SANITATION_MAX.itemMaxDigits} autoComplete="off" />
        </div>
      ))}
      <h3>档次（按总分）</h3>
      <p className="muted small">如 优秀 90 分起、良好 75 分起、合格 60 分起、不合格 0 分起。每档要选一条环境卫生或村规民约细则，公布时每户按所在档次的细则加分或扣分。</p>
      {Array.from({ length: TIER_ROWS }, (_, i) => (
        <div className="tier-row" key={i}>
          <Field label={`档次 ${i + 1}`} name={`tier${i}Name`} defaultValue={values[`tier${i}Name`]} error={errors[`tier${i}Name`]} maxLength={SANITATION_MAX.tierName} autoComplete="off" />
          <Field label="起评分" name={`tier${i}Min`} inputMode="numeric" defaultValue={values[`tier${i}Min`]} error={errors[`tier${i}Min`]} maxLength={SANITATION_MAX.tierMinDigits} autoComplete="off" />
          <SelectField label="对应细则" name={`tier${i}Rule`} defaultValue={values[`tier${i}Rule`] ?? ""} error={errors[`tier${i}Rule`]} options={ruleOptions} />
        </div>
      ))}
      {errors._tiers ? <p className="field-error" id="f-tiers-err">{errors._tiers}</p> : null}
      <button type="submit" className="primary block" disabled={busy}>{submit}</button>
    </Form>
  );
}
