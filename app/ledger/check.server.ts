// Proves the ledger invariants on a database: used by `npm run check:ledger` and by tests.
import type SQLite from "better-sqlite3";
import { stmt } from "~/platform/database.server";
import { chainHash, GENESIS_HASH, txnDigest, type TxnRow } from "./ledger.server";

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

type Check = (sqlite: SQLite.Database) => CheckResult;

function count(sqlite: SQLite.Database, sql: string, ...params: unknown[]): number {
  return (sqlite.prepare(sql).get(...params) as { n: number }).n;
}

function result(name: string, bad: number, okDetail: string, badDetail: string): CheckResult {
  return { name, ok: bad === 0, detail: bad === 0 ? okDetail : badDetail.replace("{n}", String(bad)) };
}

const checks: Check[] = [
  (s) => {
    const total = (s.prepare("select coalesce(sum(amount), 0) as t, count(*) as n from ledger_entries").get() as { t: number; n: number });
    return { name: "所有分录合计为零", ok: total.t === 0, detail: `${total.n} 条分录，合计 ${total.t}` };
  },
  (s) =>
    result(
      "每笔交易借贷平衡（至少两条分录，合计为零）",
      count(s, `select count(*) as n from (select t.id from ledger_transactions t left join ledger_entries e on e.txn_id = t.id
                group by t.id having count(e.id) < 2 or sum(e.amount) <> 0)`),
      `${count(s, "select count(*) as n from ledger_transactions")} 笔交易全部平衡`,
      "{n} 笔交易不平衡",
    ),
  (s) =>
    result(
      "积分均为整数",
      count(s, "select count(*) as n from ledger_entries where typeof(amount) <> 'integer' or typeof(score_delta) <> 'integer'"),
      "全部为整数",
      "{n} 条分录不是整数",
    ),
  (s) =>
    result(
      "账户余额等于分录之和",
      count(s, `select count(*) as n from accounts a left join (select account_id, sum(amount) as t from ledger_entries group by account_id) e
                on e.account_id = a.id where a.balance <> coalesce(e.t, 0)`),
      `${count(s, "select count(*) as n from accounts")} 个账户全部一致`,
      "{n} 个账户余额与分录不符",
    ),
  (s) =>
    result(
      "年度累计积分等于分录之和",
      count(s, `select count(*) as n from (
                  select coalesce(a.account_id, e.account_id) as id from account_scores a
                  full outer join (select account_id, score_year, sum(score_delta) as t from ledger_entries
                                   where score_delta <> 0 group by account_id, score_year) e
                    on e.account_id = a.account_id and e.score_year = a.year
                  where coalesce(a.score, 0) <> coalesce(e.t, 0))`),
      "全部一致",
      "{n} 个年度累计积分不符",
    ),
  (s) =>
    result(
      "月度汇总等于分录之和（农户和超市账户）",
      count(s, `select count(*) as n from (
                  select coalesce(a.account_id, e.account_id) as id
                  from (select * from account_months where account_id not in (select id from accounts where kind = 'issuance')) a
                  full outer join (select account_id, strftime('%Y-%m', created_at / 1000 + 8 * 3600, 'unixepoch') as month,
                                          count(*) as entries, sum(max(amount, 0)) as income, sum(max(-amount, 0)) as spent
                                   from ledger_entries where account_id not in (select id from accounts where kind = 'issuance')
                                   group by account_id, month) e
                    on e.account_id = a.account_id and e.month = a.month
                  where coalesce(a.entries, 0) <> coalesce(e.entries, 0) or coalesce(a.income, 0) <> coalesce(e.income, 0)
                     or coalesce(a.spent, 0) <> coalesce(e.spent, 0))`),
      "全部一致",
      "{n} 个账户月份的汇总不符",
    ),
  (s) =>
    result(
      "分录时间与所属交易一致",
      count(s, "select count(*) as n from ledger_entries e join ledger_transactions t on t.id = e.txn_id where e.created_at <> t.created_at"),
      "全部一致",
      "{n} 条分录的时间被改动过",
    ),
  (s) =>
    result(
      "分录与账户同属一个村",
      count(s, `select count(*) as n from ledger_entries e join ledger_transactions t on t.id = e.txn_id
                join accounts a on a.id = e.account_id where a.village_id <> t.village_id`),
      "没有跨村分录",
      "{n} 条分录跨村",
    ),
  (s) =>
    result(
      "冲正记录正好抵消原记录",
      count(s, `select count(*) as n from ledger_transactions r join ledger_transactions o on o.id = r.reverses_id
                where r.kind <> 'reversal' or r.id <= o.id or exists (
                  select account_id, sum(amount) from ledger_entries where txn_id in (r.id, o.id)
                  group by account_id having sum(amount) <> 0 or sum(score_delta) <> 0)`) +
        count(s, "select count(*) as n from ledger_transactions where kind = 'reversal' and reverses_id is null"),
      `${count(s, "select count(*) as n from ledger_transactions where kind = 'reversal'")} 笔冲正全部正确`,
      "{n} 笔冲正有误",
    ),
  // Invariant 5: who (a role, and a user unless the system did it), when, and why (a memo; a claim or
  // order named as the cause must exist in the same village).
  (s) =>
    result(
      "每笔交易记录了谁、何时、为什么、以什么角色",
      count(s, `select count(*) as n from ledger_transactions where actor_role = '' or (actor_user_id is null and actor_role <> 'system')
                or created_at <= 0 or trim(memo) = ''`),
      "全部记录齐全",
      "{n} 笔交易缺少操作人、角色、时间或事由",
    ),
  (s) =>
    result(
      "交易指向的申报和兑换单确实存在且属于同一个村",
      count(s, `select count(*) as n from ledger_transactions t where
                  (t.cause_kind = 'claim' and not exists (select 1 from claims c where c.id = t.cause_id and c.village_id = t.village_id))
                  or (t.cause_kind = 'order' and not exists (select 1 from orders o where o.id = t.cause_id and o.village_id = t.village_id))`),
      "全部一致",
      "{n} 笔交易指向不存在或别村的申报、兑换单",
    ),
  (s) => checkRedemptionsNeverOverdraw(s),
  (s) =>
    result(
      "冻结记录与核销一致",
      count(s, `select count(*) as n from holds h left join ledger_transactions t on t.id = h.settled_txn_id
                where (h.status = 'converted' and (t.id is null or t.kind <> 'redemption' or
                       (select -sum(amount) from ledger_entries where txn_id = t.id and account_id = h.account_id) <> h.amount))
                   or (h.status = 'active' and h.settled_txn_id is not null)`),
      `${count(s, "select count(*) as n from holds")} 条冻结记录一致`,
      "{n} 条冻结记录有误",
    ),
  (s) => {
    const names = (s.prepare("select name from sqlite_master where type = 'trigger'").all() as { name: string }[]).map((r) => r.name);
    const need = ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_transactions_no_update", "ledger_transactions_no_delete"];
    const missing = need.filter((n) => !names.includes(n));
    return { name: "数据库拒绝修改和删除账目", ok: missing.length === 0, detail: missing.length ? `缺少触发器 ${missing.join(", ")}` : "触发器齐全" };
  },
  (s) => checkHashChain(s),
  (s) => {
    const t = s.prepare("select count(*) as n, coalesce(max(id), 0) as top from ledger_transactions").get() as { n: number; top: number };
    const seq = (s.prepare("select seq from sqlite_sequence where name = 'ledger_transactions'").get() as { seq: number } | undefined)?.seq ?? 0;
    const ok = t.n === t.top && seq === t.top;
    return {
      name: "交易编号连续（没有删掉任何交易）",
      ok,
      detail: ok ? `编号 1–${t.top} 连续` : `共 ${t.n} 笔，最大编号 ${t.top}，已分配到 ${seq}`,
    };
  },
];

