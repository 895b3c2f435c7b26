// Claims (积分申报): filing, caps, review (maker-checker), 公示 with objections, crediting, revoking.
// Every write is one unit of work (a savepoint when the caller already has one open: an activity's
// close, a round's publication); points move only through ledger/ledger.server.ts, with idempotency
// keys derived from the claim id, so a retried or restarted credit moves points once.
import type { Updateable } from "kysely";
import type { Claim, ClaimStatus, ClaimTable, Rule } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { APPENDS, constant, db, unitOfWork } from "~/platform/database.server";
import { award, deduct, reverse } from "~/ledger/ledger.server";
import { capViolation, type Counted } from "./caps.server";
import { CLAIM_LIMITS, CLAIM_STATUS_LABELS, MAX_PHOTOS } from "./labels";
import { newPhotoKey } from "./photos.server";
import { notifyCommittee, notifyHousehold, notifyUsers } from "~/notifications/notify.server";
import * as notice from "~/notifications/notices";
import type { Role } from "~/platform/roles";
import { isGroupLeaderOf } from "~/groups/groups.server";
import { postAllowance } from "~/rules/rules.server";

export { CLAIM_STATUS_LABELS } from "./labels";

export class ClaimError extends Error {
  constructor(message: string, readonly field: string = "_form", readonly status = 400) {
    super(message);
  }
}

const DAY_MS = 86_400_000;
/** Claims older than this are stale: the committee cannot check them any more. */
const MAX_AGE_MS = 366 * DAY_MS;
const FILER_ROLES: Role[] = ["villager", "household_head", "inspector", "committee"];
const STAFF_FILERS: Role[] = ["inspector", "committee"];
/**
 * Sources whose own module decides who may file (issue 18): an errand's claim is filed when the person
 * helped (or whoever posted the need for them) confirms it; a post's when the grid worker or the
 * committee confirms the month's duty. Those are not the volunteer's household, so the household
 * check below would refuse them.
 */
const VOUCHED_SOURCES = ["errand", "post"];

/** Who files: a role the user holds, or a 联户长 filing for a household of the group they lead. */
export type FilerRole = Role | "group_leader";

export interface StoredPhoto {
  file: string;
  mime: string;
  bytes: number;
  /** When the file was re-encoded without metadata (null only for a file from before 0008). */
  cleanedAt: number | null;
}

export interface ClaimItem {
  memberId: number;
  ruleId: number;
  occurredAt: number; // epoch ms
  quantity: number; // times, or hours (steps of 0.5)
  note: string;
  /** Photos already written to the photo folder (see claims/photos.server.ts). */
  photos?: StoredPhoto[];
}

export interface FileClaimBatchInput {
  villageId: number;
  filer: { userId: number; role: FilerRole };
  source?: { kind: string; id: number };
  items: ClaimItem[];
}

async function ruleOf(villageId: number, ruleId: number) {
  const rule = await db().selectFrom("rules").selectAll().select((eb) => postAllowance(eb).as("post_allowance")).where("id", "=", ruleId).where("village_id", "=", villageId).executeTakeFirst();
  if (!rule) throw new ClaimError("请从列表中选择本村的积分细则", "ruleId");
  return rule;
}

/** The household of a user's own member record (null for staff who do not live in the village). */
export async function householdOfUser(userId: number): Promise<number | null> {
  const row = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .select("m.household_id")
    .where("u.id", "=", userId)
    .executeTakeFirst();
  return row?.household_id ?? null;
}

/** Points for a quantity of a rule; hours come in half-hour steps, points are whole. */
export function pointsFor(rule: { points: number; unit: string }, quantity: number): number {
  if (!Number.isFinite(quantity) || quantity <= 0) throw new ClaimError("数量必须大于 0", "quantity");
  if (rule.unit === "time" && (!Number.isInteger(quantity) || quantity > 100)) {
    throw new ClaimError("次数应为 1 到 100 的整数", "quantity");
  }
  if (rule.unit === "hour" && (!Number.isInteger(quantity * 2) || quantity > 24)) {
    throw new ClaimError("小时数应为 0.5 到 24，按半小时计", "quantity");
  }
  const points = Math.round(rule.points * quantity);
  if (points === 0) throw new ClaimError("按这个数量算出的积分为 0，请增加数量", "quantity");
  return points;
}

