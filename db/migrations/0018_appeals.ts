// 申诉 (appeals): after 公示 a household may appeal an award or a deduction to the committee within
// the village's appeal period (villages.appeal_days, counted from when the entry was credited; 0 = no
// appeals). The committee upholds it (nothing moves), modifies it (a reversal and a new entry) or
// revokes it (a reversal). One appeal per ledger transaction, ever: the unique key is what stops two
// taps or two phones filing two. Photos are files beside the database, like a claim's.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("villages")
    .addColumn("appeal_days", "integer", (c) => c.notNull().defaultTo(30).check(sql`appeal_days between 0 and 365`))
    .execute();

  await db.schema
    .createTable("appeals")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    // The transaction appealed (an award or a deduction), and the claim it credited, if any.
    .addColumn("txn_id", "integer", (c) => c.notNull().references("ledger_transactions.id"))
    .addColumn("claim_id", "integer", (c) => c.references("claims.id"))
    // Signed points as the household saw them (+10, -5), fixed when filed.
    .addColumn("points", "integer", (c) => c.notNull().check(sql`points <> 0`))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("filer_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('pending', 'upheld', 'modified', 'revoked')`))
    .addColumn("decided_by_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("decided_role", "text")
    .addColumn("decision_note", "text")
    // Modified: the new signed points (same sign as the original, never 0).
    .addColumn("new_points", "integer", (c) => c.check(sql`new_points is null or new_points <> 0`))
    .addColumn("reversal_txn_id", "integer", (c) => c.references("ledger_transactions.id"))
    .addColumn("new_txn_id", "integer", (c) => c.references("ledger_transactions.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("decided_at", "integer")
    .addUniqueConstraint("appeals_once", ["txn_id"])
    .modifyEnd(strict)
    .execute();
  // The committee's queue (pending, oldest first) and a household's list.
  await db.schema.createIndex("appeals_village_status").on("appeals").columns(["village_id", "status", "created_at"]).execute();
  await db.schema.createIndex("appeals_household").on("appeals").columns(["household_id", "id"]).execute();

  await db.schema
    .createTable("appeal_photos")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("appeal_id", "integer", (c) => c.notNull().references("appeals.id"))
    .addColumn("key", "text", (c) => c.notNull().unique().check(sql`length(key) = 22`))
    .addColumn("file", "text", (c) => c.notNull().unique()) // relative to the photo folder
    .addColumn("mime", "text", (c) => c.notNull().check(sql`mime in ('image/jpeg', 'image/png', 'image/webp')`))
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("cleaned_at", "integer")
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("appeal_photos_appeal").on("appeal_photos").column("appeal_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("appeal_photos").execute();
  await db.schema.dropTable("appeals").execute();
  await db.schema.alterTable("villages").dropColumn("appeal_days").execute();
}
