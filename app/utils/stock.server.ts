// Stock changes only through movements: each one updates the good's cached stock in the same
// transaction and records the stock after it. The database refuses a negative stock.
import { now } from "./clock.server";
import { stmt } from "./db.server";
import type { Selectable } from "kysely";
import type { StockKind, StockMovementTable } from "../../db/schema";

export const RESTOCK_SOURCES = ["上级拨款", "乡贤捐赠", "村集体", "其他"] as const;

export const STOCK_KIND_LABELS: Record<StockKind, string> = {
  restock: "入库",
  redemption: "兑换出库",
  void: "作废退回",
  correction: "盘点修正",
};

export class StockShortError extends Error {
  constructor(readonly goodId: number, readonly name: string, readonly left: number) {
    super(left <= 0 ? `${name}已兑完` : `${name}库存不足，只剩 ${left} 件`);
  }
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
