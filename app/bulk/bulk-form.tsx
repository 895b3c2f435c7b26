// The 批量发放 forms: choosing (rule, households, date) and the preview with its confirm button.
// Plain forms: every choice is on the page at once, so they work without JavaScript.
import { Form, Link } from "@remix-run/react";
import { FormError } from "~/ui/field";
import { BULK_LIMITS, MODE_HINTS, MODE_LABELS, type BulkMode } from "./labels";

export interface BulkFormOptions {
  villageId: number;
  rules: { id: number; name: string; points: number; unit: string }[];
  grids: { id: number; name: string }[];
  today: string;
}

const MODES: BulkMode[] = ["all", "grid", "list", "file", "not_deducted"];

function Err({ id, message }: { id: string; message?: string }) {
  return message ? <p className="field-error" id={id}>{message}</p> : null;
}

export function BulkChooseForm({ rules, grids, today, errors = {}, values = {}, busy }: BulkFormOptions & { errors?: Record<string, string>; values?: Record<string, string>; busy: boolean }) {
  const mode = (values.mode as BulkMode) ?? "all";
  const described = (name: string) => (errors[name] ? { "aria-invalid": true, "aria-describedby": `b-${name}-err` } : {});
  return (
    <Form method="post" encType="multipart/form-data" className="bulk-form" replace>
      <input type="hidden" name="intent" value="preview" />
      <FormError message={errors._form} />
      <div>
        <label htmlFor="b-ruleId">加分细则</label>
        <select id="b-ruleId" name="ruleId" defaultValue={values.ruleId ?? ""} {...described("ruleId")}>
          <option value="">请选择</option>
          {rules.map((r) => (
            <option key={r.id} value={r.id}>{r.name}（{r.points} 分/{r.unit === "hour" ? "小时" : "次"}）</option>
          ))}
        </select>
        <Err id="b-ruleId-err" message={errors.ruleId} />
        {rules.length === 0 ? <p className="muted small">本村还没有启用的加分细则，请村管理员先在“积分细则”里添加。</p> : null}
      </div>
      <fieldset className="bulk-modes" {...(errors.mode ? { "aria-describedby": "b-mode-err" } : {})}>
        <legend>发给哪些户</legend>
        {MODES.map((m) => (
          <div key={m} className="bulk-mode">
            <label className="check">
              <input type="radio" name="mode" value={m} defaultChecked={m === mode} />
              <span>
                {MODE_LABELS[m]}
                <span className="muted small elder-hide"> {MODE_HINTS[m]}</span>
              </span>
            </label>
            {m === "grid" ? (
              <div className="bulk-sub">
                <label htmlFor="b-gridId" className="sr-only">网格</label>
                <select id="b-gridId" name="gridId" defaultValue={values.gridId ?? ""} {...described("gridId")}>
                  <option value="">选择网格</option>
                  {grids.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
                </select>
                <Err id="b-gridId-err" message={errors.gridId} />
              </div>
            ) : null}
            {m === "list" ? (
              <div className="bulk-sub">
                <label htmlFor="b-codes" className="sr-only">户号名单</label>
                <textarea id="b-codes" name="codes" rows={4} placeholder={"例如：001 002 003\n或每行一个户号"} defaultValue={values.codes ?? ""} {...described("codes")} />
                <Err id="b-codes-err" message={errors.codes} />
              </div>
            ) : null}
            {m === "file" ? (
              <div className="bulk-sub">
                <label htmlFor="b-file" className="sr-only">户号 CSV 文件</label>
                <input id="b-file" type="file" name="file" accept=".csv,text/csv,text/plain" {...described("file")} />
                <Err id="b-file-err" message={errors.file} />
              </div>
            ) : null}
          </div>
        ))}
        <Err id="b-mode-err" message={errors.mode} />
      </fieldset>
      <div className="bulk-row">
        <div>
          <label htmlFor="b-date">日期</label>
          <input id="b-date" type="date" name="date" max={today} defaultValue={values.date ?? today} {...described("date")} />
          <Err id="b-date-err" message={errors.date} />
        </div>
        <div>
          <label htmlFor="b-quantity">数量（次或小时）</label>
          <input id="b-quantity" name="quantity" inputMode="decimal" defaultValue={values.quantity ?? "1"} {...described("quantity")} />
          <Err id="b-quantity-err" message={errors.quantity} />
        </div>
      </div>
      <div>
        <label htmlFor="b-note">说明（可不填）</label>
        <input id="b-note" name="note" maxLength={BULK_LIMITS.note} placeholder="例如：十二月基础分" defaultValue={values.note ?? ""} {...described("note")} />
        <Err id="b-note-err" message={errors.note} />
      </div>
      <button type="submit" className="primary block" disabled={busy}>{busy ? "正在计算…" : "预览"}</button>
    </Form>
  );
}

export interface PreviewView {
  rule: { name: string };
  points: number;
  households: number;
  filed: number;
  total: number;
  chosen: string;
  refused: { id: number; number: string; headName: string | null; refusal: string | null }[];
}

export function BulkPreviewCard({ villageId, preview, keyValue, values, busy, error }: {
  villageId: number; preview: PreviewView; keyValue: string; values: Record<string, string>; busy: boolean; error?: string | null;
}) {
  return (
    <section className="card bulk-preview" data-testid="bulk-preview">
      <h2>预览：确认后才登记</h2>
      <FormError message={error} />
      <dl className="facts">
        <dt>细则</dt><dd>{preview.rule.name}</dd>
        <dt>发给</dt><dd>{preview.chosen}</dd>
        <dt>户数</dt><dd><strong data-testid="bulk-count">{preview.filed}</strong> 户{preview.refused.length ? `（另有 ${preview.refused.length} 户跳过）` : ""}</dd>
        <dt>每户</dt><dd><span className="amount plus">+{preview.points}</span> 分（记在户主名下）</dd>
        <dt>合计</dt><dd><strong className="bulk-total" data-testid="bulk-total">{preview.total}</strong> 分</dd>
      </dl>
      {preview.refused.length ? (
        <div className="warn bulk-refused">
          <p><strong>以下 {preview.refused.length} 户会被跳过</strong>，不登记：</p>
          <ul>
            {preview.refused.slice(0, 200).map((r) => (
              <li key={r.id}><span className="nowrap">{r.number}号户{r.headName ? ` ${r.headName}` : ""}</span>：{r.refusal}</li>
            ))}
          </ul>
          {preview.refused.length > 200 ? <p className="muted small">只列出前 200 户。</p> : null}
        </div>
      ) : null}
      <p className="muted small">确认后，每户生成一条申报，由另一位村委委员审核，通过后公示，公示期满自动入账。</p>
      {preview.filed > 0 ? (
        <Form method="post" replace>
          <input type="hidden" name="intent" value="file" />
          <input type="hidden" name="key" value={keyValue} />
          {Object.entries(values).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />)}
          <button type="submit" className="primary block" disabled={busy} data-testid="bulk-confirm">
            {busy ? "正在登记…" : `确认发放：${preview.filed} 户，共 ${preview.total} 分`}
          </button>
        </Form>
      ) : <p className="form-error">所有户都会被跳过，没有可以登记的。</p>}
      <p className="bulk-back"><Link to={`/v/${villageId}/bulk/new`}>‹ 重新选择</Link></p>
    </section>
  );
}
