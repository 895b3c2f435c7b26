// The claim pages' forms: schemas, filing with photos, and the actions of review, 公示 and revoke.
// Routes call one function here and render what it returns.
import { z } from "zod";
import { formIdSchema } from "~/platform/forms.server";
import { checkPhotos, removePhotos, storePhotos, uploadedFiles } from "./photos.server";
import {
  approveClaim, approveClaims, ClaimError, fileClaimBatch, objectToClaim, rejectClaim, resolveObjection, revokeClaim, type Decider,
} from "./claims.server";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { CLAIM_LIMITS, REVIEW_DONE, type ReviewDone } from "./labels";
import { nextToReview, reviewerOf } from "./views.server";
import type { Role } from "~/platform/roles";
import { fieldErrors, formToObject, normalizeDigits, textSchema } from "~/platform/validation.server";
import { notPostAllowance } from "~/rules/rules.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";
const CHINA_OFFSET_MS = 8 * 3600_000;

/** "2026-11-23" (China date) to the first instant of that day. */
function chinaDayStart(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y, m - 1, d) - CHINA_OFFSET_MS;
}

export function chinaToday(): string {
  return new Date(now() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

export const claimFormSchema = z.object({
  memberId: z.string({ error: "请选择成员" }).regex(/^\d{1,12}$/, "请选择成员").transform(Number),
  ruleId: z.string({ error: "请选择积分细则" }).regex(/^\d{1,12}$/, "请选择积分细则").transform(Number),
  date: z
    .string({ error: "请选择日期" })
    .transform(normalizeDigits)
    .pipe(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, "请选择日期")
        .refine((s) => {
          const t = new Date(`${s}T00:00:00Z`);
          return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
        }, "日期无效，请重新选择"),
    )
    .transform(chinaDayStart),
  quantity: z
    .string({ error: "请填写数量" })
    .transform(normalizeDigits)
    .pipe(z.string().regex(/^\d{1,3}(\.\d)?$/, "数量应为正数，如 1 或 2.5"))
    .transform(Number),
  note: textSchema("说明", CLAIM_LIMITS.note, false, true).optional().transform((s) => s ?? ""),
});

export type FormResult = { ok: true; ids: number[] } | { ok: false; errors: Record<string, string>; status: number };

/** ClaimError fields are the module's names; the form calls the date "date". */
const FORM_FIELD: Record<string, string> = { occurredAt: "date" };

function claimErrorResult(e: unknown): { ok: false; errors: Record<string, string>; status: number } {
  if (!(e instanceof ClaimError)) throw e;
  return { ok: false, errors: { [FORM_FIELD[e.field] ?? e.field]: e.message }, status: e.status === 404 ? 400 : e.status };
}

/** Parses the claim form with its photos and files it; writes nothing (no file either) when refused. */
export async function fileClaimFromForm(villageId: number, filer: { userId: number; role: Role }, form: FormData): Promise<FormResult> {
  const parsed = claimFormSchema.safeParse(formToObject(form));
  const files = uploadedFiles(form);
  const checked = await checkPhotos(files);
  if (!parsed.success || !checked.ok) {
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    if (!checked.ok) errors.photos = checked.message;
    return { ok: false, errors, status: 400 };
  }
  const stored = storePhotos(villageId, checked.photos);
  try {
    const ids = await fileClaimBatch({
      villageId, filer,
      items: [{ memberId: parsed.data.memberId, ruleId: parsed.data.ruleId, occurredAt: parsed.data.date, quantity: parsed.data.quantity, note: parsed.data.note, photos: stored }],
    });
    return { ok: true, ids };
  } catch (e) {
    removePhotos(stored);
    return claimErrorResult(e);
  }
}

/**
 * What the claim form offers: the members the filer may claim for (one household's for a villager,
 * the village's for staff), and the rules (a villager files awards only).
 */
export async function claimFormOptions(villageId: number, householdId: number | null) {
  let members = db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .select(["m.id", "m.name", "m.relation", "h.number as household"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", constant(1));
  if (householdId !== null) members = members.where("m.household_id", "=", householdId);
  let rules = db()
    .selectFrom("rules")
    .select(["id", "category", "name", "points", "unit", "evidence_required"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where(notPostAllowance);
  if (householdId !== null) rules = rules.where("points", ">", 0);
  return {
    members: await members.orderBy("h.number").orderBy("m.is_head", "desc").orderBy("m.id").execute(),
    rules: await rules.orderBy("category").orderBy("points", "desc").orderBy("id").execute(),
    today: chinaToday(),
  };
}

export type ClaimFormOptions = Awaited<ReturnType<typeof claimFormOptions>>;

// ---- review, 公示 and revoke actions ----------------------------------------------

const reasonSchema = (label: string) => textSchema(label, CLAIM_LIMITS.reason);

export const reviewIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("approve") }),
    z.object({ intent: z.literal("reject"), reason: reasonSchema("驳回理由") }),
    z.object({ intent: z.literal("revoke"), reason: reasonSchema("撤销理由") }),
    z.object({ intent: z.literal("uphold"), objectionId: formIdSchema, note: reasonSchema("核实情况") }),
    z.object({ intent: z.literal("dismiss"), objectionId: formIdSchema, note: reasonSchema("核实情况") }),
  ],
  { error: BAD_REQUEST },
);

export type ActionResult = { ok: true; message: string } | { ok: false; errors: Record<string, string>; status: number };

async function attempt(fn: () => Promise<string>): Promise<ActionResult> {
  try {
    return { ok: true, message: await fn() };
  } catch (e) {
    const r = claimErrorResult(e);
    return r;
  }
}

/** An approval or a rejection: done, the reviewer moves on (see afterDecision). */
async function decided(fn: () => Promise<ReviewDone>): Promise<ActionResult & { done?: ReviewDone }> {
  try {
    const done = await fn();
    return { ok: true, message: REVIEW_DONE[done], done };
  } catch (e) {
    return claimErrorResult(e);
  }
}

/** The `done` key a redirect after a decision carries; anything else is ignored. */
export const reviewDoneSchema = z
  .enum(Object.keys(REVIEW_DONE) as [ReviewDone, ...ReviewDone[]])
  .nullish()
  .catch(null)
  .transform((d) => d ?? null);

/**
 * Where a reviewer goes after approving or rejecting: the next claim waiting for them, or the queue
 * when none is left. The page there says what was done (`done`).
 */
export async function afterDecision(villageId: number, userId: number, done: ReviewDone): Promise<string> {
  const next = await nextToReview(villageId, await reviewerOf(userId));
  return next === null ? `/v/${villageId}/review?done=${done}` : `/v/${villageId}/review/${next}?done=${done}`;
}

/** One decision on one claim (the detail page); an approval or rejection also says which (`done`). */
export async function decideFromForm(villageId: number, claimId: number, by: Decider, raw: Record<string, string>): Promise<ActionResult & { done?: ReviewDone }> {
  const parsed = reviewIntent.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.objectionId) errors._form = errors.intent ?? errors.objectionId;
    return { ok: false, errors, status: 400 };
  }
  const i = parsed.data;
  switch (i.intent) {
    case "approve":
      return decided(() => approveClaim(villageId, claimId, by));
    case "reject":
      return decided(async () => (await rejectClaim(villageId, claimId, by, i.reason), "rejected"));
    case "revoke":
      return attempt(async () => (await revokeClaim(villageId, claimId, by, i.reason), "已撤销，积分已冲正"));
    case "uphold":
    case "dismiss":
      return attempt(async () => {
        await objectionOfClaim(villageId, claimId, i.objectionId);
        await resolveObjection(villageId, i.objectionId, by, i.intent, i.note);
        return i.intent === "uphold" ? "异议成立，申报已驳回" : "异议不成立，继续公示";
      });
  }
}

