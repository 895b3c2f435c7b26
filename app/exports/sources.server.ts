// What each export holds: its columns, and its rows read in batches. A batch is one short query over
// a bounded stretch of a table's ids (keyset pagination: ids after the last one read, at most
// `window` ids, at most `size` rows), so no export holds a county's rows in memory, and on SQLite no
// export keeps the read connection in one long read: other requests run between two batches.
// Rows are plain cells (text, integers, times as epoch ms, money in fen); csv.server.ts and
// xlsx.server.ts write them.
import { roleLabel } from "~/audit/labels";
import { CLAIM_STATUS_LABELS } from "~/claims/labels";
import { chinaMonth, chinaMonthStart, chinaYear, now } from "~/platform/clock.server";
import { sql, type Compilable } from "kysely";
import { constant, db } from "~/platform/database.server";
import { headNameOf } from "~/people/households.server";
import { RULE_CATEGORIES } from "~/rules/labels";
import { ORDER_STATE_WORDS } from "~/store/order-states";
import { receiptNo } from "~/store/format";
import type { ClaimStatus, OrderStatus, RuleCategory, TxnKind } from "../../db/schema";
import { KIND_LABELS, type ExportKind } from "./labels";
import type { ExportRange } from "./range.server";

export type CellType = "text" | "int" | "time" | "day" | "yuan";
export interface Column {
  header: string;
  type: CellType;
  /** Width in characters, for the workbook. */
  width: number;
}
/** text: a string; int: a number; time and day: epoch ms; yuan: fen. Null is an empty cell. */
export type Cell = string | number | null;
export type Row = Cell[];

export interface Source {
  sheet: string;
  columns: Column[];
  /** The rows, one batch at a time. */
  batches: () => AsyncGenerator<Row[]>;
  /** The query of one batch (tests read its plan: a primary-key range). */
  batch: (after: number, upTo: number, limit: number) => Compilable;
}

/** One village (its id), or every village of the township (null). */
export interface Scope {
  villageId: number | null;
  /** A first column naming the village: exports made from the township's page. */
  villageColumn: boolean;
}

export interface BatchOptions {
  /** Rows per batch at most. */
  size: number;
  /** Ids one query looks at, at most. */
  window: number;
  /** Told every query's row count (tests count batches with it). */
  onBatch?: (rows: number) => void;
  /** The download was dropped: read no more. */
  signal?: AbortSignal;
}

export const BATCH: BatchOptions = { size: 1000, window: 20_000 };

/**
 * Batches of rows with ids in (0, top], ascending. `top` is the table's largest id when the export
 * began: rows appended while it runs are left for the next export, so a file is one cut of the data.
 */
async function* keyset<T extends { id: number }>(
  top: number | null,
  fetch: (after: number, upTo: number, limit: number) => Promise<T[]>,
  o: BatchOptions,
): AsyncGenerator<T[]> {
  if (top === null) return;
  let after = 0;
  while (after < top) {
    // A dropped download ends in an error, never in a file that looks whole but stops early.
    o.signal?.throwIfAborted();
    const upTo = Math.min(after + o.window, top);
    const rows = await fetch(after, upTo, o.size);
    o.onBatch?.(rows.length);
    if (rows.length) yield rows;
    after = rows.length === o.size ? rows[rows.length - 1].id : upTo;
  }
}

/**
 * A batch's village filter kept off the table's (village_id, …) index: through it SQLite would read
 * all of the village's rows and sort them for every batch; the primary key's id range is the read
 * that stays bounded. (A unary plus: the same value, which no index serves, on both engines.)
 */
const unindexed = (column: "h.village_id" | "c.village_id") => sql<number>`+${sql.ref(column)}`;

/** A batch query as the keyset reads it. */
const run = <T>(batch: (after: number, upTo: number, limit: number) => { execute: () => Promise<T[]> }) => (after: number, upTo: number, limit: number) => batch(after, upTo, limit).execute();

