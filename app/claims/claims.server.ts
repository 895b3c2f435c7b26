// Claims (积分申报): filing, caps, review (maker-checker), 公示 with objections, crediting, revoking.
// Every write is one synchronous transaction; points move only through ledger/ledger.server.ts, with
// idempotency keys derived from the claim id, so a retried or restarted credit moves points once.
import type { Claim, ClaimStatus, Rule } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { award, deduct, reverse } from "~/ledger/ledger.server";
import { capViolation } from "./caps.server";
import { newPhotoKey } from "./photos.server";
import type { Role } from "~/platform/roles";

export class ClaimError extends Error {
  constructor(message: string, readonly field: string = "_form", readonly status = 400) {
    super(message);
  }
}

export const CLAIM_STATUS_LABELS: Record<ClaimStatus, string> = {
  pending: "待审核",
  rejected: "已驳回",
  notice: "公示中",
  objected: "有异议",
  credited: "已入账",
  revoked: "已撤销",
};

const DAY_MS = 86_400_000;
/** Claims older than this are stale: the committee cannot check them any more. */
const MAX_AGE_MS = 366 * DAY_MS;
const FILER_ROLES: Role[] = ["villager", "household_head", "inspector", "committee"];
const STAFF_FILERS: Role[] = ["inspector", "committee"];

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
  filer: { userId: number; role: Role };
  source?: { kind: string; id: number };
  items: ClaimItem[];
}

interface MemberRow {
  id: number;
  household_id: number;
  village_id: number;
  active: number;
  name: string;
}

function ruleOf(villageId: number, ruleId: number): Rule {
  const rule = stmt("select * from rules where id = ? and village_id = ?").get(ruleId, villageId) as Rule | undefined;
  if (!rule) throw new ClaimError("请从列表中选择本村的积分细则", "ruleId");
  return rule;
}

