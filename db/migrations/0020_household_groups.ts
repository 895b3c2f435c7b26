// 网格 + 联户长: the village's own organisation under its grids. A household group (联户, about 10–15
// households) has a leader, a villager with an account, who sees the group's households, files claims
// for them (reviewed like any claim) and is the first person a household without a phone turns to.
// A grid gets its 网格员 (a user holding the inspector role in the village): the one shown needs
// nobody took and asked to confirm posts' duties. Balances stay hidden from leaders unless the village
// allows it (group_leader_sees_balances).
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("grids").addColumn("worker_user_id", "integer", (c) => c.references("users.id")).execute();
  await db.schema
    .alterTable("villages")
    .addColumn("group_leader_sees_balances", "integer", (c) => c.notNull().defaultTo(0).check(sql`group_leader_sees_balances in (0, 1)`))
    .execute();

  await db.schema
    .createTable("household_groups")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("grid_id", "integer", (c) => c.references("grids.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("leader_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("household_groups_name", ["village_id", "name"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("household_groups_leader").on("household_groups").columns(["leader_user_id"]).execute();
  await db.schema.createIndex("household_groups_grid").on("household_groups").columns(["village_id", "grid_id"]).execute();

  await db.schema.alterTable("households").addColumn("group_id", "integer", (c) => c.references("household_groups.id")).execute();
  await db.schema.createIndex("households_group").on("households").columns(["group_id"]).execute();
}
