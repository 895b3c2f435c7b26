// Publishing a round: one synchronous transaction files a claim for every scored household (each
// tier carries a rule; filer: the inspector who scored it; dated inside the round's range), approves
// each as the publishing committee member (maker-checker: a publisher who scored any household of
// the round is refused), and freezes the 红黑榜. Applying an accepted re-inspection replaces the old
// claim the same way. Nothing here moves points: the claims go through review and 公示 like any other.
import { fail, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { approveClaim, claimRow, ClaimError, fileClaimBatch, householdOfUser, rejectClaim, revokeClaim, withdrawClaim, type Decider } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { inspectionOf, photosOf, type InspectionRow } from "./inspections.server";
import { buildRedBlack } from "./redblack.server";
import { roundIn, roundTable, type RoundRow } from "./rounds.server";

export const RESCORE_REASON = "复查后重新评分";

function headMember(householdId: number): { id: number } {
  const m = stmt("select id from members where household_id = ? and active = 1 order by is_head desc, id limit 1").get(householdId) as { id: number } | undefined;
  if (!m) throw new ClaimError("有一户没有在册成员，无法登记积分，请先在花名册里补上");
  return m;
}

interface Filed {
  claimId: number | null;
  waiting: boolean; // left 待审核 for another committee member (the publisher's own household, or a second approval)
}

/**
 * The date a round's claim carries: when the household was scored, moved into the round's range. A
 * rescore after the last day (a send-back, a re-inspection) still belongs to the round's month, so the
 * rule's monthly caps count it there and not against the month it happened to be saved in.
 */
export function roundClaimDate(round: Pick<RoundRow, "starts_at" | "ends_at">, savedAt: number): number {
  return Math.min(Math.max(savedAt, round.starts_at), round.ends_at - 1);
}

/** Files (and approves, where the decider may) the claim for one inspection. Inside the caller's transaction. */
function fileFor(round: RoundRow, row: InspectionRow, by: Decider): Filed {
  if (row.status !== "scored" || row.tier === null) return { claimId: null, waiting: false };
  const tier = round.checklist.tiers.find((t) => t.name === row.tier);
  if (!tier || tier.ruleId === null) return { claimId: null, waiting: false }; // only a template saved before rules were required
  const photos = photosOf(row.id).map(({ file, mime, bytes, cleaned_at }) => ({ file, mime, bytes, cleanedAt: cleaned_at }));
  const [claimId] = fileClaimBatch({
    villageId: round.village_id,
    filer: { userId: row.inspector_user_id, role: "inspector" },
    source: { kind: "round", id: round.id },
    items: [{ memberId: headMember(row.household_id).id, ruleId: tier.ruleId, occurredAt: roundClaimDate(round, row.saved_at), quantity: 1, note: `${round.title}卫生评比：${row.tier}，${row.total} 分`, photos }],
  });
  stmt("update inspections set claim_id = ? where id = ?").run(claimId, row.id);
  if (householdOfUser(by.userId) === row.household_id) return { claimId, waiting: true };
  const result = approveClaim(round.village_id, claimId, by);
  return { claimId, waiting: result === "needs_more" };
}

export interface PublishResult {
  claims: number;
  waiting: number;
  ownHousehold: boolean;
}

export function publishRound(by: Decider, villageId: number, roundId: number): Outcome<PublishResult> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以公布评比结果", 403);
  try {
    return transact((): Outcome<PublishResult> => {
      const round = roundIn(villageId, roundId);
      if (round.status !== "open") return fail("_form", round.status === "published" ? "评比已经公布过了" : "评比还没开始，不能公布");
      const rows = stmt("select * from inspections where round_id = ? order by id").all(roundId) as InspectionRow[];
      const returned = rows.filter((r) => r.status === "returned").length;
      if (returned) return fail("_form", `还有 ${returned} 户退回重评，评完或标记未检查后才能公布`);
      if (rows.length === 0) return fail("_form", "还没有评分，不能公布");
      if (rows.some((r) => r.inspector_user_id === by.userId)) return fail("_form", "你给本轮评过分，不能由你公布，请由另一位村委委员公布");
      let claims = 0;
      let waiting = 0;
      let ownHousehold = false;
      for (const row of rows) {
        const f = fileFor(round, row, by);
        if (f.claimId === null) continue;
        claims++;
        if (f.waiting) waiting++;
        if (householdOfUser(by.userId) === row.household_id) ownHousehold = true;
      }
      const at = now();
      const board = buildRedBlack(round, at, roundTable(roundId).length);
      stmt("update sanitation_rounds set status = 'published', published_at = ?, published_by = ?, redblack_json = ?, updated_at = ? where id = ?").run(
        at, by.userId, JSON.stringify(board), at, roundId,
      );
      audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "round.publish", targetType: "round", targetId: roundId, after: { claims, waiting } });
      return { ok: true, claims, waiting, ownHousehold };
    });
  } catch (e) {
    // A rule retired meanwhile, a cap reached: nothing was written; the committee can fix it and publish again.
    if (e instanceof ClaimError) return fail("_form", `不能公布：${e.message}`, e.status === 404 ? 400 : e.status);
    throw e;
  }
}

// ---- applying a re-inspection ------------------------------------------------------------------

/** Takes the old claim out of the way: a reversal when credited, a withdrawal during 公示, a rejection while pending. */
function retireOldClaim(villageId: number, claimId: number, by: Decider): void {
  const c = claimRow(claimId);
  if (c.status === "credited") revokeClaim(villageId, claimId, by, RESCORE_REASON);
  else if (c.status === "notice" || c.status === "objected") withdrawClaim(villageId, claimId, by, RESCORE_REASON);
  else if (c.status === "pending") rejectClaim(villageId, claimId, by, RESCORE_REASON);
}

export function applyReinspection(by: Decider, villageId: number, requestId: number): Outcome<{ claimId: number | null }> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以确认复查结果", 403);
  try {
    return transact((): Outcome<{ claimId: number | null }> => {
      const req = stmt("select * from reinspection_requests where id = ? and village_id = ?").get(requestId, villageId) as
        | { id: number; round_id: number; household_id: number; status: string; decided_at: number | null }
        | undefined;
      if (!req) return fail("_form", "找不到这条复查申请");
      if (req.status !== "accepted") return fail("_form", "这条复查申请不在待复查状态");
      const round = roundIn(villageId, req.round_id);
      const row = inspectionOf(round.id, req.household_id);
      if (!row || row.status === "returned") return fail("_form", "检查员还没有重新评分，评分后再确认");
      if (row.inspector_user_id === by.userId) return fail("_form", "复查分数是你评的，请由另一位村委委员确认");
      const old = row.claim_id;
      if (old !== null) retireOldClaim(villageId, old, by);
      stmt("update inspections set claim_id = null where id = ?").run(row.id);
      const filed = fileFor(round, row, by);
      stmt("update reinspection_requests set status = 'applied', old_claim_id = ?, new_claim_id = ?, applied_at = ? where id = ?").run(old, filed.claimId, now(), req.id);
      audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.apply", targetType: "inspection", targetId: row.id, after: { oldClaim: old, newClaim: filed.claimId, total: row.total, tier: row.tier } });
      return { ok: true, claimId: filed.claimId };
    });
  } catch (e) {
    if (e instanceof ClaimError) return fail("_form", `不能确认：${e.message}`, e.status === 404 ? 400 : e.status);
    throw e;
  }
}
