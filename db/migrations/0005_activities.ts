// Volunteer activities (志愿活动): the activity, who signed up, who attended.
// Attendance becomes claims when the activity is closed (claims live in 0004_claims).
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("activities")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("place", "text", (c) => c.notNull())
    .addColumn("starts_at", "integer", (c) => c.notNull())
    .addColumn("ends_at", "integer", (c) => c.notNull())
    .addColumn("signup_deadline", "integer", (c) => c.notNull())
    .addColumn("capacity", "integer", (c) => c.notNull().check(sql`capacity between 1 and 1000`))
    // A login of the village who runs the day: shows the check-in QR and marks attendance.
    .addColumn("organiser_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("rule_id", "integer", (c) => c.notNull().references("rules.id"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open").check(sql`status in ('open', 'cancelled', 'closed')`))
    .addColumn("cancel_reason", "text")
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addColumn("closed_at", "integer")
    .addColumn("closed_by", "integer", (c) => c.references("users.id"))
    .addCheckConstraint("activities_times", sql`ends_at > starts_at and signup_deadline <= starts_at`)
    .addCheckConstraint("activities_cancel_reason", sql`(status = 'cancelled') = (cancel_reason is not null)`)
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("activities_village_time").on("activities").columns(["village_id", "starts_at"]).execute();

  // One row per activity and member; cancelling keeps the row (status) so a household sees what it did.
  await db.schema
    .createTable("activity_signups")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("activity_id", "integer", (c) => c.notNull().references("activities.id"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("members.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('active', 'cancelled')`))
    .addColumn("signed_up_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("activity_signups_once", ["activity_id", "member_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("activity_signups_member").on("activity_signups").column("member_id").execute();

  // Who was there: scanned the organiser's QR or was marked by hand. Hours only matter for per-hour rules.
  await db.schema
    .createTable("activity_attendance")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("activity_id", "integer", (c) => c.notNull().references("activities.id"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("members.id"))
    .addColumn("method", "text", (c) => c.notNull().check(sql`method in ('scan', 'manual')`))
    // Half-hour steps, as claims take them; null until the organiser records hours (then the planned length).
    .addColumn("hours", "real", (c) => c.check(sql`hours is null or (hours between 0.5 and 24 and hours * 2 = cast(hours * 2 as integer))`))
    .addColumn("recorded_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("claim_id", "integer")
    .addUniqueConstraint("activity_attendance_once", ["activity_id", "member_id"])
    .modifyEnd(strict)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("activity_attendance").execute();
  await db.schema.dropTable("activity_signups").execute();
  await db.schema.dropTable("activities").execute();
}
