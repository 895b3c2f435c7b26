// Checkout, the hot path: a villager's pending order with a hold and a one-time code, the keeper's
// lookup by QR or typed code, and the confirm that turns the hold into a debit, takes the goods out
// of stock and closes the order in ONE synchronous transaction. Counter checkout (PIN) is in
// store/counter.server.ts and shares the order and stock helpers here.
import crypto from "node:crypto";
import { audit } from "~/audit/audit.server";
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { codeBlockedMessage, codeBlockedMs, countCodeMiss } from "./code-guard.server";
import { stmt, transact, transactGrouped } from "~/platform/database.server";
import { convertHold, householdBalance, LedgerError, openStoreAccount, placeHold, releaseHold, type Actor } from "~/ledger/ledger.server";
import type { Role } from "~/platform/roles";
import { heldByHousehold, heldQty, moveStock, StockShortError } from "./stock.server";
import { receiptNo } from "./format";
import { normalizeDigits } from "~/platform/validation.server";
import type { Order, OrderStatus } from "../../db/schema";

export const ORDER_TTL_MS = 10 * 60_000;
export const MAX_LINE_QTY = 99;
const ORDER_QR_PREFIX = "JFDH:";
export const CARD_QR_PREFIX = "JFHK:";

/** A refusal the user reads; thrown inside a transaction to roll it back, caught at the edge. */
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

function attempt<T extends object>(fn: () => T): Result<T> {
  try {
    return { ok: true, ...fn() };
  } catch (e) {
    return refused(e);
  }
}

/** attempt() for the checkout writes that go through group commit. */
async function attemptGrouped<T extends object>(fn: () => Promise<T>): Promise<Result<T>> {
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
  if (e instanceof LedgerError && e.code === "hold_settled") return { ok: false, code: "expired", field: "_form", message: "兑换码已过期（有效 10 分钟），请村民在手机上点“换一个新码”" };
  throw e;
}

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

interface GoodRow {
  id: number;
  village_id: number;
  store_id: number;
  name: string;
  unit: string;
  price: number;
  cost_fen: number;
  monthly_limit: number | null;
  stock: number;
  active: number;
}

// `+i.good_id`: start from the household's few orders, not from every sale of the good in the
// village (SQLite's planner otherwise picks order_items_good, which grows with the store's age).
export const MONTH_TAKEN_SQL = `select coalesce(sum(i.qty), 0) as n from orders o join order_items i on i.order_id = o.id
  where o.household_id = ? and +i.good_id = ?
    and ((o.status = 'confirmed' and o.closed_at >= ?) or (o.status = 'pending' and o.expires_at > ?))`;

/** Goods taken this China month by the household: orders confirmed this month (a code made before
 * midnight and confirmed after counts in the month it was handed over), and pending orders still alive. */
export function monthTaken(householdId: number, goodId: number, at = now()): number {
  const from = chinaMonthStart(chinaMonth(at));
  return (stmt(MONTH_TAKEN_SQL).get(householdId, goodId, from, at) as { n: number }).n;
}

interface PricedLine extends CartLine {
  good: GoodRow;
}

/** Checks every line against the store's goods, the stock not held by live codes, and the household's monthly limits. */
function priceCart(villageId: number, storeId: number, householdId: number, lines: CartLine[]): { priced: PricedLine[]; total: number } {
  if (lines.length === 0) throw new CheckoutError("empty", "请至少选一件商品");
  const priced: PricedLine[] = [];
  let total = 0;
  // Two lines may name one good ("qty.5" and "qty.05"): stock and the monthly limit count them together.
  const earlier = new Map<number, number>();
  for (const line of lines) {
    const good = stmt("select * from goods where id = ?").get(line.goodId) as GoodRow | undefined;
    const field = `qty.${line.goodId}`;
    if (!good || good.village_id !== villageId || good.store_id !== storeId) throw new CheckoutError("inactive", "商品不存在，请刷新页面后再选", "_form");
    if (!good.active) throw new CheckoutError("inactive", `${good.name}已下架`, field);
    const before = earlier.get(good.id) ?? 0;
    earlier.set(good.id, before + line.qty);
    // Live pending codes hold their goods: only what they leave may be promised or sold. The check and
    // the insert that follows run in one synchronous transaction (SQLite's single writer serialises
    // every create and sale); on PostgreSQL this read will need a row lock on the good first
    // (select … from goods where id = ? for update), or two codes could both take the last units.
    const held = heldQty(good.store_id, good.id);
    if (good.stock - held < before + line.qty) {
      throw new StockShortError(good.id, good.name, good.stock, { held, own: held ? heldByHousehold(good.store_id, good.id, householdId) : 0, unit: good.unit });
    }
    if (good.monthly_limit !== null) {
      const left = good.monthly_limit - monthTaken(householdId, good.id) - before;
      if (line.qty > left) {
        throw new CheckoutError("limit", left > 0 ? `${good.name}每户每月限兑 ${good.monthly_limit}${good.unit}，本月还能兑 ${left}${good.unit}` : `${good.name}本月已兑满（每户每月限 ${good.monthly_limit}${good.unit}）`, field);
      }
    }
    total += good.price * line.qty;
    priced.push({ ...line, good });
  }
  return { priced, total };
}

