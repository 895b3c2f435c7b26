// Checkout, the hot path: a villager's pending order with a hold and a one-time code, the keeper's
// lookup by QR or typed code, and the confirm that turns the hold into a debit, takes the goods out
// of stock and closes the order in ONE unit of work. Counter checkout (PIN) is in
// store/counter.server.ts and shares the order and stock helpers here.
import crypto from "node:crypto";
import { audit } from "~/audit/audit.server";
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { codeBlockedMessage, codeBlockedMs, countCodeMiss } from "./code-guard.server";
import { constant, db, lockVillageStore, unitOfWork, type UnitOptions } from "~/platform/database.server";
import { convertHoldForReceipt, householdBalance, LedgerError, openStoreAccount, placeHold, releaseHold, type Actor } from "~/ledger/ledger.server";
import type { Role } from "~/platform/roles";
import { heldByHousehold, heldQuery, moveStock, StockShortError } from "./stock.server";
import { receiptNo } from "./format";
import { notifyHousehold } from "~/notifications/notify.server";
import { orderConfirmed } from "~/notifications/notices";
import { NUMBER_LIMITS } from "./labels";
import { normalizeDigits } from "~/platform/validation.server";
import type { Order, OrderStatus } from "../../db/schema";

export const ORDER_TTL_MS = 10 * 60_000;
export const MAX_LINE_QTY = NUMBER_LIMITS.lineQty[1];
const ORDER_QR_PREFIX = "JFDH:";
export const CARD_QR_PREFIX = "JFHK:";

/** A refusal the user reads; thrown inside a unit of work to roll it back, caught at the edge. */
export class CheckoutError extends Error {
  constructor(
    readonly code:
      | "used" | "expired" | "cancelled" | "replaced" | "voided" | "foreign" | "other_store" | "malformed" | "not_found"
      | "throttled" | "stock" | "limit" | "balance" | "inactive" | "member" | "empty" | "locked" | "pin" | "no_pin" | "void_rule",
    message: string,
    readonly field = "_form",
  ) {
    super(message);
  }
}

export type Result<T> = ({ ok: true } & T) | { ok: false; code: CheckoutError["code"]; field: string; message: string };

async function attempt<T extends object>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, ...(await fn()) };
  } catch (e) {
    return refused(e);
  }
}

/** A refusal the user reads, from the error that rolled the write back; anything else is a bug and rethrown. */
function refused(e: unknown): { ok: false; code: CheckoutError["code"]; field: string; message: string } {
  if (e instanceof CheckoutError) return { ok: false, code: e.code, field: e.field, message: e.message };
  if (e instanceof StockShortError) return { ok: false, code: "stock", field: `qty.${e.goodId}`, message: e.message };
  if (e instanceof LedgerError && e.code === "insufficient") return { ok: false, code: "balance", field: "_form", message: e.message };
  // The hold expired between the order's own expiry check and the conversion (the same millisecond).
  if (e instanceof LedgerError && e.code === "hold_settled") return { ok: false, code: "expired", field: "_form", message: EXPIRED };
  throw e;
}

const EXPIRED = "兑换码已过期（有效 10 分钟），请村民在手机上点“换一个新码”";

// ---- the cart --------------------------------------------------------------------------------------

export interface CartLine {
  goodId: number;
  qty: number;
}

/** Reads `qty.<goodId>` fields. Empty or 0 means not wanted; anything else must be 1..99. */
export function parseCart(form: Record<string, string>): { lines: CartLine[]; errors: Record<string, string> } {
  const lines: CartLine[] = [];
  const errors: Record<string, string> = {};
  for (const [key, raw] of Object.entries(form)) {
    const m = /^qty\.(\d{1,12})$/.exec(key);
    if (!m) continue;
    const v = normalizeDigits(raw);
    if (v === "" || /^0+$/.test(v)) continue;
    if (!/^\d{1,2}$/.test(v)) {
      errors[key] = `数量应为 0 到 ${MAX_LINE_QTY} 的整数`;
      continue;
    }
    lines.push({ goodId: Number(m[1]), qty: Number(v) });
  }
  if (lines.length > 50) errors._form = "一次最多兑换 50 种商品";
  return { lines, errors };
}

/**
 * The household's orders that count against a monthly limit: confirmed this China month (a code
 * made before midnight and confirmed after counts in the month it was handed over), and pending
 * orders still alive. Starts from the household's few orders (orders_household).
 */