async function memberOf(memberId: number) {
  return db().selectFrom("members").select(["id", "household_id", "village_id", "active", "name"]).where("id", "=", memberId).executeTakeFirst();
}

type MemberRow = NonNullable<Awaited<ReturnType<typeof memberOf>>>;

/** Throws unless this filer may file for this member; true when the filer may also deduct (staff). */
async function filerMayDeduct(filer: FileClaimBatchInput["filer"], member: MemberRow): Promise<boolean> {
  const { role, userId } = filer;
  if (role === "group_leader") {
    if (!(await isGroupLeaderOf(userId, member.household_id))) throw new ClaimError("只能为本联户的农户申报", "memberId");
    return false;
  }
  if (!FILER_ROLES.includes(role)) throw new ClaimError("你的角色不能提交积分申报", "_form", 403);
  if (STAFF_FILERS.includes(role)) return true;
  if ((await householdOfUser(userId)) !== member.household_id) throw new ClaimError("只能为本户成员申报", "memberId");
  return false;
}

async function checkFiler(input: FileClaimBatchInput, rule: Rule, member: MemberRow): Promise<void> {
  // An errand's or a post's module decided who may confirm it: the role is not asked again, and it pays awards only.
  const vouched = input.source !== undefined && VOUCHED_SOURCES.includes(input.source.kind);
  const mayDeduct = vouched ? false : await filerMayDeduct(input.filer, member);
  if (rule.points < 0 && !mayDeduct) throw new ClaimError("扣分只能由检查员或村委登记", "ruleId");
}

async function checkItem(input: FileClaimBatchInput, item: ClaimItem): Promise<{ rule: Rule; member: MemberRow; points: number }> {
  const rule = await ruleOf(input.villageId, item.ruleId);
  if (!rule.active) throw new ClaimError(`细则“${rule.name}”已停用，不能再申报`, "ruleId");
  // A post's allowance (定岗, issue 18) is earned only through its month's confirmation, never filed otherwise.
  if (input.source?.kind !== "post" && rule.post_allowance) {
    throw new ClaimError(`细则“${rule.name}”是岗位补贴，由网格员或村委每月确认履职后申报`, "ruleId");
  }
  const member = await memberOf(item.memberId);
  if (!member || member.village_id !== input.villageId || !member.active) throw new ClaimError("请从列表中选择本村的成员", "memberId");
  await checkFiler(input, rule, member);
  const at = now();
  if (!Number.isSafeInteger(item.occurredAt) || item.occurredAt > at) throw new ClaimError("日期不能晚于今天", "occurredAt");
  if (item.occurredAt < at - MAX_AGE_MS) throw new ClaimError("只能申报一年以内的事项", "occurredAt");
  if (item.note.length > CLAIM_LIMITS.note) throw new ClaimError(`说明最多 ${CLAIM_LIMITS.note} 个字`, "note");
  const photos = item.photos ?? [];
  if (photos.length > MAX_PHOTOS) throw new ClaimError(`最多上传 ${MAX_PHOTOS} 张照片`, "photos");
  // An activity's attendance record is its evidence; a claim filed by hand needs photos when the rule says so.
  if (rule.evidence_required && !input.source && photos.length === 0) {
    throw new ClaimError(`细则“${rule.name}”需要上传照片作为证据`, "photos");
  }
  return { rule, member, points: pointsFor(rule, item.quantity) };
}

/**
 * Files claims in one batch: one unit of work, or a savepoint of the caller's. Caps are checked per
 * item inside it, so a check and its insert are atomic. Returns the new claim ids, or throws a
 * ClaimError whose message is Chinese (then nothing of the batch is written).
 */
