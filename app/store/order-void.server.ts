// 作废 (void) of a confirmed order: a reversal of the points (红冲) and the goods back in stock, in one
// unit of work. A keeper may void the same China-time day; later only a committee member can.
import { z } from "zod";
import { findGrant, type Viewer } from "~/platform/access.server";
import { audit } from "~/audit/audit.server";
import { chinaMonth, now } from "~/platform/clock.server";
import { checkoutAttempt, CheckoutError, orderView, receiptNo, type Result } from "./checkout.server";
import { APPENDS, db, unitOfWork } from "~/platform/database.server";
import { reverse } from "~/ledger/ledger.server";
import type { Role } from "~/platform/roles";
import { storesOfKeeper } from "./access.server";
import { moveStock } from "./stock.server";
import { textSchema } from "~/platform/validation.server";
import { TEXT_LIMITS } from "./labels";
import { notifyHousehold } from "~/notifications/notify.server";
import { orderVoided } from "~/notifications/notices";

export const voidSchema = z.object({ reason: textSchema("作废原因", TEXT_LIMITS.voidReason) });

export function chinaDay(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
}

export interface Voider {
  userId: number;
  role: Role;
  villageId: number;
  /** A keeper's stores: a keeper voids only orders of a store they work at (committee: any store). */
  storeIds?: number[];
}

/**
 * Who may open a confirmed order's page: committee and admins see every store of the village; a
 * viewer who is only a store keeper sees the orders of the stores they work at.
 */
export async function maySeeOrder(viewer: Pick<Viewer, "roles" | "userId">, villageId: number, storeId: number): Promise<boolean> {
  if (findGrant(viewer, ["committee", "village_admin", "township_admin"], villageId)) return true;
  return !!findGrant(viewer, ["store_keeper"], villageId) && (await storesOfKeeper(viewer.userId, villageId, "store_keeper")).some((s) => s.id === storeId);
}

/** Who may void this order now: a keeper on the day of the sale, a committee member any time. */
export function mayVoid(role: Role, closedAt: number | null): boolean {
  if (role === "committee") return true;
  return role === "store_keeper" && closedAt !== null && chinaDay(closedAt) === chinaDay(now());
}

export function voidOrder(actor: Voider, orderId: number, reason: string): Promise<Result<{ created: boolean }>> {
  return checkoutAttempt(() =>
    unitOfWork(async () => {
      const o = await db()
        .selectFrom("orders as o")
        .select(["o.id", "o.village_id", "o.store_id", "o.household_id", "o.status", "o.txn_id", "o.closed_at"])
        .where("o.id", "=", orderId)
        .executeTakeFirst();
      if (!o || o.village_id !== actor.villageId) throw new CheckoutError("not_found", "找不到这张兑换单");
      if (actor.role !== "committee" && actor.storeIds && !actor.storeIds.includes(o.store_id)) {
        throw new CheckoutError("other_store", "这张兑换单不是你所在超市的，请该超市的店主或村委委员作废");
      }
      if (o.status === "voided") return { created: false };
      if (o.status !== "confirmed" || o.txn_id === null || o.closed_at === null) throw new CheckoutError("void_rule", "只有已核销的兑换单可以作废");
      if (!mayVoid(actor.role, o.closed_at)) throw new CheckoutError("void_rule", "店主只能作废当天的兑换单，之前的请村委委员作废");
      // The settled month's totals were paid to the store: a void now would return goods the village already paid for.
      const month = chinaMonth(o.closed_at);
      if (await db().selectFrom("settlements").select("id").where("store_id", "=", o.store_id).where("month", "=", month).executeTakeFirst()) {
        throw new CheckoutError("void_rule", `${month} 已经结算，这张兑换单不能再作废`);
      }
      const rev = await reverse({
        txnId: o.txn_id, idemKey: `order:${o.id}:void`, actor: { userId: actor.userId, role: actor.role },
        memo: `作废兑换单 ${receiptNo(o.id)}：${reason}`,
      });
      const items = await db().selectFrom("order_items").select(["good_id", "qty"]).where("order_id", "=", o.id).execute();
      for (const it of items) await moveStock({ villageId: o.village_id, goodId: it.good_id, kind: "void", delta: it.qty, orderId: o.id, actorUserId: actor.userId, note: reason });
      await db()
        .updateTable("orders")
        .set({ status: "voided", void_txn_id: rev.txnId, voided_by: actor.userId, voided_role: actor.role, voided_at: now(), void_reason: reason })
        .where("id", "=", o.id)
        .execute();
      await notifyHousehold(o.household_id, orderVoided({ orderId: o.id, villageId: o.village_id, receipt: receiptNo(o.id), reason }));
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "order.void", targetType: "order", targetId: o.id, after: { reason } });
      return { created: true };
    }, APPENDS),
  );
}

export { orderView };