function takenThisMonth(householdId: number, at: number) {
  const from = chinaMonthStart(chinaMonth(at));
  return db()
    .selectFrom("orders as o")
    .innerJoin("order_items as i", "i.order_id", "o.id")
    .where("o.household_id", "=", householdId)
    .where((eb) =>
      eb.or([
        eb.and([eb("o.status", "=", constant("confirmed")), eb("o.closed_at", ">=", from)]),
        eb.and([eb("o.status", "=", constant("pending")), eb("o.expires_at", ">", at)]),
      ]),
    );
}

/**
 * Units of one good the household took this month (the query, for the plan test). `i.good_id + 0`:
 * start from the household's few orders, not from every sale of the good in the village (SQLite's
 * planner otherwise picks order_items_good, which grows with the store's age).
 */
export function monthTakenQuery(householdId: number, goodId: number, at: number) {
  return takenThisMonth(householdId, at)
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("i.qty"), eb.lit(0)).as("n"))
    .where((eb) => eb(eb("i.good_id", "+", eb.lit(0)), "=", goodId));
}

async function monthTaken(householdId: number, goodId: number, at: number): Promise<number> {
  return (await monthTakenQuery(householdId, goodId, at).executeTakeFirstOrThrow()).n;
}

/** Units of every good the household took this month, in one statement (the storefront's limits). */
export async function monthTakenByGood(householdId: number, at = now()): Promise<Map<number, number>> {
  const rows = await takenThisMonth(householdId, at)
    .select((eb) => ["i.good_id", eb.fn.sum<number>("i.qty").as("n")])
    .groupBy("i.good_id")
    .execute();
  return new Map(rows.map((r) => [r.good_id, r.n]));
}

function cartGoods(goodIds: number[]) {
  return db()
    .selectFrom("goods")
    .select(["id", "village_id", "store_id", "name", "unit", "price", "cost_fen", "monthly_limit", "stock", "active"])
    .where("id", "in", goodIds)
    .execute();
}

type CartGood = Awaited<ReturnType<typeof cartGoods>>[number];

interface PricedLine extends CartLine {
  good: CartGood;
}

/** Checks every line against the store's goods, the stock not held by live codes, and the household's monthly limits. */
async function priceCart(villageId: number, storeId: number, householdId: number, lines: CartLine[]): Promise<{ priced: PricedLine[]; total: number }> {
  if (lines.length === 0) throw new CheckoutError("empty", "请至少选一件商品");
  const goods = new Map((await cartGoods([...new Set(lines.map((l) => l.goodId))])).map((g) => [g.id, g]));
  const at = now();
  const priced: PricedLine[] = [];
  let total = 0;
  // Two lines may name one good ("qty.5" and "qty.05"): stock and the monthly limit count them together.
  const earlier = new Map<number, number>();
  for (const line of lines) {
    const good = goods.get(line.goodId);
    const field = `qty.${line.goodId}`;
    if (!good || good.village_id !== villageId || good.store_id !== storeId) throw new CheckoutError("inactive", "商品不存在，请刷新页面后再选", "_form");
    if (!good.active) throw new CheckoutError("inactive", `${good.name}已下架`, field);
    const before = earlier.get(good.id) ?? 0;
    earlier.set(good.id, before + line.qty);
    // Live pending codes hold their goods: only what they leave may be promised or sold. The check and
    // the insert that follows run in one unit of work (SQLite's single writer serialises every create
    // and sale); on PostgreSQL this read will need a row lock on the good first
    // (select … from goods where id = ? for update), or two codes could both take the last units.
    const held = (await heldQuery(good.store_id, good.id, at).executeTakeFirstOrThrow()).n;
    if (good.stock - held < before + line.qty) {
      const own = held ? await heldByHousehold(good.store_id, good.id, householdId, at) : 0;
      throw new StockShortError(good.id, good.name, good.stock, { held, own, unit: good.unit });
    }
    if (good.monthly_limit !== null) {
      const left = good.monthly_limit - (await monthTaken(householdId, good.id, at)) - before;
      if (line.qty > left) {
        throw new CheckoutError("limit", left > 0 ? `${good.name}每户每月限兑 ${good.monthly_limit}${good.unit}，本月还能兑 ${left}${good.unit}` : `${good.name}本月已兑满（每户每月限 ${good.monthly_limit}${good.unit}）`, field);
      }
    }
    total += good.price * line.qty;
    priced.push({ ...line, good });
  }
  return { priced, total };
}

async function insertItems(orderId: number, villageId: number, priced: PricedLine[]): Promise<void> {
  await db()
    .insertInto("order_items")
    .values(priced.map((l) => ({ order_id: orderId, village_id: villageId, good_id: l.good.id, name: l.good.name, unit: l.good.unit, price: l.good.price, cost_fen: l.good.cost_fen, qty: l.qty })))
    .execute();
}

