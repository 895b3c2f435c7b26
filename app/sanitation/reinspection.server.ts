// Re-inspection requests (复查申请): within REINSPECTION_DAYS of publishing, a household head asks
// with a reason; the committee accepts (the household goes back to the inspectors; once rescored, a
// committee member applies the new score in sanitation/publish.server.ts) or declines with a reason.
import { z } from "zod";
import { fail, formIdSchema, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { householdOfUser, type Decider } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork, type Db } from "~/platform/database.server";
import { REINSPECTION_DAYS, SANITATION_MAX } from "./labels";
import { textSchema } from "~/platform/validation.server";

const DAY = 86_400_000;

export const requestSchema = z.object({ roundId: formIdSchema, reason: textSchema("复查理由", SANITATION_MAX.requestReason, true, true) });

export async function requestsOfRound(roundId: number) {
  return db()
    .selectFrom("reinspection_requests as q")
    .innerJoin("households as h", "h.id", "q.household_id")
    .innerJoin("users as u", "u.id", "q.requested_by")
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .leftJoin("inspections as i", (j) => j.onRef("i.round_id", "=", "q.round_id").onRef("i.household_id", "=", "q.household_id"))
    .select([
      "q.id", "q.round_id", "q.household_id", "h.number", "m.name as head", "q.reason", "q.status", "q.decision_note", "q.created_at", "u.display_name as requester",
      "i.status as inspection_status", "i.total", "i.tier", "i.inspector_user_id",
    ])
    .where("q.round_id", "=", roundId)
    // Those still to handle first, then the declined, then the applied.
    .orderBy((eb) => eb.case().when("q.status", "=", "applied").then(2).when("q.status", "=", "declined").then(1).else(0).end())
    .orderBy("q.id")
    .execute();
}

export type RequestRow = Awaited<ReturnType<typeof requestsOfRound>>[number];

/** Whether a household may still ask for re-inspection of this round, and why not. */
export function requestWindow(round: { status: string; published_at: number | null }): { open: boolean; until: number | null } {
  if (round.status !== "published" || round.published_at === null) return { open: false, until: null };
  const until = round.published_at + REINSPECTION_DAYS * DAY;
  return { open: now() < until, until };
}

export async function requestReinspection(head: { userId: number; householdId: number; villageId: number }, raw: Record<string, string>): Promise<Outcome<{ requestId: number }>> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? "_form")] ??= i.message;
    if (errors.roundId) errors._form = errors.roundId;
    return { ok: false, errors, status: 400 };
  }
  const { roundId, reason } = parsed.data;
  return unitOfWork(async (tx): Promise<Outcome<{ requestId: number }>> => {
    const round = await tx.selectFrom("sanitation_rounds").select(["id", "status", "published_at"]).where("id", "=", roundId).where("village_id", "=", head.villageId).executeTakeFirst();
    if (!round) return fail("_form", "找不到这轮评比");
    const w = requestWindow(round);
    if (!w.open) return fail("_form", round.status === "published" ? `公布 ${REINSPECTION_DAYS} 天内才能申请复查，已经过了期限` : "评比还没公布，公布后才能申请复查");
    const inspected = await tx
      .selectFrom("inspections")
      .select("id")
      .where("round_id", "=", roundId)
      .where("household_id", "=", head.householdId)
      .where("status", "<>", "returned")
      .executeTakeFirst();
    if (!inspected) return fail("_form", "这轮评比没有你家的检查结果");
    const asked = await tx.selectFrom("reinspection_requests").select("id").where("round_id", "=", roundId).where("household_id", "=", head.householdId).executeTakeFirst();
    if (asked) return fail("_form", "你家已经申请过这轮的复查了");
    const { id: requestId } = await tx
      .insertInto("reinspection_requests")
      .values({ village_id: head.villageId, round_id: roundId, household_id: head.householdId, requested_by: head.userId, reason, status: "open", created_at: now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({ actorUserId: head.userId, actorRole: "household_head", villageId: head.villageId, action: "reinspection.request", targetType: "round", targetId: roundId, after: { householdId: head.householdId, reason } });
    return { ok: true, requestId };
  });
}

/** The request, when it is still open and this committee member may decide it; else why not. */
async function openRequest(tx: Db, villageId: number, requestId: number, by: Decider) {
  const q = await tx
    .selectFrom("reinspection_requests")
    .select(["id", "round_id", "household_id", "status", "reason"])
    .where("id", "=", requestId)
    .where("village_id", "=", villageId)
    .executeTakeFirst();
  if (!q) return "找不到这条复查申请";
  if (q.status !== "open") return "这条复查申请已经处理过了";
  if (await householdOfUser(by.userId) === q.household_id) return "不能处理本户的复查申请，请由另一位村委委员处理";
  return q;
}

/** Accepted: the household goes back to the inspectors of its grid (退回重评) with the villager's reason. */
export async function acceptRequest(by: Decider, villageId: number, requestId: number): Promise<Outcome> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以处理复查申请", 403);
  return unitOfWork(async (tx): Promise<Outcome> => {
    const q = await openRequest(tx, villageId, requestId, by);
    if (typeof q === "string") return fail("_form", q);
    const at = now();
    const old = await tx.selectFrom("inspections").select("claim_id").where("round_id", "=", q.round_id).where("household_id", "=", q.household_id).executeTakeFirstOrThrow();
    await tx.updateTable("reinspection_requests").set({ status: "accepted", decided_by: by.userId, decided_at: at, old_claim_id: old.claim_id }).where("id", "=", q.id).execute();
    await tx
      .updateTable("inspections")
      .set((eb) => ({ status: "returned", returned_reason: `村民申请复查：${q.reason}`, version: eb("version", "+", 1) }))
      .where("round_id", "=", q.round_id)
      .where("household_id", "=", q.household_id)
      .execute();
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.accept", targetType: "reinspection", targetId: q.id });
    return { ok: true };
  });
}

export async function declineRequest(by: Decider, villageId: number, requestId: number, note: string): Promise<Outcome> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以处理复查申请", 403);
  return unitOfWork(async (tx): Promise<Outcome> => {
    const q = await openRequest(tx, villageId, requestId, by);
    if (typeof q === "string") return fail("_form", q);
    await tx.updateTable("reinspection_requests").set({ status: "declined", decided_by: by.userId, decided_at: now(), decision_note: note }).where("id", "=", q.id).execute();
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.decline", targetType: "reinspection", targetId: q.id, after: { note } });
    return { ok: true };
  });
}