async function topId(table: "ledger_entries" | "households" | "claims" | "orders" | "stores"): Promise<number | null> {
  const row = await db().selectFrom(table).select("id").orderBy("id", "desc").limit(1).executeTakeFirst();
  return row ? Number(row.id) : null;
}

const num = (v: unknown): number => Number(v ?? 0);
const villageCol: Column = { header: "村", type: "text", width: 12 };
const withVillage = (scope: Scope, columns: Column[]): Column[] => (scope.villageColumn ? [villageCol, ...columns] : columns);
const rowOf = (scope: Scope, village: string, cells: Row): Row => (scope.villageColumn ? [village, ...cells] : cells);

const TXN_KINDS: Record<TxnKind, string> = { award: "奖励", deduction: "扣分", redemption: "兑换", reversal: "冲正", adjustment: "调整", expiry: "过期" };
const ACCOUNT_KINDS = { household: "住户", issuance: "村积分发放", store: "超市" } as const;
const ORDER_STATES: Record<OrderStatus, string> = { ...ORDER_STATE_WORDS, replaced: "已换新码" };
const CHANNELS = { phone: "手机扫码", counter: "柜台" } as const;
const OBJECTION_STATES = { open: "待处理", upheld: "异议成立", dismissed: "异议不成立" } as const;

/** Where a transaction came from, as a reader finds it in the app. */
function causeText(kind: string | null, id: number | null): string {
  if (!kind) return "";
  if (kind === "claim") return `申报 #${id}`;
  if (kind === "order") return `兑换单 ${receiptNo(Number(id))}`;
  if (kind === "campaign") return `评选 #${id}`;
  if (kind === "round") return `卫生评比 #${id}`;
  if (kind === "appeal") return `申诉 #${id}`;
  if (kind === "expiry") return "积分过期";
  if (kind === "demo") return "演示数据";
  return id === null ? kind : `${kind} #${id}`;
}

const category = (c: string | null) => (c ? (RULE_CATEGORIES[c as RuleCategory] ?? c) : "");

// ---- 积分流水: every entry of the village's accounts ----------------------------------------------------

function ledger(scope: Scope, range: ExportRange, o: BatchOptions): Source {
  const columns = withVillage(scope, [
    { header: "流水号", type: "int", width: 9 },
    { header: "交易号", type: "int", width: 9 },
    { header: "记账时间", type: "time", width: 20 },
    { header: "类型", type: "text", width: 6 },
    { header: "账户", type: "text", width: 10 },
    { header: "户号", type: "text", width: 8 },
    { header: "户主", type: "text", width: 10 },
    { header: "超市", type: "text", width: 12 },
    { header: "成员", type: "text", width: 10 },
    { header: "积分变动", type: "int", width: 9 },
    { header: "计入年度累计", type: "int", width: 12 },
    { header: "积分细则", type: "text", width: 16 },
    { header: "类别", type: "text", width: 9 },
    { header: "来源", type: "text", width: 16 },
    { header: "说明", type: "text", width: 30 },
    { header: "经办人", type: "text", width: 10 },
    { header: "经办人身份", type: "text", width: 12 },
    { header: "冲正的交易号", type: "int", width: 12 },
  ]);
  const batch = (after: number, upTo: number, limit: number) =>
    db()
      .selectFrom("ledger_entries as e")
      .innerJoin("ledger_transactions as t", "t.id", "e.txn_id")
      .innerJoin("accounts as a", "a.id", "e.account_id")
      .innerJoin("villages as v", "v.id", "a.village_id")
      .leftJoin("households as h", "h.id", "a.household_id")
      .leftJoin("stores as s", "s.id", "a.store_id")
      .leftJoin("members as m", "m.id", "t.member_id")
      .leftJoin("rules as r", "r.id", "t.rule_id")
      .leftJoin("users as u", "u.id", "t.actor_user_id")
      .select((eb) => [
        "e.id", "t.id as txn_id", "e.created_at", "t.kind", "a.kind as account_kind", "v.name as village", "h.number", "s.name as store",
        "m.name as member", "e.amount", "e.score_delta", "r.name as rule", "r.category", "t.cause_kind", "t.cause_id", "t.memo",
        "u.display_name as actor", "t.actor_role", "t.reverses_id",
        // A store's or the issuance account's entry has no household: null there.
        headNameOf(eb.ref("h.id").$notNull()).as("head"),
      ])
      .where("e.id", ">", after)
      .where("e.id", "<=", upTo)
      .where("e.created_at", ">=", range.start)
      .where("e.created_at", "<", range.until)
      .$if(scope.villageId !== null, (q) => q.where("a.village_id", "=", scope.villageId!))
      .orderBy("e.id")
      .limit(limit);
  return {
    sheet: KIND_LABELS.ledger,
    columns,
    batch,
    async *batches() {
      for await (const rows of keyset(await topId("ledger_entries"), run(batch), o)) {
        yield rows.map((r) =>
          rowOf(scope, r.village, [
            r.id, r.txn_id, r.created_at, TXN_KINDS[r.kind] ?? r.kind, ACCOUNT_KINDS[r.account_kind] ?? r.account_kind, r.number, r.head,
            r.store, r.member, num(r.amount), num(r.score_delta), r.rule, category(r.category), causeText(r.cause_kind, r.cause_id), r.memo,
            r.actor ?? (r.actor_role === "system" ? "系统" : null), roleLabel(r.actor_role), r.reverses_id,
          ]),
        );
      }
    },
  };
}

