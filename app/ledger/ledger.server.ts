// The only module that moves points. Every write is one unit of work (a savepoint of the caller's
// when it already has one), carries an idempotency key, and appends hash-chained entries that sum
// to zero.
import crypto from "node:crypto";
import type { Selectable } from "kysely";
import type { LedgerTransactionTable, TxnKind } from "../../db/schema";
import { chinaMonth, chinaYear, now } from "~/platform/clock.server";
import { APPENDS, constant, atomically, db, lockLedgerChain, lockVillageStore, unitOfWork } from "~/platform/database.server";

export interface Actor {
  userId: number | null;
  role: string; // a Role, or "system" for the scheduler and seeding
}

export interface Cause {
  kind: string; // "claim", "order", "campaign", "round", "demo", ...
  id: number | null;
}

export interface Leg {
  accountId: number;
  amount: number;
  scoreDelta: number;
  scoreYear: number;
  /** The village's issuance account: no monthly summary (nobody reads its statement; saves a write per award). */
  issuance?: boolean;
}

export interface PostResult {
  txnId: number;
  created: boolean;
}

/** Inside the ledger: also each account's balance after the transaction (none for a replay). */
interface Posted extends PostResult {
  balances?: Map<number, number>;
}

/** What callers get: a retry's answer equals the first one's. */
const answer = (p: Posted): PostResult => ({ txnId: p.txnId, created: p.created });

export class LedgerError extends Error {
  constructor(
    readonly code: "insufficient" | "idempotency_conflict" | "not_found" | "invalid" | "already_reversed" | "hold_settled",
    message: string,
  ) {
    super(message);
  }
}

const GENESIS = "0".repeat(64);

/** What an account has on hold right now (its live holds), for the spend check and the balance page alike. */
async function heldOn(accountId: number, at: number, exceptHoldId = -1): Promise<number> {
  const row = await db()
    .selectFrom("holds")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.lit(0)).as("held"))
    .where("account_id", "=", accountId)
    .where("status", "=", constant("active"))
    .where("expires_at", ">", at)
    .where("id", "<>", exceptHoldId)
    .executeTakeFirstOrThrow();
  return row.held;
}

function txnByKey(idemKey: string) {
  return db().selectFrom("ledger_transactions").select(["id", "request_hash"]).where("idem_key", "=", idemKey).executeTakeFirst();
}

function accountById(accountId: number) {
  return db().selectFrom("accounts").select(["id", "village_id", "kind", "household_id", "store_id", "balance"]).where("id", "=", accountId).executeTakeFirst();
}

// ---- hashing ---------------------------------------------------------------

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

export type TxnRow = Selectable<LedgerTransactionTable>;

/** A digest of the transaction's fields, shared by the hashes of its entries. */
export function txnDigest(t: TxnRow): string {
  return sha256(
    JSON.stringify([
      t.id, t.village_id, t.kind, t.idem_key, t.request_hash, t.reverses_id, t.actor_user_id, t.actor_role,
      t.member_id, t.rule_id, t.cause_kind, t.cause_id, t.memo, t.created_at,
    ]),
  );
}

type EntryFields = { id: number; account_id: number; amount: number; score_delta: number; score_year: number };

/** The hash of one entry covers the previous hash, the entry and its transaction. check:ledger recomputes it. */
export function chainHash(prevHash: string, e: EntryFields, digest: string): string {
  return sha256(`${prevHash}|${e.id}|${e.account_id}|${e.amount}|${e.score_delta}|${e.score_year}|${digest}`);
}

export function entryHash(prevHash: string, e: EntryFields, t: TxnRow): string {
  return chainHash(prevHash, e, txnDigest(t));
}

export const GENESIS_HASH = GENESIS;

// ---- the core posting primitive ---------------------------------------------

