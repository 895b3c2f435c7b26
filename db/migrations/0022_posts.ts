// 定岗认责 posts: a village defines posts (民情信息员, 纠纷调解员 …) with duties and a monthly
// allowance; villagers apply or are appointed; each month the holder's 网格员 or a committee member
// confirms the duty was done (or not, with a reason), and a confirmation files one claim that goes
// through review and 公示 like any other. A post owns one rule ("定岗：<name>", points per time =
// the allowance, at most once a member a month): points move only through that rule's claims.
// Unique keys do the guarding: one open holding (applied or active) per member and post, one
// record per holding and month, so two taps or two confirmers cannot both write.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("posts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("duties", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("allowance", "integer", (c) => c.notNull().check(sql`allowance > 0`))
    .addColumn("seats", "integer", (c) => c.notNull().check(sql`seats > 0`))
    .addColumn("rule_id", "integer", (c) => c.notNull().references("rules.id"))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("posts_name", ["village_id", "name"])
    .addUniqueConstraint("posts_rule", ["rule_id"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("post_holdings")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("post_id", "integer", (c) => c.notNull().references("posts.id"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("members.id"))
    // applied → active (accepted or appointed) → ended; applied → refused. Rows are never deleted.
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('applied', 'active', 'refused', 'ended')`))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("requested_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("reason", "text")
    // The China-time month ("2026-11") the holding began: no month before it can be confirmed.
    .addColumn("start_month", "text")
    .addColumn("started_at", "integer")
    .addColumn("end_month", "text")
    .addColumn("ended_at", "integer")
    .addColumn("ended_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  // One open holding (an application waiting, or the post held) per member and post; history is free.
  await db.schema
    .createIndex("post_holdings_open")
    .on("post_holdings")
    .columns(["post_id", "member_id"])
    .unique()
    .where(sql.ref("status"), "in", sql`('applied', 'active')`)
    .execute();
  await db.schema.createIndex("post_holdings_member").on("post_holdings").columns(["member_id"]).execute();
  await db.schema.createIndex("post_holdings_village").on("post_holdings").columns(["village_id", "status"]).execute();

  await db.schema
    .createTable("post_months")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("holding_id", "integer", (c) => c.notNull().references("post_holdings.id"))
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("done", "integer", (c) => c.notNull().check(sql`done in (0, 1)`))
    .addColumn("reason", "text")
    // The claim a confirmation filed (null when not done).
    .addColumn("claim_id", "integer", (c) => c.references("claims.id"))
    .addColumn("confirmed_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("post_months_once", ["holding_id", "month"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("post_months_village").on("post_months").columns(["village_id", "month"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("post_months").execute();
  await db.schema.dropTable("post_holdings").execute();
  await db.schema.dropTable("posts").execute();
}