// ---- 住户积分: each household's points before, during and at the end of the range -------------------------

function households(scope: Scope, range: ExportRange, o: BatchOptions): Source {
  const year = chinaYear(range.until - 1);
  const yearStart = chinaMonthStart(`${year}-01`);
  const columns = withVillage(scope, [
    { header: "户号", type: "text", width: 8 },
    { header: "网格", type: "text", width: 10 },
    { header: "户主", type: "text", width: 10 },
    { header: "门牌地址", type: "text", width: 20 },
    { header: "在册人数", type: "int", width: 9 },
    { header: "期初积分", type: "int", width: 9 },
    { header: "期间获得", type: "int", width: 9 },
    { header: "期间减少", type: "int", width: 9 },
    { header: "期末积分", type: "int", width: 9 },
    { header: `${year}年累计积分`, type: "int", width: 14 },
    { header: "当前可用积分", type: "int", width: 12 },
  ]);
  const batch = (after: number, upTo: number, limit: number) =>
    db()
      .selectFrom("households as h")
      .innerJoin("villages as v", "v.id", "h.village_id")
      .leftJoin("grids as g", "g.id", "h.grid_id")
      .leftJoin("accounts as a", "a.household_id", "h.id")
      .select((eb) => [
        "h.id", "v.name as village", "h.number", "g.name as grid", "h.address", "a.id as account_id", "a.balance",
        headNameOf(eb.ref("h.id")).as("head"),
        eb.selectFrom("members as m").select((c) => c.fn.countAll<number>().as("n")).whereRef("m.household_id", "=", "h.id").where("m.active", "=", constant(1)).as("members"),
      ])
      .where("h.id", ">", after)
      .where("h.id", "<=", upTo)
      .$if(scope.villageId !== null, (q) => q.where(unindexed("h.village_id"), "=", scope.villageId!))
      .orderBy("h.id")
      .limit(limit);
  // The batch's accounts only; both read the (account, time, id, amount) index.
  const sums = async (accounts: number[]) => {
    const out = new Map<number, { opening: number; gained: number; lost: number; score: number }>();
    if (accounts.length === 0) return out;
    const moves = await db()
      .selectFrom("ledger_entries as e")
      .select((eb) => [
        "e.account_id",
        eb.fn.sum<number>(eb.case().when("e.created_at", "<", range.start).then(eb.ref("e.amount")).else(0).end()).as("opening"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("e.created_at", ">=", range.start), eb("e.amount", ">", 0)])).then(eb.ref("e.amount")).else(0).end()).as("gained"),
        eb.fn.sum<number>(eb.case().when(eb.and([eb("e.created_at", ">=", range.start), eb("e.amount", "<", 0)])).then(eb.ref("e.amount")).else(0).end()).as("lost"),
      ])
      .where("e.account_id", "in", accounts)
      .where("e.created_at", "<", range.until)
      .groupBy("e.account_id")
      .execute();
    for (const m of moves) out.set(Number(m.account_id), { opening: num(m.opening), gained: num(m.gained), lost: -num(m.lost), score: 0 });
    const scores = await db()
      .selectFrom("ledger_entries as e")
      .select((eb) => ["e.account_id", eb.fn.sum<number>("e.score_delta").as("score")])
      .where("e.account_id", "in", accounts)
      .where("e.created_at", ">=", yearStart)
      .where("e.created_at", "<", range.until)
      .where("e.score_year", "=", year)
      .groupBy("e.account_id")
      .execute();
    for (const s of scores) {
      const row = out.get(Number(s.account_id));
      if (row) row.score = num(s.score);
    }
    return out;
  };
  return {
    sheet: KIND_LABELS.households,
    columns,
    batch,
    async *batches() {
      for await (const rows of keyset(await topId("households"), run(batch), o)) {
        const totals = await sums(rows.flatMap((r) => (r.account_id === null ? [] : [Number(r.account_id)])));
        yield rows.map((r) => {
          const t = (r.account_id === null ? undefined : totals.get(Number(r.account_id))) ?? { opening: 0, gained: 0, lost: 0, score: 0 };
          return rowOf(scope, r.village, [
            r.number, r.grid, r.head, r.address, num(r.members), t.opening, t.gained, t.lost, t.opening + t.gained - t.lost, t.score, num(r.balance),
          ]);
        });
      }
    },
  };
}