async function objectionOfClaim(villageId: number, claimId: number, objectionId: number): Promise<void> {
  const found = await db()
    .selectFrom("objections")
    .select("id")
    .where("id", "=", objectionId)
    .where("claim_id", "=", claimId)
    .where("village_id", "=", villageId)
    .executeTakeFirst();
  if (!found) throw new ClaimError("找不到这条异议");
}

export const batchApproveSchema = z.object({
  claimIds: z.array(formIdSchema, { error: "请先勾选要通过的申报" }).min(1, "请先勾选要通过的申报").max(200, "一次最多通过 200 条"),
});

/** Approve many at once from the queue; each refusal is reported with its claim. */
export async function approveManyFromForm(villageId: number, by: Decider, form: FormData): Promise<ActionResult & { failed?: { claimId: number; message: string }[] }> {
  const ids = form.getAll("claimId").filter((v): v is string => typeof v === "string");
  const parsed = batchApproveSchema.safeParse({ claimIds: ids });
  if (!parsed.success) return { ok: false, errors: { _form: fieldErrors(parsed.error).claimIds ?? BAD_REQUEST }, status: 400 };
  const out = await approveClaims(villageId, [...new Set(parsed.data.claimIds)], by);
  if (out.approved.length === 0) return { ok: false, errors: { _form: out.failed.map((f) => `#${f.claimId}：${f.message}`).join("；") }, status: 400 };
  return { ok: true, message: `已通过 ${out.approved.length} 条${out.failed.length ? `，${out.failed.length} 条未通过` : ""}`, failed: out.failed };
}

export const objectionSchema = z.object({ claimId: formIdSchema, reason: textSchema("异议理由", CLAIM_LIMITS.reason) });

export async function objectFromForm(villageId: number, userId: number, raw: Record<string, string>): Promise<ActionResult & { claimId?: number }> {
  const parsed = objectionSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.claimId) errors._form = errors.claimId;
    const claimId = /^\d{1,12}$/.test(raw.claimId ?? "") ? Number(raw.claimId) : undefined;
    return { ok: false, errors, status: 400, claimId };
  }
  const r = await attempt(async () => (await objectToClaim(villageId, parsed.data.claimId, userId, parsed.data.reason), "已提交异议，村委会核实处理"));
  return { ...r, claimId: parsed.data.claimId };
}