export async function fileClaimBatch(input: FileClaimBatchInput): Promise<number[]> {
  if (input.items.length === 0) throw new ClaimError("没有要申报的事项");
  return unitOfWork(async (tx) => {
    const ids: number[] = [];
    const filed: (Counted & { rule_id: number })[] = [];
    for (const item of input.items) {
      const { rule, member, points } = await checkItem(input, item);
      // A claim filed by hand counts every claim not rejected, pending ones included. A batch from an
      // activity, a round or a campaign counts approved claims and its own earlier items, so claims
      // someone else filed by hand and the committee has not reviewed cannot block it.
      const handFiled = !input.source;
      const batch = handFiled ? [] : filed.filter((c) => c.rule_id === rule.id);
      const candidate = { memberId: member.id, householdId: member.household_id, occurredAt: item.occurredAt, points };
      const over = await capViolation(rule, candidate, batch, handFiled);
      if (over) throw new ClaimError(input.items.length > 1 ? `${member.name}：${over}` : over, "quantity");
      const at = now();
      const { id } = await tx
        .insertInto("claims")
        .values({
          village_id: input.villageId, household_id: member.household_id, member_id: member.id, rule_id: rule.id,
          occurred_at: item.occurredAt, quantity: item.quantity, points, note: item.note, status: "pending",
          filer_user_id: input.filer.userId, filer_role: input.filer.role, source_kind: input.source?.kind ?? null,
          source_id: input.source?.id ?? null, created_at: at, updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const photos = item.photos ?? [];
      if (photos.length) {
        await tx
          .insertInto("claim_photos")
          .values(photos.map((p) => ({
            village_id: input.villageId, claim_id: id, key: newPhotoKey(), file: p.file, mime: p.mime, bytes: p.bytes, created_at: at, cleaned_at: p.cleanedAt,
          })))
          .execute();
      }
      await audit({
        actorUserId: input.filer.userId, actorRole: input.filer.role, villageId: input.villageId, action: "claim.file",
        targetType: "claim", targetId: id, after: { memberId: member.id, ruleId: rule.id, points, source: input.source ?? null },
      });
      ids.push(id);
      filed.push({ rule_id: rule.id, member_id: member.id, household_id: member.household_id, occurred_at: item.occurredAt, points });
    }
    return ids;
  });
}

// ---- reading -------------------------------------------------------------

export async function claimRow(id: number): Promise<Claim> {
  const row = await db().selectFrom("claims").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new ClaimError("找不到这条申报", "_form", 404);
  return row;
}

/** A claim of this village, or a 404-style error (never a hint that it exists elsewhere). */
export async function villageClaim(villageId: number, id: number): Promise<Claim> {
  const row = await db().selectFrom("claims").selectAll().where("id", "=", id).where("village_id", "=", villageId).executeTakeFirst();
  if (!row) throw new ClaimError("找不到这条申报", "_form", 404);
  return row;
}

// ---- review ----------------------------------------------------------------

export interface Decider {
  userId: number;
  role: Role;
}

/** Maker-checker: nobody decides on a claim they filed or one for their own household. */
async function checkDecider(claim: Claim, by: Decider): Promise<void> {
  if (by.role !== "committee") throw new ClaimError("只有村委委员可以审核申报", "_form", 403);
  if (claim.filer_user_id === by.userId) throw new ClaimError("不能审核自己提交的申报，请由另一位村委委员审核");
  if ((await householdOfUser(by.userId)) === claim.household_id) throw new ClaimError("不能审核本户的申报，请由另一位村委委员审核");
}

async function setStatus(id: number, status: ClaimStatus, extra: Updateable<ClaimTable> = {}): Promise<void> {
  await db().updateTable("claims").set({ ...extra, status, updated_at: now() }).where("id", "=", id).execute();
}

/** The approvals a claim has (and whether this user gave one), with what the village asks for: one statement. */
async function approvalState(villageId: number, claimId: number, userId: number) {
  return db()
    .selectFrom("villages as v")
    .select((eb) => [
      "v.approvals_needed as needed",
      "v.notice_days as noticeDays",
      eb.selectFrom("claim_approvals as a").select(eb.fn.countAll<number>().as("n")).where("a.claim_id", "=", claimId).as("given"),
      eb.exists(eb.selectFrom("claim_approvals as a").select("a.id").where("a.claim_id", "=", claimId).where("a.user_id", "=", userId)).as("mine"),
    ])
    .where("v.id", "=", villageId)
    .executeTakeFirstOrThrow();
}

export type ApproveResult = "approved" | "needs_more" | "credited";

/**
 * One committee approval; the last one needed starts 公示 (or credits at once when the period is 0
 * days). The cap is checked again here, inside the same unit of work as the approval's write: on
 * SQLite that unit holds the only writer (BEGIN IMMEDIATE), so two approvals racing for the last
 * unit of a cap, in any process, are serialised and the second sees the first.
 */
export async function approveClaim(villageId: number, claimId: number, by: Decider): Promise<ApproveResult> {
  return unitOfWork(async (tx) => {
    const claim = await villageClaim(villageId, claimId);
    if (claim.status !== "pending") throw new ClaimError(`这条申报${CLAIM_STATUS_LABELS[claim.status]}，不能再审核`);
    await checkDecider(claim, by);
    const state = await approvalState(villageId, claimId, by.userId);
    if (state.mine) throw new ClaimError("你已经审核通过了这条申报，还需要另一位村委委员审核");
    const rule = await ruleOf(villageId, claim.rule_id);
    const over = await capViolation(rule, { memberId: claim.member_id, householdId: claim.household_id, occurredAt: claim.occurred_at, points: claim.points });
    if (over) throw new ClaimError(over);
    const at = now();
    await tx.insertInto("claim_approvals").values({ village_id: villageId, claim_id: claimId, user_id: by.userId, role: by.role, created_at: at }).execute();
    const count = (state.given ?? 0) + 1;
    let result: ApproveResult = "needs_more";
    if (count >= state.needed) {
      await setStatus(claimId, "notice", { approved_at: at, notice_until: at + state.noticeDays * DAY_MS, decided_by_user_id: by.userId });
      result = state.noticeDays === 0 && (await creditClaimInTxn(claimId)) ? "credited" : "approved";
      if (result === "approved") {
        await notifyHousehold(claim.household_id, notice.claimApproved({ claimId, villageId, rule: rule.name, points: claim.points, noticeUntil: at + state.noticeDays * DAY_MS }));
      }
    }
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.approve", targetType: "claim", targetId: claimId, after: { result, approvals: count } });
    return result;
  });
}

export async function rejectClaim(villageId: number, claimId: number, by: Decider, reason: string): Promise<void> {
  await unitOfWork(async () => {
    const claim = await villageClaim(villageId, claimId);
    if (claim.status !== "pending") throw new ClaimError(`这条申报${CLAIM_STATUS_LABELS[claim.status]}，不能再审核`);
    await checkDecider(claim, by);
    await setStatus(claimId, "rejected", { reason, decided_by_user_id: by.userId });
    await notifyHousehold(claim.household_id, notice.claimRejected({ claimId, villageId, rule: (await ruleOf(villageId, claim.rule_id)).name, points: claim.points, reason }));
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.reject", targetType: "claim", targetId: claimId, after: { reason } });
  });
}

export interface BatchOutcome {
  approved: number[];
  failed: { claimId: number; message: string }[];
}

/** Approves many claims; each one is its own unit of work, so one refusal does not undo the rest. */
export async function approveClaims(villageId: number, claimIds: number[], by: Decider): Promise<BatchOutcome> {
  const out: BatchOutcome = { approved: [], failed: [] };
  for (const id of claimIds) {
    try {
      await approveClaim(villageId, id, by);
      out.approved.push(id);
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      out.failed.push({ claimId: id, message: e.message });
    }
  }
  return out;
}

// ---- 公示 and objections ------------------------------------------------------

/** The village a user lives in (has an active member record in), or null. */
async function villageOfUser(userId: number): Promise<number | null> {
  const row = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .select("m.village_id")
    .where("u.id", "=", userId)
    .executeTakeFirst();
  return row?.village_id ?? null;
}

/** Any villager of the village may object once per claim while it is in 公示. */
export async function objectToClaim(villageId: number, claimId: number, userId: number, reason: string): Promise<number> {
  return unitOfWork(async (tx) => {
    const claim = await villageClaim(villageId, claimId);
    if ((await villageOfUser(userId)) !== villageId) throw new ClaimError("只有本村村民可以提出异议", "_form", 403);
    if ((claim.status !== "notice" && claim.status !== "objected") || (claim.notice_until ?? 0) <= now()) {
      throw new ClaimError("这条申报不在公示期内，不能提出异议");
    }
    const already = await tx.selectFrom("objections").select("id").where("claim_id", "=", claimId).where("objector_user_id", "=", userId).executeTakeFirst();
    if (already) throw new ClaimError("你已经对这条公示提过异议了");
    const { id } = await tx
      .insertInto("objections")
      .values({ village_id: villageId, claim_id: claimId, objector_user_id: userId, reason, status: "open", created_at: now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await setStatus(claimId, "objected");
    const facts = { objectionId: id, claimId, villageId, rule: (await ruleOf(villageId, claim.rule_id)).name };
    await notifyHousehold(claim.household_id, notice.objectionFiled(facts));
    await notifyCommittee(villageId, notice.objectionToDecide(facts));
    return id;
  });
}

/** Upheld: the claim is rejected with the reason. Dismissed: 公示 continues (credited when due). */
export async function resolveObjection(villageId: number, objectionId: number, by: Decider, verdict: "uphold" | "dismiss", note: string): Promise<void> {
  await unitOfWork(async (tx) => {
    const o = await tx.selectFrom("objections").selectAll().where("id", "=", objectionId).where("village_id", "=", villageId).executeTakeFirst();
    if (!o) throw new ClaimError("找不到这条异议", "_form", 404);
    if (o.status !== "open") throw new ClaimError("这条异议已经处理过了");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以处理异议", "_form", 403);
    if (o.objector_user_id === by.userId) throw new ClaimError("不能处理自己提出的异议，请由另一位村委委员处理");
    const claim = await villageClaim(villageId, o.claim_id);
    if ((await householdOfUser(by.userId)) === claim.household_id) throw new ClaimError("不能处理本户申报的异议，请由另一位村委委员处理");
    const closed = { resolved_by_user_id: by.userId, resolution: note, resolved_at: now() };
    if (verdict === "uphold") {
      // One upheld objection settles the claim: the others open on it are closed with it.
      await tx.updateTable("objections").set({ ...closed, status: "upheld" }).where("claim_id", "=", o.claim_id).where("status", "=", "open").execute();
      await setStatus(o.claim_id, "rejected", { reason: `异议成立：${note}`, decided_by_user_id: by.userId });
    } else {
      await tx.updateTable("objections").set({ ...closed, status: "dismissed" }).where("id", "=", o.id).execute();
      const left = await tx.selectFrom("objections").select("id").where("claim_id", "=", o.claim_id).where("status", "=", "open").executeTakeFirst();
      if (!left) {
        await setStatus(o.claim_id, "notice");
        await creditClaimInTxn(o.claim_id); // a period that ended while the objection was open credits now
      }
    }
    const outcome = { objectionId: o.id, claimId: o.claim_id, villageId, upheld: verdict === "uphold", note };
    await notifyHousehold(claim.household_id, notice.objectionDecided({ ...outcome, forObjector: false }));
    await notifyUsers([o.objector_user_id], notice.objectionDecided({ ...outcome, forObjector: true }));
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: `objection.${verdict}`, targetType: "objection", targetId: o.id, after: { claimId: o.claim_id, note } });
  });
}

// ---- crediting and revoking ------------------------------------------------------

const SYSTEM = { userId: null, role: "system" };

/**
 * Credits one claim if it is due. Inside a unit of work: the claim is read there, so of two
 * crediters (two processes, or a scheduler round overlapping the test clock's) the second finds it
 * credited already; the ledger key makes a replay after a crash a no-op too.
 */
async function creditClaimInTxn(claimId: number): Promise<boolean> {
  const claim = await db()
    .selectFrom("claims as c")
    .innerJoin("rules as r", "r.id", "c.rule_id")
    .select(["c.id", "c.village_id", "c.status", "c.notice_until", "c.household_id", "c.member_id", "c.rule_id", "c.points", "r.name as rule"])
    .where("c.id", "=", claimId)
    .executeTakeFirst();
  if (!claim) throw new ClaimError("找不到这条申报", "_form", 404);
  if (claim.status !== "notice" || claim.notice_until === null || claim.notice_until > now()) return false;
  const move = {
    householdId: claim.household_id, amount: Math.abs(claim.points), idemKey: `claim:${claim.id}:credit`, actor: SYSTEM,
    memberId: claim.member_id, ruleId: claim.rule_id, cause: { kind: "claim", id: claim.id }, memo: `${claim.rule}（申报 #${claim.id}）`,
  };
  const { txnId } = claim.points > 0 ? await award(move) : await deduct(move);
  await setStatus(claim.id, "credited", { credit_txn_id: txnId, credited_at: now() });
  await notifyHousehold(claim.household_id, notice.claimCredited({ claimId: claim.id, villageId: claim.village_id, rule: claim.rule, points: claim.points }));
  return true;
}

export async function creditClaim(claimId: number): Promise<boolean> {
  return unitOfWork(() => creditClaimInTxn(claimId), APPENDS);
}

/** The scheduler's job: every claim whose 公示 ended with no open objection, one unit of work each. */
export async function creditDueClaims(limit = 500, onCredited?: (claimId: number) => void): Promise<number> {
  const due = await db().selectFrom("claims").select("id").where("status", "=", "notice").where("notice_until", "<=", now()).orderBy("id").limit(limit).execute();
  let credited = 0;
  for (const { id } of due) {
    // One claim that cannot be credited (it is logged and retried next round) must not hold up the rest.
    try {
      if (!(await creditClaim(id))) continue;
    } catch (e) {
      console.error(`申报 #${id} 入账失败，下一轮再试`, e);
      continue;
    }
    credited++;
    onCredited?.(id); // the crash test reports each commit here
  }
  return credited;
}

/**
 * Withdraws an approved claim before it is credited (公示中 or 有异议): it becomes 已驳回 with the
 * reason, nothing is credited, and objections still open on it are closed as upheld (the claim did
 * not stand). Used when the committee replaces a score during 公示, e.g. after a re-inspection.
 */
export async function withdrawClaim(villageId: number, claimId: number, by: Decider, reason: string): Promise<void> {
  await unitOfWork(async (tx) => {
    const claim = await villageClaim(villageId, claimId);
    if (claim.status !== "notice" && claim.status !== "objected") throw new ClaimError("只有公示中的申报可以撤回");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以撤回申报", "_form", 403);
    if ((await householdOfUser(by.userId)) === claim.household_id) throw new ClaimError("不能撤回本户的申报，请由另一位村委委员处理");
    await tx
      .updateTable("objections")
      .set({ status: "upheld", resolved_by_user_id: by.userId, resolution: `申报已撤回：${reason}`, resolved_at: now() })
      .where("claim_id", "=", claimId)
      .where("status", "=", "open")
      .execute();
    await setStatus(claimId, "rejected", { reason, decided_by_user_id: by.userId });
    await notifyHousehold(claim.household_id, notice.claimRejected({ claimId, villageId, rule: (await ruleOf(villageId, claim.rule_id)).name, points: claim.points, reason }));
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.withdraw", targetType: "claim", targetId: claimId, after: { reason } });
  });
}

/**
 * An appeal's decision overturned a credited claim (appeals.server.ts reversed its credit in the same
 * unit of work): the claim reads 已撤销 with the decision and cannot be revoked a second time.
 */
export async function claimOverturnedByAppeal(claimId: number, reversalTxnId: number | null, reason: string, byUserId: number): Promise<void> {
  await db()
    .updateTable("claims")
    .set({ status: "revoked", revoke_txn_id: reversalTxnId, reason, decided_by_user_id: byUserId, updated_at: now() })
    .where("id", "=", claimId)
    .where("status", "=", "credited")
    .execute();
}

/** 红冲 of a credited claim: the reversal shows on the household's statement. */
export async function revokeClaim(villageId: number, claimId: number, by: Decider, reason: string): Promise<void> {
  await unitOfWork(async () => {
    const claim = await villageClaim(villageId, claimId);
    if (claim.status !== "credited" || claim.credit_txn_id === null) throw new ClaimError("只有已入账的申报可以撤销");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以撤销", "_form", 403);
    if ((await householdOfUser(by.userId)) === claim.household_id) throw new ClaimError("不能撤销本户的申报，请由另一位村委委员处理");
    const { txnId } = await reverse({ txnId: claim.credit_txn_id, idemKey: `claim:${claim.id}:revoke`, actor: { userId: by.userId, role: by.role }, memo: `撤销申报 #${claim.id}：${reason}` });
    await setStatus(claimId, "revoked", { revoke_txn_id: txnId, reason, decided_by_user_id: by.userId });
    await notifyHousehold(claim.household_id, notice.claimRevoked({ claimId, villageId, rule: (await ruleOf(villageId, claim.rule_id)).name, points: claim.points, reason }));
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.revoke", targetType: "claim", targetId: claimId, after: { reason, txnId } });
  });
}
