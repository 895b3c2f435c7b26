// The export form of the village's and the township's export pages. A plain GET form, not Remix's:
// its answer is a file, which the browser downloads while the page stays, with or without JavaScript.
import { DateField } from "~/ui/pickers";
import { EXPORT_KINDS, KIND_HINTS, KIND_LABELS, MAX_YEARS } from "./labels";

export interface ExportFormProps {
  /** The page's own address: it checks the choice and sends the browser on to the file. */
  action: string;
  values: { kind: string; from: string; to: string; village: string };
  errors: Record<string, string>;
  /** The township's page: which village, or all of them. */
  villages?: { id: number; name: string }[];
}

export function ExportForm({ action, values, errors, villages }: ExportFormProps) {
  return (
    <form method="get" action={action} className="export-form" noValidate>
      {errors._form ? <p className="form-error" role="alert">{errors._form}</p> : null}
      {villages ? (
        <div>
          <label htmlFor="f-village">哪个村</label>
          <select id="f-village" name="village" defaultValue={values.village} aria-invalid={errors.village ? true : undefined} aria-describedby={errors.village ? "f-village-err" : undefined}>
            <option value="">全乡镇（一个文件，每行注明村）</option>
            {villages.map((v) => (
              <option key={v.id} value={v.id}>{v.name}</option>
            ))}
          </select>
          {errors.village ? <p className="field-error" id="f-village-err">{errors.village}</p> : null}
        </div>
      ) : null}
      <fieldset className="export-kinds" aria-describedby={errors.kind ? "f-kind-err" : undefined}>
        <legend>导出什么</legend>
        {EXPORT_KINDS.map((k) => (
          <label key={k} className="export-kind">
            <input type="radio" name="kind" value={k} defaultChecked={values.kind === k} />
            <span>
              <strong>{KIND_LABELS[k]}</strong>
              <span className="muted small">{KIND_HINTS[k]}</span>
            </span>
          </label>
        ))}
        {errors.kind ? <p className="field-error" id="f-kind-err">{errors.kind}</p> : null}
      </fieldset>
      <div className="export-dates">
        <DateField label="开始日期" name="from" defaultValue={values.from} error={errors.from} />
        <DateField label="结束日期（含这一天）" name="to" defaultValue={values.to} error={errors.to} />
      </div>
      <p className="muted small">一次最多 {MAX_YEARS} 年。</p>
      {errors.format ? <p className="field-error" id="f-format-err">{errors.format}</p> : null}
      <div className="export-buttons">
        <button type="submit" name="format" value="xlsx" className="primary">下载 Excel 表格</button>
        <button type="submit" name="format" value="csv" className="secondary">下载 CSV 表格</button>
      </div>
      <p className="muted small">两种都能用 Excel 或 WPS 打开。数据多时下载要等一会儿，请不要重复点。每次导出都会记入操作记录。</p>
    </form>
  );
}