/** The household of a user's own member record (null for staff who do not live in the village). */
export function householdOfUser(userId: number): number | null {
  const row = stmt(
    "select m.household_id from users u join members m on m.id = u.member_id and m.active = 1 where u.id = ?",
  ).get(userId) as { household_id: number } | undefined;
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

function checkFiler(input: FileClaimBatchInput, rule: Rule, member: MemberRow): void {
  const { role, userId } = input.filer;
  if (!FILER_ROLES.includes(role)) throw new ClaimError("你的角色不能提交积分申报", "_form", 403);
  if (STAFF_FILERS.includes(role)) return;
  if (householdOfUser(userId) !== member.household_id) throw new ClaimError("只能为本户成员申报", "memberId");
  if (rule.points < 0) throw new ClaimError("扣分只能由检查员或村委登记", "ruleId");
}

function checkItem(input: FileClaimBatchInput, item: ClaimItem): { rule: Rule; member: MemberRow; points: number } {
  const rule = ruleOf(input.villageId, item.ruleId);
  if (!rule.active) throw new ClaimError(`细则“${rule.name}”已停用，不能再申报`, "ruleId");
  const member = stmt("select id, household_id, village_id, active, name from members where id = ?").get(item.memberId) as MemberRow | undefined;
  if (!member || member.village_id !== input.villageId || !member.active) throw new ClaimError("请从列表中选择本村的成员", "memberId");
  checkFiler(input, rule, member);
  const at = now();
  if (!Number.isSafeInteger(item.occurredAt) || item.occurredAt > at) throw new ClaimError("日期不能晚于今天", "occurredAt");
  if (item.occurredAt < at - MAX_AGE_MS) throw new ClaimError("只能申报一年以内的事项", "occurredAt");
  if (item.note.length > 200) throw new ClaimError("说明最多 200 个字", "note");
  const photos = item.photos ?? [];
  if (photos.length > 3) throw new ClaimError("最多上传 3 张照片", "photos");
  // An activity's attendance record is its evidence; a claim filed by hand needs photos when the rule says so.
  if (rule.evidence_required && !input.source && photos.length === 0) {
    throw new ClaimError(`细则“${rule.name}”需要上传照片作为证据`, "photos");
  }
  return { rule, member, points: pointsFor(rule, item.quantity) };
}

/** Files claims in one batch inside the caller's transaction (synchronous). Caps are checked per item as at filing; returns the new claim ids, or throws a ClaimError whose message is Chinese. */
export function fileClaimBatch(input: FileClaimBatchInput): number[] {
  if (input.items.length === 0) throw new ClaimError("没有要申报的事项");
  return transact(() => {
    const ids: number[] = [];
    for (const item of input.items) {
      const { rule, member, points } = checkItem(input, item);
      // A claim filed by hand counts every claim not rejected, pending ones included. A batch from an
      // activity, a round or a campaign counts approved claims and its own earlier items, so claims
      // someone else filed by hand and the committee has not reviewed cannot block it.
      const handFiled = !input.source;
      const batch = handFiled ? [] : ids.map((id) => claimRow(id)).filter((c) => c.rule_id === rule.id);
      const over = capViolation(rule, { memberId: member.id, householdId: member.household_id, occurredAt: item.occurredAt, points }, batch, handFiled);
      if (over) throw new ClaimError(input.items.length > 1 ? `${member.name}：${over}` : over, "quantity");
      const at = now();
      const id = Number(
        stmt(
          `insert into claims (village_id, household_id, member_id, rule_id, occurred_at, quantity, points, note, status,
            filer_user_id, filer_role, source_kind, source_id, created_at, updated_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)`,
        ).run(
          input.villageId, member.household_id, member.id, rule.id, item.occurredAt, item.quantity, points, item.note,
          input.filer.userId, input.filer.role, input.source?.kind ?? null, input.source?.id ?? null, at, at,
        ).lastInsertRowid,
      );
      for (const p of item.photos ?? []) {
        stmt("insert into claim_photos (village_id, claim_id, key, file, mime, bytes, created_at, cleaned_at) values (?, ?, ?, ?, ?, ?, ?, ?)").run(
          input.villageId, id, newPhotoKey(), p.file, p.mime, p.bytes, at, p.cleanedAt,
        );
      }
      audit({
        actorUserId: input.filer.userId, actorRole: input.filer.role, villageId: input.villageId, action: "claim.file",
        targetType: "claim", targetId: id, after: { memberId: member.id, ruleId: rule.id, points, source: input.source ?? null },
      });
      ids.push(id);
    }
    return ids;
  });
}

// ---- reading -------------------------------------------------------------


export function claimRow(id: number): Claim {
  const row = stmt("select * from claims where id = ?").get(id) as Claim | undefined;
  if (!row) throw new ClaimError("找不到这条申报", "_form", 404);
  return row;
}

/** A claim of this village, or a 404-style error (never a hint that it exists elsewhere). */
export function villageClaim(villageId: number, id: number): Claim {
  const row = stmt("select * from claims where id = ? and village_id = ?").get(id, villageId) as Claim | undefined;
  if (!row) throw new ClaimError("找不到这条申报", "_form", 404);
  return row;
}

// ---- review ----------------------------------------------------------------

export interface Decider {
  userId: number;
  role: Role;
}

/** Maker-checker: nobody decides on a claim they filed or one for their own household. */
function checkDecider(claim: Claim, by: Decider): void {
  if (by.role !== "committee") throw new ClaimError("只有村委委员可以审核申报", "_form", 403);
  if (claim.filer_user_id === by.userId) throw new ClaimError("不能审核自己提交的申报，请由另一位村委委员审核");
  if (householdOfUser(by.userId) === claim.household_id) throw new ClaimError("不能审核本户的申报，请由另一位村委委员审核");
}

function setStatus(id: number, status: ClaimStatus, extra: Record<string, number | string | null> = {}): void {
  const cols = Object.keys(extra);
  stmt(`update claims set status = ?, updated_at = ?${cols.map((c) => `, ${c} = ?`).join("")} where id = ?`).run(
    status, now(), ...cols.map((c) => extra[c]), id,
  );
}

function approvalsNeeded(villageId: number): { approvals: number; noticeDays: number } {
  return stmt("select approvals_needed as approvals, notice_days as noticeDays from villages where id = ?").get(villageId) as {
    approvals: number;
    noticeDays: number;
  };
}

export type ApproveResult = "approved" | "needs_more" | "credited";

/** One committee approval; the last one needed starts 公示 (or credits at once when the period is 0 days). */
export function approveClaim(villageId: number, claimId: number, by: Decider): ApproveResult {
  return transact(() => {
    const claim = villageClaim(villageId, claimId);
    if (claim.status !== "pending") throw new ClaimError(`这条申报${CLAIM_STATUS_LABELS[claim.status]}，不能再审核`);
    checkDecider(claim, by);
    if (stmt("select 1 from claim_approvals where claim_id = ? and user_id = ?").get(claimId, by.userId)) {
      throw new ClaimError("你已经审核通过了这条申报，还需要另一位村委委员审核");
    }
    const rule = ruleOf(villageId, claim.rule_id);
    const over = capViolation(rule, { memberId: claim.member_id, householdId: claim.household_id, occurredAt: claim.occurred_at, points: claim.points });
    if (over) throw new ClaimError(over);
    const at = now();
    stmt("insert into claim_approvals (village_id, claim_id, user_id, role, created_at) values (?, ?, ?, ?, ?)").run(villageId, claimId, by.userId, by.role, at);
    const count = (stmt("select count(*) as n from claim_approvals where claim_id = ?").get(claimId) as { n: number }).n;
    const { approvals, noticeDays } = approvalsNeeded(villageId);
    let result: ApproveResult = "needs_more";
    if (count >= approvals) {
      setStatus(claimId, "notice", { approved_at: at, notice_until: at + noticeDays * DAY_MS, decided_by_user_id: by.userId });
      result = noticeDays === 0 && creditClaimInTxn(claimId) ? "credited" : "approved";
    }
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.approve", targetType: "claim", targetId: claimId, after: { result, approvals: count } });
    return result;
  });
}

export function rejectClaim(villageId: number, claimId: number, by: Decider, reason: string): void {
  transact(() => {
    const claim = villageClaim(villageId, claimId);
    if (claim.status !== "pending") throw new ClaimError(`这条申报${CLAIM_STATUS_LABELS[claim.status]}，不能再审核`);
    checkDecider(claim, by);
    setStatus(claimId, "rejected", { reason, decided_by_user_id: by.userId });
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.reject", targetType: "claim", targetId: claimId, after: { reason } });
  });
}

export interface BatchOutcome {
  approved: number[];
  failed: { claimId: number; message: string }[];
}

/** Approves many claims; each one is its own transaction, so one refusal does not undo the rest. */
export function approveClaims(villageId: number, claimIds: number[], by: Decider): BatchOutcome {
  const out: BatchOutcome = { approved: [], failed: [] };
  for (const id of claimIds) {
    try {
      approveClaim(villageId, id, by);
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
function villageOfUser(userId: number): number | null {
  const row = stmt("select m.village_id from users u join members m on m.id = u.member_id and m.active = 1 where u.id = ?").get(userId) as
    | { village_id: number }
    | undefined;
  return row?.village_id ?? null;
}

/** Any villager of the village may object once per claim while it is in 公示. */
export function objectToClaim(villageId: number, claimId: number, userId: number, reason: string): number {
  return transact(() => {
    const claim = villageClaim(villageId, claimId);
    if (villageOfUser(userId) !== villageId) throw new ClaimError("只有本村村民可以提出异议", "_form", 403);
    if ((claim.status !== "notice" && claim.status !== "objected") || (claim.notice_until ?? 0) <= now()) {
      throw new ClaimError("这条申报不在公示期内，不能提出异议");
    }
    if (stmt("select 1 from objections where claim_id = ? and objector_user_id = ?").get(claimId, userId)) {
      throw new ClaimError("你已经对这条公示提过异议了");
    }
    const id = Number(
      stmt("insert into objections (village_id, claim_id, objector_user_id, reason, status, created_at) values (?, ?, ?, ?, 'open', ?)").run(
        villageId, claimId, userId, reason, now(),
      ).lastInsertRowid,
    );
    setStatus(claimId, "objected");
    return id;
  });
}

export interface ObjectionRow {
  id: number;
  claim_id: number;
  objector_user_id: number;
  reason: string;
  status: "open" | "upheld" | "dismissed";
  resolution: string | null;
}

/** Upheld: the claim is rejected with the reason. Dismissed: 公示 continues (credited when due). */
export function resolveObjection(villageId: number, objectionId: number, by: Decider, verdict: "uphold" | "dismiss", note: string): void {
  transact(() => {
    const o = stmt("select * from objections where id = ? and village_id = ?").get(objectionId, villageId) as ObjectionRow | undefined;
    if (!o) throw new ClaimError("找不到这条异议", "_form", 404);
    if (o.status !== "open") throw new ClaimError("这条异议已经处理过了");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以处理异议", "_form", 403);
    if (o.objector_user_id === by.userId) throw new ClaimError("不能处理自己提出的异议，请由另一位村委委员处理");
    const claim = villageClaim(villageId, o.claim_id);
    if (householdOfUser(by.userId) === claim.household_id) throw new ClaimError("不能处理本户申报的异议，请由另一位村委委员处理");
    const at = now();
    const close = stmt("update objections set status = ?, resolved_by_user_id = ?, resolution = ?, resolved_at = ? where id = ?");
    if (verdict === "uphold") {
      // One upheld objection settles the claim: the others open on it are closed with it.
      const open = stmt("select id from objections where claim_id = ? and status = 'open'").all(o.claim_id) as { id: number }[];
      for (const { id } of open) close.run("upheld", by.userId, note, at, id);
      setStatus(o.claim_id, "rejected", { reason: `异议成立：${note}`, decided_by_user_id: by.userId });
    } else {
      close.run("dismissed", by.userId, note, at, o.id);
      const left = stmt("select count(*) as n from objections where claim_id = ? and status = 'open'").get(o.claim_id) as { n: number };
      if (left.n === 0) {
        setStatus(o.claim_id, "notice");
        creditClaimInTxn(o.claim_id); // a period that ended while the objection was open credits now
      }
    }
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: `objection.${verdict}`, targetType: "objection", targetId: o.id, after: { claimId: o.claim_id, note } });
  });
}

// ---- crediting and revoking ------------------------------------------------------

const SYSTEM = { userId: null, role: "system" };

/** Credits one claim if it is due. Inside a transaction; the ledger key makes a replay a no-op. */
function creditClaimInTxn(claimId: number): boolean {
  const claim = claimRow(claimId);
  if (claim.status !== "notice" || claim.notice_until === null || claim.notice_until > now()) return false;
  const rule = stmt("select name from rules where id = ?").get(claim.rule_id) as { name: string };
  const move = {
    householdId: claim.household_id, amount: Math.abs(claim.points), idemKey: `claim:${claim.id}:credit`, actor: SYSTEM,
    memberId: claim.member_id, ruleId: claim.rule_id, cause: { kind: "claim", id: claim.id }, memo: `${rule.name}（申报 #${claim.id}）`,
  };
  const { txnId } = claim.points > 0 ? award(move) : deduct(move);
  setStatus(claim.id, "credited", { credit_txn_id: txnId, credited_at: now() });
  return true;
}

export function creditClaim(claimId: number): boolean {
  return transact(() => creditClaimInTxn(claimId));
}

/** The scheduler's job: every claim whose 公示 ended with no open objection, one transaction each. */
export function creditDueClaims(limit = 500, onCredited?: (claimId: number) => void): number {
  const due = stmt("select id from claims where status = 'notice' and notice_until <= ? order by id limit ?").all(now(), limit) as { id: number }[];
  let credited = 0;
  for (const { id } of due) {
    // One claim that cannot be credited (it is logged and retried next round) must not hold up the rest.
    try {
      if (!creditClaim(id)) continue;
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
export function withdrawClaim(villageId: number, claimId: number, by: Decider, reason: string): void {
  transact(() => {
    const claim = villageClaim(villageId, claimId);
    if (claim.status !== "notice" && claim.status !== "objected") throw new ClaimError("只有公示中的申报可以撤回");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以撤回申报", "_form", 403);
    if (householdOfUser(by.userId) === claim.household_id) throw new ClaimError("不能撤回本户的申报，请由另一位村委委员处理");
    const at = now();
    stmt("update objections set status = 'upheld', resolved_by_user_id = ?, resolution = ?, resolved_at = ? where claim_id = ? and status = 'open'").run(
      by.userId, `申报已撤回：${reason}`, at, claimId,
    );
    setStatus(claimId, "rejected", { reason, decided_by_user_id: by.userId });
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.withdraw", targetType: "claim", targetId: claimId, after: { reason } });
  });
}

/** 红冲 of a credited claim: the reversal shows on the household's statement. */
export function revokeClaim(villageId: number, claimId: number, by: Decider, reason: string): void {
  transact(() => {
    const claim = villageClaim(villageId, claimId);
    if (claim.status !== "credited" || claim.credit_txn_id === null) throw new ClaimError("只有已入账的申报可以撤销");
    if (by.role !== "committee") throw new ClaimError("只有村委委员可以撤销", "_form", 403);
    if (householdOfUser(by.userId) === claim.household_id) throw new ClaimError("不能撤销本户的申报，请由另一位村委委员处理");
    const { txnId } = reverse({ txnId: claim.credit_txn_id, idemKey: `claim:${claim.id}:revoke`, actor: { userId: by.userId, role: by.role }, memo: `撤销申报 #${claim.id}：${reason}` });
    setStatus(claimId, "revoked", { revoke_txn_id: txnId, reason, decided_by_user_id: by.userId });
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "claim.revoke", targetType: "claim", targetId: claimId, after: { reason, txnId } });
  });
}
