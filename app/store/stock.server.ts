// Stock changes only through movements: each one updates the good's cached stock in the same
// transaction and records the stock after it. The database refuses a negative stock.
import { now } from "~/platform/clock.server";
import { stmt } from "~/platform/database.server";
import type { Selectable } from "kysely";
import type { StockKind, StockMovementTable } from "../../db/schema";

export const RESTOCK_SOURCES = ["上级拨款", "乡贤捐赠", "村集体", "其他"] as const;

export const STOCK_KIND_LABELS: Record<StockKind, string> = {
  restock: "入库",
  redemption: "兑换出库",
  void: "作废退回",
  correction: "盘点修正",
};

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
// every past sale of the good. `+i.good_id` makes `i.good_id = ?` unusable as an index lookup, so the
// planner can never start from order_items_good, which grows with every sale the good ever had (the
// same trick as checkout's MONTH_TAKEN_SQL, where the planner did pick it). Today's plan is the same
// without it, with or without ANALYZE statistics, but that is the planner's choice, not a guarantee;
// tests/store/holds.test.ts pins the plan.
export const HELD_SQL = `select coalesce(sum(i.qty), 0) as n from orders o join order_items i on i.order_id = o.id
  where o.store_id = ? and o.status = 'pending' and o.expires_at > ? and +i.good_id = ?`;

/** Units of the good held by live pending orders of its store. */
export function heldQty(storeId: number, goodId: number, at = now()): number {
  return (stmt(HELD_SQL).get(storeId, at, goodId) as { n: number }).n;
}

/** What one household's own live pending orders hold of the good (only for a refusal's wording). */
export function heldByHousehold(storeId: number, goodId: number, householdId: number, at = now()): number {
  return (
    stmt(`${HELD_SQL} and o.household_id = ?`).get(storeId, at, goodId, householdId) as { n: number }
  ).n;
}

/** Every good of the store that live pending orders hold, with the units held (for pages). */
export function heldByGood(storeId: number, at = now()): Map<number, number> {
  const rows = stmt(
    `select i.good_id as goodId, sum(i.qty) as n from orders o join order_items i on i.order_id = o.id
     where o.store_id = ? and o.status = 'pending' and o.expires_at > ? group by i.good_id`,
  ).all(storeId, at) as { goodId: number; n: number }[];
  return new Map(rows.map((r) => [r.goodId, r.n]));
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

/** Must run inside a transaction. Throws StockShortError instead of letting stock go below zero. */
export function moveStock(m: Move): number {
  const good = stmt("select name, stock from goods where id = ? and village_id = ?").get(m.goodId, m.villageId) as
    | { name: string; stock: number }
    | undefined;
  if (!good) throw new Error(`good ${m.goodId} not in village ${m.villageId}`);
  const after = good.stock + m.delta;
  if (after < 0) throw new StockShortError(m.goodId, good.name, good.stock);
  const at = now();
  stmt("update goods set stock = ?, updated_at = ? where id = ?").run(after, at, m.goodId);
  stmt(
    `insert into stock_movements (village_id, good_id, kind, delta, stock_after, source, note, order_id, actor_user_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(m.villageId, m.goodId, m.kind, m.delta, after, m.source ?? null, m.note ?? "", m.orderId ?? null, m.actorUserId, at);
  return after;
}

/** A stock movement with the name of who made it. */
export type MovementView = Pick<Selectable<StockMovementTable>, "id" | "kind" | "delta" | "stock_after" | "source" | "note" | "order_id" | "created_at"> & {
  actor: string | null;
};

export function movementsOf(goodId: number, limit = 30): MovementView[] {
  return stmt(
    `select s.id, s.kind, s.delta, s.stock_after, s.source, s.note, s.order_id, u.display_name as actor, s.created_at
     from stock_movements s left join users u on u.id = s.actor_user_id where s.good_id = ? order by s.id desc limit ?`,
  ).all(goodId, limit) as MovementView[];
}