interface PostInput {
  villageId: number;
  kind: TxnKind;
  idemKey: string;
  actor: Actor;
  legs: Leg[];
  memberId?: number | null;
  ruleId?: number | null;
  cause?: Cause | null;
  memo: string;
  reversesId?: number | null;
  /** A reversal's original kind: the village's monthly summary counts it there. */
  reversesKind?: TxnKind;
  /** Household debits may overdraw only for deductions and reversals (corrections). */
  allowOverdraft?: boolean;
  /** Award/deduction legs built from one household's accounts (same village by the join): no re-read. */
  legsFromHousehold?: boolean;
  /** The hold being converted: its own amount does not count against the balance. */
  convertingHoldId?: number;
  /** The caller already looked the key up in this unit of work (`replayed`): no second read. */
  keyChecked?: boolean;
  /** Accounts the caller already checked in this unit of work (kind and village): not read again. */
  checkedAccounts?: number[];
  /** What the caller asked for, hashed for idempotency; defaults to the whole input. */
  request?: object;
}

function requestHash(input: object): string {
  return sha256(JSON.stringify(input));
}

function assertLegs(legs: Leg[]): void {
  if (legs.length < 2) throw new LedgerError("invalid", "一笔账至少涉及两个账户");
  let sum = 0;
  for (const l of legs) {
    if (!Number.isSafeInteger(l.amount) || l.amount === 0) throw new LedgerError("invalid", "积分必须是非零整数");
    if (!Number.isSafeInteger(l.scoreDelta)) throw new LedgerError("invalid", "累计积分必须是整数");
    sum += l.amount;
  }
  if (sum !== 0) throw new LedgerError("invalid", "借贷不平衡");
}

/** Must run inside a unit of work. Returns the existing txn for a replayed key. */
async function postInTxn(input: PostInput, hash: string): Promise<Posted> {
  // The chain is one for the whole database, and transaction ids run 1..n without gaps (check:ledger
  // proves both): appends are serialised (decision 0032). Before the idempotency read, so that a
  // retry racing its first attempt finds it.
  await lockLedgerChain();
  const existing = input.keyChecked ? undefined : await txnByKey(input.idemKey);
  if (existing) {
    if (existing.request_hash !== hash) throw new LedgerError("idempotency_conflict", "该请求编号已用于另一笔操作");
    return { txnId: existing.id, created: false };
  }
  assertLegs(input.legs);
  const at = now();
  // Awards and deductions build their legs from accounts just read together, and never overdraw-check.
  if (!input.legsFromHousehold) {
    for (const leg of input.legs) if (!input.checkedAccounts?.includes(leg.accountId)) await checkAccount(input, leg, at);
  }
  const row = {
    village_id: input.villageId,
    kind: input.kind,
    idem_key: input.idemKey,
    request_hash: hash,
    reverses_id: input.reversesId ?? null,
    actor_user_id: input.actor.userId,
    actor_role: input.actor.role,
    member_id: input.memberId ?? null,
    rule_id: input.ruleId ?? null,
    cause_kind: input.cause?.kind ?? null,
    cause_id: input.cause?.id ?? null,
    memo: input.memo,
    created_at: at,
  };
  return { ...(await append(input, row, at)), created: true };
}

/**
 * Writes the transaction, its entries, balances and summaries: the part that runs under the chain's
 * lock (decision 0032). While it is held every other append waits, and on PostgreSQL each statement
 * also waits for this process's event loop to read its answer, so the legs go in one statement per
 * table instead of one per leg.
 */