/**
 * What every checkout reads first, in one statement: the household's village, an order already made
 * under the same idempotency key, whether the store is open in that village, and whether the member
 * may spend the household's points (null: not an active member of the household).
 */
function checkoutHead(householdId: number, idemKey: string, storeId: number, memberId: number | null) {
  return db()
    .selectFrom("households as h")
    .select((eb) => [
      "h.village_id",
      eb.selectFrom("orders").select("id").where("idem_key", "=", idemKey).as("existing"),
      eb.selectFrom("stores as s").select("s.id").where("s.id", "=", storeId).whereRef("s.village_id", "=", "h.village_id").where("s.active", "=", constant(1)).as("open_store"),
      eb
        .selectFrom("members as m")
        .select("m.can_redeem")
        .where("m.id", "=", memberId ?? 0)
        .whereRef("m.household_id", "=", "h.id")
        .where("m.active", "=", eb.lit(1))
        .as("can_redeem"),
    ])
    .where("h.id", "=", householdId)
    .executeTakeFirstOrThrow();
}

/** A member may spend the household's points only when the head allows it. */
function assertSpender(memberId: number | null, canRedeem: number | null): void {
  if (memberId === null) return;
  if (canRedeem === null) throw new CheckoutError("member", "请选择本户在册的成员", "memberId");
  if (!canRedeem) throw new CheckoutError("member", "户主没有允许这位成员用全家的积分兑换", "memberId");
}

// ---- phone checkout: create, fresh code, cancel, expire ---------------------------------------------

async function newCode(): Promise<string> {
  // Unique among live orders (partial unique index); a clash with a live one just draws again.
  for (;;) {
    const code = String(crypto.randomInt(0, 100_000_000)).padStart(8, "0");
    const clash = await db().selectFrom("orders").select("id").where("code", "=", code).where("status", "=", constant("pending")).executeTakeFirst();
    if (!clash) return code;
  }
}

function memoOf(orderId: number, lines: { name: string; qty: number; unit: string }[]): string {
  const what = lines.map((l) => `${l.name}×${l.qty}`).join("、");
  return `积分超市兑换 ${receiptNo(orderId)}：${what.length > 120 ? `${what.slice(0, 118)}…` : what}`;
}

export { receiptNo };

export interface CreateOrderInput {
  householdId: number;
  memberId: number | null;
  userId: number;
  storeId: number;
  lines: CartLine[];
  /** A random value the page put in the form: a double tap or a replayed post creates one order. */
  nonce: string;
}

