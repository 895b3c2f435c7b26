// What a villager sees in the store: goods with photos and prices, stock not held by codes, the monthly limit
// left, and how many of each the household can still afford; plus the QR code of a pending order.
import crypto from "node:crypto";
import QRCode from "qrcode";
import { z } from "zod";
import { formIdSchema } from "~/platform/forms.server";
import { MAX_LINE_QTY, monthTakenByGood } from "./checkout.server";
import type { ShownState } from "./order-states";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { storeGoods } from "./goods.server";
import { householdBalance } from "~/ledger/ledger.server";
import { pinState } from "./pin.server";
import { heldByGood } from "./stock.server";
import { villageStores } from "./access.server";

export const orderIntentSchema = z.object({ intent: z.enum(["cancel", "refresh"], { error: "请求有误，请刷新页面后再试" }) });

export const createOrderSchema = z.object({
  storeId: formIdSchema,
  nonce: z.string({ error: "请求有误，请刷新页面后再试" }).regex(/^[A-Za-z0-9_-]{16,40}$/, "请求有误，请刷新页面后再试"),
});

export function newNonce(): string {
  return crypto.randomBytes(12).toString("base64url");
}

export interface ShelfItem {
  id: number;
  name: string;
  category: string;
  unit: string;
  price: number;
  stock: number;
  /** Stock minus what live pending codes hold: what may still be promised. */
  available: number;
  photo: string | null;
  limit: number | null;
  limitLeft: number | null;
  /** Units the household may take now by stock and monthly limit, points aside (the phone's + stops there). */
  most: number;
  /** How many the household could take now: available stock, monthly limit and spendable points together. */
  canTake: number;
}

export function photoUrl(g: { id: number; has_photo: number; photo_version: number }): string | null {
  return g.has_photo ? `/photos/goods/${g.id}?v=${g.photo_version}` : null;
}

export async function storefront(householdId: number, villageId: number, memberId: number | null, storeParam: string | null) {
  const stores = await villageStores(villageId);
  const store = stores.find((s) => String(s.id) === storeParam) ?? stores[0] ?? null;
  const balance = await householdBalance(householdId);
  const member = memberId ? await db().selectFrom("members").select("can_redeem").where("id", "=", memberId).executeTakeFirst() : undefined;
  const held = store ? await heldByGood(store.id) : new Map<number, number>();
  const shelf = store ? await storeGoods(store.id, true) : [];
  // What the household took this month, for every limited good at once (none: no statement).
  const taken = shelf.some((g) => g.monthly_limit !== null) ? await monthTakenByGood(householdId) : new Map<number, number>();
  const goods: ShelfItem[] = shelf.map((g) => {
    const limitLeft = g.monthly_limit === null ? null : Math.max(0, g.monthly_limit - (taken.get(g.id) ?? 0));
    const affordable = balance.spendable > 0 ? Math.floor(balance.spendable / g.price) : 0;
    const available = Math.max(0, g.stock - (held.get(g.id) ?? 0));
    const most = Math.min(available, limitLeft ?? Infinity, MAX_LINE_QTY);
    return {
      id: g.id, name: g.name, category: g.category, unit: g.unit, price: g.price, stock: g.stock, available, photo: photoUrl(g),
      limit: g.monthly_limit, limitLeft, most, canTake: Math.min(most, affordable),
    };
  });
  return {
    stores: stores.map((s) => ({ id: s.id, name: s.name })),
    store: store && { id: store.id, name: store.name },
    balance,
    canRedeem: member ? member.can_redeem === 1 : true,
    goods,
    pending: await pendingOrders(householdId),
    recent: await recentOrders(householdId),
    nonce: newNonce(),
  };
}

/** The household's live codes (a pending order always has its expiry). */
async function pendingOrders(householdId: number): Promise<{ id: number; total: number; expires_at: number }[]> {
  const rows = await db()
    .selectFrom("orders")
    .select(["id", "total", "expires_at"])
    .where("household_id", "=", householdId)
    .where("status", "=", constant("pending"))
    .where("expires_at", ">", now())
    .orderBy("id", "desc")
    .execute();
  return rows.flatMap(({ id, total, expires_at }) => (expires_at === null ? [] : [{ id, total, expires_at }]));
}

export interface RecentOrder {
  id: number;
  state: ShownState;
  total: number;
  /** When it was made (a live code) or closed (confirmed, cancelled, expired, voided). */
  at: number;
}

/**
 * The household's latest orders with their state, newest first: live codes, confirmed, cancelled,
 * expired and voided ones. A code replaced by 换一个新码 is left out (its new code is listed), and a
 * live code past its expiry shows as expired whether or not the scheduler has marked it yet.
 */
export async function recentOrders(householdId: number, limit = 6): Promise<RecentOrder[]> {
  const rows = await db()
    .selectFrom("orders")
    .select(["id", "status", "total", "created_at", "closed_at", "expires_at"])
    .where("household_id", "=", householdId)
    .where("status", "<>", constant("replaced"))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
  const at = now();
  return rows.map((o) => {
    const lapsed = o.status === "pending" && o.expires_at !== null && o.expires_at <= at;
    const state = (lapsed ? "expired" : o.status) as ShownState;
    return { id: o.id, state, total: o.total, at: lapsed ? o.expires_at! : state === "pending" ? o.created_at : (o.closed_at ?? o.created_at) };
  });
}

// The code page asks again every 3 s while it waits for the keeper: draw each payload once.
const drawn = new Map<string, string>();
const DRAWN_MAX = 500;

/** The QR code as an SVG data URL, drawn on the server (no QR library in the phone's bundle). */
export async function qrDataUrl(payload: string): Promise<string> {
  const known = drawn.get(payload);
  if (known) return known;
  // A fixed mask skips the library's search over all 8 masks (~3× faster), and one byte-mode segment
  // skips its search for the shortest mix of modes (~2× faster again). Every payload then fits
  // version 3 (29 × 29 modules), still a valid code that phones and qr-scanner read easily.
  const svg = await QRCode.toString([{ data: Buffer.from(payload), mode: "byte" }], { type: "svg", errorCorrectionLevel: "M", margin: 2, maskPattern: 0 });
  const url = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
  if (drawn.size >= DRAWN_MAX) drawn.delete(drawn.keys().next().value!);
  drawn.set(payload, url);
  return url;
}

/** The lock the household head sees on the home page after 5 wrong PINs at the counter. */
export async function pinLockNotice(householdId: number): Promise<{ until: number } | null> {
  const s = await pinState(householdId);
  return s.lockedUntil ? { until: s.lockedUntil } : null;
}