function insertItems(orderId: number, villageId: number, priced: PricedLine[]): void {
  for (const l of priced) {
    stmt("insert into order_items (order_id, village_id, good_id, name, unit, price, cost_fen, qty) values (?, ?, ?, ?, ?, ?, ?, ?)").run(
      orderId, villageId, l.good.id, l.good.name, l.good.unit, l.good.price, l.good.cost_fen, l.qty,
    );
  }
}

/** A member may spend the household's points only when the head allows it. */
function assertSpender(householdId: number, memberId: number | null): void {
  if (memberId === null) return;
  const m = stmt("select can_redeem from members where id = ? and household_id = ? and active = 1").get(memberId, householdId) as { can_redeem: number } | undefined;
  if (!m) throw new CheckoutError("member", "请选择本户在册的成员", "memberId");
  if (!m.can_redeem) throw new CheckoutError("member", "户主没有允许这位成员用全家的积分兑换", "memberId");
}

function householdVillage(householdId: number): number {
  return (stmt("select village_id from households where id = ?").get(householdId) as { village_id: number }).village_id;
}

// ---- phone checkout: create, fresh code, cancel, expire ---------------------------------------------

function newCode(): string {
  // Unique among live orders (partial unique index); a clash with a live one just draws again.
  for (;;) {
    const code = String(crypto.randomInt(0, 100_000_000)).padStart(8, "0");
    if (!stmt("select 1 from orders where code = ? and status = 'pending'").get(code)) return code;
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

function insertPending(input: CreateOrderInput, villageId: number, idemKey: string): number {
  assertSpender(input.householdId, input.memberId);
  const { priced, total } = priceCart(villageId, input.storeId, input.householdId, input.lines);
  const at = now();
  const orderId = Number(
    stmt(
      `insert into orders (village_id, store_id, household_id, member_id, channel, status, code, token, total, idem_key, created_by, created_at, expires_at)
       values (?, ?, ?, ?, 'phone', 'pending', ?, ?, ?, ?, ?, ?, ?)`,
    ).run(villageId, input.storeId, input.householdId, input.memberId, newCode(), crypto.randomBytes(16).toString("base64url"), total, idemKey, input.userId, at, at + ORDER_TTL_MS).lastInsertRowid,
  );
  insertItems(orderId, villageId, priced);
  const hold = placeHold({
    householdId: input.householdId, amount: total, expiresAt: at + ORDER_TTL_MS, idemKey: `${idemKey}:hold`,
    actor: { userId: input.userId, role: "villager" }, cause: { kind: "order", id: orderId },
  });
  stmt("update orders set hold_id = ? where id = ?").run(hold.holdId, orderId);
  return orderId;
}

/** 生成兑换码: checks balance, stock and monthly limits, creates the pending order and its hold. */
export function createOrder(input: CreateOrderInput): Promise<Result<{ orderId: number; created: boolean }>> {
  const villageId = householdVillage(input.householdId);
  const idemKey = `order:phone:${input.householdId}:${input.nonce}`;
  return attemptGrouped(() =>
    transactGrouped(() => {
      const existing = stmt("select id from orders where idem_key = ?").get(idemKey) as { id: number } | undefined;
      if (existing) return { orderId: existing.id, created: false };
      if (!stmt("select 1 from stores where id = ? and village_id = ? and active = 1").get(input.storeId, villageId)) {
        throw new CheckoutError("inactive", "这个超市不存在或已停业");
      }
      return { orderId: insertPending(input, villageId, idemKey), created: true };
    }),
  );
}


function orderRow(orderId: number): Order | undefined {
  return stmt("select * from orders where id = ?").get(orderId) as Order | undefined;
}

/** Marks one pending order expired and releases its hold (inside a transaction). */
function expireInTxn(o: Order): void {
  stmt("update orders set status = 'expired', closed_at = ? where id = ? and status = 'pending'").run(now(), o.id);
  if (o.hold_id) releaseHold(o.hold_id);
}

/** Run by the scheduler every minute: an expired order shows as expired and its hold is released. */
export function expireOrders(): number {
  return transact(() => {
    const due = stmt("select * from orders where status = 'pending' and expires_at <= ? limit 500").all(now()) as Order[];
    for (const o of due) expireInTxn(o);
    return due.length;
  });
}

function ownPending(householdId: number, orderId: number): Order {
  const o = orderRow(orderId);
  if (!o || o.household_id !== householdId) throw new CheckoutError("not_found", "找不到这次兑换");
  return o;
}

/** 取消: releases the hold. Cancelling twice is fine; a confirmed order cannot be cancelled. */
export function cancelOrder(householdId: number, orderId: number): Result<{ status: OrderStatus }> {
  return attempt(() =>
    transact(() => {
      const o = ownPending(householdId, orderId);
      if (o.status === "cancelled" || o.status === "expired" || o.status === "replaced") return { status: o.status };
      if (o.status !== "pending") throw new CheckoutError("used", "店主已经核销，不能取消了");
      stmt("update orders set status = 'cancelled', closed_at = ? where id = ?").run(now(), o.id);
      if (o.hold_id) releaseHold(o.hold_id);
      return { status: "cancelled" as OrderStatus };
    }),
  );
}

/** 换一个新码: the same cart as a new order with a new code; the old order is replaced and its hold released. */
export function refreshOrder(householdId: number, orderId: number, userId: number, memberId: number | null): Result<{ orderId: number }> {
  return attempt(() =>
    transact(() => {
      const o = ownPending(householdId, orderId);
      if (o.status === "replaced" && o.replaced_by) return { orderId: o.replaced_by };
      if (o.status === "confirmed" || o.status === "voided") throw new CheckoutError("used", "店主已经核销，不需要新码了");
      // A 换一个新码 post that arrives after 取消兑换 (a second tab, a slow network) must not revive the order.
      if (o.status === "cancelled") throw new CheckoutError("cancelled", "这次兑换已经取消了，请回超市重新选择商品");
      const lines = stmt("select good_id as goodId, qty from order_items where order_id = ?").all(o.id) as CartLine[];
      if (o.status === "pending") {
        stmt("update orders set status = 'replaced', closed_at = ? where id = ?").run(now(), o.id);
        if (o.hold_id) releaseHold(o.hold_id);
      }
      const fresh = insertPending({ householdId, memberId, userId, storeId: o.store_id, lines, nonce: `refresh:${o.id}` }, o.village_id, `order:refresh:${o.id}`);
      stmt("update orders set status = 'replaced', replaced_by = ? where id = ?").run(fresh, o.id);
      return { orderId: fresh };
    }),
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

// The order with the names a receipt shows, in one statement (each costs 10-20 µs under load).
const ORDER_VIEW_SQL = `select o.*, h.number as hh_number,
    (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as hh_head,
    s.name as store_name,
    (select name from members where id = o.member_id) as member_name,
    (select display_name from users where id = o.confirmed_by) as keeper_name
  from orders o join households h on h.id = o.household_id join stores s on s.id = o.store_id where o.id = ?`;

type OrderWithNames = Order & { hh_number: string; hh_head: string | null; store_name: string; member_name: string | null; keeper_name: string | null };

/** The order's row and what both sides see of it. */
function loadOrder(orderId: number): { row: Order; view: OrderView } | null {
  const o = stmt(ORDER_VIEW_SQL).get(orderId) as OrderWithNames | undefined;
  if (!o) return null;
  const items = stmt("select good_id as goodId, name, unit, price, qty from order_items where order_id = ? order by id").all(o.id) as OrderView["items"];
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

export function orderView(orderId: number): OrderView | null {
  return loadOrder(orderId)?.view ?? null;
}

/** The household's own order, or null (another household's order is not shown). */
export function householdOrder(householdId: number, orderId: number): OrderView | null {
  const v = orderView(orderId);
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
      return new CheckoutError("expired", "兑换码已过期（有效 10 分钟），请村民在手机上点“换一个新码”");
    case "cancelled":
      return new CheckoutError("cancelled", "村民已取消这次兑换，请让村民重新生成兑换码");
    case "replaced":
      return new CheckoutError("replaced", "这个码已被新码替换，请扫描村民手机上最新的兑换码");
  }
}

/**
 * 扫码 or typed code: an 8-digit code, an order QR payload, or a household card (counter checkout).
 * Refusals are distinct: malformed, not found, other village, used, expired, cancelled, replaced.
 * Wrong codes count against the keeper's limit (store/code-guard.server.ts): one transaction checks the
 * limit, reads the code and counts a miss, and commits before the refusal is answered.
 */
export function lookupOrderByCode(keeper: Keeper, raw: string, _opts: { typed: boolean } = { typed: true }): Result<{ scanned: Scanned }> {
  return attempt(() => {
    const out = transact(() => {
      // A refusal is returned, not thrown, so the miss counted with it is committed, not rolled back.
      try {
        return { scanned: lookupInTxn(keeper, raw) };
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
function assertNotBlocked(keeper: Keeper, field: string): void {
  const wait = codeBlockedMs(keeper.userId);
  if (wait > 0) throw new CheckoutError("throttled", codeBlockedMessage(wait), field);
}

function lookupInTxn(keeper: Keeper, raw: string): Scanned {
  const text = raw.trim();
  const digits = normalizeDigits(text);
  let orderId: number | undefined;
  let typed = false;
  if (text.startsWith(CARD_QR_PREFIX)) {
    // A household card identifies and never authorises (the counter asks for the PIN): not a code, not counted.
    const m = /^JFHK:(\d{1,12})$/.exec(text);
    const h = m ? (stmt("select id, village_id from households where id = ?").get(Number(m[1])) as { id: number; village_id: number } | undefined) : undefined;
    if (!h) throw new CheckoutError("malformed", "无法识别这张户卡，请输入户号", "code");
    if (h.village_id !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的户卡，本店不能使用", "code");
    return { kind: "card", householdId: h.id };
  }
  if (/^\d{8}$/.test(digits)) {
    // 8 digits are always typed by someone (a scanned order QR carries the long token), whatever the form says.
    assertNotBlocked(keeper, "code");
    const row = stmt("select id from orders where code = ? order by id desc limit 1").get(digits) as { id: number } | undefined;
    if (!row) {
      countCodeMiss(keeper.userId);
      throw new CheckoutError("not_found", "没有这个兑换码，请核对 8 位数字", "code");
    }
    orderId = row.id;
    typed = true;
  } else if (text.startsWith(ORDER_QR_PREFIX) && /^JFDH:[A-Za-z0-9_-]{22}$/.test(text)) {
    assertNotBlocked(keeper, "code");
    const row = stmt("select id from orders where token = ?").get(text.slice(ORDER_QR_PREFIX.length)) as { id: number } | undefined;
    if (!row) {
      // A well-formed token that names no order is forged or guessed: it counts like a wrong typed code.
      countCodeMiss(keeper.userId);
      throw new CheckoutError("not_found", "兑换码无效，请让村民重新生成", "code");
    }
    orderId = row.id;
  } else if (/^\d+$/.test(digits)) {
    throw new CheckoutError("malformed", "兑换码是 8 位数字，请核对后重新输入", "code");
  } else {
    throw new CheckoutError("malformed", "这不是积分超市的兑换码，请扫描村民手机上的兑换码", "code");
  }
  const v = orderView(orderId)!;
  const no = v.villageId !== keeper.villageId ? new CheckoutError("foreign", "这是其他村的兑换码，本店不能核销") : refusal(v);
  if (no) {
    // A typed guess that lands on someone's used, expired or other village's code counts like a miss,
    // so typing cannot be used to probe which 8-digit codes exist. A scanned token that exists is not
    // a guess (128 random bits): it was read off a villager's phone, perhaps an old screen.
    if (typed) countCodeMiss(keeper.userId);
    throw new CheckoutError(no.code, no.message, "code");
  }
  if (!keeper.storeIds.includes(v.storeId)) throw new CheckoutError("other_store", `这个兑换码要到「${v.store}」核销`, "code");
  return { kind: "order", order: v };
}

function storeAccount(villageId: number, storeId: number): number {
  return openStoreAccount(villageId, storeId);
}

/** Takes every line of the order out of stock (inside the transaction); throws on a short good. */
function takeStock(o: { id: number; village_id: number }, actorUserId: number, lines: CartLine[]): void {
  for (const it of lines) moveStock({ villageId: o.village_id, goodId: it.goodId, kind: "redemption", delta: -it.qty, orderId: o.id, actorUserId });
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
 * 确认兑换: ONE transaction: the hold becomes a redemption debit, the goods leave stock, the order is
 * closed. `presented` is the code the keeper scanned or typed: an order id alone confirms nothing, so a
 * keeper cannot close a villager's pending order without the villager showing the code. A code that
 * is not this order's counts against the keeper's limit like a wrong typed code, and a blocked keeper
 * confirms nothing, not even with the right code. Confirming an already confirmed order returns its
 * receipt (created: false) and moves nothing.
 */
export function confirmOrder(keeper: Keeper, orderId: number, presented: string): Promise<Result<Receipt>> {
  return attemptGrouped(async () => {
    const out = await transactGrouped((): { created: boolean } | { refusal: CheckoutError } => {
      // Checked and counted in this write's own savepoint, which the batch commits before anyone is
      // answered: a refusal is RETURNED so that its miss (or its expiry) is kept; a throw below rolls
      // back only what this confirm had started to move.
      const wait = codeBlockedMs(keeper.userId);
      if (wait > 0) return { refusal: new CheckoutError("throttled", codeBlockedMessage(wait)) };
      const found = loadOrder(orderId);
      const o = found?.row;
      if (!o || o.village_id !== keeper.villageId || !presents(o, presented)) {
        countCodeMiss(keeper.userId);
        return { refusal: new CheckoutError("not_found", "找不到这次兑换，请重新扫码") };
      }
      if (o.status === "confirmed" || o.status === "voided") return { created: false };
      const v = found!.view;
      if (v.status === "expired" && o.status === "pending") {
        // The expiry is written (committed with the batch) before refusing, so the order shows expired everywhere.
        expireInTxn(o);
        return { refusal: new CheckoutError("expired", "兑换码已过期（有效 10 分钟），请村民在手机上点“换一个新码”") };
      }
      const no = refusal(v);
      if (no) throw no;
      if (!keeper.storeIds.includes(o.store_id)) throw new CheckoutError("other_store", `这个兑换码要到「${v.store}」核销`);
      // Stock is checked against the stock alone: this order's own hold is part of what the others may not take.
      takeStock(o, keeper.userId, v.items);
      const actor: Actor = { userId: keeper.userId, role: keeper.role };
      const txn = convertHold({
        holdId: o.hold_id!, storeAccountId: storeAccount(o.village_id, o.store_id), idemKey: `order:${o.id}:confirm`, actor,
        memberId: o.member_id, cause: { kind: "order", id: o.id }, memo: memoOf(o.id, v.items),
      });
      const after = householdBalance(o.household_id).balance;
      stmt("update orders set status = 'confirmed', txn_id = ?, closed_at = ?, confirmed_by = ?, balance_after = ? where id = ?").run(
        txn.txnId, now(), keeper.userId, after, o.id,
      );
      auditOrder(keeper, "order.confirm", o.id, { total: o.total, txn: txn.txnId });
      return { created: true };
    });
    if ("refusal" in out) throw out.refusal;
    return { order: orderView(orderId)!, created: out.created };
  });
}

// ---- counter checkout (called by store/counter.server.ts after the PIN was verified) ----------------------

/** Creates and confirms a counter order in one transaction: no hold, a direct redemption. Idempotent by nonce. */
export function counterSaleInTxn(
  keeper: Keeper,
  input: { householdId: number; memberId: number | null; storeId: number; lines: CartLine[]; nonce: string },
  redeemFn: (o: { orderId: number; total: number; memo: string; storeAccountId: number }) => number,
): { orderId: number; created: boolean } {
  const idemKey = `order:counter:${input.householdId}:${input.nonce}`;
  const existing = stmt("select id from orders where idem_key = ?").get(idemKey) as { id: number } | undefined;
  if (existing) return { orderId: existing.id, created: false };
  const villageId = householdVillage(input.householdId);
  if (villageId !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的农户");
  if (!keeper.storeIds.includes(input.storeId)) throw new CheckoutError("other_store", "你不是这个超市的店主");
  assertSpender(input.householdId, input.memberId);
  const { priced, total } = priceCart(villageId, input.storeId, input.householdId, input.lines);
  const at = now();
  const orderId = Number(
    stmt(
      `insert into orders (village_id, store_id, household_id, member_id, channel, status, total, idem_key, created_by, created_at, closed_at, confirmed_by)
       values (?, ?, ?, ?, 'counter', 'confirmed', ?, ?, ?, ?, ?, ?)`,
    ).run(villageId, input.storeId, input.householdId, input.memberId, total, idemKey, keeper.userId, at, at, keeper.userId).lastInsertRowid,
  );
  insertItems(orderId, villageId, priced);
  takeStock({ id: orderId, village_id: villageId }, keeper.userId, priced);
  const txnId = redeemFn({ orderId, total, memo: memoOf(orderId, priced.map((p) => ({ name: p.good.name, qty: p.qty, unit: p.good.unit }))), storeAccountId: storeAccount(villageId, input.storeId) });
  stmt("update orders set txn_id = ?, balance_after = ? where id = ?").run(txnId, householdBalance(input.householdId).balance, orderId);
  auditOrder(keeper, "order.counter", orderId, { total, txn: txnId });
  return { orderId, created: true };
}

/**
 * The counter sale's checks that need no PIN (village, store, member, goods, stock, limits, balance),
 * run before the PIN is typed: a cart that cannot be sold must not use up a PIN try, nor tell the
 * keeper that a PIN was right without selling anything.
 */
export function precheckCounterSale(keeper: Keeper, input: { householdId: number; memberId: number | null; storeId: number; lines: CartLine[] }): Result<{ total: number }> {
  return attempt(() => {
    const villageId = householdVillage(input.householdId);
    if (villageId !== keeper.villageId) throw new CheckoutError("foreign", "这是其他村的农户");
    if (!keeper.storeIds.includes(input.storeId)) throw new CheckoutError("other_store", "你不是这个超市的店主");
    assertSpender(input.householdId, input.memberId);
    const { total } = priceCart(villageId, input.storeId, input.householdId, input.lines);
    const { spendable } = householdBalance(input.householdId);
    if (spendable < total) throw new CheckoutError("balance", `可用积分不足：可用 ${spendable}，需要 ${total}`);
    return { total };
  });
}

export { attempt as checkoutAttempt };

// ---- lists ---------------------------------------------------------------------------------------------

export interface OrderListRow {
  id: number;
  status: OrderStatus;
  channel: string;
  total: number;
  created_at: number;
  closed_at: number | null;
  household_number: string;
  head: string | null;
}

export function householdOrders(householdId: number, limit = 20): OrderListRow[] {
  return stmt(
    `select o.id, o.status, o.channel, o.total, o.created_at, o.closed_at, h.number as household_number, null as head
     from orders o join households h on h.id = o.household_id where o.household_id = ? and o.status in ('pending', 'confirmed', 'voided')
     order by o.id desc limit ?`,
  ).all(householdId, limit) as OrderListRow[];
}

export function storeOrders(storeId: number, from: number, until: number, limit = 200): OrderListRow[] {
  return stmt(
    `select o.id, o.status, o.channel, o.total, o.created_at, o.closed_at, h.number as household_number,
       (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head
     from orders o join households h on h.id = o.household_id
     where o.store_id = ? and o.status in ('confirmed', 'voided') and o.closed_at >= ? and o.closed_at < ? order by o.closed_at desc limit ?`,
  ).all(storeId, from, until, limit) as OrderListRow[];
}

/** A keeper's confirm or counter sale in the audit log (inside the same transaction). */
export function auditOrder(actor: { userId: number; role: string; villageId: number }, action: string, orderId: number, after: unknown): void {
  audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action, targetType: "order", targetId: orderId, after });
}