/**
 * The running server's ledger head, printed at the foot of the 公示 board: once a paper copy hangs on
 * the village wall, `check:ledger --anchor ID:HASH` proves later that nothing before it was rewritten.
 */
export function currentLedgerHead(): { id: number; hash: string } | null {
  return stmt("select id, hash from ledger_entries order by id desc limit 1").get() as { id: number; hash: string } | null;
}

/** The newest entry's id and hash: write it down outside the machine to detect a rewritten chain later. */
export function ledgerHead(sqlite: SQLite.Database): { id: number; hash: string } | null {
  return (sqlite.prepare("select id, hash from ledger_entries order by id desc limit 1").get() as { id: number; hash: string } | undefined) ?? null;
}

/** Whether entry `id` still has the hash recorded earlier. */
export function matchesAnchor(sqlite: SQLite.Database, id: number, hash: string): boolean {
  const row = sqlite.prepare("select hash from ledger_entries where id = ?").get(id) as { hash: string } | undefined;
  return row?.hash === hash;
}

/** Replays each household's balance in order: a redemption never leaves it negative. */
function checkRedemptionsNeverOverdraw(s: SQLite.Database): CheckResult {
  const rows = s
    .prepare(
      `select e.account_id, e.amount, t.kind from ledger_entries e join ledger_transactions t on t.id = e.txn_id
       join accounts a on a.id = e.account_id where a.kind = 'household' order by e.id`,
    )
    .iterate() as Iterable<{ account_id: number; amount: number; kind: string }>;
  const running = new Map<number, number>();
  let bad = 0;
  for (const r of rows) {
    const b = (running.get(r.account_id) ?? 0) + r.amount;
    running.set(r.account_id, b);
    if (r.kind === "redemption" && r.amount < 0 && b < 0) bad++;
  }
  return result("兑换从未使余额为负", bad, `${running.size} 个农户账户逐笔重放无误`, "{n} 笔兑换使余额为负");
}

