// Proves the ledger invariants on a database: used by `npm run check:ledger`, the backup and tests.
// One pass over every entry in order (with its transaction) recomputes what the stored figures
// claim: the sum, each transaction's balance, each account's balance, yearly score and monthly
// summary, the hash chain, and that no redemption ever overdrew a household. The stored tables are
// then compared with what was recomputed. Everything but the database's own protections (its
// triggers and id sequence, read from the engine's catalog) is the same query on every engine.
import { PostgresAdapter, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { chinaMonth } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { chainHash, GENESIS_HASH, txnDigest, type TxnRow } from "./ledger.server";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

function result(name: string, bad: number, okDetail: string, badDetail: string): CheckResult {
  return { name, ok: bad === 0, detail: bad === 0 ? okDetail : badDetail.replace("{n}", String(bad)) };
}

interface Recomputed {
  entries: number;
  sum: number;
  notIntegers: number;
  /** txn id → [entries, sum] */
  txns: Map<number, [number, number]>;
  balances: Map<number, number>;
  /** "account|year" → score */
  scores: Map<string, number>;
  /** "account|month" → [entries, income, spent] (household and store accounts) */
  months: Map<string, [number, number, number]>;
  /** "village|month|kind|category|reversal" → [points of households, transactions] */
  villageMonths: Map<string, [number, number]>;
  timeMismatch: number;
  crossVillage: number;
  overdrawn: number;
  households: number;
  chain: CheckResult;
}

/** Entries read per query of the replay. */
const PAGE = 1000;

/**
 * Every row of a query read page by page in id order (keyset: each page starts after the last id
 * seen), so memory stays flat on a large ledger. kysely's stream() would need a cursor package on
 * PostgreSQL; this is one query for both engines.
 */
async function* pages<T extends { id: number }>(page: (after: number) => Promise<T[]>): AsyncGenerator<T> {
  // From below any id, so even a row forged with id 0 or less is read (and reported).
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = await page(after);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].id;
  }
}