// ---- 积分申报: each claim filed in the range, with its review trail -----------------------------------------

function claims(scope: Scope, range: ExportRange, o: BatchOptions): Source {
  const columns = withVillage(scope, [
    { header: "申报编号", type: "int", width: 9 },
    { header: "申报时间", type: "time", width: 20 },
    { header: "发生日期", type: "day", width: 12 },
    { header: "户号", type: "text", width: 8 },
    { header: "成员", type: "text", width: 10 },
    { header: "积分细则", type: "text", width: 16 },
    { header: "类别", type: "text", width: 9 },
    { header: "数量", type: "int", width: 6 },
    { header: "积分", type: "int", width: 7 },
    { header: "申报说明", type: "text", width: 24 },
    { header: "状态", type: "text", width: 8 },
    { header: "提交人", type: "text", width: 10 },
    { header: "提交人身份", type: "text", width: 12 },
    { header: "审核通过", type: "text", width: 30 },
    { header: "决定人", type: "text", width: 10 },
    { header: "批准时间", type: "time", width: 20 },
    { header: "驳回或撤销理由", type: "text", width: 20 },
    { header: "公示截止", type: "time", width: 20 },
    { header: "异议数", type: "int", width: 7 },
    { header: "异议", type: "text", width: 36 },
    { header: "入账时间", type: "time", width: 20 },
    { header: "入账交易号", type: "int", width: 10 },
    { header: "冲正交易号", type: "int", width: 10 },
  ]);
  const batch = (after: number, upTo: number, limit: number) =>
    db()
      .selectFrom("claims as c")
      .innerJoin("villages as v", "v.id", "c.village_id")
      .innerJoin("households as h", "h.id", "c.household_id")
      .innerJoin("members as m", "m.id", "c.member_id")
      .innerJoin("rules as r", "r.id", "c.rule_id")
      .leftJoin("users as f", "f.id", "c.filer_user_id")
      .leftJoin("users as d", "d.id", "c.decided_by_user_id")
      .select([
        "c.id", "v.name as village", "c.created_at", "c.occurred_at", "h.number", "m.name as member", "r.name as rule", "r.category", "c.quantity",
        "c.points", "c.note", "c.status", "f.display_name as filer", "c.filer_role", "d.display_name as decider", "c.approved_at", "c.reason",
        "c.notice_until", "c.credited_at", "c.credit_txn_id", "c.revoke_txn_id",
      ])
      .where("c.id", ">", after)
      .where("c.id", "<=", upTo)
      .where("c.created_at", ">=", range.start)
      .where("c.created_at", "<", range.until)
      .$if(scope.villageId !== null, (q) => q.where(unindexed("c.village_id"), "=", scope.villageId!))
      .orderBy("c.id")
      .limit(limit);
  // The trail of the batch's claims, two queries per batch (both by claim id).
  const trail = async (ids: number[]) => {
    const approvals = await db()
      .selectFrom("claim_approvals as a")
      .innerJoin("users as u", "u.id", "a.user_id")
      .select(["a.claim_id", "u.display_name as name", "a.created_at"])
      .where("a.claim_id", "in", ids)
      .orderBy("a.id")
      .execute();
    const objections = await db()
      .selectFrom("objections as x")
      .innerJoin("users as u", "u.id", "x.objector_user_id")
      .leftJoin("users as r", "r.id", "x.resolved_by_user_id")
      .select(["x.claim_id", "u.display_name as objector", "x.reason", "x.status", "r.display_name as resolver", "x.resolution"])
      .where("x.claim_id", "in", ids)
      .orderBy("x.id")
      .execute();
    const byClaim = new Map<number, { approvals: string[]; objections: string[] }>();
    const of = (id: number) => byClaim.get(id) ?? byClaim.set(id, { approvals: [], objections: [] }).get(id)!;
    for (const a of approvals) of(Number(a.claim_id)).approvals.push(`${a.name}（${timeText(Number(a.created_at))}）`);
    for (const x of objections) {
      const outcome = x.status === "open" ? OBJECTION_STATES.open : `${OBJECTION_STATES[x.status]}${x.resolver ? `，${x.resolver}处理` : ""}${x.resolution ? `：${x.resolution}` : ""}`;
      of(Number(x.claim_id)).objections.push(`${x.objector}：${x.reason}（${outcome}）`);
    }
    return byClaim;
  };
  return {
    sheet: KIND_LABELS.claims,
    columns,
    batch,
    async *batches() {
      for await (const rows of keyset(await topId("claims"), run(batch), o)) {
        const trails = await trail(rows.map((r) => Number(r.id)));
        yield rows.map((r) => {
          const t = trails.get(Number(r.id));
          return rowOf(scope, r.village, [
            r.id, r.created_at, r.occurred_at, r.number, r.member, r.rule, category(r.category), num(r.quantity), num(r.points), r.note,
            CLAIM_STATUS_LABELS[r.status as ClaimStatus] ?? r.status, r.filer, roleLabel(r.filer_role), t?.approvals.join("；") ?? "", r.decider,
            r.approved_at, r.reason, r.notice_until, t?.objections.length ?? 0, t?.objections.join("；") ?? "", r.credited_at, r.credit_txn_id,
            r.revoke_txn_id,
          ]);
        });
      }
    },
  };
}

