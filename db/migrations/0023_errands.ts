// 代跑 (mutual-aid errands): a need (what, where, by when) posted for a household, by one of its
// members or, for a household without a phone, by its grid's 网格员 or its 联户长; a volunteer of the
// same village (not of that household) takes it; the person helped or the poster confirms it was done,
// which files the volunteer's claim under the village's errand rule (villages.errand_rule_id), reviewed
// and put on 公示 like any claim. State changes are conditional updates (`where status = …`), so two
// volunteers taking one need, or two confirms, change it once; claim_id is unique besides.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  // The rule an errand's claim is filed under; null: the village has not opened 代跑.
  await db.schema.alterTable("villages").addColumn("errand_rule_id", "integer", (c) => c.references("rules.id")).execute();

  await db.schema
    .createTable("errands")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    // The household helped.
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("what", "text", (c) => c.notNull())
    .addColumn("place", "text", (c) => c.notNull())
    // By when it should be done (epoch ms).
    .addColumn("due_at", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('open', 'taken', 'done', 'cancelled')`))
    .addColumn("poster_user_id", "integer", (c) => c.notNull().references("users.id"))
    // 'household' (a member for their own household), 'grid_worker' or 'group_leader'.
    .addColumn("poster_kind", "text", (c) => c.notNull().check(sql`poster_kind in ('household', 'grid_worker', 'group_leader')`))
    .addColumn("volunteer_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("volunteer_member_id", "integer", (c) => c.references("members.id"))
    .addColumn("volunteer_household_id", "integer", (c) => c.references("households.id"))
    .addColumn("taken_at", "integer")
    .addColumn("confirmed_by_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("confirmed_at", "integer")
    .addColumn("claim_id", "integer", (c) => c.references("claims.id"))
    .addColumn("cancelled_by_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("cancel_reason", "text")
    .addColumn("cancelled_at", "integer")
    // When the grid worker was told nobody took it (the scheduler's once-only mark).
    .addColumn("overdue_noted_at", "integer")
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("errands_claim", ["claim_id"])
    .modifyEnd(strict)
    .execute();
  // Open needs of a village (oldest first), a household's and a volunteer's records.
  await db.schema.createIndex("errands_village_status").on("errands").columns(["village_id", "status", "created_at"]).execute();
  await db.schema.createIndex("errands_household").on("errands").columns(["household_id", "id"]).execute();
  await db.schema.createIndex("errands_volunteer_household").on("errands").columns(["volunteer_household_id", "id"]).execute();
  await db.schema.createIndex("errands_poster").on("errands").columns(["poster_user_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("errands").execute();
  await db.schema.alterTable("villages").dropColumn("errand_rule_id").execute();
}