/** The one pass over every entry, oldest first. */
async function replay(k: Kysely<Database>): Promise<Recomputed> {
  const r: Recomputed = {
    entries: 0, sum: 0, notIntegers: 0, txns: new Map(), balances: new Map(), scores: new Map(), months: new Map(), villageMonths: new Map(),
    timeMismatch: 0, crossVillage: 0, overdrawn: 0, households: 0, chain: { name: "哈希链完整", ok: true, detail: "" },
  };
  const householdBalance = new Map<number, number>();
  let prev = GENESIS_HASH;
  let expectedId = 1;
  let digest = { txn: -1, value: "" };
  // The village summary keys a reversal by the kind it reverses and every transaction by its rule's category.
  const reversed = new Map(
    (await k.selectFrom("ledger_transactions as t").innerJoin("ledger_transactions as o", "o.id", "t.reverses_id").select(["t.id", "o.kind"]).execute()).map((x) => [x.id, x.kind]),
  );
  const categories = new Map((await k.selectFrom("rules").select(["id", "category"]).execute()).map((x) => [x.id, x.category]));
  let summarised = -1;
  const page = (after: number) => k
    .selectFrom("ledger_entries as e")
    .innerJoin("ledger_transactions as t", "t.id", "e.txn_id")
    .innerJoin("accounts as a", "a.id", "e.account_id")
    .select([
      "e.id", "e.account_id", "e.amount", "e.score_delta", "e.score_year", "e.prev_hash", "e.hash", "e.created_at as entry_at",
      "a.kind as account_kind", "a.village_id as account_village",
      "t.id as t_id", "t.village_id", "t.kind", "t.idem_key", "t.request_hash", "t.reverses_id", "t.actor_user_id", "t.actor_role",
      "t.member_id", "t.rule_id", "t.cause_kind", "t.cause_id", "t.memo", "t.created_at",
    ])
    .where("e.id", ">", after)
    .orderBy("e.id")
    .limit(PAGE)
    .execute();
  for await (const e of pages(page)) {
    r.entries++;
    r.sum += e.amount;
    if (!Number.isInteger(e.amount) || !Number.isInteger(e.score_delta)) r.notIntegers++;
    const t = r.txns.get(e.t_id) ?? [0, 0];
    r.txns.set(e.t_id, [t[0] + 1, t[1] + e.amount]);
    r.balances.set(e.account_id, (r.balances.get(e.account_id) ?? 0) + e.amount);
    if (e.score_delta !== 0) {
      const key = `${e.account_id}|${e.score_year}`;
      r.scores.set(key, (r.scores.get(key) ?? 0) + e.score_delta);
    }
    if (e.account_kind !== "issuance") {
      const key = `${e.account_id}|${chinaMonth(e.entry_at)}`;
      const m = r.months.get(key) ?? [0, 0, 0];
      r.months.set(key, [m[0] + 1, m[1] + Math.max(e.amount, 0), m[2] + Math.max(-e.amount, 0)]);
    }
    const vmKey = [e.village_id, chinaMonth(e.created_at), reversed.get(e.t_id) ?? e.kind, (e.rule_id !== null && categories.get(e.rule_id)) || "", e.kind === "reversal" ? 1 : 0].join("|");
    const vm = r.villageMonths.get(vmKey) ?? [0, 0];
    if (e.account_kind === "household") vm[0] += e.amount;
    if (summarised !== e.t_id) vm[1]++;
    summarised = e.t_id;
    r.villageMonths.set(vmKey, vm);
    if (e.entry_at !== e.created_at) r.timeMismatch++;
    if (e.account_village !== e.village_id) r.crossVillage++;
    if (e.account_kind === "household") {
      const b = (householdBalance.get(e.account_id) ?? 0) + e.amount;
      householdBalance.set(e.account_id, b);
      // Only deductions and corrections may overdraw; a redemption or an expiry takes what was there.
      if ((e.kind === "redemption" || e.kind === "expiry") && e.amount < 0 && b < 0) r.overdrawn++;
    }
    if (r.chain.ok) {
      const txn: TxnRow = {
        id: e.t_id, village_id: e.village_id, kind: e.kind, idem_key: e.idem_key, request_hash: e.request_hash, reverses_id: e.reverses_id,
        actor_user_id: e.actor_user_id, actor_role: e.actor_role, member_id: e.member_id, rule_id: e.rule_id, cause_kind: e.cause_kind,
        cause_id: e.cause_id, memo: e.memo, created_at: e.created_at,
      };
      if (digest.txn !== txn.id) digest = { txn: txn.id, value: txnDigest(txn) };
      if (e.id !== expectedId) r.chain = { name: "哈希链完整", ok: false, detail: `分录编号 ${expectedId} 缺失` };
      else if (e.prev_hash !== prev || chainHash(prev, e, digest.value) !== e.hash) {
        r.chain = { name: "哈希链完整", ok: false, detail: `第 ${e.id} 条分录被改动过（哈希不符）` };
      }
      prev = e.hash;
      expectedId++;
    }
  }
  r.households = householdBalance.size;
  // Entries whose transaction or account is gone were left out of the join above.
  const all = await count(k, "ledger_entries");
  if (r.chain.ok && all !== r.entries) r.chain = { name: "哈希链完整", ok: false, detail: `${all - r.entries} 条分录没有所属交易或账户` };
  if (r.chain.ok) r.chain.detail = `${r.entries} 条分录逐条验证`;
  return r;
}

function count(k: Kysely<Database>, table: "ledger_transactions" | "accounts" | "holds" | "ledger_entries") {
  return k.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow().then((r) => r.n);
}