/** "2026-03-08 09:30" in China time, inside a text cell (approvals listed in one cell). */
function timeText(ms: number): string {
  const d = new Date(ms + 8 * 3600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

// ---- 兑换单: each order created in the range, with its goods -----------------------------------------------

function orders(scope: Scope, range: ExportRange, o: BatchOptions): Source {
  const columns = withVillage(scope, [
    { header: "兑换单号", type: "text", width: 12 },
    { header: "下单时间", type: "time", width: 20 },
    { header: "超市", type: "text", width: 12 },
    { header: "户号", type: "text", width: 8 },
    { header: "兑换人", type: "text", width: 10 },
    { header: "方式", type: "text", width: 9 },
    { header: "状态", type: "text", width: 8 },
    { header: "积分", type: "int", width: 7 },
    { header: "商品明细", type: "text", width: 36 },
    { header: "件数", type: "int", width: 6 },
    { header: "商品成本（元）", type: "yuan", width: 14 },
    { header: "核销人", type: "text", width: 10 },
    { header: "核销时间", type: "time", width: 20 },
    { header: "作废人", type: "text", width: 10 },
    { header: "作废时间", type: "time", width: 20 },
    { header: "作废原因", type: "text", width: 20 },
  ]);
  const batch = (after: number, upTo: number, limit: number) =>
    db()
      .selectFrom("orders as o")
      .innerJoin("villages as v", "v.id", "o.village_id")
      .innerJoin("stores as s", "s.id", "o.store_id")
      .innerJoin("households as h", "h.id", "o.household_id")
      .leftJoin("members as m", "m.id", "o.member_id")
      .leftJoin("users as cu", "cu.id", "o.confirmed_by")
      .leftJoin("users as vu", "vu.id", "o.voided_by")
      .select([
        "o.id", "v.name as village", "o.created_at", "s.name as store", "h.number", "m.name as member", "o.channel", "o.status", "o.total",
        "cu.display_name as confirmer", "o.closed_at", "vu.display_name as voider", "o.voided_at", "o.void_reason",
      ])
      .where("o.id", ">", after)
      .where("o.id", "<=", upTo)
      .where("o.created_at", ">=", range.start)
      .where("o.created_at", "<", range.until)
      .$if(scope.villageId !== null, (q) => q.where("o.village_id", "=", scope.villageId!))
      .orderBy("o.id")
      .limit(limit);
  const itemsOf = async (ids: number[]) => {
    const items = await db()
      .selectFrom("order_items")
      .select(["order_id", "name", "unit", "price", "cost_fen", "qty"])
      .where("order_id", "in", ids)
      .orderBy("id")
      .execute();
    const byOrder = new Map<number, { text: string[]; qty: number; cost: number }>();
    for (const i of items) {
      const line = byOrder.get(Number(i.order_id)) ?? byOrder.set(Number(i.order_id), { text: [], qty: 0, cost: 0 }).get(Number(i.order_id))!;
      line.text.push(`${i.name}×${i.qty}${i.unit}（${num(i.price) * num(i.qty)}分）`);
      line.qty += num(i.qty);
      line.cost += num(i.cost_fen) * num(i.qty);
    }
    return byOrder;
  };
  return {
    sheet: KIND_LABELS.orders,
    columns,
    batch,
    async *batches() {
      for await (const rows of keyset(await topId("orders"), run(batch), o)) {
        const items = await itemsOf(rows.map((r) => Number(r.id)));
        yield rows.map((r) => {
          const i = items.get(Number(r.id));
          // Only a handed-over order (confirmed, or voided after it) was 核销; others closed otherwise.
          const handed = r.status === "confirmed" || r.status === "voided";
          return rowOf(scope, r.village, [
            receiptNo(Number(r.id)), r.created_at, r.store, r.number, r.member, CHANNELS[r.channel] ?? r.channel, ORDER_STATES[r.status] ?? r.status,
            num(r.total), i?.text.join("；") ?? "", i?.qty ?? 0, i?.cost ?? 0, handed ? r.confirmer : null, handed ? r.closed_at : null, r.voider,
            r.voided_at, r.void_reason,
          ]);
        });
      }
    },
  };
}

// ---- 月度结算: per store and month of the range, what went out and whether it was settled ------------------

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

function settlements(scope: Scope, range: ExportRange, o: BatchOptions): Source {
  const columns = withVillage(scope, [
    { header: "月份", type: "text", width: 9 },
    { header: "超市", type: "text", width: 12 },
    { header: "兑换单数", type: "int", width: 9 },
    { header: "兑出件数", type: "int", width: 9 },
    { header: "兑出积分", type: "int", width: 9 },
    { header: "商品成本（元）", type: "yuan", width: 14 },
    { header: "结算状态", type: "text", width: 10 },
    { header: "结算时的积分", type: "int", width: 12 },
    { header: "结算时的成本（元）", type: "yuan", width: 18 },
    { header: "结算人", type: "text", width: 10 },
    { header: "结算时间", type: "time", width: 20 },
  ]);
  const months: string[] = [];
  for (let m = chinaMonth(range.start), last = chinaMonth(range.until - 1); m <= last; m = nextMonth(m)) months.push(m);
  const current = chinaMonth(now());
  // Stores a batch at a time (a batch: `size` store-months at most); each month's figures are one
  // aggregate over the store's confirmed orders (the orders_store_closed index), as the settlement page sums them.
  const perBatch = Math.max(1, Math.floor(o.size / Math.max(months.length, 1)));
  const batch = (after: number, upTo: number, limit: number) =>
    db()
      .selectFrom("stores as s")
      .innerJoin("villages as v", "v.id", "s.village_id")
      .select(["s.id", "s.name", "v.name as village"])
      .where("s.id", ">", after)
      .where("s.id", "<=", upTo)
      .$if(scope.villageId !== null, (q) => q.where("s.village_id", "=", scope.villageId!))
      .orderBy("s.id")
      .limit(limit);
  const monthOf = (storeId: number, month: string) =>
    db()
      .selectFrom("orders as o")
      .innerJoin("order_items as i", "i.order_id", "o.id")
      .select((eb) => [
        eb.fn.count<number>("o.id").distinct().as("orders"),
        eb.fn.sum<number>("i.qty").as("qty"),
        eb.fn.sum<number>(eb("i.qty", "*", eb.ref("i.price"))).as("points"),
        eb.fn.sum<number>(eb("i.qty", "*", eb.ref("i.cost_fen"))).as("cost_fen"),
      ])
      .where("o.store_id", "=", storeId)
      .where("o.status", "=", constant("confirmed"))
      .where("o.closed_at", ">=", chinaMonthStart(month))
      .where("o.closed_at", "<", chinaMonthStart(nextMonth(month)))
      .executeTakeFirstOrThrow();
  return {
    sheet: KIND_LABELS.settlements,
    columns,
    batch,
    async *batches() {
      for await (const stores of keyset(await topId("stores"), run(batch), { ...o, size: perBatch })) {
        const settled = await db()
          .selectFrom("settlements as x")
          .leftJoin("users as u", "u.id", "x.settled_by")
          .select(["x.store_id", "x.month", "x.points", "x.cost_fen", "x.settled_at", "u.display_name as by"])
          .where("x.store_id", "in", stores.map((s) => s.id))
          .where("x.month", ">=", months[0])
          .where("x.month", "<=", months[months.length - 1])
          .execute();
        const rows: Row[] = [];
        for (const s of stores) {
          for (const month of months) {
            const f = await monthOf(s.id, month);
            const x = settled.find((r) => r.store_id === s.id && r.month === month);
            const state = x ? "已结算" : month >= current ? "本月未结束" : "未结算";
            rows.push(rowOf(scope, s.village, [
              month, s.name, num(f.orders), num(f.qty), num(f.points), num(f.cost_fen), state, x ? num(x.points) : null, x ? num(x.cost_fen) : null,
              x?.by ?? null, x?.settled_at ?? null,
            ]));
          }
        }
        yield rows;
      }
    },
  };
}

const SOURCES: Record<ExportKind, (scope: Scope, range: ExportRange, o: BatchOptions) => Source> = { ledger, households, claims, orders, settlements };

export function sourceOf(kind: ExportKind, scope: Scope, range: ExportRange, o: BatchOptions = BATCH): Source {
  return SOURCES[kind](scope, range, o);
}