async function append(input: PostInput, row: Omit<TxnRow, "id">, at: number): Promise<{ txnId: number; balances: Map<number, number> }> {
  // The next ids, not the engine's sequences: PostgreSQL's never hand back a number a rolled-back
  // transaction took, and a gap would read as a deleted transaction.
  const head = await db()
    .selectNoFrom((eb) => [
      eb.selectFrom("ledger_transactions").select("id").orderBy("id", "desc").limit(1).as("txn"),
      eb.selectFrom("ledger_entries").select("id").orderBy("id", "desc").limit(1).as("entry"),
      eb.selectFrom("ledger_entries").select("hash").orderBy("id", "desc").limit(1).as("hash"),
    ])
    .executeTakeFirstOrThrow();
  const txnId = (head.txn ?? 0) + 1;
  await db().insertInto("ledger_transactions").values({ id: txnId, ...row }).execute();
  const digest = txnDigest({ id: txnId, ...row });
  let prevHash = head.hash ?? GENESIS;
  let nextId = (head.entry ?? 0) + 1;
  const entries = input.legs.map((leg) => {
    const e = { id: nextId++, account_id: leg.accountId, amount: leg.amount, score_delta: leg.scoreDelta, score_year: leg.scoreYear };
    const h = chainHash(prevHash, e, digest);
    const out = { ...e, txn_id: txnId, created_at: at, prev_hash: prevHash, hash: h };
    prevHash = h;
    return out;
  });
  await db().insertInto("ledger_entries").values(entries).execute();
  // Each account moves by the sum of its legs in this transaction, read back from the entries just written.
  const moved = await db()
    .updateTable("accounts")
    .set((eb) => ({
      balance: eb("balance", "+", eb.selectFrom("ledger_entries as e").select((s) => s.fn.sum<number>("e.amount").as("moved")).where("e.txn_id", "=", txnId).whereRef("e.account_id", "=", "accounts.id")),
    }))
    .$if(row.kind === "award", (q) =>
      q.set((eb) => ({ last_earned_at: eb.case().when("kind", "=", "household").then(at).else(eb.ref("last_earned_at")).end() })),
    )
    .where("id", "in", [...new Set(input.legs.map((l) => l.accountId))])
    .returning(["id", "balance", "kind"])
    .execute();
  const months = monthRows(input.legs, chinaMonth(at));
  if (months.length) {
    await db()
      .insertInto("account_months")
      .values(months)
      .onConflict((oc) =>
        oc.columns(["account_id", "month"]).doUpdateSet((eb) => ({
          entries: eb("account_months.entries", "+", eb.ref("excluded.entries")),
          income: eb("account_months.income", "+", eb.ref("excluded.income")),
          spent: eb("account_months.spent", "+", eb.ref("excluded.spent")),
        })),
      )
      .execute();
  }
  const scores = scoreRows(input.legs);
  if (scores.length) {
    await db()
      .insertInto("account_scores")
      .values(scores)
      .onConflict((oc) => oc.columns(["account_id", "year"]).doUpdateSet((eb) => ({ score: eb("account_scores.score", "+", eb.ref("excluded.score")) })))
      .execute();
  }
  const households = new Set(moved.filter((m) => m.kind === "household").map((m) => m.id));
  await db()
    .insertInto("ledger_months")
    .values((eb) => ({
      village_id: row.village_id,
      month: chinaMonth(at),
      kind: (input.reversesKind ?? row.kind) as Exclude<TxnKind, "reversal">,
      category: row.rule_id === null ? "" : eb.fn.coalesce(eb.selectFrom("rules").select("category").where("id", "=", row.rule_id), constant("")),
      reversal: row.kind === "reversal" ? 1 : 0,
      points: input.legs.reduce((sum, l) => (households.has(l.accountId) ? sum + l.amount : sum), 0),
      txns: 1,
    }))
    .onConflict((oc) =>
      oc.columns(["village_id", "month", "kind", "category", "reversal"]).doUpdateSet((eb) => ({
        points: eb("ledger_months.points", "+", eb.ref("excluded.points")),
        txns: eb("ledger_months.txns", "+", eb.ref("excluded.txns")),
      })),
    )
    .execute();
  return { txnId, balances: new Map(moved.map((m) => [m.id, m.balance])) };
}

// One row per key, legs of one account added up: PostgreSQL refuses an upsert that meets the same row twice.

function monthRows(legs: Leg[], month: string) {
  const rows = new Map<number, { account_id: number; month: string; entries: number; income: number; spent: number }>();
  for (const l of legs) {
    if (l.issuance) continue;
    const r = rows.get(l.accountId) ?? { account_id: l.accountId, month, entries: 0, income: 0, spent: 0 };
    r.entries += 1;
    r.income += Math.max(l.amount, 0);
    r.spent += Math.max(-l.amount, 0);
    rows.set(l.accountId, r);
  }
  return [...rows.values()];
}

function scoreRows(legs: Leg[]) {
  const rows = new Map<string, { account_id: number; year: number; score: number }>();
  for (const l of legs) {
    if (l.scoreDelta === 0) continue;
    const key = `${l.accountId}:${l.scoreYear}`;
    const r = rows.get(key) ?? { account_id: l.accountId, year: l.scoreYear, score: 0 };
    r.score += l.scoreDelta;
    rows.set(key, r);
  }
  return [...rows.values()];
}


