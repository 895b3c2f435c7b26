// Who the demo's events are done by: the village's logins holding a role, in phone order (the
// seed gives staff phones in a fixed order, so the same person acts every time).
import { db } from "../../app/platform/database.server";
import type { Role } from "../../app/platform/roles";

export async function staffOf(villageId: number, role: Role): Promise<number[]> {
  const rows = await db()
    .selectFrom("user_roles as r")
    .innerJoin("users as u", "u.id", "r.user_id")
    .select("r.user_id")
    .where("r.village_id", "=", villageId)
    .where("r.role", "=", role)
    .orderBy("u.phone")
    .execute();
  return rows.map((r) => r.user_id);
}

/** The first of them, or null when the village has nobody in that role. */
export async function firstStaff(villageId: number, role: Role): Promise<number | null> {
  return (await staffOf(villageId, role))[0] ?? null;
}
