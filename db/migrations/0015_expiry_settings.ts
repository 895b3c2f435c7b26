// 积分清零 / 过期: how a village's points expire (decision 0035; the ledger kind is 0014's).
// - expiry_mode: 'never' (the default: nothing changes for a village that does not choose),
//   'year_end' (spendable points expire when the year ends, China time), or 'months' (points
//   expire expiry_months after they were earned, oldest first, checked at each month's start);
// - expiry_notice_days: how many days before a run households see the notice on their home page;
// - expiry_since: when the current mode was chosen. A period whose run moment came before it is
//   never due: switching to year-end expiry in June must not expire last year's points at once.
// expiry_runs marks a village's period as done once every household was visited, so the scheduler
// stops looking at that village until the next period (an idempotency key per household remains
// what makes a double post impossible); expiry_notices does the same for the inbox notices sent when
// a period's notice window opens.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("villages")
    .addColumn("expiry_mode", "text", (c) => c.notNull().defaultTo("never").check(sql`expiry_mode in ('never', 'year_end', 'months')`))
    .execute();
  await db.schema
    .alterTable("villages")
    .addColumn("expiry_months", "integer", (c) => c.notNull().defaultTo(12).check(sql`expiry_months between 1 and 60`))
    .execute();
  await db.schema
    .alterTable("villages")
    .addColumn("expiry_notice_days", "integer", (c) => c.notNull().defaultTo(30).check(sql`expiry_notice_days between 0 and 90`))
    .execute();
  await db.schema.alterTable("villages").addColumn("expiry_since", "integer").execute();
  await db.schema
    .createTable("expiry_runs")
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("period", "text", (c) => c.notNull()) // "2026" (year end) or "2027-03" (months)
    .addColumn("households", "integer", (c) => c.notNull()) // expiry transactions posted in this run
    .addColumn("points", "integer", (c) => c.notNull())
    .addColumn("finished_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("expiry_runs_pk", ["village_id", "period"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();
  // The households of a village were told (消息 "积分即将过期") about a period's run: once per period.
  await db.schema
    .createTable("expiry_notices")
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("period", "text", (c) => c.notNull())
    .addColumn("notified_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("expiry_notices_pk", ["village_id", "period"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("expiry_notices").execute();
  await db.schema.dropTable("expiry_runs").execute();
  for (const c of ["expiry_since", "expiry_notice_days", "expiry_months", "expiry_mode"]) await db.schema.alterTable("villages").dropColumn(c).execute();
}
