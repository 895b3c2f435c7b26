// The settings page's 代跑 form: the rule an errand's claim is filed under (or none: 代跑 not opened).
import { Form } from "@remix-run/react";

interface Setting {
  ruleId: number | null;
  ruleActive: boolean;
  choices: { id: number; name: string; points: number }[];
}

export function ErrandRuleForm({ setting, result, busy }: { setting: Setting; result?: { errors?: Record<string, string>; values?: Record<string, string> | null } | null; busy: boolean }) {
  const error = result?.errors?.errandRuleId;
  const value = result?.values?.errandRuleId ?? (setting.ruleId === null ? "" : String(setting.ruleId));
  return (
    <Form method="post" noValidate id="errand-setting">
      <h2>代跑</h2>
      <input type="hidden" name="intent" value="errandRule" />
      <label htmlFor="f-errandRuleId">代跑完成后按哪条细则给志愿者申报积分</label>
      <select id="f-errandRuleId" name="errandRuleId" defaultValue={value} aria-invalid={error ? true : undefined} aria-describedby={error ? "f-errandRuleId-err" : undefined}>
        <option value="">不开通代跑积分</option>
        {setting.choices.map((r) => <option key={r.id} value={r.id}>{r.name}（+{r.points} 分/次）</option>)}
      </select>
      {error ? <p className="field-error" id="f-errandRuleId-err">{error}</p> : <p className="muted small">只能选在用的、按次计的奖励细则。申报照常经村委审核和公示。{setting.ruleId !== null && !setting.ruleActive ? "现在选的细则已停用，请重新选择。" : ""}</p>}
      <button type="submit" className="primary block" disabled={busy}>保存代跑设置</button>
    </Form>
  );
}
