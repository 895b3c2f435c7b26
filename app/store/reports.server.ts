// Day close (日结) for a keeper and the monthly settlement (结算) per store: what went out, for how
// many points, and what the goods cost in yuan, which the village pays the store.
import { z } from "zod";
import { fail, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
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

/**
 * Per good: units, points and cost of orders confirmed in [from, until) and not voided. One line per
 * good: an order keeps the name and unit of its day, so a renamed good shows one of its names
 * (max(), which both engines accept for a column that is not grouped by).
 */
function linesBetween(storeId: number, from: number, until: number) {
  return db()
    .selectFrom("orders as o")
    .innerJoin("order_items as i", "i.order_id", "o.id")
    .select((eb) => [
      "i.good_id",
      eb.fn.max("i.name").as("name"),
      eb.fn.max("i.unit").as("unit"),
      eb.fn.sum<number>("i.qty").as("qty"),
      eb.fn.sum<number>(eb("i.qty", "*", eb.ref("i.price"))).as("points"),
      eb.fn.sum<number>(eb("i.qty", "*", eb.ref("i.cost_fen"))).as("cost_fen"),
    ])
    .where("o.store_id", "=", storeId)
    .where("o.status", "=", constant("confirmed"))
    .where("o.closed_at", ">=", from)
    .where("o.closed_at", "<", until)
    .groupBy("i.good_id")
    .orderBy("points", "desc")
    .orderBy("i.good_id")
    .execute();
}

export type GoodLine = Awaited<ReturnType<typeof linesBetween>>[number];

/** The day's confirmed orders: how many, their points, how many at the counter. */
export function dayTotals(storeId: number, day: string) {
  const from = dayStart(day);
  const until = from + DAY_MS;
  return db()
    .selectFrom("orders")
    .select((eb) => [
      eb.fn.countAll<number>().as("orders"),
      eb.fn.coalesce(eb.fn.sum<number>("total"), eb.lit(0)).as("points"),
      eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("channel", "=", "counter").then(1).else(0).end()), eb.lit(0)).as("counter"),
    ])
    .where("store_id", "=", storeId)
    .where("status", "=", constant("confirmed"))
    .where("closed_at", ">=", from)
    .where("closed_at", "<", until)
    .executeTakeFirstOrThrow();
}

export async function dayReport(storeId: number, day: string) {
  const from = dayStart(day);
  const until = from + DAY_MS;
  const counts = await dayTotals(storeId, day);
  const voided = await db()
    .selectFrom("orders as o")
    .leftJoin("users as u", "u.id", "o.voided_by")
    .select(["o.id", "o.total", "o.void_reason", "o.voided_at", "u.display_name as by"])
    .where("o.store_id", "=", storeId)
    .where("o.status", "=", constant("voided"))
    .where("o.voided_at", ">=", from)
    .where("o.voided_at", "<", until)
    .orderBy("o.voided_at")
    .execute();
  // A voided order has its time and reason (the range above already leaves out a null time).
  const voids = voided.flatMap((v) => (v.voided_at === null ? [] : [{ ...v, voided_at: v.voided_at, void_reason: v.void_reason ?? "" }]));
  const closes = await db()
    .selectFrom("day_closes as d")
    .innerJoin("users as u", "u.id", "d.closed_by")
    .select(["d.closed_at", "u.display_name as by"])
    .where("d.store_id", "=", storeId)
    .where("d.day", "=", day)
    .orderBy("d.id", "desc")
    .execute();
  const stock = (await storeGoods(storeId, false)).map((g) => ({ id: g.id, name: g.name, unit: g.unit, stock: g.stock, low: g.stock <= g.low_stock, active: g.active }));
  return { day, ...counts, items: await linesBetween(storeId, from, until), voids, stock, closes };
}

/** 日结: records the day's figures as the keeper saw them. Closing again later records a new row. */
export async function closeDay(actor: StaffActor & { villageId: number }, storeId: number, day: string): Promise<Outcome> {
  if (!isDay(day)) return fail("_form", "日期无效，请刷新页面后再试");
  if (day > chinaDay(now())) return fail("_form", "不能为还没到的日子日结");
  return unitOfWork(async () => {
    // Read inside the unit of work: the figures recorded are the ones no sale can slip between.
    const r = await dayReport(storeId, day);
    const summary = { orders: r.orders, points: r.points, voids: r.voids.length, items: r.items.map((i) => [i.name, i.qty]) };
    await db()
      .insertInto("day_closes")
      .values({ village_id: actor.villageId, store_id: storeId, day, closed_by: actor.userId, closed_at: now(), summary_json: JSON.stringify(summary) })
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "store.day_close", targetType: "store", targetId: storeId, after: { day, ...summary } });
    return { ok: true };
  });
}

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

export async function monthReport(storeId: number, month: string) {
  const lines = await linesBetween(storeId, chinaMonthStart(month), chinaMonthStart(nextMonth(month)));
  const settled = await db()
    .selectFrom("settlements as s")
    .innerJoin("users as u", "u.id", "s.settled_by")
    .select(["s.points", "s.cost_fen", "s.settled_at", "u.display_name as by"])
    .where("s.store_id", "=", storeId)
    .where("s.month", "=", month)
    .executeTakeFirst();
  const total = { qty: lines.reduce((n, l) => n + l.qty, 0), points: lines.reduce((n, l) => n + l.points, 0), cost_fen: lines.reduce((n, l) => n + l.cost_fen, 0) };
  return { month, lines, total, settled: settled ?? null, finished: month < chinaMonth(now()) };
}

/** The committee marks a finished month settled, with the totals it saw; once per store and month. */
export function settleMonth(actor: StaffActor & { villageId: number }, storeId: number, month: string): Promise<Outcome> {
  return unitOfWork(async (): Promise<Outcome> => {
    const store = await db().selectFrom("stores").select("id").where("id", "=", storeId).where("village_id", "=", actor.villageId).executeTakeFirst();
    if (!store) return fail("_form", "找不到这个超市", 404);
    const r = await monthReport(storeId, month);
    if (!r.finished) return fail("_form", "这个月还没过完，月底之后才能结算");
    if (r.settled) return fail("_form", "这个月已经结算过了");
    await db()
      .insertInto("settlements")
      .values({ village_id: actor.villageId, store_id: storeId, month, points: r.total.points, cost_fen: r.total.cost_fen, settled_by: actor.userId, settled_at: now() })
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "store.settle", targetType: "store", targetId: storeId, after: { month, points: r.total.points, cost_yuan: r.total.cost_fen / 100 } });
    return { ok: true };
  });
}

export { yuan };

/** CSV for Excel: UTF-8 with a BOM (so Chinese shows), CRLF lines, fields quoted where needed. */
export function settlementCsv(storeName: string, r: Awaited<ReturnType<typeof monthReport>>): string {
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