function checkHashChain(s: SQLite.Database): CheckResult {
  const rows = s
    .prepare(
      `select e.id, e.account_id, e.amount, e.score_delta, e.score_year, e.prev_hash, e.hash,
              t.id as t_id, t.village_id, t.kind, t.idem_key, t.request_hash, t.reverses_id, t.actor_user_id, t.actor_role,
              t.member_id, t.rule_id, t.cause_kind, t.cause_id, t.memo, t.created_at
       from ledger_entries e join ledger_transactions t on t.id = e.txn_id order by e.id`,
    )
    .iterate() as Iterable<Record<string, never>>;
  let prev: string = GENESIS_HASH;
  let expectedId = 1;
  let n = 0;
  let digest = { txn: -1, value: "" };
  for (const r of rows) {
    const t = { ...(r as object), id: r.t_id } as unknown as TxnRow;
    if (digest.txn !== t.id) digest = { txn: t.id, value: txnDigest(t) };
    const e = r as unknown as { id: number; account_id: number; amount: number; score_delta: number; score_year: number; prev_hash: string; hash: string };
    if (e.id !== expectedId) return { name: "哈希链完整", ok: false, detail: `分录编号 ${expectedId} 缺失` };
    if (e.prev_hash !== prev || chainHash(prev, e, digest.value) !== e.hash) {
      return { name: "哈希链完整", ok: false, detail: `第 ${e.id} 条分录被改动过（哈希不符）` };
    }
    prev = e.hash;
    expectedId++;
    n++;
  }
  const orphans = count(s, "select count(*) as n from ledger_entries e left join ledger_transactions t on t.id = e.txn_id where t.id is null");
  if (orphans) return { name: "哈希链完整", ok: false, detail: `${orphans} 条分录没有所属交易` };
  return { name: "哈希链完整", ok: true, detail: `${n} 条分录逐条验证` };
}

export function checkLedger(sqlite: SQLite.Database): CheckResult[] {
  return checks.map((c) => {
    try {
      return c(sqlite);
    } catch (e) {
      return { name: c.name || "检查", ok: false, detail: `检查出错：${(e as Error).message}` };
    }
  });
}
