// Day close (日结) for a keeper and the monthly settlement (结算) per store: what went out, for how
// many points, and what the goods cost in yuan, which the village pays the store.
import { z } from "zod";
import { fail, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { storeGoods } from "./goods.server";
import { chinaDay } from "./order-void.server";
import { yuan } from "./format";

const DAY_MS = 24 * 3600_000;

export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00+08:00`);
}

/** A real calendar day "YYYY-MM-DD" (Date.parse rolls 2026-02-31 over to March 3 instead of refusing it). */
export function isDay(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(dayStart(s)) && chinaDay(dayStart(s)) === s;
}

export const dayQuerySchema = z
  .string()
  .nullish()
  .transform((s) => (s && isDay(s) ? s : chinaDay(now())));

export const monthQuerySchema = z
  .string()
  .nullish()
  .transform((s) => (s && /^\d{4}-(0[1-9]|1[0-2])$/.test(s) ? s : chinaMonth(now())));

export const settleSchema = z.object({
  month: z.string({ error: "请求有误，请刷新页面后再试" }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, "请求有误，请刷新页面后再试"),
  storeId: z.string({ error: "请求有误，请刷新页面后再试" }).regex(/^\d{1,12}$/, "请求有误，请刷新页面后再试").transform(Number),
});

export interface GoodLine {
  good_id: number;
  name: string;
  unit: string;
  qty: number;
  points: number;
  cost_fen: number;
}

/** Per good: units, points and cost of orders confirmed in [from, until) and not voided. */
function linesBetween(storeId: number, from: number, until: number): GoodLine[] {
  return stmt(
    `select i.good_id, i.name, i.unit, sum(i.qty) as qty, sum(i.qty * i.price) as points, sum(i.qty * i.cost_fen) as cost_fen
     from orders o join order_items i on i.order_id = o.id
     where o.store_id = ? and o.status = 'confirmed' and o.closed_at >= ? and o.closed_at < ?
     group by i.good_id order by points desc, i.good_id`,
  ).all(storeId, from, until) as GoodLine[];
}

export function dayReport(storeId: number, day: string) {
  const from = dayStart(day);
  const until = from + DAY_MS;
  const counts = stmt(
    `select count(*) as orders, coalesce(sum(total), 0) as points,
       coalesce(sum(channel = 'counter'), 0) as counter
     from orders where store_id = ? and status = 'confirmed' and closed_at >= ? and closed_at < ?`,
  ).get(storeId, from, until) as { orders: number; points: number; counter: number };
  const voids = stmt(
    `select o.id, o.total, o.void_reason, o.voided_at, u.display_name as by from orders o left join users u on u.id = o.voided_by
     where o.store_id = ? and o.status = 'voided' and o.voided_at >= ? and o.voided_at < ? order by o.voided_at`,
  ).all(storeId, from, until) as { id: number; total: number; void_reason: string; voided_at: number; by: string | null }[];
  const closes = stmt(
    `select d.closed_at, u.display_name as by from day_closes d join users u on u.id = d.closed_by where d.store_id = ? and d.day = ? order by d.id desc`,
  ).all(storeId, day) as { closed_at: number; by: string }[];
  const stock = storeGoods(storeId, false).map((g) => ({ id: g.id, name: g.name, unit: g.unit, stock: g.stock, low: g.stock <= g.low_stock, active: g.active }));
  return { day, ...counts, items: linesBetween(storeId, from, until), voids, stock, closes };
}

/** 日结: records the day's figures as the keeper saw them. Closing again later records a new row. */
export function closeDay(actor: StaffActor & { villageId: number }, storeId: number, day: string): Outcome {
  if (!isDay(day)) return fail("_form", "日期无效，请刷新页面后再试");
  if (day > chinaDay(now())) return fail("_form", "不能为还没到的日子日结");
  const r = dayReport(storeId, day);
  transact(() => {
    const summary = { orders: r.orders, points: r.points, voids: r.voids.length, items: r.items.map((i) => [i.name, i.qty]) };
    stmt("insert into day_closes (village_id, store_id, day, closed_by, closed_at, summary_json) values (?, ?, ?, ?, ?, ?)").run(
      actor.villageId, storeId, day, actor.userId, now(), JSON.stringify(summary),
    );
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "store.day_close", targetType: "store", targetId: storeId, after: { day, ...summary } });
  });
  return { ok: true };
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

export function monthReport(storeId: number, month: string) {
  const lines = linesBetween(storeId, chinaMonthStart(month), chinaMonthStart(nextMonth(month)));
  const settled = stmt(
    `select s.points, s.cost_fen, s.settled_at, u.display_name as by from settlements s join users u on u.id = s.settled_by where s.store_id = ? and s.month = ?`,
  ).get(storeId, month) as { points: number; cost_fen: number; settled_at: number; by: string } | undefined;
  const total = { qty: lines.reduce((n, l) => n + l.qty, 0), points: lines.reduce((n, l) => n + l.points, 0), cost_fen: lines.reduce((n, l) => n + l.cost_fen, 0) };
  return { month, lines, total, settled: settled ?? null, finished: month < chinaMonth(now()) };
}

/** The committee marks a finished month settled, with the totals it saw; once per store and month. */
export function settleMonth(actor: StaffActor & { villageId: number }, storeId: number, month: string): Outcome {
  if (!stmt("select 1 from stores where id = ? and village_id = ?").get(storeId, actor.villageId)) return fail("_form", "找不到这个超市", 404);
  const r = monthReport(storeId, month);
  if (!r.finished) return fail("_form", "这个月还没过完，月底之后才能结算");
  if (r.settled) return fail("_form", "这个月已经结算过了");
  transact(() => {
    stmt("insert into settlements (village_id, store_id, month, points, cost_fen, settled_by, settled_at) values (?, ?, ?, ?, ?, ?, ?)").run(
      actor.villageId, storeId, month, r.total.points, r.total.cost_fen, actor.userId, now(),
    );
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "store.settle", targetType: "store", targetId: storeId, after: { month, points: r.total.points, cost_yuan: r.total.cost_fen / 100 } });
  });
  return { ok: true };
}

export { yuan };

/** CSV for Excel: UTF-8 with a BOM (so Chinese shows), CRLF lines, fields quoted where needed. */
export function settlementCsv(storeName: string, r: ReturnType<typeof monthReport>): string {
  const q = (v: string | number) => {
    const s = String(v);
    // A leading =, +, - or @ would be run as a formula by Excel.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const rows: (string | number)[][] = [
    ["超市", "月份", "商品", "单位", "数量", "积分", "成本（元）"],
    ...r.lines.map((l) => [storeName, r.month, l.name, l.unit, l.qty, l.points, yuan(l.cost_fen)]),
    [storeName, r.month, "合计", "", r.total.qty, r.total.points, yuan(r.total.cost_fen)],
    ["结算状态", r.settled ? `已结算（${r.settled.by}）` : "未结算", "", "", "", "", ""],
  ];
  return "\uFEFF" + rows.map((row) => row.map(q).join(",")).join("\r\n") + "\r\n";
}
