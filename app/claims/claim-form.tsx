// The claim form (积分申报): member, rule, date, quantity or hours, note, up to 3 photos.
// A plain multipart form: works without JavaScript.
import { Form } from "@remix-run/react";
import { FormError } from "~/ui/field";
import { DateField, FilePicker } from "~/ui/pickers";
import type { ClaimFormOptions } from "./forms.server";
import { CLAIM_LIMITS, MAX_PHOTO_MB, MAX_PHOTOS, PHOTO_ACCEPT } from "./labels";

export interface ClaimFormProps extends ClaimFormOptions {
  showHousehold: boolean;
  errors?: Record<string, string>;
  values?: Record<string, string>;
  busy: boolean;
  formKey: string | number;
}

function err(errors: Record<string, string> | undefined, name: string) {
  const message = errors?.[name];
  return message ? <p className="field-error" id={`f-${name}-err`}>{message}</p> : null;
}

const aria = (errors: Record<string, string> | undefined, name: string) =>
  errors?.[name] ? { "aria-invalid": true, "aria-describedby": `f-${name}-err` } : {};

export function ClaimForm({ members, rules, today, showHousehold, errors, values, busy, formKey }: ClaimFormProps) {
  return (
    <Form method="post" encType="multipart/form-data" noValidate key={formKey}>
      <FormError message={errors?._form} />
      <label htmlFor="f-memberId">为谁申报</label>
      <select id="f-memberId" name="memberId" defaultValue={values?.memberId ?? (members.length === 1 ? String(members[0].id) : "")} {...aria(errors, "memberId")}>
        {members.length !== 1 ? <option value="">请选择成员</option> : null}
        {members.map((m) => (
          <option key={m.id} value={m.id}>
            {showHousehold ? `${m.household}号户 ` : ""}{m.name}（{m.relation}）
          </option>
        ))}
      </select>
      {err(errors, "memberId")}
      <label htmlFor="f-ruleId">积分细则</label>
      <select id="f-ruleId" name="ruleId" defaultValue={values?.ruleId ?? ""} {...aria(errors, "ruleId")}>
        <option value="">请选择细则</option>
        {rules.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}：{r.points > 0 ? "+" : ""}{r.points} 分/{r.unit === "hour" ? "小时" : "次"}{r.evidence_required ? "（需照片）" : ""}
          </option>
        ))}
      </select>
      {err(errors, "ruleId")}
      <DateField label="日期" name="date" max={today} defaultValue={values?.date ?? today} error={errors?.date} />
      <label htmlFor="f-quantity">次数或小时数</label>
      <input id="f-quantity" name="quantity" inputMode="decimal" maxLength={CLAIM_LIMITS.quantityChars} defaultValue={values?.quantity ?? "1"} autoComplete="off" {...aria(errors, "quantity")} />
      {errors?.quantity ? null : <p className="muted small">按次计分的填次数；按小时计分的填小时数，可填 1.5</p>}
      {err(errors, "quantity")}
      <label htmlFor="f-note">说明（选填）</label>
      <textarea id="f-note" name="note" rows={3} maxLength={CLAIM_LIMITS.note} defaultValue={values?.note ?? ""} {...aria(errors, "note")} />
      {err(errors, "note")}
      <FilePicker label={`照片（选填，最多 ${MAX_PHOTOS} 张，每张不超过 ${MAX_PHOTO_MB} MB）`} name="photos" accept={PHOTO_ACCEPT} multiple error={errors?.photos} />
      <button type="submit" className="primary block" disabled={busy}>提交申报</button>
    </Form>
  );
}