async function checkAccount(input: PostInput, leg: Leg, at: number): Promise<void> {
  // The account and what it has on hold in one statement: it runs under the chain's lock.
  const acc = await db()
    .selectFrom("accounts as a")
    .select((eb) => [
      "a.village_id", "a.kind", "a.balance",
      eb
        .selectFrom("holds")
        .select((h) => h.fn.coalesce(h.fn.sum<number>("amount"), h.lit(0)).as("held"))
        .whereRef("account_id", "=", "a.id")
        .where("status", "=", constant("active"))
        .where("expires_at", ">", at)
        .where("id", "<>", input.convertingHoldId ?? -1)
        .as("held"),
    ])
    .where("a.id", "=", leg.accountId)
    .executeTakeFirst();
  if (!acc) throw new LedgerError("not_found", "账户不存在");
  if (acc.village_id !== input.villageId) throw new LedgerError("invalid", "不能跨村记账");
  if (leg.scoreDelta !== 0 && acc.kind !== "household") throw new LedgerError("invalid", "只有农户账户有累计积分");
  if (leg.amount > 0 || acc.kind !== "household" || input.allowOverdraft) return;
  const spendable = acc.balance - (acc.held ?? 0);
  if (spendable + leg.amount < 0) throw new LedgerError("insufficient", `可用积分不足：可用 ${spendable}，需要 ${-leg.amount}`);
}

export function post(input: PostInput): Promise<PostResult> {
  const { idemKey: _k, request, ...rest } = input;
  // Hash what the caller asked, not values derived from the clock (a retry across New Year is the same request).
  const hash = requestHash(request ?? rest);
  return unitOfWork(async () => answer(await postInTxn(input, hash)), APPENDS);
}

// ---- accounts -------------------------------------------------------------

