// 批量发放 (bulk awards): one rule applied to many households in one batch, one claim per household
// through the ordinary claim path. The batch's key (made when the committee previews) is unique, so a
// form sent twice files one batch. Each chosen household is a row of its own, unique per batch, that
// moves from waiting to filed (with its claim) or skipped (with the reason) in the same unit of work
// as the claim it files: a batch filed in chunks resumes where it stopped and never files twice.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("bulk_batches")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("rule_id", "integer", (c) => c.notNull().references("rules.id"))
    .addColumn("key", "text", (c) => c.notNull().unique())
    .addColumn("filer_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("filer_role", "text", (c) => c.notNull())
    // How the households were chosen, in words (全村, 网格：第一网格, 名单 12 户…), for the batch list.
    .addColumn("chosen", "text", (c) => c.notNull())
    .addColumn("occurred_at", "integer", (c) => c.notNull())
    .addColumn("quantity", "real", (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn("points", "integer", (c) => c.notNull().check(sql`points > 0`)) // each household's, fixed at filing
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("households", "integer", (c) => c.notNull().check(sql`households > 0`))
    .addColumn("filed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("skipped", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('filing', 'done')`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("bulk_batches_village").on("bulk_batches").columns(["village_id", "id"]).execute();
  await db.schema.createIndex("bulk_batches_status").on("bulk_batches").columns(["status", "id"]).execute();

  await db.schema
    .createTable("bulk_batch_households")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("batch_id", "integer", (c) => c.notNull().references("bulk_batches.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("member_id", "integer", (c) => c.references("members.id")) // the head when chosen; null: none
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('waiting', 'filed', 'skipped')`))
    .addColumn("reason", "text") // why skipped
    .addColumn("claim_id", "integer", (c) => c.unique().references("claims.id"))
    .addUniqueConstraint("bulk_batch_households_once", ["batch_id", "household_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("bulk_batch_households_todo").on("bulk_batch_households").columns(["batch_id", "status", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("bulk_batch_households").execute();
  await db.schema.dropTable("bulk_batches").execute();
}
