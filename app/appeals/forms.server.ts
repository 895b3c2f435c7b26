// The appeal pages' forms: the household's appeal (reason and photos) and the committee's decision.
// Routes call one function here and render what it returns; bad input writes nothing (no file either).
import { z } from "zod";
import { checkPhotos, removePhotos, storePhotos, uploadedFiles } from "~/claims/photos.server";
import { formIdSchema } from "~/platform/forms.server";
import { fieldErrors, formToObject, normalizeDigits, textSchema } from "~/platform/validation.server";
import { AppealError, decideAppeal, fileAppeal, type Decider } from "./appeals.server";
import { APPEAL_LIMITS, APPEAL_STATUS_LABELS } from "./labels";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export type FormResult<T> = ({ ok: true } & T) | { ok: false; errors: Record<string, string>; status: number };

function appealErrorResult(e: unknown): { ok: false; errors: Record<string, string>; status: number } {
  if (!(e instanceof AppealError)) throw e;
  return { ok: false, errors: { [e.field]: e.message }, status: e.status };
}

export const appealFormSchema = z.object({
  txnId: formIdSchema,
  reason: textSchema("申诉理由", APPEAL_LIMITS.reason, true, true),
});

/** The `txn` query parameter of the appeal form: an id, or nothing (then the page lists what may be appealed). */
export const entryQuerySchema = z
  .string()
  .nullish()
  .transform((s) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null));

/** Parses the appeal form with its photos and files it. */
export async function fileAppealFromForm(who: { householdId: number; userId: number; role: string }, villageId: number, form: FormData): Promise<FormResult<{ id: number }>> {
  const raw = formToObject(form);
  const parsed = appealFormSchema.safeParse(raw);
  const checked = await checkPhotos(uploadedFiles(form));
  if (!parsed.success || !checked.ok) {
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    if (errors.txnId) errors._form = errors.txnId;
    if (!checked.ok) errors.photos = checked.message;
    return { ok: false, errors, status: 400 };
  }
  const stored = storePhotos(villageId, checked.photos);
  try {
    const id = await fileAppeal({ ...who, txnId: parsed.data.txnId, reason: parsed.data.reason, photos: stored });
    return { ok: true, id };
  } catch (e) {
    removePhotos(stored);
    const r = appealErrorResult(e);
    // The page names its entry by the URL; an entry of another household reads as a refusal on the form, not a 404 page.
    return { ...r, status: r.status === 404 ? 400 : r.status };
  }
}

const POINTS_MESSAGE = `改后的分值应为 1 到 ${APPEAL_LIMITS.pointsMax} 的整数，扣分填负数`;

const newPointsSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? "").replace(/^－/, "-"))
  .pipe(z.union([z.literal(""), z.string().regex(/^-?\d{1,4}$/, POINTS_MESSAGE)]))
  .transform((s) => (s === "" ? null : Number(s)));

export const decisionSchema = z.object({
  verdict: z.enum(["uphold", "modify", "revoke"], { error: "请选择处理结果" }),
  note: textSchema("处理理由", APPEAL_LIMITS.reason, true, true),
  newPoints: newPointsSchema,
});

/** One decision from the committee's form. */
export async function decideFromForm(villageId: number, appealId: number, by: Decider, raw: Record<string, string>): Promise<FormResult<{ message: string }>> {
  const parsed = decisionSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), status: 400 };
  const d = parsed.data;
  if (d.verdict === "modify" && d.newPoints === null) return { ok: false, errors: { newPoints: "请填写改后的分值" }, status: 400 };
  try {
    const status = await decideAppeal(villageId, appealId, by, { verdict: d.verdict, note: d.note, newPoints: d.verdict === "modify" ? d.newPoints : null });
    return { ok: true, message: `已处理：${APPEAL_STATUS_LABELS[status]}` };
  } catch (e) {
    const r = appealErrorResult(e);
    return r;
  }
}

export { BAD_REQUEST };
