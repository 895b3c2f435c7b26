// The only module that moves points. Every write is one synchronous IMMEDIATE
// transaction on the single connection (never await inside), carries an
// idempotency key, and appends hash-chained entries that sum to zero.
import crypto from "node:crypto";
import type SQLite from "better-sqlite3";
import type { TxnKind } from "../../db/schema";
import { chinaMonth, chinaYear, now } from "~/platform/clock.server";
import { engine, stmt, transact } from "~/platform/database.server";

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

export class LedgerError extends Error {
  constructor(
    readonly code: "insufficient" | "idempotency_conflict" | "not_found" | "invalid" | "already_reversed" | "hold_settled",
    message: string,
  ) {
    super(message);
  }
}

const GENESIS = "0".repeat(64);

// ---- prepared statements, one set per connection -------------------------

/** What an account has on hold (its live holds), for the spend check and the balance page alike; one parameter: the time. */
const heldSql = (account: string) =>
  `select coalesce(sum(amount), 0) as held from holds where account_id = ${account} and status = 'active' and expires_at > ?`;

function prepare(sqlite: SQLite.Database) {
  return {
    txnByKey: sqlite.prepare("select id, request_hash from ledger_transactions where idem_key = ?"),
    txnById: sqlite.prepare("select * from ledger_transactions where id = ?"),
    insertTxn: sqlite.prepare(
      `insert into ledger_transactions (village_id, kind, idem_key, request_hash, reverses_id, actor_user_id,
        actor_role, member_id, rule_id, cause_kind, cause_id, memo, created_at)
       values (@village_id, @kind, @idem_key, @request_hash, @reverses_id, @actor_user_id,
        @actor_role, @member_id, @rule_id, @cause_kind, @cause_id, @memo, @created_at)`,
    ),
    lastEntry: sqlite.prepare("select id, hash from ledger_entries order by id desc limit 1"),
    insertEntry: sqlite.prepare(
      `insert into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    entriesOfTxn: sqlite.prepare(
      `select e.account_id, e.amount, e.score_delta, e.score_year, a.kind from ledger_entries e
       join accounts a on a.id = e.account_id where e.txn_id = ? order by e.id`,
    ),
    account: sqlite.prepare("select id, village_id, kind, household_id, store_id, balance from accounts where id = ?"),
    addBalance: sqlite.prepare("update accounts set balance = balance + ? where id = ?"),
    addMonth: sqlite.prepare(
      `insert into account_months (account_id, month, entries, income, spent) values (?, ?, 1, ?, ?)
       on conflict (account_id, month) do update set entries = entries + 1, income = income + excluded.income, spent = spent + excluded.spent`,
    ),
    addScore: sqlite.prepare(
      `insert into account_scores (account_id, year, score) values (?, ?, ?)
       on conflict (account_id, year) do update set score = score + excluded.score`,
    ),
    heldOn: sqlite.prepare(`${heldSql("?")} and id <> ?`),
    holdByKey: sqlite.prepare("select id, request_hash from holds where idem_key = ?"),
    holdById: sqlite.prepare("select * from holds where id = ?"),
    insertHold: sqlite.prepare(
      `insert into holds (village_id, account_id, amount, status, idem_key, request_hash, cause_kind, cause_id,
        actor_user_id, created_at, expires_at) values (?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ?)`,
    ),
    settleHold: sqlite.prepare("update holds set status = ?, settled_at = ?, settled_txn_id = ? where id = ?"),
    expiredHolds: sqlite.prepare("select id from holds where status = 'active' and expires_at <= ? limit 500"),
    // The balance page's four reads in one statement (each statement costs 10-20 µs under load).
    householdBalance: sqlite.prepare(
      `select a.balance,
         (${heldSql("a.id")}) as held,
         coalesce((select score from account_scores where account_id = a.id and year = ?), 0) as score
       from accounts a where a.household_id = ?`,
    ),
    householdAccounts: sqlite.prepare(
      `select h.id, h.village_id, i.id as issuance from accounts h
       join accounts i on i.village_id = h.village_id and i.kind = 'issuance' where h.household_id = ?`,
    ),
  };
}
type Statements = ReturnType<typeof prepare>;
const cache = new WeakMap<SQLite.Database, Statements>();

function stmts(): Statements {
  const sqlite = engine().sqlite;
  let s = cache.get(sqlite);
  if (!s) cache.set(sqlite, (s = prepare(sqlite)));
  return s;
}

// ---- hashing ---------------------------------------------------------------

function sha256(text: string): string {
  return crypto.createHash("sha256").update(text).digest("hex");
}

export interface TxnRow {
  id: number;
  village_id: number;
  kind: TxnKind;
  idem_key: string;
  request_hash: string;
  reverses_id: number | null;
  actor_user_id: number | null;
  actor_role: string;
  member_id: number | null;
  rule_id: number | null;
  cause_kind: string | null;
  cause_id: number | null;
  memo: string;
  created_at: number;
}

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
  /** Household debits may overdraw only for deductions and reversals (corrections). */
  allowOverdraft?: boolean;
  /** Award/deduction legs built from one household's accounts (same village by the join): no re-read. */
  legsFromHousehold?: boolean;
  /** The hold being converted: its own amount does not count against the balance. */
  convertingHoldId?: number;
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

/** Must run inside a transaction. Returns the existing txn for a replayed key. */
function postInTxn(s: Statements, input: PostInput, hash: string): PostResult {
  const existing = s.txnByKey.get(input.idemKey) as { id: number; request_hash: string } | undefined;
  if (existing) {
    if (existing.request_hash !== hash) throw new LedgerError("idempotency_conflict", "该请求编号已用于另一笔操作");
    return { txnId: existing.id, created: false };
  }
  assertLegs(input.legs);
  const at = now();
  // Awards and deductions build their legs from accounts just read together, and never overdraw-check.
  if (!input.legsFromHousehold) for (const leg of input.legs) checkAccount(s, input, leg, at);
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
  const txnId = Number(s.insertTxn.run(row).lastInsertRowid);
  const txn: TxnRow = { id: txnId, ...row };
  const last = s.lastEntry.get() as { id: number; hash: string } | undefined;
  const digest = txnDigest(txn);
  const month = chinaMonth(at);
  let prevHash = last?.hash ?? GENESIS;
  let nextId = (last?.id ?? 0) + 1;
  for (const leg of input.legs) {
    const e = { id: nextId++, account_id: leg.accountId, amount: leg.amount, score_delta: leg.scoreDelta, score_year: leg.scoreYear };
    const h = chainHash(prevHash, e, digest);
    s.insertEntry.run(e.id, txnId, e.account_id, e.amount, e.score_delta, e.score_year, at, prevHash, h);
    s.addBalance.run(leg.amount, leg.accountId);
    if (!leg.issuance) s.addMonth.run(leg.accountId, month, Math.max(leg.amount, 0), Math.max(-leg.amount, 0));
    if (leg.scoreDelta !== 0) s.addScore.run(leg.accountId, leg.scoreYear, leg.scoreDelta);
    prevHash = h;
  }
  return { txnId, created: true };
}

function checkAccount(s: Statements, input: PostInput, leg: Leg, at: number): void {
  const acc = s.account.get(leg.accountId) as { village_id: number; kind: string; balance: number } | undefined;
  if (!acc) throw new LedgerError("not_found", "账户不存在");
  if (acc.village_id !== input.villageId) throw new LedgerError("invalid", "不能跨村记账");
  if (leg.scoreDelta !== 0 && acc.kind !== "household") throw new LedgerError("invalid", "只有农户账户有累计积分");
  if (leg.amount > 0 || acc.kind !== "household" || input.allowOverdraft) return;
  const held = (s.heldOn.get(leg.accountId, at, input.convertingHoldId ?? -1) as { held: number }).held;
  if (acc.balance - held + leg.amount < 0) {
    throw new LedgerError("insufficient", `可用积分不足：可用 ${acc.balance - held}，需要 ${-leg.amount}`);
  }
}

export function post(input: PostInput): PostResult {
  const s = stmts();
  const { idemKey: _k, request, ...rest } = input;
  // Hash what the caller asked, not values derived from the clock (a retry across New Year is the same request).
  const hash = requestHash(request ?? rest);
  return transact(() => postInTxn(s, input, hash));
}

// ---- accounts -------------------------------------------------------------

/** Finds an account, or opens it: one issuance account per village, one per household, one per store. */
function openAccount(villageId: number, kind: "issuance" | "household" | "store", ownerId: number | null): number {
  const found = (
    kind === "issuance"
      ? stmt("select id from accounts where village_id = ? and kind = 'issuance'").get(villageId)
      : stmt(`select id from accounts where ${kind}_id = ?`).get(ownerId)
  ) as { id: number } | undefined;
  if (found) return found.id;
  return Number(
    stmt("insert into accounts (village_id, kind, household_id, store_id, created_at) values (?, ?, ?, ?, ?)").run(
      villageId, kind, kind === "household" ? ownerId : null, kind === "store" ? ownerId : null, now(),
    ).lastInsertRowid,
  );
}

export function issuanceAccountId(villageId: number): number {
  return openAccount(villageId, "issuance", null);
}

/** Called when a household is created, in the same transaction. */
export function openHouseholdAccount(villageId: number, householdId: number): number {
  return openAccount(villageId, "household", householdId);
}

export function openStoreAccount(villageId: number, storeId: number): number {
  return openAccount(villageId, "store", storeId);
}

function assertStoreAccount(s: Statements, accountId: number, villageId: number): void {
  const acc = s.account.get(accountId) as { kind: string; village_id: number } | undefined;
  if (!acc || acc.kind !== "store") throw new LedgerError("invalid", "兑换只能记入本村超市的账户");
  if (acc.village_id !== villageId) throw new LedgerError("invalid", "不能跨村兑换");
}

function householdAccount(householdId: number): { id: number; village_id: number } {
  const acc = stmt("select id, village_id from accounts where household_id = ?").get(householdId) as
    | { id: number; village_id: number }
    | undefined;
  if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
  return acc;
}

export interface Balance {
  balance: number;
  held: number;
  spendable: number;
  score: number;
}

export function householdBalance(householdId: number, year = chinaYear(now())): Balance {
  const row = stmts().householdBalance.get(now(), year, householdId) as { balance: number; held: number; score: number } | undefined;
  if (!row) throw new LedgerError("not_found", "该户没有积分账户");
  return { balance: row.balance, held: row.held, spendable: row.balance - row.held, score: row.score };
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
export function award(m: HouseholdMove): PostResult {
  positive(m.amount);
  return householdPost("award", m, false, (acc, year) => [
    { accountId: acc.issuance, amount: -m.amount, scoreDelta: 0, scoreYear: year, issuance: true },
    { accountId: acc.id, amount: m.amount, scoreDelta: m.amount, scoreYear: year },
  ]);
}

/** A rule-breaking deduction: lowers balance and score, may push the balance below zero. */
export function deduct(m: HouseholdMove): PostResult {
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

/** Looks the accounts up inside the transaction: a read outside one costs a WAL snapshot of its own. */
function householdPost(kind: TxnKind, m: HouseholdMove, allowOverdraft: boolean, legs: (acc: HouseholdAccounts, year: number) => Leg[]): PostResult {
  const s = stmts();
  const hash = requestHash(moveRequest(kind, m));
  return transact(() => {
    const acc = s.householdAccounts.get(m.householdId) as HouseholdAccounts | undefined;
    if (!acc) throw new LedgerError("not_found", "该户没有积分账户");
    return postInTxn(
    s,
    {
      villageId: acc.village_id, kind, idemKey: m.idemKey, actor: m.actor, memo: m.memo, memberId: m.memberId,
      ruleId: m.ruleId, cause: m.cause, allowOverdraft, legs: legs(acc, chinaYear(now())),
    },
    hash,
    );
  });
}

/** 红冲: a new transaction that negates every leg of the original and points at it. */
export function reverse(r: { txnId: number; idemKey: string; actor: Actor; memo: string }): PostResult {
  const s = stmts();
  const hash = requestHash({ reverse: r.txnId, memo: r.memo, actor: r.actor });
  return transact(() => {
    const replay = s.txnByKey.get(r.idemKey) as { id: number; request_hash: string } | undefined;
    if (replay) return postInTxn(s, { idemKey: r.idemKey } as PostInput, hash);
    const orig = s.txnById.get(r.txnId) as TxnRow | undefined;
    if (!orig) throw new LedgerError("not_found", "要冲正的记录不存在");
    if (orig.kind === "reversal") throw new LedgerError("invalid", "冲正记录不能再冲正");
    const done = stmt("select id from ledger_transactions where reverses_id = ?").get(r.txnId);
    if (done) throw new LedgerError("already_reversed", "这笔记录已经冲正过了");
    const entries = s.entriesOfTxn.all(r.txnId) as { account_id: number; amount: number; score_delta: number; score_year: number; kind: string }[];
    const legs = entries.map((e) => ({
      accountId: e.account_id, amount: -e.amount, scoreDelta: -e.score_delta, scoreYear: e.score_year, issuance: e.kind === "issuance",
    }));
    return postInTxn(
      s,
      {
        villageId: orig.village_id, kind: "reversal", idemKey: r.idemKey, actor: r.actor, memo: r.memo,
        legs, reversesId: orig.id, memberId: orig.member_id, ruleId: orig.rule_id,
        cause: orig.cause_kind ? { kind: orig.cause_kind, id: orig.cause_id } : null, allowOverdraft: true,
      },
      hash,
    );
  });
}

// ---- holds ----------------------------------------------------------------

export interface HoldResult {
  holdId: number;
  created: boolean;
}

/** Reserves points for a pending checkout; refuses when the spendable balance is short. */
export function placeHold(h: {
  householdId: number;
  amount: number;
  expiresAt: number;
  idemKey: string;
  actor: Actor;
  cause?: Cause | null;
}): HoldResult {
  positive(h.amount);
  const s = stmts();
  // expiresAt is left out: a retry computes its own "now + 10 min" and is still the same request.
  const hash = requestHash({ hold: h.householdId, amount: h.amount, cause: h.cause ?? null });
  return transact(() => {
    const existing = s.holdByKey.get(h.idemKey) as { id: number; request_hash: string } | undefined;
    if (existing) {
      if (existing.request_hash !== hash) throw new LedgerError("idempotency_conflict", "该请求编号已用于另一笔操作");
      return { holdId: existing.id, created: false };
    }
    const acc = householdAccount(h.householdId);
    const at = now();
    if (h.expiresAt <= at) throw new LedgerError("invalid", "冻结的到期时间必须在将来");
    const balance = (s.account.get(acc.id) as { balance: number }).balance;
    const held = (s.heldOn.get(acc.id, at, -1) as { held: number }).held;
    if (balance - held < h.amount) throw new LedgerError("insufficient", `可用积分不足：可用 ${balance - held}，需要 ${h.amount}`);
    const info = s.insertHold.run(acc.village_id, acc.id, h.amount, h.idemKey, hash, h.cause?.kind ?? null, h.cause?.id ?? null, h.actor.userId, at, h.expiresAt);
    return { holdId: Number(info.lastInsertRowid), created: true };
  });
}

interface HoldRow {
  id: number;
  village_id: number;
  account_id: number;
  amount: number;
  status: string;
  expires_at: number;
  settled_txn_id: number | null;
}

/** Cancels a hold. Releasing an already released hold is a no-op (idempotent). */
export function releaseHold(holdId: number): void {
  const s = stmts();
  transact(() => {
    const hold = s.holdById.get(holdId) as HoldRow | undefined;
    if (!hold) throw new LedgerError("not_found", "冻结记录不存在");
    if (hold.status === "released") return;
    if (hold.status === "converted") throw new LedgerError("hold_settled", "已经核销，不能取消");
    s.settleHold.run("released", now(), null, holdId);
  });
}

/** Marks expired holds released, so the table shows what the balance check already ignores. */
export function releaseExpiredHolds(): number {
  const s = stmts();
  return transact(() => {
    const ids = s.expiredHolds.all(now()) as { id: number }[];
    for (const { id } of ids) s.settleHold.run("released", now(), null, id);
    return ids.length;
  });
}

/** Confirm: the hold becomes a redemption debit to the store, atomically. Idempotent by key. */
export function convertHold(c: {
  holdId: number;
  storeAccountId: number;
  idemKey: string;
  actor: Actor;
  memberId?: number | null;
  cause?: Cause | null;
  memo: string;
}): PostResult {
  const s = stmts();
  const hash = requestHash({ convert: c.holdId, store: c.storeAccountId, memberId: c.memberId ?? null, cause: c.cause ?? null, memo: c.memo, actor: c.actor });
  return transact(() => {
    const replay = s.txnByKey.get(c.idemKey);
    if (replay) return postInTxn(s, { idemKey: c.idemKey } as PostInput, hash);
    const hold = s.holdById.get(c.holdId) as HoldRow | undefined;
    if (!hold) throw new LedgerError("not_found", "冻结记录不存在");
    if (hold.status !== "active") throw new LedgerError("hold_settled", "这笔兑换已经处理过了");
    if (hold.expires_at <= now()) throw new LedgerError("hold_settled", "兑换码已过期");
    assertStoreAccount(s, c.storeAccountId, hold.village_id);
    const year = chinaYear(now());
    const result = postInTxn(
      s,
      {
        villageId: hold.village_id, kind: "redemption", idemKey: c.idemKey, actor: c.actor, memo: c.memo,
        memberId: c.memberId, cause: c.cause, convertingHoldId: hold.id,
        legs: [
          { accountId: hold.account_id, amount: -hold.amount, scoreDelta: 0, scoreYear: year },
          { accountId: c.storeAccountId, amount: hold.amount, scoreDelta: 0, scoreYear: year },
        ],
      },
      hash,
    );
    s.settleHold.run("converted", now(), result.txnId, hold.id);
    return result;
  });
}

/** A direct redemption without a prior hold (counter checkout confirms in one step). */
export function redeem(r: {
  householdId: number;
  storeAccountId: number;
  amount: number;
  idemKey: string;
  actor: Actor;
  memberId?: number | null;
  cause?: Cause | null;
  memo: string;
}): PostResult {
  positive(r.amount);
  const acc = householdAccount(r.householdId);
  assertStoreAccount(stmts(), r.storeAccountId, acc.village_id);
  const year = chinaYear(now());
  const { idemKey: _k, ...request } = r;
  return post({
    request: { kind: "redemption", ...request },
    villageId: acc.village_id, kind: "redemption", idemKey: r.idemKey, actor: r.actor, memo: r.memo,
    memberId: r.memberId, cause: r.cause,
    legs: [
      { accountId: acc.id, amount: -r.amount, scoreDelta: 0, scoreYear: year },
      { accountId: r.storeAccountId, amount: r.amount, scoreDelta: 0, scoreYear: year },
    ],
  });
}
