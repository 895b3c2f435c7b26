// The fields of one rule (积分细则), for the new-rule form and each rule's edit form. Options and
// lengths come from ./labels, which the server's schema reads too.
import { CAP_FIELDS, CAP_LABELS, RULE_CATEGORIES, RULE_LIMITS, RULE_UNITS } from "./labels";

export interface RuleValues {
  category?: string;
  name?: string;
  points?: string | number;
  unit?: string;
  evidence?: string;
  [cap: string]: string | number | null | undefined;
}

export function RuleFields({ prefix, values, errors }: { prefix: string; values: RuleValues; errors: Record<string, string> }) {
  const id = (n: string) => `${prefix}-${n}`;
  const a = (n: string) => (errors[n] ? { "aria-invalid": true as const, "aria-describedby": `${id(n)}-err` } : {});
  const e = (n: string) => (errors[n] ? <p className="field-error" id={`${id(n)}-err`}>{errors[n]}</p> : null);
  return (
    <>
      <label htmlFor={id("name")}>名称</label>
      <input id={id("name")} name="name" maxLength={RULE_LIMITS.name} defaultValue={values.name ?? ""} autoComplete="off" {...a("name")} />
      {e("name")}
      <label htmlFor={id("category")}>类别</label>
      <select id={id("category")} name="category" defaultValue={values.category ?? "volunteer"} {...a("category")}>
        {Object.entries(RULE_CATEGORIES).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      {e("category")}
      <label htmlFor={id("points")}>分值（扣分填负数）</label>
      <input id={id("points")} name="points" inputMode="numeric" maxLength={RULE_LIMITS.pointsDigits + 1} defaultValue={values.points ?? ""} autoComplete="off" {...a("points")} />
      {e("points")}
      <label htmlFor={id("unit")}>计分单位</label>
      <select id={id("unit")} name="unit" defaultValue={values.unit ?? "time"} {...a("unit")}>
        {Object.entries(RULE_UNITS).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      {e("unit")}
      <label htmlFor={id("evidence")}>是否需要照片证据</label>
      <select id={id("evidence")} name="evidence" defaultValue={values.evidence ?? ""} {...a("evidence")}>
        <option value="">默认（扣分需要，加分不需要）</option>
        <option value="1">需要照片</option>
        <option value="0">不需要照片</option>
      </select>
      {e("evidence")}
      <fieldset className="caps">
        <legend>上限（分，不限请留空）</legend>
        <div className="cap-grid">
          {CAP_FIELDS.map((c) => (
            <div key={c}>
              <label htmlFor={id(c)}>{CAP_LABELS[c]}</label>
              <input id={id(c)} name={c} inputMode="numeric" maxLength={RULE_LIMITS.capDigits} defaultValue={values[c] == null ? "" : String(values[c])} autoComplete="off" {...a(c)} />
              {e(c)}
            </div>
          ))}
        </div>
      </fieldset>
    </>
  );
}
