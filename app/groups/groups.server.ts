// Who stands for a household besides its own members: its 联户长 (the leader of its household group)
// and its grid's 网格员. Other capabilities ask here (a 联户长 filing a claim, posting an errand for a
// household without a phone; the grid worker shown untaken errands or confirming a post's duty).
import { db } from "~/platform/database.server";

export interface LedGroup {
  id: number;
  villageId: number;
  gridId: number | null;
  name: string;
}

/** The household groups a user leads (usually one). */
export async function groupsLedBy(userId: number): Promise<LedGroup[]> {
  const rows = await db()
    .selectFrom("household_groups")
    .select(["id", "village_id", "grid_id", "name"])
    .where("leader_user_id", "=", userId)
    .orderBy("id")
    .execute();
  return rows.map((g) => ({ id: g.id, villageId: g.village_id, gridId: g.grid_id, name: g.name }));
}

/** Whether the user leads the group the household belongs to. */
export async function isGroupLeaderOf(userId: number, householdId: number): Promise<boolean> {
  const row = await db()
    .selectFrom("households as h")
    .innerJoin("household_groups as g", "g.id", "h.group_id")
    .select("g.id")
    .where("h.id", "=", householdId)
    .where("g.leader_user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The 网格员 of the household's grid (the grid's worker), or null when the grid has none. */
export async function gridWorkerOf(householdId: number): Promise<number | null> {
  const row = await db()
    .selectFrom("households as h")
    .innerJoin("grids as g", "g.id", "h.grid_id")
    .select("g.worker_user_id")
    .where("h.id", "=", householdId)
    .executeTakeFirst();
  return row?.worker_user_id ?? null;
}

/** The grids a user is the 网格员 of, in one village. */
export async function gridsWorkedBy(userId: number, villageId: number): Promise<number[]> {
  const rows = await db().selectFrom("grids").select("id").where("worker_user_id", "=", userId).where("village_id", "=", villageId).execute();
  return rows.map((r) => r.id);
}

/** Whether the user leads any group: the menu asks on every page (indexed on leader_user_id). */
export async function leadsAnyGroup(userId: number): Promise<boolean> {
  const row = await db().selectFrom("household_groups").select("id").where("leader_user_id", "=", userId).limit(1).executeTakeFirst();
  return row !== undefined;
}
