// Stock changes only through movements: each one updates the good's cached stock in the same
// unit of work and records the stock after it. The database refuses a negative stock.
import type { Selectable } from "kysely";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import type { StockKind, StockMovementTable } from "../../db/schema";

export { RESTOCK_SOURCES, STOCK_KIND_LABELS } from "./labels";

/** What live pending orders hold of a good, for the refusal's wording. */
export interface HeldStock {
  held: number;
  /** Of `held`, what the household asking holds itself (its own unused code). */
  own: number;
  unit: string;
}

export class StockShortError extends Error {
  constructor(readonly goodId: number, readonly name: string, readonly left: number, hold?: HeldStock) {
    super(hold && hold.held > 0 ? heldMessage(name, left, hold) : left <= 0 ? `${name}已兑完` : `${name}库存不足，只剩 ${left} 件`);
  }
}

/** 香皂库存不足：还剩 3 块，其中 3 块已被别人的兑换码预留 */
function heldMessage(name: string, stock: number, { held, own, unit }: HeldStock): string {
  const whose = own === 0 ? "别人的" : own === held ? "本户的" : "";
  const mine = own > 0 && own < held ? `（含本户 ${own} ${unit}）` : "";
  return `${name}库存不足：还剩 ${stock} ${unit}，其中 ${held} ${unit}已被${whose}兑换码预留${mine}`;
}

// ---- stock held by pending codes ------------------------------------------------------------------
// A pending, unexpired order holds its goods: a new code or a counter sale may use only the stock
// minus what those orders hold, so a villager who walks to the store with a code gets the goods.
// Expired orders stop holding at expires_at, whether or not the scheduler has marked them yet;
// cancelled, replaced and confirmed ones are no longer 'pending'. (A confirm takes its own units out of
// the stock they were held in.)
//
// Starts from the store's live pending orders (partial index orders_pending_store, 0009), never from
// every past sale of the good. `i.good_id + 0` makes `good_id = ?` unusable as an index lookup, so
// the planner can never start from order_items_good, which grows with every sale the good ever had
// (the same trick as checkout's monthTakenQuery, where the planner did pick it). Today's plan is the
// same without it, with or without ANALYZE statistics, but that is the planner's choice, not a
// guarantee; tests/store/holds.test.ts pins the plan.

/** The sum of one good held by live pending orders of its store (the query, for the plan test). */
export function heldQuery(storeId: number, goodId: number, at: number) {
  return db()
    .selectFrom("orders as o")
    .innerJoin("order_items as i", "i.order_id", "o.id")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("i.qty"), eb.lit(0)).as("n"))
    .where("o.store_id", "=", storeId)
    .where("o.status", "=", constant("pending"))
    .where("o.expires_at", ">", at)
    .where((eb) => eb(eb("i.good_id", "+", eb.lit(0)), "=", goodId));
}

/** Units of the good held by live pending orders of its store. */
export async function heldQty(storeId: number, goodId: number, at = now()): Promise<number> {
  return (await heldQuery(storeId, goodId, at).executeTakeFirstOrThrow()).n;
}

/** What one household's own live pending orders hold of the good (only for a refusal's wording). */
export async function heldByHousehold(storeId: number, goodId: number, householdId: number, at = now()): Promise<number> {
  return (await heldQuery(storeId, goodId, at).where("o.household_id", "=", householdId).executeTakeFirstOrThrow()).n;
}

/** Every good of the store that live pending orders hold, with the units held (for pages). */
export async function heldByGood(storeId: number, at = now()): Promise<Map<number, number>> {
  const rows = await db()
    .selectFrom("orders as o")
    .innerJoin("order_items as i", "i.order_id", "o.id")
    .select((eb) => ["i.good_id", eb.fn.sum<number>("i.qty").as("n")])
    .where("o.store_id", "=", storeId)
    .where("o.status", "=", constant("pending"))
    .where("o.expires_at", ">", at)
    .groupBy("i.good_id")
    .execute();
  return new Map(rows.map((r) => [r.good_id, r.n]));
}

interface Move {
  villageId: number;
  goodId: number;
  kind: StockKind;
  delta: number;
  source?: string | null;
  note?: string;
  orderId?: number | null;
  actorUserId: number | null;
}

/** Must run inside a unit of work. Throws StockShortError instead of letting stock go below zero. */
export async function moveStock(m: Move): Promise<number> {
  const at = now();
  // One statement on the way that succeeds: the update refuses to go below zero and returns the new stock.
  const moved = await db()
    .updateTable("goods")
    .set((eb) => ({ stock: eb("stock", "+", m.delta), updated_at: at }))
    .where("id", "=", m.goodId)
    .where("village_id", "=", m.villageId)
    .where((eb) => eb(eb("stock", "+", m.delta), ">=", 0))
    .returning("stock")
    .executeTakeFirst();
  if (!moved) {
    const good = await db().selectFrom("goods").select(["name", "stock"]).where("id", "=", m.goodId).where("village_id", "=", m.villageId).executeTakeFirst();
    if (!good) throw new Error(`good ${m.goodId} not in village ${m.villageId}`);
    throw new StockShortError(m.goodId, good.name, good.stock);
  }
  await db()
    .insertInto("stock_movements")
    .values({
      village_id: m.villageId, good_id: m.goodId, kind: m.kind, delta: m.delta, stock_after: moved.stock, source: m.source ?? null,
      note: m.note ?? "", order_id: m.orderId ?? null, actor_user_id: m.actorUserId, created_at: at,
    })
    .execute();
  return moved.stock;
}

/** A stock movement with the name of who made it. */
export type MovementView = Pick<Selectable<StockMovementTable>, "id" | "kind" | "delta" | "stock_after" | "source" | "note" | "order_id" | "created_at"> & {
  actor: string | null;
};

export function movementsOf(goodId: number, limit = 30): Promise<MovementView[]> {
  return db()
    .selectFrom("stock_movements as s")
    .leftJoin("users as u", "u.id", "s.actor_user_id")
    .select(["s.id", "s.kind", "s.delta", "s.stock_after", "s.source", "s.note", "s.order_id", "u.display_name as actor", "s.created_at"])
    .where("s.good_id", "=", goodId)
    .orderBy("s.id", "desc")
    .limit(limit)
    .execute();
}
