// The village report's 各联户 table: households and points per household group, summed in SQL
// (never a village's ledger in memory). Households in no group make one "未分联户" row.
import { constant, db } from "~/platform/database.server";
import type { Range } from "~/reports/range.server";

export interface GroupRow {
  id: number | null;
  name: string;
  grid: string | null;
  leader: string | null;
  households: number;
  /** What the group's households hold now. */
  balance: number;
  /** Points in and out of the group's households over the range (account_months). */
  income: number;
  spent: number;
}

export const NO_GROUP = "未分联户";

export async function groupFigures(villageId: number, r: Range): Promise<GroupRow[]> {
  const groups = await db()
    .selectFrom("household_groups as g")
    .leftJoin("grids as r", "r.id", "g.grid_id")
    .leftJoin("users as u", "u.id", "g.leader_user_id")
    .select(["g.id", "g.name", "r.name as grid", "u.display_name as leader"])
    .where("g.village_id", "=", villageId)
    .orderBy("g.grid_id")
    .orderBy("g.id")
    .execute();
  const held = await db()
    .selectFrom("households as h")
    .leftJoin("accounts as a", (j) => j.onRef("a.household_id", "=", "h.id").on("a.kind", "=", constant("household")))
    .select((eb) => ["h.group_id", eb.fn.countAll<number>().as("households"), eb.fn.coalesce(eb.fn.sum<number>("a.balance"), eb.lit(0)).as("balance")])
    .where("h.village_id", "=", villageId)
    .groupBy("h.group_id")
    .execute();
  const moved = await db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .innerJoin("account_months as m", "m.account_id", "a.id")
    .select((eb) => ["h.group_id", eb.fn.sum<number>("m.income").as("income"), eb.fn.sum<number>("m.spent").as("spent")])
    .where("h.village_id", "=", villageId)
    .where("m.month", ">=", r.from)
    .where("m.month", "<=", r.to)
    .groupBy("h.group_id")
    .execute();
  const rows = new Map<number | null, GroupRow>();
  for (const g of groups) rows.set(g.id, { id: g.id, name: g.name, grid: g.grid, leader: g.leader, households: 0, balance: 0, income: 0, spent: 0 });
  const row = (id: number | null) => {
    let g = rows.get(id);
    if (!g) rows.set(id, (g = { id, name: NO_GROUP, grid: null, leader: null, households: 0, balance: 0, income: 0, spent: 0 }));
    return g;
  };
  for (const h of held) Object.assign(row(h.group_id), { households: Number(h.households), balance: Number(h.balance) });
  for (const m of moved) Object.assign(row(m.group_id), { income: Number(m.income ?? 0), spent: Number(m.spent ?? 0) });
  // The groups grid by grid, "未分联户" last; an empty village (no groups) gets no table.
  return groups.length === 0 ? [] : [...rows.values()].sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : 0));
}
