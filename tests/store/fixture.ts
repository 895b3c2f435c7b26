// A village with a store, goods in stock, a keeper, a committee member and households with points.
import type { Compilable } from "kysely";
import { engine } from "~/platform/database.server";
import { changeStock, createGood } from "~/store/goods.server";
import { award } from "~/ledger/ledger.server";
import { insertUser } from "~/people/users.server";
import type { Keeper } from "~/store/checkout.server";
import { seedVillage, type SeededVillage } from "../ledger/helpers";

let phones = 13800000000;

export interface StoreFixture extends SeededVillage {
  keeper: Keeper;
  committee: { userId: number; role: "committee"; villageId: number };
  villagerUserId: number;
  goods: Record<string, number>;
}

export async function storeFixture(tag: string, opts: { households?: number; points?: number[]; goods?: { name: string; price: number; stock: number; limit?: number | null }[] } = {}): Promise<StoreFixture> {
  const v = await seedVillage(tag, opts.households ?? 3);
  const user = (role: "store_keeper" | "committee" | "villager") =>
    insertUser({ phone: String(++phones), passwordHash: "x", displayName: `${role}${tag}`, memberId: null, mustChangePassword: false, roles: [{ role, villageId: v.villageId }] });
  const keeperId = await user("store_keeper");
  const committeeId = await user("committee");
  const villagerUserId = await user("villager");
  const actor = { userId: keeperId, role: "village_admin", villageId: v.villageId };
  const goods: Record<string, number> = {};
  for (const g of opts.goods ?? [{ name: "大米", price: 50, stock: 10 }, { name: "牙膏", price: 12, stock: 20, limit: 2 }]) {
    const out = await createGood(actor, v.villageId, v.storeId, {
      name: g.name, category: "粮油", unit: "袋", price: g.price, cost: 100, monthlyLimit: g.limit ?? null, lowStock: 2, active: true,
    }, null);
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    goods[g.name] = out.goodId;
    if (g.stock > 0) await changeStock(actor, v.villageId, out.goodId, { intent: "stock.restock", qty: g.stock, source: "村集体", note: "开业备货" });
  }
  for (const [i, p] of (opts.points ?? [100, 100, 100]).entries()) {
    if (p > 0) await award({ householdId: v.householdIds[i], amount: p, idemKey: `fx:${tag}:${i}`, actor: { userId: null, role: "system" }, memo: "测试奖励" });
  }
  return {
    ...v,
    keeper: { userId: keeperId, role: "store_keeper", villageId: v.villageId, storeIds: [v.storeId] },
    committee: { userId: committeeId, role: "committee", villageId: v.villageId },
    villagerUserId,
    goods,
  };
}

/** Independent checks read (and set up) the database directly: raw SQL on the writer's own handle, not through the code under test. */
export function raw(sql: string) {
  return engine().sqlite.prepare(sql);
}

const one = <T>(sql: string, ...args: unknown[]) => raw(sql).get(...args) as T;

export function stockOf(goodId: number): number {
  return one<{ stock: number }>("select stock from goods where id = ?", goodId).stock;
}

export function headOf(householdId: number): number {
  return one<{ id: number }>("select id from members where household_id = ? and is_head = 1", householdId).id;
}

/** What the keeper's camera reads off the villager's phone: the order's QR payload (kept after the order closes). */
export function codeOf(orderId: number): string {
  return `JFDH:${one<{ token: string }>("select token from orders where id = ?", orderId).token}`;
}

/** SQLite's plan for a query as the module builds it. */
export function planOf(query: Compilable): string[] {
  const { sql, parameters } = query.compile();
  return (engine().sqlite.prepare(`explain query plan ${sql}`).all(...parameters) as { detail: string }[]).map((r) => r.detail);
}