/** Finds an account, or opens it: one issuance account per village, one per household, one per store. */
async function openAccount(villageId: number, kind: "issuance" | "household" | "store", ownerId: number | null): Promise<number> {
  // Looked up and opened in one unit of work (usually the caller's): two first uses never open two.
  return atomically(async (tx) => {
    let q = tx.selectFrom("accounts").select("id");
    if (kind === "issuance") q = q.where("village_id", "=", villageId).where("kind", "=", constant("issuance"));
    else if (kind === "household") q = q.where("household_id", "=", ownerId);
    else q = q.where("store_id", "=", ownerId);
    const found = await q.executeTakeFirst();
    if (found) return found.id;
    const row = await tx
      .insertInto("accounts")
      .values({ village_id: villageId, kind, household_id: kind === "household" ? ownerId : null, store_id: kind === "store" ? ownerId : null, created_at: now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

export function issuanceAccountId(villageId: number): Promise<number> {
  return openAccount(villageId, "issuance", null);
}

/** Called when a household is created, in the same unit of work. */
export function openHouseholdAccount(villageId: number, householdId: number): Promise<number> {
  return openAccount(villageId, "household", householdId);
}

export function openStoreAccount(villageId: number, storeId: number): Promise<number> {
  return openAccount(villageId, "store", storeId);
}

async function assertStoreAccount(accountId: number, villageId: number): Promise<void> {
  const acc = await accountById(accountId);
  if (!acc || acc.kind !== "store") throw new LedgerError("invalid", "兑换只能记入本村超市的账户");
  if (acc.village_id !== villageId) throw new LedgerError("invalid", "不能跨村兑换");
}

async function householdAccount(householdId: number): Promise<{ id: number; village_id: number }> {
  const acc = await db().selectFrom("accounts").select(["id", "village_id"]).where("household_id", "=", householdId).executeTakeFirst();
  if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
  return acc;
}

export interface Balance {
  balance: number;
  held: number;
  spendable: number;
  score: number;
}

/** The balance page's four reads in one statement (each statement costs 10-20 µs under load). */
export async function householdBalance(householdId: number, year = chinaYear(now())): Promise<Balance> {
  const at = now();
  const row = await db()
    .selectFrom("accounts as a")
    .select((eb) => [
      "a.balance",
      eb
        .selectFrom("holds")
        .select((h) => h.fn.coalesce(h.fn.sum<number>("amount"), h.lit(0)).as("held"))
        .whereRef("account_id", "=", "a.id")
        .where("status", "=", constant("active"))
        .where("expires_at", ">", at)
        .as("held"),
      eb.fn.coalesce(eb.selectFrom("account_scores").select("score").whereRef("account_id", "=", "a.id").where("year", "=", year), eb.lit(0)).as("score"),
    ])
    .where("a.household_id", "=", householdId)
    .executeTakeFirst();
  if (!row) throw new LedgerError("not_found", "该户没有积分账户");
  const held = row.held ?? 0;
  return { balance: row.balance, held, spendable: row.balance - held, score: row.score };
}

// ---- the operations other modules call -----------------------------------

interface HouseholdMove {
  householdId: number;
  amount: number; // positive
  idemKey: string;
  actor: Actor;
  memberId?: number | null;
  ruleId?: number | null;
  cause?: Cause | null;
  memo: string;
}

function moveRequest(kind: string, m: HouseholdMove): object {
  const { idemKey: _k, ...rest } = m;
  return { kind, ...rest };
}

function positive(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new LedgerError("invalid", "积分必须是正整数");
}

/** Village issues points to a household: raises balance and this year's score. */
export async function award(m: HouseholdMove): Promise<PostResult> {
  positive(m.amount);
  return householdPost("award", m, false, (acc, year) => [
    { accountId: acc.issuance, amount: -m.amount, scoreDelta: 0, scoreYear: year, issuance: true },
    { accountId: acc.id, amount: m.amount, scoreDelta: m.amount, scoreYear: year },
  ]);
}

/** A rule-breaking deduction: lowers balance and score, may push the balance below zero. */
export async function deduct(m: HouseholdMove): Promise<PostResult> {
  positive(m.amount);
  return householdPost("deduction", m, true, (acc, year) => [
    { accountId: acc.id, amount: -m.amount, scoreDelta: -m.amount, scoreYear: year },
    { accountId: acc.issuance, amount: m.amount, scoreDelta: 0, scoreYear: year, issuance: true },
  ]);
}

interface HouseholdAccounts {
  id: number;
  village_id: number;
  issuance: number;
}

/** Looks the accounts up inside the unit of work, the household's and its village's issuance in one statement. */
function householdPost(kind: TxnKind, m: HouseholdMove, allowOverdraft: boolean, legs: (acc: HouseholdAccounts, year: number) => Leg[]): Promise<PostResult> {
  const hash = requestHash(moveRequest(kind, m));
  return unitOfWork(async (tx) => {
    const acc = await tx
      .selectFrom("accounts as h")
      .innerJoin("accounts as i", (j) => j.onRef("i.village_id", "=", "h.village_id").on("i.kind", "=", constant("issuance")))
      .select(["h.id", "h.village_id", "i.id as issuance"])
      .where("h.household_id", "=", m.householdId)
      .executeTakeFirst();
    if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
    return answer(await postInTxn(
      {
        villageId: acc.village_id, kind, idemKey: m.idemKey, actor: m.actor, memo: m.memo, memberId: m.memberId,
        ruleId: m.ruleId, cause: m.cause, allowOverdraft, legs: legs(acc, chinaYear(now())),
      },
      hash,
    ));
  }, APPENDS);
}

/** A replayed request: the transaction its key already names (or the conflict if the request differs). */
async function replayed(idemKey: string, hash: string): Promise<PostResult | null> {
  const existing = await txnByKey(idemKey);
  if (!existing) return null;
  if (existing.request_hash !== hash) throw new LedgerError("idempotency_conflict", "该请求编号已用于另一笔操作");
  return { txnId: existing.id, created: false };
}

/** 红冲: a new transaction that negates every leg of the original and points at it. */
export function reverse(r: { txnId: number; idemKey: string; actor: Actor; memo: string }): Promise<PostResult> {
  const hash = requestHash({ reverse: r.txnId, memo: r.memo, actor: r.actor });
  return unitOfWork(async (tx) => {
    const replay = await replayed(r.idemKey, hash);
    if (replay) return replay;
    const orig = await tx.selectFrom("ledger_transactions").selectAll().where("id", "=", r.txnId).executeTakeFirst();
    if (!orig) throw new LedgerError("not_found", "要冲正的记录不存在");
    if (orig.kind === "reversal") throw new LedgerError("invalid", "冲正记录不能再冲正");
    const done = await tx.selectFrom("ledger_transactions").select("id").where("reverses_id", "=", r.txnId).executeTakeFirst();
    if (done) throw new LedgerError("already_reversed", "这笔记录已经冲正过了");
    const entries = await tx
      .selectFrom("ledger_entries as e")
      .innerJoin("accounts as a", "a.id", "e.account_id")
      .select(["e.account_id", "e.amount", "e.score_delta", "e.score_year", "a.kind"])
      .where("e.txn_id", "=", r.txnId)
      .orderBy("e.id")
      .execute();
    const legs = entries.map((e) => ({
      accountId: e.account_id, amount: -e.amount, scoreDelta: -e.score_delta, scoreYear: e.score_year, issuance: e.kind === "issuance",
    }));
    return answer(await postInTxn(
      {
        villageId: orig.village_id, kind: "reversal", idemKey: r.idemKey, actor: r.actor, memo: r.memo,
        legs, reversesId: orig.id, reversesKind: orig.kind, memberId: orig.member_id, ruleId: orig.rule_id,
        cause: orig.cause_kind ? { kind: orig.cause_kind, id: orig.cause_id } : null, allowOverdraft: true, keyChecked: true,
      },
      hash,
    ));
  }, APPENDS);
}

// ---- holds ----------------------------------------------------------------

export interface HoldResult {
  holdId: number;
  created: boolean;
}

/** Reserves points for a pending checkout; refuses when the spendable balance is short. */
export async function placeHold(h: {
  householdId: number;
  amount: number;
  expiresAt: number;
  idemKey: string;
  actor: Actor;
  cause?: Cause | null;
}): Promise<HoldResult> {
  positive(h.amount);
  // expiresAt is left out: a retry computes its own "now + 10 min" and is still the same request.
  const hash = requestHash({ hold: h.householdId, amount: h.amount, cause: h.cause ?? null });
  return unitOfWork(async (tx) => {
    const existing = await tx.selectFrom("holds").select(["id", "request_hash"]).where("idem_key", "=", h.idemKey).executeTakeFirst();
    if (existing) {
      if (existing.request_hash !== hash) throw new LedgerError("idempotency_conflict", "该请求编号已用于另一笔操作");
      return { holdId: existing.id, created: false };
    }
    const at = now();
    if (h.expiresAt <= at) throw new LedgerError("invalid", "冻结的到期时间必须在将来");
    const acc = await tx.selectFrom("accounts").select(["id", "village_id", "balance"]).where("household_id", "=", h.householdId).executeTakeFirst();
    if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
    const held = await heldOn(acc.id, at);
    if (acc.balance - held < h.amount) throw new LedgerError("insufficient", `可用积分不足：可用 ${acc.balance - held}，需要 ${h.amount}`);
    const row = await tx
      .insertInto("holds")
      .values({
        village_id: acc.village_id, account_id: acc.id, amount: h.amount, status: "active", idem_key: h.idemKey, request_hash: hash,
        cause_kind: h.cause?.kind ?? null, cause_id: h.cause?.id ?? null, actor_user_id: h.actor.userId, created_at: at, expires_at: h.expiresAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { holdId: row.id, created: true };
  });
}

function settleHold(holdId: number, status: "released" | "converted", txnId: number | null) {
  return db().updateTable("holds").set({ status, settled_at: now(), settled_txn_id: txnId }).where("id", "=", holdId).execute();
}

function holdById(holdId: number) {
  return db().selectFrom("holds").select(["id", "village_id", "account_id", "amount", "status", "expires_at"]).where("id", "=", holdId).executeTakeFirst();
}

/** Cancels a hold. Releasing an already released hold is a no-op (idempotent). */
export function releaseHold(holdId: number): Promise<void> {
  return unitOfWork(async () => {
    const hold = await holdById(holdId);
    if (!hold) throw new LedgerError("not_found", "冻结记录不存在");
    if (hold.status === "released") return;
    if (hold.status === "converted") throw new LedgerError("hold_settled", "已经核销，不能取消");
    await settleHold(holdId, "released", null);
  });
}

/** Marks expired holds released, so the table shows what the balance check already ignores. */
export function releaseExpiredHolds(): Promise<number> {
  return unitOfWork(async (tx) => {
    const at = now();
    const ids = await tx.selectFrom("holds").select("id").where("status", "=", constant("active")).where("expires_at", "<=", at).limit(500).execute();
    if (ids.length) {
      await tx.updateTable("holds").set({ status: "released", settled_at: at, settled_txn_id: null }).where("id", "in", ids.map((r) => r.id)).execute();
    }
    return ids.length;
  });
}

interface Conversion {
  holdId: number;
  storeAccountId: number;
  idemKey: string;
  actor: Actor;
  memberId?: number | null;
  cause?: Cause | null;
  memo: string;
}

/** Confirm: the hold becomes a redemption debit to the store, atomically. Idempotent by key. */
export async function convertHold(c: Conversion): Promise<PostResult> {
  return (await convertHoldForReceipt(c)).posted;
}

/**
 * convertHold, also telling the household's balance after it for the receipt (null for a replay,
 * which moved nothing): the store's confirm saves a read while it holds the chain's lock.
 */
export function convertHoldForReceipt(c: Conversion): Promise<{ posted: PostResult; balanceAfter: number | null }> {
  const hash = requestHash({ convert: c.holdId, store: c.storeAccountId, memberId: c.memberId ?? null, cause: c.cause ?? null, memo: c.memo, actor: c.actor });
  return unitOfWork(async () => {
    const replay = await replayed(c.idemKey, hash);
    if (replay) return { posted: replay, balanceAfter: null };
    const hold = await holdById(c.holdId);
    if (!hold) throw new LedgerError("not_found", "冻结记录不存在");
    if (hold.status !== "active") throw new LedgerError("hold_settled", "这笔兑换已经处理过了");
    if (hold.expires_at <= now()) throw new LedgerError("hold_settled", "兑换码已过期");
    await assertStoreAccount(c.storeAccountId, hold.village_id);
    const year = chinaYear(now());
    const result = await postInTxn(
      {
        villageId: hold.village_id, kind: "redemption", idemKey: c.idemKey, actor: c.actor, memo: c.memo,
        memberId: c.memberId, cause: c.cause, convertingHoldId: hold.id, keyChecked: true, checkedAccounts: [c.storeAccountId],
        legs: [
          { accountId: hold.account_id, amount: -hold.amount, scoreDelta: 0, scoreYear: year },
          { accountId: c.storeAccountId, amount: hold.amount, scoreDelta: 0, scoreYear: year },
        ],
      },
      hash,
    );
    await settleHold(hold.id, "converted", result.txnId);
    return { posted: answer(result), balanceAfter: result.balances?.get(hold.account_id) ?? null };
  }, APPENDS);
}

/** A direct redemption without a prior hold (counter checkout confirms in one step). */
export async function redeem(r: {
  householdId: number;
  storeAccountId: number;
  amount: number;
  idemKey: string;
  actor: Actor;
  memberId?: number | null;
  cause?: Cause | null;
  memo: string;
}): Promise<PostResult> {
  positive(r.amount);
  const { idemKey: _k, ...request } = r;
  return unitOfWork(async () => {
    const acc = await householdAccount(r.householdId);
    await assertStoreAccount(r.storeAccountId, acc.village_id);
    const year = chinaYear(now());
    return post({
      request: { kind: "redemption", ...request },
      villageId: acc.village_id, kind: "redemption", idemKey: r.idemKey, actor: r.actor, memo: r.memo,
      memberId: r.memberId, cause: r.cause,
      legs: [
        { accountId: acc.id, amount: -r.amount, scoreDelta: 0, scoreYear: year },
        { accountId: r.storeAccountId, amount: r.amount, scoreDelta: 0, scoreYear: year },
      ],
    });
  }, APPENDS);
}

// ---- expiry (积分清零 / 过期) ---------------------------------------------------

export interface Expiry {
  householdId: number;
  /** The village's period this expiry closes: "2026" (year end) or "2027-03" (N months after earning). */
  period: string;
  /** Points earned since then are kept; null: every spendable point expires (year end). */
  keepEarnedSince: number | null;
  actor: Actor;
  memo: string;
}

/**
 * What would expire now: the spendable balance less what was earned since `keepEarnedSince`, never
 * below zero. Oldest points are spent first, so what was redeemed or deducted came out of the old
 * ones, and so will what is held now (a pending checkout): neither the held points nor the recent
 * ones expire.
 */
async function expirable(accountId: number, balance: number, keepEarnedSince: number | null, at: number): Promise<number> {
  const held = await heldOn(accountId, at);
  let keep = 0;
  if (keepEarnedSince !== null) {
    // Awards since then, net of their reversals (a reversal counts with the award it undoes).
    const row = await db()
      .selectFrom("ledger_entries as e")
      .innerJoin("ledger_transactions as t", "t.id", "e.txn_id")
      .leftJoin("ledger_transactions as o", "o.id", "t.reverses_id")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("e.amount"), eb.lit(0)).as("earned"))
      .where("e.account_id", "=", accountId)
      .where((eb) =>
        eb.or([
          eb.and([eb("t.kind", "=", constant("award")), eb("t.created_at", ">=", keepEarnedSince)]),
          eb.and([eb("t.kind", "=", constant("reversal")), eb("o.kind", "=", constant("award")), eb("o.created_at", ">=", keepEarnedSince)]),
        ]),
      )
      .executeTakeFirstOrThrow();
    keep = Math.max(row.earned, 0);
  }
  return Math.max(0, balance - held - keep);
}

/** The amount `expire` would post now, for the household's notice. Reads only. */
export async function expiringAmount(householdId: number, keepEarnedSince: number | null): Promise<number> {
  const acc = await db().selectFrom("accounts").select(["id", "balance"]).where("household_id", "=", householdId).executeTakeFirst();
  if (!acc) return 0;
  return expirable(acc.id, acc.balance, keepEarnedSince, now());
}

/** The idempotency key of a household's expiry for a period: one per household and period. */
export const expiryKey = (householdId: number, period: string) => `expiry:${householdId}:${period}`;

/**
 * Expires a household's points for one period, as a transaction of kind `expiry` back to the village's
 * issuance account (the year's score is left alone). Once per household and period: a re-run, or a
 * second process, gets the first answer (created false), even after the committee reversed it.
 * Nothing to expire: null, nothing written. Runs under the village's store lock, like a checkout's
 * hold: a hold placed at the same moment either counts as held here or finds the points gone.
 */
export function expire(e: Expiry): Promise<PostResult | null> {
  const idemKey = expiryKey(e.householdId, e.period);
  // The request is the household and the period: the amount is the ledger's to work out.
  const hash = requestHash({ expire: e.householdId, period: e.period });
  return unitOfWork(async () => {
    const replay = await replayed(idemKey, hash);
    if (replay) return replay;
    const acc = await db()
      .selectFrom("accounts as h")
      .innerJoin("accounts as i", (j) => j.onRef("i.village_id", "=", "h.village_id").on("i.kind", "=", constant("issuance")))
      .select(["h.id", "h.village_id", "i.id as issuance"])
      .where("h.household_id", "=", e.householdId)
      .executeTakeFirst();
    if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
    await lockVillageStore(acc.village_id);
    await lockLedgerChain();
    // Read again under both locks: another process may have expired it meanwhile.
    const again = await replayed(idemKey, hash);
    if (again) return again;
    const { balance } = await db().selectFrom("accounts").select("balance").where("id", "=", acc.id).executeTakeFirstOrThrow();
    const amount = await expirable(acc.id, balance, e.keepEarnedSince, now());
    if (amount <= 0) return null;
    const year = chinaYear(now());
    return answer(await postInTxn(
      {
        villageId: acc.village_id, kind: "expiry", idemKey, actor: e.actor, memo: e.memo, keyChecked: true, checkedAccounts: [acc.issuance],
        cause: { kind: "expiry", id: null },
        legs: [
          { accountId: acc.id, amount: -amount, scoreDelta: 0, scoreYear: year },
          { accountId: acc.issuance, amount, scoreDelta: 0, scoreYear: year, issuance: true },
        ],
      },
      hash,
    ));
  }, { perVillage: true });
}
