// The village's 代跑 setting on the settings page: which rule an errand's claim is filed under.
import { data } from "@remix-run/node";
import { z } from "zod";
import type { StaffActor } from "~/platform/forms.server";
import { fieldErrors } from "~/platform/validation.server";
import { ErrandError, errandRuleChoices, errandRuleOf, setErrandRule } from "./errands.server";

export async function errandSettings(villageId: number) {
  const [rule, choices] = await Promise.all([errandRuleOf(villageId), errandRuleChoices(villageId)]);
  return { ruleId: rule?.id ?? null, ruleActive: rule?.active ?? false, choices };
}

const schema = z.object({
  errandRuleId: z.string({ error: "请选择代跑用的积分细则" }).regex(/^(|\d{1,12})$/, "请求有误，请刷新页面后再试").transform((s) => (s === "" ? null : Number(s))),
});

/** The action's answer, shaped like the settings form's (ok, errors, values). */
export async function errandSettingFromForm(actor: StaffActor, villageId: number, form: Record<string, string>) {
  const parsed = schema.safeParse(form);
  const values = { errandRuleId: (form.errandRuleId ?? "").slice(0, 20) } as Record<string, string>;
  if (!parsed.success) return data({ ok: null, errors: fieldErrors(parsed.error), values }, { status: 400 });
  try {
    await setErrandRule(actor, villageId, parsed.data.errandRuleId);
  } catch (e) {
    if (!(e instanceof ErrandError)) throw e;
    return data({ ok: null, errors: { [e.field]: e.message }, values }, { status: 400 });
  }
  return { ok: parsed.data.errandRuleId === null ? "已保存：本村暂停代跑积分。" : "已保存：代跑完成后按这条细则申报积分。", errors: {} as Record<string, string>, values: null };
}
