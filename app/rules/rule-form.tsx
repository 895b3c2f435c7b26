// The fields of one rule (积分细则), for the new-rule form and each rule's edit form.
const CATEGORIES: [string, string][] = [["volunteer", "志愿服务"], ["sanitation", "环境卫生"], ["family", "家庭美德"], ["village_rules", "村规民约"], ["other", "其他"]];
const CAPS: [string, string][] = [
  ["member_day", "每人每天"], ["member_month", "每人每月"], ["member_year", "每人每年"],
  ["household_day", "每户每天"], ["household_month", "每户每月"], ["household_year", "每户每年"],
];

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
      <input id={id("name")} name="name" maxLength={40} defaultValue={values.name ?? ""} autoComplete="off" {...a("name")} />
      {e("name")}
      <label htmlFor={id("category")}>类别</label>
      <select id={id("category")} name="category" defaultValue={values.category ?? "volunteer"} {...a("category")}>
        {CATEGORIES.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
      </select>
      {e("category")}
      <label htmlFor={id("points")}>分值（扣分填负数）</label>
      <input id={id("points")} name="points" inputMode="numeric" defaultValue={values.points ?? ""} autoComplete="off" {...a("points")} />
      {e("points")}
      <label htmlFor={id("unit")}>计分单位</label>
      <select id={id("unit")} name="unit" defaultValue={values.unit ?? "time"} {...a("unit")}>
        <option value="time">每次</option>
        <option value="hour">每小时</option>
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
          {CAPS.map(([c, l]) => (
            <div key={c}>
              <label htmlFor={id(c)}>{l}</label>
              <input id={id(c)} name={c} inputMode="numeric" defaultValue={values[c] == null ? "" : String(values[c])} autoComplete="off" {...a(c)} />
              {e(c)}
            </div>
          ))}
        </div>
      </fieldset>
    </>
  );
}