/** The pending order, its items and its hold; the member was checked by the caller. */
async function insertPending(input: CreateOrderInput, villageId: number, idemKey: string): Promise<number> {
  const { priced, total } = await priceCart(villageId, input.storeId, input.householdId, input.lines);
  const at = now();
  const { id: orderId } = await db()
    .insertInto("orders")
    .values({
      village_id: villageId, store_id: input.storeId, household_id: input.householdId, member_id: input.memberId, channel: "phone", status: "pending",
      code: await newCode(), token: crypto.randomBytes(16).toString("base64url"), total, idem_key: idemKey, created_by: input.userId,
      created_at: at, expires_at: at + ORDER_TTL_MS,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await insertItems(orderId, villageId, priced);
  const hold = await placeHold({
    householdId: input.householdId, amount: total, expiresAt: at + ORDER_TTL_MS, idemKey: `${idemKey}:hold`,
    actor: { userId: input.userId, role: "villager" }, cause: { kind: "order", id: orderId },
  });
  await db().updateTable("orders").set({ hold_id: hold.holdId }).where("id", "=", orderId).execute();
  return orderId;
}

/** Store writes serialise per village (see `perVillage` in the database module). */
const STORE: UnitOptions = { perVillage: true };

/** The village's store lock, for a household's order: a household never changes village. */
async function lockHouseholdVillage(householdId: number): Promise<void> {
  const h = await db().selectFrom("households").select("village_id").where("id", "=", householdId).executeTakeFirst();
  if (h) await lockVillageStore(h.village_id);
}

/** 生成兑换码: checks balance, stock and monthly limits, creates the pending order and its hold. */
export function createOrder(input: CreateOrderInput): Promise<Result<{ orderId: number; created: boolean }>> {
  const idemKey = `order:phone:${input.householdId}:${input.nonce}`;
  return attempt(() =>
    unitOfWork(async () => {
      await lockHouseholdVillage(input.householdId);
      const head = await checkoutHead(input.householdId, idemKey, input.storeId, input.memberId);
      if (head.existing !== null) return { orderId: head.existing, created: false };
      if (head.open_store === null) throw new CheckoutError("inactive", "这个超市不存在或已停业");
      assertSpender(input.memberId, head.can_redeem);
      return { orderId: await insertPending(input, head.village_id, idemKey), created: true };
    }, STORE),
  );
}

function orderRow(orderId: number) {
  return db().selectFrom("orders").selectAll().where("id", "=", orderId).executeTakeFirst();
}

/** Marks pending orders expired and releases their holds (inside a unit of work). */
async function expire(orders: Pick<Order, "id" | "hold_id">[]): Promise<void> {
  if (orders.length === 0) return;
  await db()
    .updateTable("orders")
    .set({ status: "expired", closed_at: now() })
    .where("id", "in", orders.map((o) => o.id))
    .where("status", "=", constant("pending"))
    .execute();
  for (const o of orders) if (o.hold_id) await releaseHold(o.hold_id);
}

/** Run by the scheduler every minute: an expired order shows as expired and its hold is released. */
export function expireOrders(): Promise<number> {
  return unitOfWork(async () => {
    const villages = await db()
      .selectFrom("orders")
      .select("village_id")
      .distinct()
      .where("status", "=", constant("pending"))
      .where("expires_at", "<=", now())
      .orderBy("village_id")
      .execute();
    for (const v of villages) await lockVillageStore(v.village_id); // in one order: two rounds never deadlock
    const due = await db()
      .selectFrom("orders")
      .select(["id", "hold_id"])
      .where("status", "=", constant("pending"))
      .where("expires_at", "<=", now())
      .limit(500)
      .execute();
    await expire(due);
    return due.length;
  }, STORE);
}

async function ownOrder(householdId: number, orderId: number): Promise<Order> {
  const o = await orderRow(orderId);
  if (!o || o.household_id !== householdId) throw new CheckoutError("not_found", "找不到这次兑换");
  return o;
}

/** 取消: releases the hold. Cancelling twice is fine; a confirmed order cannot be cancelled. */
export function cancelOrder(householdId: number, orderId: number): Promise<Result<{ status: OrderStatus }>> {
  return attempt(() =>
    unitOfWork(async () => {
      await lockHouseholdVillage(householdId);
      const o = await ownOrder(householdId, orderId);
      if (o.status === "cancelled" || o.status === "expired" || o.status === "replaced") return { status: o.status };
      if (o.status !== "pending") throw new CheckoutError("used", "店主已经核销，不能取消了");
      await db().updateTable("orders").set({ status: "cancelled", closed_at: now() }).where("id", "=", o.id).execute();
      if (o.hold_id) await releaseHold(o.hold_id);
      const status: OrderStatus = "cancelled";
      return { status };
    }, STORE),
  );
}

/** 换一个新码: the same cart as a new order with a new code; the old order is replaced and its hold released. */
export function refreshOrder(householdId: number, orderId: number, userId: number, memberId: number | null): Promise<Result<{ orderId: number }>> {
  return attempt(() =>
    unitOfWork(async () => {
      await lockHouseholdVillage(householdId);
      const o = await ownOrder(householdId, orderId);
      if (o.status === "replaced" && o.replaced_by) return { orderId: o.replaced_by };
      if (o.status === "confirmed" || o.status === "voided") throw new CheckoutError("used", "店主已经核销，不需要新码了");
      // A 换一个新码 post that arrives after 取消兑换 (a second tab, a slow network) must not revive the order.
      if (o.status === "cancelled") throw new CheckoutError("cancelled", "这次兑换已经取消了，请回超市重新选择商品");
      const lines = await db().selectFrom("order_items").select(["good_id as goodId", "qty"]).where("order_id", "=", o.id).execute();
      if (o.status === "pending") {
        await db().updateTable("orders").set({ status: "replaced", closed_at: now() }).where("id", "=", o.id).execute();
        if (o.hold_id) await releaseHold(o.hold_id);
      }
      const idemKey = `order:refresh:${o.id}`;
      assertSpender(memberId, (await checkoutHead(householdId, idemKey, o.store_id, memberId)).can_redeem);
      const fresh = await insertPending({ householdId, memberId, userId, storeId: o.store_id, lines, nonce: `refresh:${o.id}` }, o.village_id, idemKey);
      await db().updateTable("orders").set({ status: "replaced", replaced_by: fresh }).where("id", "=", o.id).execute();
      return { orderId: fresh };
    }, STORE),
  );
}

// ---- what both sides see ------------------------------------------------------------------------

export interface OrderView {
  id: number;
  no: string;
  villageId: number;
  storeId: number;
  store: string;
  channel: "phone" | "counter";
  status: OrderStatus;
  code: string | null;
  qrPayload: string | null;
  total: number;
  createdAt: number;
  expiresAt: number | null;
  closedAt: number | null;
  household: { id: number; number: string; head: string | null };
  member: string | null;
  keeper: string | null;
  items: { goodId: number; name: string; unit: string; price: number; qty: number }[];
  balanceAfter: number | null;
  voidReason: string | null;
  replacedBy: number | null;
}

// The order with the names a receipt shows and its items, in ONE statement (one row per item): each
// statement a request runs costs 10-20 µs under load.
function orderWithNames() {
  return db()
    .selectFrom("orders as o")
    .innerJoin("households as h", "h.id", "o.household_id")
    .innerJoin("stores as s", "s.id", "o.store_id")
    .leftJoin("members as hm", (j) => j.onRef("hm.household_id", "=", "h.id").on((eb) => eb.and([eb("hm.is_head", "=", eb.lit(1)), eb("hm.active", "=", eb.lit(1))])))
    .leftJoin("members as mm", "mm.id", "o.member_id")
    .leftJoin("users as ku", "ku.id", "o.confirmed_by")
    .leftJoin("order_items as i", "i.order_id", "o.id")
    .selectAll("o")
    .select([
      "h.number as hh_number", "hm.name as hh_head", "s.name as store_name", "mm.name as member_name", "ku.display_name as keeper_name",
      "i.good_id as item_good", "i.name as item_name", "i.unit as item_unit", "i.price as item_price", "i.qty as item_qty",
    ])
    .orderBy("i.id");
}

type Which = { id: number } | { token: string } | { code: string };

/** The order's row and what both sides see of it; by id, by QR token, or by 8-digit code (the latest order that had it). */
async function loadOrder(which: Which): Promise<{ row: Order; view: OrderView } | null> {
  const q = orderWithNames();
  const rows = await ("id" in which
    ? q.where("o.id", "=", which.id)
    : "token" in which
      ? q.where("o.token", "=", which.token)
      : q.where("o.id", "=", (eb) => eb.selectFrom("orders").select("id").where("code", "=", which.code).orderBy("id", "desc").limit(1))
  ).execute();
  const o = rows[0];
  if (!o) return null;
  const items = rows.flatMap((r) =>
    r.item_good === null ? [] : [{ goodId: r.item_good, name: r.item_name ?? "", unit: r.item_unit ?? "", price: r.item_price ?? 0, qty: r.item_qty ?? 0 }],
  );
  // A pending order past its expiry is expired already, whether or not the scheduler has run.
  const status: OrderStatus = o.status === "pending" && o.expires_at !== null && o.expires_at <= now() ? "expired" : o.status;
  const view: OrderView = {
    id: o.id, no: receiptNo(o.id), villageId: o.village_id, storeId: o.store_id, store: o.store_name, channel: o.channel, status,
    code: status === "pending" ? o.code : null, qrPayload: status === "pending" && o.token ? ORDER_QR_PREFIX + o.token : null,
    total: o.total, createdAt: o.created_at, expiresAt: o.expires_at, closedAt: o.closed_at,
    household: { id: o.household_id, number: o.hh_number, head: o.hh_head }, member: o.member_name,
    keeper: o.keeper_name, items, balanceAfter: o.balance_after, voidReason: o.void_reason, replacedBy: o.replaced_by,
  };
  return { row: o, view };
}

export async function orderView(orderId: number): Promise<OrderView | null> {
  return (await loadOrder({ id: orderId }))?.view ?? null;
}

/** The household's own order, or null (another household's order is not shown). */
export async function householdOrder(householdId: number, orderId: number): Promise<OrderView | null> {
  const v = await orderView(orderId);
  return v && v.household.id === householdId ? v : null;
}

// ---- the keeper: lookup and confirm ---------------------------------------------------------------

export interface Keeper {
  userId: number;
  role: Role;
  villageId: number;
  /** Stores this keeper works at. */
  storeIds: number[];
}

export type Scanned = { kind: "order"; order: OrderView } | { kind: "card"; householdId: number };

/** Why an order's code can no longer be used, in the words the keeper reads. */
function refusal(v: OrderView): CheckoutError | null {
  switch (v.status) {
    case "pending":
      return null;
    case "confirmed":
    case "voided":
      return new CheckoutError("used", `这个兑换码已经用过了（${v.no} 已核销），不能再次兑换`);
    case "expired":
      return new CheckoutError("expired", EXPIRED);
    case "cancelled":
      return new CheckoutError("cancelled", "村民已取消这次兑换，请让村民重新生成兑换码");
    case "replaced":
      return new CheckoutError("replaced", "这个码已被新码替换，请扫描村民手机上最新的兑换码");
  }
}

/**
 * 扫码 or typed code: an 8-digit code, an order QR payload, or a household card (counter checkout).
 * Refusals are distinct: malformed, not found, other village, used, expired, cancelled, replaced.
 * Wrong codes count against the keeper's limit (store/code-guard.server.ts): one unit of work checks
 * the limit, reads the code and counts a miss, and commits before the refusal is answered.
 */
export function lookupOrderByCode(keeper: Keeper, raw: string, _opts: { typed: boolean } = { typed: true }): Promise<Result<{ scanned: Scanned }>> {
  return attempt(async () => {
    const out = await unitOfWork(async () => {
      // A refusal is returned, not thrown, so the miss counted with it is committed, not rolled back.
      try {
        return { scanned: await lookupInUnit(keeper, raw) };
      } catch (e) {
        if (e instanceof CheckoutError) return { refusal: e };
        throw e;
      }
    });
    if ("refusal" in out) throw out.refusal;
    return out;
  });
}

/** Throws the throttled refusal when the keeper has used up the wrong codes of the window. */
async function assertNotBlocked(keeper: Keeper, field: string): Promise<void> {
  const wait = await codeBlockedMs(keeper.userId);
  if (wait > 0) throw new CheckoutError("throttled", codeBlockedMessage(wait), field);
}

async function lookupInUnit(keeper: Keeper, raw: string): Promise<Scanned> {
  const text = raw.trim();
  const digits = normalizeDigits(text);
  let found: { view: OrderView } | null;
  let typed = false;
  if (text.startsWith(CARD_QR_PREFIX)) {
    // A household card identifies and never authorises (the counter asks for the PIN): not a code, not counted.
    const m = /^JFHK:(\d{1,12})$/.exec(text);
    const h = m ? await db().selectFrom("households").select(["id", "village_id"]).where("id", "=", Number(m[1])).executeTakeFirst() : undefined;
    if (!h) throw new CheckoutError("malformed", "无法识别这张户卡，请输入户号", "code");
    if (h.village_id !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的户卡，本店不能使用", "code");
    return { kind: "card", householdId: h.id };
  }
  if (/^\d{8}$/.test(digits)) {
    // 8 digits are always typed by someone (a scanned order QR carries the long token), whatever the form says.
    await assertNotBlocked(keeper, "code");
    found = await loadOrder({ code: digits });
    if (!found) {
      await countCodeMiss(keeper.userId);
      throw new CheckoutError("not_found", "没有这个兑换码，请核对 8 位数字", "code");
    }
    typed = true;
  } else if (text.startsWith(ORDER_QR_PREFIX) && /^JFDH:[A-Za-z0-9_-]{22}$/.test(text)) {
    await assertNotBlocked(keeper, "code");
    found = await loadOrder({ token: text.slice(ORDER_QR_PREFIX.length) });
    if (!found) {
      // A well-formed token that names no order is forged or guessed: it counts like a wrong typed code.
      await countCodeMiss(keeper.userId);
      throw new CheckoutError("not_found", "兑换码无效，请让村民重新生成", "code");
    }
  } else if (/^\d+$/.test(digits)) {
    throw new CheckoutError("malformed", "兑换码是 8 位数字，请核对后重新输入", "code");
  } else {
    throw new CheckoutError("malformed", "这不是积分超市的兑换码，请扫描村民手机上的兑换码", "code");
  }
  const v = found.view;
  const no = v.villageId !== keeper.villageId ? new CheckoutError("foreign", "这是其他村的兑换码，本店不能核销") : refusal(v);
  if (no) {
    // A typed guess that lands on someone's used, expired or other village's code counts like a miss,
    // so typing cannot be used to probe which 8-digit codes exist. A scanned token that exists is not
    // a guess (128 random bits): it was read off a villager's phone, perhaps an old screen.
    if (typed) await countCodeMiss(keeper.userId);
    throw new CheckoutError(no.code, no.message, "code");
  }
  if (!keeper.storeIds.includes(v.storeId)) throw new CheckoutError("other_store", `这个兑换码要到「${v.store}」核销`, "code");
  return { kind: "order", order: v };
}

/** Takes every line of the order out of stock (inside the unit of work); throws on a short good. */
async function takeStock(o: { id: number; village_id: number }, actorUserId: number, lines: CartLine[]): Promise<void> {
  for (const it of lines) await moveStock({ villageId: o.village_id, goodId: it.goodId, kind: "redemption", delta: -it.qty, orderId: o.id, actorUserId });
}

export interface Receipt {
  order: OrderView;
  /** False when this confirm was a replay (double tap, retried request) of one already done. */
  created: boolean;
}

/** The villager's code authorises the handover: the confirm must present the QR payload or the 8 digits of this order. */
function presents(o: Order, presented: string): boolean {
  const text = presented.trim();
  if (o.token && text === ORDER_QR_PREFIX + o.token) return true;
  return o.code !== null && normalizeDigits(text) === o.code;
}

/**
 * 确认兑换: ONE unit of work: the hold becomes a redemption debit, the goods leave stock, the order is
 * closed. `presented` is the code the keeper scanned or typed: an order id alone confirms nothing, so a
 * keeper cannot close a villager's pending order without the villager showing the code. A code that
 * is not this order's counts against the keeper's limit like a wrong typed code, and a blocked keeper
 * confirms nothing, not even with the right code. Confirming an already confirmed order returns its
 * receipt (created: false) and moves nothing.
 */
export function confirmOrder(keeper: Keeper, orderId: number, presented: string): Promise<Result<Receipt>> {
  return attempt(async () => {
    const out = await unitOfWork(async (): Promise<{ created: boolean; order: OrderView | null } | { refusal: CheckoutError }> => {
      // Checked and counted in this unit of work, which commits before anyone is answered: a refusal
      // is RETURNED so that its miss (or its expiry) is kept; a throw below rolls back everything this
      // confirm had started to move.
      await lockVillageStore(keeper.villageId);
      const wait = await codeBlockedMs(keeper.userId);
      if (wait > 0) return { refusal: new CheckoutError("throttled", codeBlockedMessage(wait)) };
      const found = await loadOrder({ id: orderId });
      if (!found || found.row.village_id !== keeper.villageId || !presents(found.row, presented)) {
        await countCodeMiss(keeper.userId);
        return { refusal: new CheckoutError("not_found", "找不到这次兑换，请重新扫码") };
      }
      const { row: o, view: v } = found;
      // A replay: nothing moves, and the receipt is the one just read.
      if (o.status === "confirmed" || o.status === "voided") return { created: false, order: v };
      if (v.status === "expired" && o.status === "pending") {
        // The expiry is written (committed with the refusal) before refusing, so the order shows expired everywhere.
        await expire([o]);
        return { refusal: new CheckoutError("expired", EXPIRED) };
      }
      const no = refusal(v);
      if (no) throw no;
      if (!keeper.storeIds.includes(o.store_id)) throw new CheckoutError("other_store", `这个兑换码要到「${v.store}」核销`);
      // Stock is checked against the stock alone: this order's own hold is part of what the others may not take.
      await takeStock(o, keeper.userId, v.items);
      if (o.hold_id === null) throw new Error(`pending order ${o.id} has no hold`);
      const actor: Actor = { userId: keeper.userId, role: keeper.role };
      const { posted: txn, balanceAfter } = await convertHoldForReceipt({
        holdId: o.hold_id, storeAccountId: await openStoreAccount(o.village_id, o.store_id), idemKey: `order:${o.id}:confirm`, actor,
        memberId: o.member_id, cause: { kind: "order", id: o.id }, memo: memoOf(o.id, v.items),
      });
      const after = balanceAfter ?? (await householdBalance(o.household_id)).balance;
      await db()
        .updateTable("orders")
        .set({ status: "confirmed", txn_id: txn.txnId, closed_at: now(), confirmed_by: keeper.userId, balance_after: after })
        .where("id", "=", o.id)
        .execute();
      await auditOrder(keeper, "order.confirm", o.id, { total: o.total, txn: txn.txnId });
      await notifyHousehold(o.household_id, orderConfirmed({ orderId: o.id, villageId: o.village_id, total: o.total, receipt: receiptNo(o.id) }));
      return { created: true, order: null };
    }, STORE);
    if ("refusal" in out) throw out.refusal;
    const order = out.order ?? (await orderView(orderId));
    if (!order) throw new Error(`confirmed order ${orderId} not found`);
    return { order, created: out.created };
  });
}

// ---- counter checkout (called by store/counter.server.ts after the PIN was verified) ----------------------

export interface CounterSaleInput {
  householdId: number;
  memberId: number | null;
  storeId: number;
  lines: CartLine[];
  nonce: string;
}

const counterKey = (input: { householdId: number; nonce: string }) => `order:counter:${input.householdId}:${input.nonce}`;

/** Creates and confirms a counter order inside the caller's unit of work: no hold, a direct redemption. Idempotent by nonce. */
export async function counterSaleInUnit(
  keeper: Keeper,
  input: CounterSaleInput,
  redeemFn: (o: { orderId: number; total: number; memo: string; storeAccountId: number }) => Promise<number>,
): Promise<{ orderId: number; created: boolean }> {
  const idemKey = counterKey(input);
  const head = await checkoutHead(input.householdId, idemKey, input.storeId, input.memberId);
  if (head.existing !== null) return { orderId: head.existing, created: false };
  const villageId = head.village_id;
  if (villageId !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的农户");
  if (!keeper.storeIds.includes(input.storeId)) throw new CheckoutError("other_store", "你不是这个超市的店主");
  assertSpender(input.memberId, head.can_redeem);
  const { priced, total } = await priceCart(villageId, input.storeId, input.householdId, input.lines);
  const at = now();
  const { id: orderId } = await db()
    .insertInto("orders")
    .values({
      village_id: villageId, store_id: input.storeId, household_id: input.householdId, member_id: input.memberId, channel: "counter", status: "confirmed",
      total, idem_key: idemKey, created_by: keeper.userId, created_at: at, closed_at: at, confirmed_by: keeper.userId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await insertItems(orderId, villageId, priced);
  await takeStock({ id: orderId, village_id: villageId }, keeper.userId, priced);
  const txnId = await redeemFn({ orderId, total, memo: memoOf(orderId, priced.map((p) => ({ name: p.good.name, qty: p.qty, unit: p.good.unit }))), storeAccountId: await openStoreAccount(villageId, input.storeId) });
  await db().updateTable("orders").set({ txn_id: txnId, balance_after: (await householdBalance(input.householdId)).balance }).where("id", "=", orderId).execute();
  await auditOrder(keeper, "order.counter", orderId, { total, txn: txnId });
  await notifyHousehold(input.householdId, orderConfirmed({ orderId, villageId, total, receipt: receiptNo(orderId) }));
  return { orderId, created: true };
}

/**
 * The counter sale's checks that need no PIN (village, store, member, goods, stock, limits, balance),
 * run before the PIN is typed: a cart that cannot be sold must not use up a PIN try, nor tell the
 * keeper that a PIN was right without selling anything. A sale already made under this nonce (a
 * replayed post) is returned as `existing` before anything else is checked.
 */
export function precheckCounterSale(keeper: Keeper, input: CounterSaleInput): Promise<Result<{ total: number; existing: number | null }>> {
  return attempt(async () => {
    const head = await checkoutHead(input.householdId, counterKey(input), input.storeId, input.memberId);
    if (head.existing !== null) return { total: 0, existing: head.existing };
    if (head.village_id !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的农户");
    if (!keeper.storeIds.includes(input.storeId)) throw new CheckoutError("other_store", "你不是这个超市的店主");
    assertSpender(input.memberId, head.can_redeem);
    const { total } = await priceCart(head.village_id, input.storeId, input.householdId, input.lines);
    const { spendable } = await householdBalance(input.householdId);
    if (spendable < total) throw new CheckoutError("balance", `可用积分不足：可用 ${spendable}，需要 ${total}`);
    return { total, existing: null };
  });
}

export { attempt as checkoutAttempt };

// ---- lists ---------------------------------------------------------------------------------------------

/** The store's confirmed and voided orders closed in [from, until), with the household and its head. */
export function storeOrders(storeId: number, from: number, until: number, limit = 200) {
  return db()
    .selectFrom("orders as o")
    .innerJoin("households as h", "h.id", "o.household_id")
    .leftJoin("members as hm", (j) => j.onRef("hm.household_id", "=", "h.id").on((eb) => eb.and([eb("hm.is_head", "=", eb.lit(1)), eb("hm.active", "=", eb.lit(1))])))
    .select(["o.id", "o.status", "o.channel", "o.total", "o.created_at", "o.closed_at", "h.number as household_number", "hm.name as head"])
    .where("o.store_id", "=", storeId)
    .where("o.status", "in", [constant("confirmed"), constant("voided")])
    .where("o.closed_at", ">=", from)
    .where("o.closed_at", "<", until)
    .orderBy("o.closed_at", "desc")
    .limit(limit)
    .execute();
}

/** A keeper's confirm or counter sale in the audit log (inside the same unit of work). */
export async function auditOrder(actor: { userId: number; role: string; villageId: number }, action: string, orderId: number, after: unknown): Promise<void> {
  await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action, targetType: "order", targetId: orderId, after });
}
