// A village with a store, goods in stock, a keeper, a committee member and households with points.
import { CompiledQuery, sql, type Compilable } from "kysely";
import { engine } from "~/platform/database.server";
import { changeStock, createGood } from "~/store/goods.server";
import { award } from "~/ledger/ledger.server";
import { insertUser } from "~/people/users.server";
import type { Keeper } from "~/store/checkout.server";
import { seedVillage, type SeededVillage } from "../ledger/helpers";
import { sqlOn, type Sql } from "../support/sql";

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

/** Independent checks read (and set up) the database directly: hand-written SQL on the writer, not through the code under test. */
export function raw(): Sql {
  return sqlOn();
}

export async function stockOf(goodId: number): Promise<number> {
  return (await raw().value<number>("select stock from goods where id = ?", goodId))!;
}

export async function headOf(householdId: number): Promise<number> {
  return (await raw().value<number>("select id from members where household_id = ? and is_head = 1", householdId))!;
}

/** What the keeper's camera reads off the villager's phone: the order's QR payload (kept after the order closes). */
export async function codeOf(orderId: number): Promise<string> {
  return `JFDH:${await raw().value<string>("select token from orders where id = ?", orderId)}`;
}

/**
 * The engine's plan for a query as the module builds it, one line per step: SQLite's `explain query
 * plan`, or PostgreSQL's `explain` with sequential scans priced out (on a test's few rows a scan is
 * always cheapest, which says nothing about the indexes the query can use).
 */
export async function planOf(query: Compilable): Promise<string[]> {
  const { sql: text, parameters } = query.compile();
  const on = engine();
  if (on.kind === "sqlite") return (on.sqlite.prepare(`explain query plan ${text}`).all(...parameters) as { detail: string }[]).map((r) => r.detail);
  return await on.writer.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    const rows = await tx.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`explain ${text}`, [...parameters]));
    return rows.rows.map((r) => r["QUERY PLAN"].replace(/^\s*(->\s*)?/, ""));
  });
}

/** The plan's first read of a table (the outer side of the join): SQLite's first line, PostgreSQL's first scan node. */
export function firstRead(plan: string[]): string | undefined {
  return engine().kind === "sqlite" ? plan[0] : plan.find((l) => /\bScan\b/.test(l));
}
