// Publishing a round: one unit of work files a claim for every scored household (each tier carries
// a rule; filer: the inspector who scored it; dated inside the round's range), approves each as the
// publishing committee member (maker-checker: a publisher who scored any household of the round is
// refused), and freezes the 红黑榜. Applying an accepted re-inspection replaces the old claim the same
// way. Nothing here moves points: the claims go through review and 公示 like any other.
import { fail, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { approveClaim, claimRow, ClaimError, fileClaimBatch, householdOfUser, rejectClaim, revokeClaim, withdrawClaim, type Decider, type StoredPhoto } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { inspectionOf, type InspectionRow } from "./inspections.server";
import { buildRedBlack } from "./redblack.server";
import { handFlags } from "~/flags/flags.server";
import { roundHouseholdCount, roundIn, type RoundRow } from "./rounds.server";

export const RESCORE_REASON = "复查后重新评分";

/**
 * What filing needs besides the inspection rows, read once for all of them: the member each
 * household's claim is for (its head, else its first active member), the photos of each inspection
 * (they become the claim's evidence), and the publisher's own household.
 */
interface Filing {
  members: Map<number, number>; // household id → member id
  photos: Map<number, StoredPhoto[]>; // inspection id → photos
  publisherHousehold: number | null;
}

async function filingFor(rows: InspectionRow[], by: Decider): Promise<Filing> {
  const members = new Map<number, number>();
  const households = [...new Set(rows.map((r) => r.household_id))];
  if (households.length) {
    const found = await db()
      .selectFrom("members")
      .select(["id", "household_id"])
      .where("household_id", "in", households)
      .where("active", "=", constant(1))
      .orderBy("household_id")
      .orderBy("is_head", "desc")
      .orderBy("id")
      .execute();
    for (const m of found) if (!members.has(m.household_id)) members.set(m.household_id, m.id);
  }
  const photos = new Map<number, StoredPhoto[]>();
  const inspections = rows.map((r) => r.id);
  if (inspections.length) {
    const found = await db()
      .selectFrom("inspection_photos")
      .select(["inspection_id", "file", "mime", "bytes", "cleaned_at"])
      .where("inspection_id", "in", inspections)
      .orderBy("id")
      .execute();
    for (const p of found) {
      const list = photos.get(p.inspection_id) ?? [];
      list.push({ file: p.file, mime: p.mime, bytes: p.bytes, cleanedAt: p.cleaned_at });
      photos.set(p.inspection_id, list);
    }
  }
  return { members, photos, publisherHousehold: await householdOfUser(by.userId) };
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

/** Files (and approves, where the decider may) the claim for one inspection, inside the caller's unit of work. */
async function fileFor(round: RoundRow, row: InspectionRow, by: Decider, filing: Filing): Promise<Filed> {
  if (row.status !== "scored" || row.tier === null) return { claimId: null, waiting: false };
  const tier = round.checklist.tiers.find((t) => t.name === row.tier);
  if (!tier || tier.ruleId === null) return { claimId: null, waiting: false }; // only a template saved before rules were required
  const memberId = filing.members.get(row.household_id);
  if (memberId === undefined) throw new ClaimError("有一户没有在册成员，无法登记积分，请先在花名册里补上");
  const [claimId] = await fileClaimBatch({
    villageId: round.village_id,
    filer: { userId: row.inspector_user_id, role: "inspector" },
    source: { kind: "round", id: round.id },
    items: [{ memberId, ruleId: tier.ruleId, occurredAt: roundClaimDate(round, row.saved_at), quantity: 1, note: `${round.title}卫生评比：${row.tier}，${row.total} 分`, photos: filing.photos.get(row.id) ?? [] }],
  });
  if (filing.publisherHousehold === row.household_id) return { claimId, waiting: true };
  const result = await approveClaim(round.village_id, claimId, by);
  return { claimId, waiting: result === "needs_more" };
}

export interface PublishResult {
  claims: number;
  waiting: number;
  ownHousehold: boolean;
}

export async function publishRound(by: Decider, villageId: number, roundId: number): Promise<Outcome<PublishResult>> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以公布评比结果", 403);
  try {
    return await unitOfWork(async (tx): Promise<Outcome<PublishResult>> => {
      const round = await roundIn(villageId, roundId);
      if (round.status !== "open") return fail("_form", round.status === "published" ? "评比已经公布过了" : "评比还没开始，不能公布");
      const rows = await tx.selectFrom("inspections").selectAll().where("round_id", "=", roundId).orderBy("id").execute();
      const returned = rows.filter((r) => r.status === "returned").length;
      if (returned) return fail("_form", `还有 ${returned} 户退回重评，评完或标记未检查后才能公布`);
      if (rows.length === 0) return fail("_form", "还没有评分，不能公布");
      if (rows.some((r) => r.inspector_user_id === by.userId)) return fail("_form", "你给本轮评过分，不能由你公布，请由另一位村委委员公布");
      const filing = await filingFor(rows, by);
      let claims = 0;
      let waiting = 0;
      let ownHousehold = false;
      for (const row of rows) {
        const f = await fileFor(round, row, by, filing);
        if (f.claimId === null) continue;
        await tx.updateTable("inspections").set({ claim_id: f.claimId }).where("id", "=", row.id).execute();
        claims++;
        if (f.waiting) waiting++;
        if (filing.publisherHousehold === row.household_id) ownHousehold = true;
      }
      const at = now();
      // The board is computed here, once, and never written again (a database trigger refuses it).
      const board = await buildRedBlack(round, at, await roundHouseholdCount(roundId));
      await tx
        .updateTable("sanitation_rounds")
        .set({ status: "published", published_at: at, published_by: by.userId, redblack_json: JSON.stringify(board), updated_at: at })
        .where("id", "=", roundId)
        .execute();
      // 流动红旗: the best households take the village's flags over from the last round's (no points).
      const flags = await handFlags(villageId, round, at);
      await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "round.publish", targetType: "round", targetId: roundId, after: { claims, waiting, flags } });
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
async function retireOldClaim(villageId: number, claimId: number, by: Decider): Promise<void> {
  const c = await claimRow(claimId);
  if (c.status === "credited") await revokeClaim(villageId, claimId, by, RESCORE_REASON);
  else if (c.status === "notice" || c.status === "objected") await withdrawClaim(villageId, claimId, by, RESCORE_REASON);
  else if (c.status === "pending") await rejectClaim(villageId, claimId, by, RESCORE_REASON);
}

export async function applyReinspection(by: Decider, villageId: number, requestId: number): Promise<Outcome<{ claimId: number | null }>> {
  if (by.role !== "committee") return fail("_form", "只有村委委员可以确认复查结果", 403);
  try {
    return await unitOfWork(async (tx): Promise<Outcome<{ claimId: number | null }>> => {
      const req = await tx
        .selectFrom("reinspection_requests")
        .select(["id", "round_id", "household_id", "status"])
        .where("id", "=", requestId)
        .where("village_id", "=", villageId)
        .executeTakeFirst();
      if (!req) return fail("_form", "找不到这条复查申请");
      if (req.status !== "accepted") return fail("_form", "这条复查申请不在待复查状态");
      const round = await roundIn(villageId, req.round_id);
      const row = await inspectionOf(round.id, req.household_id);
      if (!row || row.status === "returned") return fail("_form", "检查员还没有重新评分，评分后再确认");
      if (row.inspector_user_id === by.userId) return fail("_form", "复查分数是你评的，请由另一位村委委员确认");
      const old = row.claim_id;
      if (old !== null) await retireOldClaim(villageId, old, by);
      const filed = await fileFor(round, row, by, await filingFor([row], by));
      await tx.updateTable("inspections").set({ claim_id: filed.claimId }).where("id", "=", row.id).execute();
      await tx
        .updateTable("reinspection_requests")
        .set({ status: "applied", old_claim_id: old, new_claim_id: filed.claimId, applied_at: now() })
        .where("id", "=", req.id)
        .execute();
      await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "reinspection.apply", targetType: "inspection", targetId: row.id, after: { oldClaim: old, newClaim: filed.claimId, total: row.total, tier: row.tier } });
      return { ok: true, claimId: filed.claimId };
    });
  } catch (e) {
    if (e instanceof ClaimError) return fail("_form", `不能确认：${e.message}`, e.status === 404 ? 400 : e.status);
    throw e;
  }
}