async function checks(k: Kysely<Database>): Promise<CheckResult[]> {
  const r = await replay(k);
  const out: CheckResult[] = [];
  out.push({ name: "所有分录合计为零", ok: r.sum === 0, detail: `${r.entries} 条分录，合计 ${r.sum}` });

  const txnCount = await count(k, "ledger_transactions");
  // A transaction without entries never shows up in the replay: every one must have at least two.
  const unbalanced = [...r.txns.values()].filter(([n, sum]) => n < 2 || sum !== 0).length + (txnCount - r.txns.size);
  out.push(result("每笔交易借贷平衡（至少两条分录，合计为零）", unbalanced, `${txnCount} 笔交易全部平衡`, "{n} 笔交易不平衡"));
  out.push(result("积分均为整数", r.notIntegers, "全部为整数", "{n} 条分录不是整数"));

  const accounts = await k.selectFrom("accounts").select(["id", "balance"]).execute();
  out.push(result("账户余额等于分录之和", accounts.filter((a) => a.balance !== (r.balances.get(a.id) ?? 0)).length, `${accounts.length} 个账户全部一致`, "{n} 个账户余额与分录不符"));

  const stored = await k.selectFrom("account_scores").select(["account_id", "year", "score"]).execute();
  const scoreKeys = new Set([...r.scores.keys(), ...stored.filter((s) => s.score !== 0).map((s) => `${s.account_id}|${s.year}`)]);
  const storedScore = new Map(stored.map((s) => [`${s.account_id}|${s.year}`, s.score]));
  out.push(result("年度累计积分等于分录之和", [...scoreKeys].filter((key) => (storedScore.get(key) ?? 0) !== (r.scores.get(key) ?? 0)).length, "全部一致", "{n} 个年度累计积分不符"));

  const months = await k
    .selectFrom("account_months as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .select(["m.account_id", "m.month", "m.entries", "m.income", "m.spent"])
    .where("a.kind", "<>", "issuance")
    .execute();
  const storedMonth = new Map(months.map((m) => [`${m.account_id}|${m.month}`, [m.entries, m.income, m.spent]]));
  const monthKeys = new Set([...r.months.keys(), ...storedMonth.keys()]);
  const badMonths = [...monthKeys].filter((key) => {
    const a = storedMonth.get(key) ?? [0, 0, 0];
    const b = r.months.get(key) ?? [0, 0, 0];
    return a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2];
  }).length;
  out.push(result("月度汇总等于分录之和（农户和超市账户）", badMonths, "全部一致", "{n} 个账户月份的汇总不符"));
  const villageMonths = await k.selectFrom("ledger_months").selectAll().execute();
  const storedVillageMonth = new Map(villageMonths.map((m) => [[m.village_id, m.month, m.kind, m.category, m.reversal].join("|"), [m.points, m.txns]]));
  const villageMonthKeys = new Set([...r.villageMonths.keys(), ...storedVillageMonth.keys()]);
  const badVillageMonths = [...villageMonthKeys].filter((key) => {
    const a = storedVillageMonth.get(key) ?? [0, 0];
    const b = r.villageMonths.get(key) ?? [0, 0];
    return a[0] !== b[0] || a[1] !== b[1];
  }).length;
  out.push(result("村月度汇总（按类别的发放、扣减、兑换、冲正）等于分录之和", badVillageMonths, "全部一致", "{n} 个村月份类别的汇总不符"));
  out.push(result("分录时间与所属交易一致", r.timeMismatch, "全部一致", "{n} 条分录的时间被改动过"));
  out.push(result("分录与账户同属一个村", r.crossVillage, "没有跨村分录", "{n} 条分录跨村"));

  // A reversal points at an earlier transaction and, with it, nets to zero on every account.
  const reversals = await k
    .selectFrom("ledger_transactions as r")
    .leftJoin("ledger_transactions as o", "o.id", "r.reverses_id")
    .select(["r.id", "r.kind", "r.reverses_id", "o.id as orig"])
    .where((eb) => eb.or([eb("r.kind", "=", "reversal"), eb("r.reverses_id", "is not", null)]))
    .execute();
  // The reversals that leave something on an account, in one query rather than one per reversal
  // (a round trip each on PostgreSQL): each reversal's legs and its original's, summed per account.
  const legsOf = (txn: "r.id" | "r.reverses_id") =>
    k
      .selectFrom("ledger_transactions as r")
      .innerJoin("ledger_entries as e", "e.txn_id", txn)
      .select(["r.id as reversal", "e.account_id", "e.amount", "e.score_delta"])
      .where("r.kind", "=", "reversal");
  const notNetted = await k
    .selectFrom(legsOf("r.id").unionAll(legsOf("r.reverses_id")).as("l"))
    .select("l.reversal")
    .groupBy(["l.reversal", "l.account_id"])
    .having((eb) => eb.or([eb(eb.fn.sum("l.amount"), "<>", 0), eb(eb.fn.sum("l.score_delta"), "<>", 0)]))
    .execute();
  const leftOver = new Set(notNetted.map((n) => n.reversal));
  const badReversals = reversals.filter(
    (rv) => rv.kind !== "reversal" || rv.reverses_id === null || rv.orig === null || rv.id <= rv.orig || leftOver.has(rv.id),
  ).length;
  out.push(result("冲正记录正好抵消原记录", badReversals, `${reversals.filter((x) => x.kind === "reversal").length} 笔冲正全部正确`, "{n} 笔冲正有误"));

  // Invariant 5: who (a role, and a user unless the system did it), when, and why (a memo; a claim or
  // order named as the cause must exist in the same village).
  const anonymous = await k
    .selectFrom("ledger_transactions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where((eb) =>
      eb.or([
        eb("actor_role", "=", ""),
        eb.and([eb("actor_user_id", "is", null), eb("actor_role", "<>", "system")]),
        eb("created_at", "<=", 0),
        eb(eb.fn("trim", ["memo"]), "=", ""),
      ]),
    )
    .executeTakeFirstOrThrow();
  out.push(result("每笔交易记录了谁、何时、为什么、以什么角色", anonymous.n, "全部记录齐全", "{n} 笔交易缺少操作人、角色、时间或事由"));

  const dangling = await k
    .selectFrom("ledger_transactions as t")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where((eb) =>
      eb.or([
        eb.and([
          eb("t.cause_kind", "=", "claim"),
          eb.not(eb.exists(eb.selectFrom("claims as c").select("c.id").whereRef("c.id", "=", "t.cause_id").whereRef("c.village_id", "=", "t.village_id"))),
        ]),
        eb.and([
          eb("t.cause_kind", "=", "order"),
          eb.not(eb.exists(eb.selectFrom("orders as o").select("o.id").whereRef("o.id", "=", "t.cause_id").whereRef("o.village_id", "=", "t.village_id"))),
        ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  out.push(result("交易指向的申报和兑换单确实存在且属于同一个村", dangling.n, "全部一致", "{n} 笔交易指向不存在或别村的申报、兑换单"));
  out.push(result("兑换和过期从未使余额为负", r.overdrawn, `${r.households} 个农户账户逐笔重放无误`, "{n} 笔兑换或过期使余额为负"));

  // A converted hold names its redemption, which took exactly the held amount from its account.
  const holds = await k
    .selectFrom("holds as h")
    .leftJoin("ledger_transactions as t", "t.id", "h.settled_txn_id")
    .select((eb) => [
      "h.status", "h.amount", "h.settled_txn_id", "t.kind",
      eb
        .selectFrom("ledger_entries as e")
        .select((s) => s.fn.sum<number>("e.amount").as("taken"))
        .whereRef("e.txn_id", "=", "t.id")
        .whereRef("e.account_id", "=", "h.account_id")
        .as("taken"),
    ])
    .where((eb) => eb.or([eb("h.status", "=", "converted"), eb("h.settled_txn_id", "is not", null)]))
    .execute();
  const badHolds = holds.filter((h) =>
    h.status === "converted" ? h.kind !== "redemption" || h.taken === null || -h.taken !== h.amount : h.status === "active" && h.settled_txn_id !== null,
  ).length;
  out.push(result("冻结记录与核销一致", badHolds, `${await count(k, "holds")} 条冻结记录一致`, "{n} 条冻结记录有误"));

  out.push(await protections(k));
  out.push(r.chain);
  out.push(await sequence(k, txnCount));
  return out;
}

const TRIGGERS = ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_transactions_no_update", "ledger_transactions_no_delete"];

/** Which engine `k` runs on: the database's own protections live in its own catalog. */
function onPostgres(k: Kysely<Database>): boolean {
  return k.getExecutor().adapter instanceof PostgresAdapter;
}

/** The engines' own catalog tables, which the Database interface does not describe. */
function catalog(k: Kysely<Database>) {
  return k.withTables<{
    sqlite_master: { type: string; name: string };
    sqlite_sequence: { name: string; seq: number };
    pg_trigger: { tgname: string; tgenabled: string; tgisinternal: boolean };
  }>();
}

/** The database itself refuses updates and deletes of ledger rows: its triggers, enabled. */
async function protections(k: Kysely<Database>): Promise<CheckResult> {
  const rows = onPostgres(k)
    ? await catalog(k).selectFrom("pg_trigger").select("tgname as name").where("tgisinternal", "=", false).where("tgenabled", "<>", "D").execute()
    : await catalog(k).selectFrom("sqlite_master").select("name").where("type", "=", "trigger").execute();
  const names = rows.map((r) => r.name);
  const missing = TRIGGERS.filter((n) => !names.includes(n));
  return { name: "数据库拒绝修改和删除账目", ok: missing.length === 0, detail: missing.length ? `缺少或停用了触发器 ${missing.join(", ")}` : "触发器齐全" };
}

/**
 * Transaction ids run 1..n: no transaction was deleted. On SQLite also none handed out beyond the
 * last (its AUTOINCREMENT table remembers the highest id ever given, so a deleted tail shows);
 * PostgreSQL keeps no such record for ids the ledger assigns itself, and there the anchors printed
 * by check:ledger and on the 公示 board prove the tail.
 */
async function sequence(k: Kysely<Database>, txnCount: number): Promise<CheckResult> {
  const top = await k.selectFrom("ledger_transactions").select((eb) => eb.fn.coalesce(eb.fn.max("id"), eb.lit(0)).as("top")).executeTakeFirstOrThrow();
  let given = top.top;
  if (!onPostgres(k)) {
    const seq = await catalog(k).selectFrom("sqlite_sequence").select("seq").where("name", "=", "ledger_transactions").executeTakeFirst();
    given = seq?.seq ?? 0;
  }
  const ok = txnCount === top.top && given === top.top;
  return { name: "交易编号连续（没有删掉任何交易）", ok, detail: ok ? `编号 1–${top.top} 连续` : `共 ${txnCount} 笔，最大编号 ${top.top}，已分配到 ${given}` };
}

/**
 * The running server's ledger head, printed at the foot of the 公示 board: once a paper copy hangs on
 * the village wall, `check:ledger --anchor ID:HASH` proves later that nothing before it was rewritten.
 */
export function currentLedgerHead(): Promise<{ id: number; hash: string } | null> {
  return ledgerHead(db());
}

/** The newest entry's id and hash: write it down outside the machine to detect a rewritten chain later. */
export async function ledgerHead(k: Kysely<Database>): Promise<{ id: number; hash: string } | null> {
  return (await k.selectFrom("ledger_entries").select(["id", "hash"]).orderBy("id", "desc").limit(1).executeTakeFirst()) ?? null;
}

/** Whether entry `id` still has the hash recorded earlier. */
export async function matchesAnchor(k: Kysely<Database>, id: number, hash: string): Promise<boolean> {
  const row = await k.selectFrom("ledger_entries").select("hash").where("id", "=", id).executeTakeFirst();
  return row?.hash === hash;
}

export async function checkLedger(k: Kysely<Database>): Promise<CheckResult[]> {
  try {
    return await checks(k);
  } catch (e) {
    return [{ name: "检查", ok: false, detail: `检查出错：${(e as Error).message}` }];
  }
}
