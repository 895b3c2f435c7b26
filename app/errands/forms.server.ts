// The errand pages' forms: posting a need, and the buttons of an errand (take, give back, confirm,
// cancel). Routes call one function here and render what it returns; bad input writes nothing.
import { z } from "zod";
import type { Viewer } from "~/platform/access.server";
import { fieldErrors, normalizeDigits, textSchema } from "~/platform/validation.server";
import { cancelErrand, confirmErrand, ErrandError, giveBackErrand, postErrand, takeErrand } from "./errands.server";
import { ERRAND_LIMITS } from "./labels";

export type FormResult<T> = ({ ok: true } & T) | { ok: false; errors: Record<string, string>; status: number };

const CHINA_OFFSET = 8 * 3600_000;

/** "2026-3-8" or "2026-03-08" (full-width digits too) → the end of that day, China time; null when not a real day. */
export function dueAtOf(raw: string): number | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(normalizeDigits(raw.trim()));
  if (!m) return null;
  const day = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  const start = Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET;
  // Date.parse rolls 2026-02-31 over into March instead of refusing it.
  if (Number.isNaN(start) || new Date(start + CHINA_OFFSET).toISOString().slice(0, 10) !== day) return null;
  return start + 86_400_000 - 60_000;
}

/** "YYYY-MM-DD" (China time) of an instant: the date input's value. */
export function dayOf(ms: number): string {
  return new Date(ms + CHINA_OFFSET).toISOString().slice(0, 10);
}

export const postSchema = z.object({
  householdId: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) {
        ctx.addIssue({ code: "custom", message: "请选择要帮助的农户" });
        return z.NEVER;
      }
      if (!/^\d{1,12}$/.test(s)) {
        ctx.addIssue({ code: "custom", message: "请求有误，请刷新页面后再试" });
        return z.NEVER;
      }
      return Number(s);
    }),
  what: textSchema("要办的事", ERRAND_LIMITS.what, true, true),
  place: textSchema("地点", ERRAND_LIMITS.place),
  dueDate: z
    .string({ error: "请填写截止日期" })
    .max(20, "请按 2026-03-08 的格式填写日期")
    .transform((s, ctx) => {
      const at = dueAtOf(s);
      if (at === null) {
        ctx.addIssue({ code: "custom", message: s.trim() === "" ? "请填写截止日期" : "请按 2026-03-08 的格式填写日期" });
        return z.NEVER;
      }
      return at;
    }),
});

function errandErrorResult(e: unknown): { ok: false; errors: Record<string, string>; status: number } {
  if (!(e instanceof ErrandError)) throw e;
  return { ok: false, errors: { [e.field]: e.message }, status: e.status };
}

export async function postFromForm(viewer: Viewer, raw: Record<string, string>): Promise<FormResult<{ id: number }>> {
  const parsed = postSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), status: 400 };
  const d = parsed.data;
  try {
    return { ok: true, id: await postErrand(viewer, { householdId: d.householdId, what: d.what, place: d.place, dueAt: d.dueDate }) };
  } catch (e) {
    return errandErrorResult(e);
  }
}

const actSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("take") }),
  z.object({ intent: z.literal("giveBack") }),
  z.object({ intent: z.literal("confirm") }),
  z.object({ intent: z.literal("cancel"), reason: textSchema("取消原因", ERRAND_LIMITS.reason, false) }),
], { error: "请求有误，请刷新页面后再试" });

const DONE_WORDS = {
  take: "你接了这条需求。办好后请被帮助的人或发布人确认。",
  giveBack: "已放回，别的村民可以接了。",
  confirm: "已确认完成，志愿者的积分申报已提交，村委审核并公示后入账。",
  cancel: "需求已取消。",
} as const;

/** One button of the errand page. */
export async function actFromForm(viewer: Viewer, id: number, raw: Record<string, string>): Promise<FormResult<{ message: string }>> {
  const parsed = actSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent) errors._form = errors.intent;
    return { ok: false, errors, status: 400 };
  }
  const a = parsed.data;
  try {
    if (a.intent === "take") await takeErrand(viewer, id);
    else if (a.intent === "giveBack") await giveBackErrand(viewer, id);
    else if (a.intent === "confirm") await confirmErrand(viewer, id);
    else await cancelErrand(viewer, id, a.reason);
    return { ok: true, message: DONE_WORDS[a.intent] };
  } catch (e) {
    return errandErrorResult(e);
  }
}
