// The village's rules catalogue (积分细则) and its review settings. Shared by claims,
// activities, sanitation rounds and campaigns, so it lands before any of them.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;
const CAPS = ["member_day", "member_month", "member_year", "household_day", "household_month", "household_year"];

export async function up(db: Kysely<any>): Promise<void> {
  // How many committee approvals a claim needs before 公示 (1 or 2).
  await db.schema
    .alterTable("villages")
    .addColumn("approvals_needed", "integer", (c) => c.notNull().defaultTo(1).check(sql`approvals_needed in (1, 2)`))
    .execute();

  let rules = db.schema
    .createTable("rules")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("category", "text", (c) =>
      c.notNull().check(sql`category in ('volunteer', 'sanitation', 'family', 'village_rules', 'other')`),
    )
    .addColumn("name", "text", (c) => c.notNull())
    // Points per time or per hour; negative for deductions. Never zero.
    .addColumn("points", "integer", (c) => c.notNull().check(sql`points <> 0`))
    .addColumn("unit", "text", (c) => c.notNull().check(sql`unit in ('time', 'hour')`))
    .addColumn("evidence_required", "integer", (c) => c.notNull().defaultTo(0).check(sql`evidence_required in (0, 1)`))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull());
  // Caps count absolute points earned (or lost) under this rule in a China-time day, month or
  // year, for one member or one household. Null means no cap.
  for (const cap of CAPS) {
    rules = rules.addColumn(`cap_${cap}`, "integer", (c) => c.check(sql.raw(`cap_${cap} is null or cap_${cap} > 0`)));
  }
  await rules.modifyEnd(strict).execute();

  // A retired rule keeps its name in history; only active rules must be unique.
  await db.schema
    .createIndex("rules_active_name")
    .on("rules")
    .columns(["village_id", "name"])
    .unique()
    .where(sql.ref("active"), "=", 1)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rules").execute();
  await db.schema.alterTable("villages").dropColumn("approvals_needed").execute();
}
