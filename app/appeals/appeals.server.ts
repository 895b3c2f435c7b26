// Appeals (申诉) after credit: a household appeals an award or a deduction within the village's
// appeal period (villages.appeal_days, from when the entry was credited); a committee member who had
// no hand in the original decides: upheld (nothing moves), modified (a reversal and a new entry of the
// new points) or revoked (a reversal). Points move only through ledger/ledger.server.ts, in the same
// unit of work as the appeal's status change, with keys derived from the appeal id; the change is
// guarded (`where status = 'pending'`, one row), so two deciders at once decide once.
import { audit } from "~/audit/audit.server";
import { claimOverturnedByAppeal, householdOfUser } from "~/claims/claims.server";
import { newPhotoKey } from "~/claims/photos.server";
import type { StoredPhoto } from "~/claims/claims.server";
import { award, deduct, LedgerError, reverse } from "~/ledger/ledger.server";
import { villagerMemo } from "~/ledger/statement.server";
import { findGrant, isOfVillage, type Viewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { APPENDS, constant, db, unitOfWork } from "~/platform/database.server";
import { isUniqueViolation } from "~/platform/forms.server";
import { readPhotoFile } from "~/claims/photos.server";
import type { AppealStatus } from "../../db/schema";
import { APPEAL_LIMITS, signed, type AppealVerdict } from "./labels";
import { MAX_PHOTOS } from "~/claims/labels";

export class AppealError extends Error {
  constructor(message: string, readonly field: string = "_form", readonly status = 400) {
    super(message);
  }
}

const DAY_MS = 86_400_000;
const NOT_FOUND = "找不到这条积分记录";

// ---- the entry appealed ------------------------------------------------------------

/**
 * A ledger transaction as the household sees it: its own leg's points, what it was for, when it
 * was credited, and whether it may still be appealed (and why not). One statement.
 */
function entryQuery() {
  return db()
    .selectFrom("ledger_transactions as t")
    .innerJoin("ledger_entries as e", "e.txn_id", "t.id")
    .innerJoin("accounts as a", (j) => j.onRef("a.id", "=", "e.account_id").on("a.kind", "=", constant("household")))
    .innerJoin("villages as v", "v.id", "t.village_id")
    .leftJoin("members as m", "m.id", "t.member_id")
    .leftJoin("claims as c", (j) => j.onRef("c.id", "=", "t.cause_id").on("t.cause_kind", "=", constant("claim")))
    .leftJoin("rules as r", "r.id", "t.rule_id")
    .select((eb) => [
      "t.id as txnId", "t.village_id as villageId", "t.kind", "t.memo", "t.created_at as at", "t.cause_kind as causeKind", "t.cause_id as causeId",
      "t.member_id as memberId", "t.rule_id as ruleId", "t.actor_user_id as actorUserId", "e.amount", "a.household_id as householdId",
      "v.appeal_days as appealDays", "m.name as member", "r.name as rule", "c.id as claimId", "c.occurred_at as claimAt",
      eb.exists(eb.selectFrom("ledger_transactions as x").select("x.id").whereRef("x.reverses_id", "=", "t.id")).as("reversed"),
      eb.selectFrom("appeals as ap").select("ap.id").whereRef("ap.txn_id", "=", "t.id").as("appealId"),
    ]);
}

type EntryRow = NonNullable<Awaited<ReturnType<ReturnType<typeof entryQuery>["executeTakeFirst"]>>>;

export interface AppealEntry {
  txnId: number;
  villageId: number;
  householdId: number;
  kind: string;
  /** The household's points, signed (+10 an award, -5 a deduction). */
  amount: number;
  /** The memo as the villager reads it (villagerMemo). */
  memo: string;
  /** What the entry is called in an appeal's memos: its rule, or its memo. */
  what: string;
  at: number;
  member: string | null;
  memberId: number | null;
  ruleId: number | null;
  claimId: number | null;
  actorUserId: number | null;
  appealDays: number;
  deadline: number;
  appealId: number | null;
  reversed: boolean;
}

function toEntry(r: EntryRow): AppealEntry {
  const memo = villagerMemo(r.memo, { rule: r.rule, at: r.claimAt });
  return {
    txnId: r.txnId, villageId: r.villageId, householdId: r.householdId!, kind: r.kind, amount: r.amount, memo, what: r.rule ?? memo, at: r.at,
    member: r.member, memberId: r.memberId, ruleId: r.ruleId, claimId: r.claimId, actorUserId: r.actorUserId, appealDays: r.appealDays,
    deadline: r.at + r.appealDays * DAY_MS, appealId: r.appealId ?? null, reversed: !!r.reversed,
  };
}

/** Why this entry cannot be appealed now, or null when it can. */
export function appealRefusal(e: Pick<AppealEntry, "kind" | "reversed" | "appealId" | "appealDays" | "deadline">, causeKind: string | null, at = now()): string | null {
  if (e.kind !== "award" && e.kind !== "deduction") return "只有奖励和扣分的记录可以申诉";
  if (causeKind === "appeal") return "这是申诉处理后的记录，不能再申诉";
  if (e.appealId !== null) return "这条记录已经申诉过了";
  if (e.reversed) return "这条记录已经冲正，不能再申诉";
  if (e.appealDays === 0) return "本村没有开放申诉";
  if (at >= e.deadline) return `已超过申诉期限：入账后 ${e.appealDays} 天内可以申诉`;
  return null;
}

/** One entry of this household, for the appeal form; a 404-style error for anyone else's. */
export async function householdEntry(householdId: number, txnId: number): Promise<AppealEntry & { refusal: string | null }> {
  const row = await entryQuery().where("t.id", "=", txnId).where("a.household_id", "=", householdId).executeTakeFirst();
  if (!row) throw new AppealError(NOT_FOUND, "_form", 404);
  const entry = toEntry(row);
  return { ...entry, refusal: appealRefusal(entry, row.causeKind) };
}

/** The household's entries that may be appealed today, newest first (the appeal period bounds them). */
export async function appealableEntries(householdId: number, limit = 50): Promise<AppealEntry[]> {
  const at = now();
  const village = await db()
    .selectFrom("households as h")
    .innerJoin("villages as v", "v.id", "h.village_id")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .select(["v.appeal_days as days", "a.id as account"])
    .where("h.id", "=", householdId)
    .executeTakeFirst();
  if (!village || village.days === 0) return [];
  const rows = await entryQuery()
    .where("e.account_id", "=", village.account)
    .where("e.created_at", ">", at - village.days * DAY_MS)
    .where("t.kind", "in", ["award", "deduction"])
    .where((eb) => eb.or([eb("t.cause_kind", "is", null), eb("t.cause_kind", "<>", "appeal")]))
    .orderBy("e.created_at", "desc")
    .orderBy("e.id", "desc")
    .limit(limit)
    .execute();
  return rows.map(toEntry).filter((e) => appealRefusal(e, null, at) === null);
}

// ---- filing --------------------------------------------------------------------------------

export interface FileAppealInput {
  householdId: number;
  userId: number;
  role: string;
  txnId: number;
  reason: string;
  photos: StoredPhoto[];
}

/**
 * Files an appeal in one unit of work: the entry is checked there (the household's, an award or a
 * deduction, not reversed, within the period, not appealed yet) and the unique key on txn_id settles
 * two filings at once. Throws an AppealError with a Chinese message; then nothing is written.
 */
export async function fileAppeal(input: FileAppealInput): Promise<number> {
  if (input.reason.length === 0) throw new AppealError("请填写申诉理由", "reason");
  if (input.reason.length > APPEAL_LIMITS.reason) throw new AppealError(`申诉理由最多 ${APPEAL_LIMITS.reason} 个字`, "reason");
  if (input.photos.length > MAX_PHOTOS) throw new AppealError(`最多上传 ${MAX_PHOTOS} 张照片`, "photos");
  try {
    return await unitOfWork(async (tx) => {
      const row = await entryQuery().where("t.id", "=", input.txnId).where("a.household_id", "=", input.householdId).executeTakeFirst();
      if (!row) throw new AppealError(NOT_FOUND, "_form", 404);
      const entry = toEntry(row);
      const refusal = appealRefusal(entry, row.causeKind);
      if (refusal) throw new AppealError(refusal);
      const at = now();
      const { id } = await tx
        .insertInto("appeals")
        .values({
          village_id: entry.villageId, household_id: input.householdId, txn_id: entry.txnId, claim_id: entry.claimId, points: entry.amount,
          reason: input.reason, filer_user_id: input.userId, status: "pending", created_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      if (input.photos.length) {
        await tx
          .insertInto("appeal_photos")
          .values(input.photos.map((p) => ({ village_id: entry.villageId, appeal_id: id, key: newPhotoKey(), file: p.file, mime: p.mime, bytes: p.bytes, created_at: at, cleaned_at: p.cleanedAt })))
          .execute();
      }
      await audit({
        actorUserId: input.userId, actorRole: input.role, villageId: entry.villageId, action: "appeal.file", targetType: "appeal", targetId: id,
        after: { txnId: entry.txnId, claimId: entry.claimId, points: entry.amount, reason: input.reason },
      });
      return id;
    });
  } catch (e) {
    if (isUniqueViolation(e, "appeals.txn_id")) throw new AppealError("这条记录已经申诉过了");
    throw e;
  }
}

// ---- who may decide -------------------------------------------------------------------------

/** The people who had a hand in the original entry: its claim's filer, approvers, decider and objection resolvers, or its poster. */
async function originalDeciders(a: { claim_id: number | null; txn_id: number }): Promise<{ filer: number | null; deciders: Set<number> }> {
  const deciders = new Set<number>();
  if (a.claim_id === null) {
    const t = await db().selectFrom("ledger_transactions").select("actor_user_id").where("id", "=", a.txn_id).executeTakeFirst();
    if (t?.actor_user_id != null) deciders.add(t.actor_user_id);
    return { filer: null, deciders };
  }
  const claim = await db().selectFrom("claims").select(["filer_user_id", "decided_by_user_id"]).where("id", "=", a.claim_id).executeTakeFirstOrThrow();
  if (claim.decided_by_user_id !== null) deciders.add(claim.decided_by_user_id);
  const approvals = await db().selectFrom("claim_approvals").select("user_id").where("claim_id", "=", a.claim_id).execute();
  for (const x of approvals) deciders.add(x.user_id);
  const resolvers = await db().selectFrom("objections").select("resolved_by_user_id").where("claim_id", "=", a.claim_id).where("resolved_by_user_id", "is not", null).execute();
  for (const x of resolvers) deciders.add(x.resolved_by_user_id!);
  return { filer: claim.filer_user_id, deciders };
}

/**
 * Why this committee member may not decide the appeal, or null. Not a member of the appealing
 * household, not the original claim's filer, not one who approved, decided or resolved an objection
 * on it (for an entry without a claim: not the one who posted it).
 */
export async function deciderBlock(a: { household_id: number; claim_id: number | null; txn_id: number; filer_user_id: number }, userId: number): Promise<string | null> {
  if (a.filer_user_id === userId || (await householdOfUser(userId)) === a.household_id) return "这是本户的申诉，请由另一位村委委员处理";
  const { filer, deciders } = await originalDeciders(a);
  if (filer === userId) return "原申报是你提交的，请由另一位村委委员处理";
  if (deciders.has(userId)) return "你参与了原来的审核，请由另一位村委委员处理";
  return null;
}

// ---- deciding -----------------------------------------------------------------------------------

export interface Decider {
  userId: number;
  role: string;
}

export interface Decision {
  verdict: AppealVerdict;
  note: string;
  /** Modify only: the new signed points. */
  newPoints?: number | null;
}

const STATUS_OF: Record<AppealVerdict, AppealStatus> = { uphold: "upheld", modify: "modified", revoke: "revoked" };

/** The appeal of this village, or a 404-style error. */
async function villageAppeal(villageId: number, appealId: number) {
  const row = await db().selectFrom("appeals").selectAll().where("id", "=", appealId).where("village_id", "=", villageId).executeTakeFirst();
  if (!row) throw new AppealError("找不到这条申诉", "_form", 404);
  return row;
}

function checkNewPoints(original: number, n: number | null | undefined): number {
  if (n === null || n === undefined) throw new AppealError("请填写改后的分值", "newPoints");
  if (!Number.isSafeInteger(n) || n === 0 || Math.abs(n) > APPEAL_LIMITS.pointsMax) {
    throw new AppealError(`改后的分值应为 1 到 ${APPEAL_LIMITS.pointsMax} 的整数，扣分填负数；改为 0 请选“撤销”`, "newPoints");
  }
  if (Math.sign(n) !== Math.sign(original)) {
    throw new AppealError(original > 0 ? "原来是奖励，改后也应是奖励（正数）；要全部收回请选“撤销”" : "原来是扣分，改后也应是扣分（负数）；要全部退回请选“撤销”", "newPoints");
  }
  if (n === original) throw new AppealError(`改后的分值和原来一样（${signed(original)} 分），不改请选“维持原决定”`, "newPoints");
  return n;
}

/**
 * One decision on a pending appeal, in one unit of work with its ledger moves. The status change is
 * guarded by `status = 'pending'` and must touch exactly one row: of two deciders at once (two
 * committee members, or a double submit) the second finds it decided and moves nothing.
 */
export async function decideAppeal(villageId: number, appealId: number, by: Decider, d: Decision): Promise<AppealStatus> {
  if (d.note.length === 0) throw new AppealError("请填写处理理由", "note");
  return unitOfWork(async (tx) => {
    const a = await villageAppeal(villageId, appealId);
    if (by.role !== "committee") throw new AppealError("只有村委委员可以处理申诉", "_form", 403);
    if (a.status !== "pending") throw new AppealError("这条申诉已经处理过了");
    const block = await deciderBlock(a, by.userId);
    if (block) throw new AppealError(block);
    const newPoints = d.verdict === "modify" ? checkNewPoints(a.points, d.newPoints) : null;
    const at = now();
    const status = STATUS_OF[d.verdict];
    const claimed = await tx
      .updateTable("appeals")
      .set({ status, decided_by_user_id: by.userId, decided_role: by.role, decision_note: d.note, new_points: newPoints, decided_at: at })
      .where("id", "=", appealId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) throw new AppealError("这条申诉已经处理过了");
    let reversalTxnId: number | null = null;
    let newTxnId: number | null = null;
    if (d.verdict !== "uphold") {
      const entry = await entryQuery().where("t.id", "=", a.txn_id).where("a.household_id", "=", a.household_id).executeTakeFirstOrThrow();
      const what = toEntry(entry).what;
      const actor = { userId: by.userId, role: by.role };
      try {
        reversalTxnId = (await reverse({
          txnId: a.txn_id, idemKey: `appeal:${a.id}:reverse`, actor,
          memo: d.verdict === "revoke" ? `申诉改判：撤销“${what}”：${d.note}` : `申诉改判：“${what}”原 ${signed(a.points)} 分冲正`,
        })).txnId;
      } catch (e) {
        if (e instanceof LedgerError && e.code === "already_reversed") throw new AppealError("原记录已经冲正过了，只能选“维持原决定”");
        throw e;
      }
      if (newPoints !== null) {
        const move = {
          householdId: a.household_id, amount: Math.abs(newPoints), idemKey: `appeal:${a.id}:new`, actor, memberId: entry.memberId, ruleId: entry.ruleId,
          cause: { kind: "appeal", id: a.id }, memo: `申诉改判：“${what}”改为 ${signed(newPoints)} 分：${d.note}`,
        };
        newTxnId = (await (newPoints > 0 ? award(move) : deduct(move))).txnId;
      }
      await tx.updateTable("appeals").set({ reversal_txn_id: reversalTxnId, new_txn_id: newTxnId }).where("id", "=", a.id).execute();
      if (a.claim_id !== null) {
        const reason = newPoints === null ? `申诉撤销：${d.note}` : `申诉改为 ${signed(newPoints)} 分：${d.note}`;
        await claimOverturnedByAppeal(a.claim_id, reversalTxnId, reason, by.userId);
      }
    }
    await audit({
      actorUserId: by.userId, actorRole: by.role, villageId, action: `appeal.${d.verdict}`, targetType: "appeal", targetId: a.id,
      after: { note: d.note, points: a.points, ...(newPoints !== null ? { newPoints } : {}), txnId: reversalTxnId },
    });
    return status;
  }, APPENDS);
}

// ---- reading ------------------------------------------------------------------------------------

function appealList() {
  return db()
    .selectFrom("appeals as ap")
    .innerJoin("ledger_transactions as t", "t.id", "ap.txn_id")
    .innerJoin("households as h", "h.id", "ap.household_id")
    .innerJoin("users as u", "u.id", "ap.filer_user_id")
    .leftJoin("members as m", "m.id", "t.member_id")
    .leftJoin("rules as r", "r.id", "t.rule_id")
    .leftJoin("claims as c", "c.id", "ap.claim_id")
    .leftJoin("users as d", "d.id", "ap.decided_by_user_id")
    .select([
      "ap.id", "ap.village_id as villageId", "ap.household_id as householdId", "ap.txn_id as txnId", "ap.claim_id as claimId", "ap.points", "ap.reason",
      "ap.status", "ap.decision_note as decisionNote", "ap.new_points as newPoints", "ap.created_at as createdAt", "ap.decided_at as decidedAt",
      "ap.filer_user_id as filerUserId", "u.display_name as filer", "d.display_name as decidedBy", "h.number as household", "m.name as member",
      "r.name as rule", "t.memo", "t.created_at as creditedAt", "c.occurred_at as claimAt",
    ]);
}

type ListRow = Awaited<ReturnType<ReturnType<typeof appealList>["execute"]>>[number];

function shaped({ memo, rule, claimAt, ...r }: ListRow) {
  return { ...r, rule, what: villagerMemo(memo, { rule, at: claimAt }) };
}

export type AppealRow = ReturnType<typeof shaped>;

/** A household's appeals, newest first. */
export async function householdAppeals(householdId: number, limit = 100): Promise<AppealRow[]> {
  return (await appealList().where("ap.household_id", "=", householdId).orderBy("ap.id", "desc").limit(limit).execute()).map(shaped);
}

export async function householdAppeal(householdId: number, appealId: number) {
  const row = await appealList().where("ap.id", "=", appealId).where("ap.household_id", "=", householdId).executeTakeFirst();
  if (!row) return null;
  const photos = await db().selectFrom("appeal_photos").select("key").where("appeal_id", "=", appealId).orderBy("id").execute();
  return { appeal: shaped(row), photos };
}

const QUEUE_SIZE = 100;

/** The committee's queue: pending appeals, the longest waiting first; and the latest decided ones. */
export async function appealQueue(villageId: number, userId: number) {
  const pending = (await appealList().where("ap.village_id", "=", villageId).where("ap.status", "=", "pending").orderBy("ap.created_at").orderBy("ap.id").limit(QUEUE_SIZE).execute()).map(shaped);
  const total = (await db().selectFrom("appeals").select((eb) => eb.fn.countAll<number>().as("n")).where("village_id", "=", villageId).where("status", "=", "pending").executeTakeFirstOrThrow()).n;
  const decided = (await appealList().where("ap.village_id", "=", villageId).where("ap.status", "<>", "pending").orderBy("ap.decided_at", "desc").orderBy("ap.id", "desc").limit(20).execute()).map(shaped);
  const at = now();
  const rows = [];
  for (const a of pending) {
    rows.push({ ...a, waitingDays: Math.max(0, Math.floor((at - a.createdAt) / DAY_MS)), blocked: await deciderBlock({ household_id: a.householdId, claim_id: a.claimId, txn_id: a.txnId, filer_user_id: a.filerUserId }, userId) });
  }
  return { pending: rows, total: Number(total), decided };
}

/** One appeal for the committee: the entry, its claim (rule, filer, approvers, 公示 dates), the appeal's reason and photos. */
export async function appealDetail(villageId: number, appealId: number, userId: number) {
  const row = await appealList().where("ap.id", "=", appealId).where("ap.village_id", "=", villageId).executeTakeFirst();
  if (!row) return null;
  const appeal = shaped(row);
  const photos = await db().selectFrom("appeal_photos").select("key").where("appeal_id", "=", appealId).orderBy("id").execute();
  let claim = null;
  if (row.claimId !== null) {
    const c = await db()
      .selectFrom("claims as c")
      .innerJoin("users as u", "u.id", "c.filer_user_id")
      .innerJoin("rules as r", "r.id", "c.rule_id")
      .leftJoin("users as d", "d.id", "c.decided_by_user_id")
      .select(["c.id", "c.note", "c.occurred_at as occurredAt", "c.quantity", "r.unit", "r.name as rule", "u.display_name as filer", "d.display_name as decidedBy", "c.approved_at as approvedAt", "c.notice_until as noticeUntil", "c.credited_at as creditedAt", "c.status"])
      .where("c.id", "=", row.claimId)
      .executeTakeFirstOrThrow();
    const approvers = await db()
      .selectFrom("claim_approvals as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select("u.display_name as name")
      .where("a.claim_id", "=", row.claimId)
      .orderBy("a.id")
      .execute();
    const objections = await db()
      .selectFrom("objections as o")
      .select(["o.reason", "o.status", "o.resolution"])
      .where("o.claim_id", "=", row.claimId)
      .orderBy("o.id")
      .execute();
    const claimPhotos = await db().selectFrom("claim_photos").select("key").where("claim_id", "=", row.claimId).orderBy("id").execute();
    claim = { ...c, approvers: approvers.map((x) => x.name), objections, photos: claimPhotos };
  }
  const poster = row.claimId === null
    ? await db().selectFrom("ledger_transactions as t").leftJoin("users as u", "u.id", "t.actor_user_id").select(["u.display_name as name", "t.actor_role as role"]).where("t.id", "=", row.txnId).executeTakeFirst()
    : null;
  const blocked = appeal.status === "pending"
    ? await deciderBlock({ household_id: row.householdId, claim_id: row.claimId, txn_id: row.txnId, filer_user_id: row.filerUserId }, userId)
    : null;
  return { appeal, photos, claim, poster: poster ?? null, blocked };
}

// ---- photos -------------------------------------------------------------------------------------

/** An appeal's photo for this viewer: the appealing household and the village's committee; null for anyone else (as for a missing one). */
export async function appealPhoto(viewer: Viewer, villageId: number, key: string): Promise<{ body: Buffer; mime: string } | null> {
  if (!isOfVillage(viewer, villageId)) return null;
  const row = await db()
    .selectFrom("appeal_photos as p")
    .innerJoin("appeals as ap", "ap.id", "p.appeal_id")
    .select(["p.file", "p.mime", "ap.household_id"])
    .where("p.key", "=", key)
    .where("p.village_id", "=", villageId)
    .executeTakeFirst();
  if (!row) return null;
  const involved = viewer.householdId === row.household_id || !!findGrant(viewer, ["committee"], villageId);
  if (!involved) return null;
  const body = readPhotoFile(row.file);
  return body ? { body, mime: row.mime } : null;
}

// ---- counts ----------------------------------------------------------------------------------------

/** Pending appeals of a village (for a work tile). */
export async function pendingAppeals(villageId: number): Promise<number> {
  const row = await db().selectFrom("appeals").select((eb) => eb.fn.countAll<number>().as("n")).where("village_id", "=", villageId).where("status", "=", constant("pending")).executeTakeFirstOrThrow();
  return Number(row.n);
}
