// Re-inspection requests (复查申请): within REINSPECTION_DAYS of publishing, a household head asks
// with a reason; the committee accepts (the household goes back to the inspectors; once rescored, a
// committee member applies the new score in sanitation/publish.server.ts) or declines with a reason.
import { z } from "zod";
import { fail, formIdSchema, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { householdOfUser, type Decider } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { REINSPECTION_DAYS, SANITATION_MAX } from "./labels";
import { textSchema } from "~/platform/validation.server";

const DAY = 86_400_000;

export const requestSchema = z.object({ roundId: formIdSchema, reason: textSchema("复查理由", SANITATION_MAX.requestReason, true, true) });

export interface RequestRow {
  id: number;
  round_id: number;
  household_id: number;
  number: string;
  head: string | null;
  reason: string;
  status: "open" | "accepted" | "declined" | "applied";
  decision_note: string | null;
  created_at: number;
  requester: string;
  inspection_status: string | null;
  total: number | null;
  tier: string | null;
  inspector_user_id: number | null;
}

export function requestsOfRound(roundId: number): RequestRow[] {
  return stmt(
    `select q.id, q.round_id, q.household_id, h.number, q.reason, q.status, q.decision_note, q.created_at, u.display_name as requester,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head,
       i.status as inspection_status, i.total, i.tier, i.inspector_user_id
     from reinspection_requests q join households h on h.id = q.household_id join users u on u.id = q.requested_by
     left join inspections i on i.round_id = q.round_id and i.household_id = q.household_id
     where q.round_id = ? order by q.status = 'applied', q.status = 'declined', q.id`,
  ).all(roundId) as RequestRow[];
}

/** Whether a household may still ask for re-inspection of this round, and why not. */
export function requestWindow(round: { status: string; published_at: number | null }): { open: boolean; until: number | null } {
  if (round.status !== "published" || round.published_at === null) return { open: false, until: null };
  const until = round.published_at + REINSPECTION_DAYS * DAY;
  return { open: now() < until, until };
}

export function requestReinspection(head: { userId: number; householdId: number; villageId: number }, raw: Record<string, string>): Outcome<{ requestId: number }> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? "_form")] ??= i.message;
    if (errors.roundId) errors._form = errors.roundId;
    return { ok: false, errors, status: 400 };
  }
  const { roundId, reason } = parsed.data;
  return transact((): Outcome<{ requestId: number }> => {
    const round = stmt("select id, status, published_at from sanitation_rounds where id = ? and village_id = ?").get(roundId, head.villageId) as
      | { id: number; status: string; published_at: number | null }
      | undefined;
    if (!round) return fail("_form", "找不到这轮评比");
    const w = requestWindow(round);
    if (!w.open) return fail("_form", round.status === "published" ? `公布 ${REINSPECTION_DAYS} 天内才能申请复查，已经过了期限` : "评比还没公布，公布后才能申请复查");
    if (!stmt("select 1 from inspections where round_id = ? and household_id = ? and status <> 'returned'").get(roundId, head.householdId)) {
      return fail("_form", "这轮评比没有你家的检查结果");
    }
    if (stmt("select 1 from reinspection_requests where round_id = ? and household_id = ?").get(roundId, head.householdId)) {
      return fail("_form", "你家已经申请过这轮的复查了");
    }
    const at = now();
    const requestId = Number(
      stmt("insert into reinspection_requests (village_id, round_id, household_id, requested_by, reason, status, created_at) values (?, ?, ?, ?, ?, 'open', ?)").run(
        head.villageId, roundId, head.householdId, head.userId, reason, at,
      ).lastInsertRowid,
    );
    audit({ actorUserId: head.userId, actorRole: "household_head", villageId: head.villageId, action: "reinspection.request", targetType: "round", targetId: roundId, after: { householdId: head.householdId, reason } });
    return { ok: true, requestId };
  });
}

interface OpenRequest {
  id: number;
  round_id: number;
  household_id: number;
  status: string;
  reason: string;
}

function openRequest(villageId: number, requestId: number, by: Decider): OpenRequest | string {
  const q = stmt("select id, round_id, household_id, status, reason from reinspection_requests where id = ? and village_id = ?").get(requestId, villageId) as OpenRequest | undefined;
  if (!q) return "找不到这条复查申请";
  if (q.status !== "open") return "这条复查申请已经处理过了";
  if (householdOfUser(by.userId) === q.household_id) return "不能处理本户的复查申请，请由另一位村委委员处理";
  return q;
}

/** Accepted: the household goes back to the inspectors of its grid (退回重评) with the villager's reason. */
export function acceptRequest(by: Decider, villageId: number, requestId: number): Outcome {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以处理复查申请", 403);
  return transact((): Outcome => {
    const q = openRequest(villageId, requestId, by);
    if (typeof q === "string") return fail("_form", q);
    const at = now();
    const old = stmt("select claim_id from inspections where round_id = ? and household_id = ?").get(q.round_id, q.household_id) as { claim_id: number | null };
    stmt("update reinspection_requests set status = 'accepted', decided_by = ?, decided_at = ?, old_claim_id = ? where id = ?").run(by.userId, at, old.claim_id, q.id);
    stmt("update inspections set status = 'returned', returned_reason = ?, version = version + 1 where round_id = ? and household_id = ?").run(`村民申请复查：${q.reason}`, q.round_id, q.household_id);
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.accept", targetType: "reinspection", targetId: q.id });
    return { ok: true };
  });
}

export function declineRequest(by: Decider, villageId: number, requestId: number, note: string): Outcome {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以处理复查申请", 403);
  return transact((): Outcome => {
    const q = openRequest(villageId, requestId, by);
    if (typeof q === "string") return fail("_form", q);
    stmt("update reinspection_requests set status = 'declined', decided_by = ?, decided_at = ?, decision_note = ? where id = ?").run(by.userId, now(), note, q.id);
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.decline", targetType: "reinspection", targetId: q.id, after: { note } });
    return { ok: true };
  });
}
