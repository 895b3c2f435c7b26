// Claims (积分申报): a rule applied to a member, reviewed by the committee, posted for 公示,
// objected to, credited by the scheduler, or revoked. Photos are files beside the database;
// the rows here only name them.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("claims")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("members.id"))
    .addColumn("rule_id", "integer", (c) => c.notNull().references("rules.id"))
    .addColumn("occurred_at", "integer", (c) => c.notNull())
    // Times, or hours in steps of half an hour.
    .addColumn("quantity", "real", (c) => c.notNull().check(sql`quantity > 0`))
    // Signed points fixed at filing (rule points × quantity): a later rule edit changes nothing filed.
    .addColumn("points", "integer", (c) => c.notNull().check(sql`points <> 0`))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'rejected', 'notice', 'objected', 'credited', 'revoked')`),
    )
    .addColumn("filer_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("filer_role", "text", (c) => c.notNull())
    .addColumn("source_kind", "text")
    .addColumn("source_id", "integer")
    .addColumn("reason", "text") // why rejected or revoked
    .addColumn("decided_by_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("approved_at", "integer")
    .addColumn("notice_until", "integer")
    .addColumn("credit_txn_id", "integer", (c) => c.references("ledger_transactions.id"))
    .addColumn("credited_at", "integer")
    .addColumn("revoke_txn_id", "integer", (c) => c.references("ledger_transactions.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("claims_village_status").on("claims").columns(["village_id", "status"]).execute();
  await db.schema.createIndex("claims_household").on("claims").columns(["household_id", "id"]).execute();
  await db.schema.createIndex("claims_rule_occurred").on("claims").columns(["rule_id", "occurred_at"]).execute();
  await db.schema.createIndex("claims_due").on("claims").columns(["status", "notice_until"]).execute();

  await db.schema
    .createTable("claim_approvals")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("claim_id", "integer", (c) => c.notNull().references("claims.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("claim_approvals_once", ["claim_id", "user_id"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("claim_photos")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("claim_id", "integer", (c) => c.notNull().references("claims.id"))
    .addColumn("file", "text", (c) => c.notNull().unique()) // relative to the photo folder
    .addColumn("mime", "text", (c) => c.notNull().check(sql`mime in ('image/jpeg', 'image/png', 'image/webp')`))
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("claim_photos_claim").on("claim_photos").column("claim_id").execute();

  await db.schema
    .createTable("objections")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("claim_id", "integer", (c) => c.notNull().references("claims.id"))
    .addColumn("objector_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('open', 'upheld', 'dismissed')`))
    .addColumn("resolved_by_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("resolution", "text")
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("resolved_at", "integer")
    .addUniqueConstraint("objections_once", ["claim_id", "objector_user_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("objections_village").on("objections").columns(["village_id", "status"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["objections", "claim_photos", "claim_approvals", "claims"]) await db.schema.dropTable(t).execute();
}
