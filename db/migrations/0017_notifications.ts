// 消息 (notifications): one row per person and event, the in-app inbox (decision 0034). Read state is
// per person, so every user of a household has a row of their own. (user_id, dedupe_key) is unique:
// an event replayed (a retried approval, a re-run scheduler round) writes nothing twice. Live counts
// (claims waiting, objections to decide) are computed, never stored here.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("notifications")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull().defaultTo(""))
    // A path inside the app ("/claims"), or null when there is nothing to open.
    .addColumn("link", "text")
    .addColumn("dedupe_key", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("read_at", "integer")
    .addUniqueConstraint("notifications_once", ["user_id", "dedupe_key"])
    .modifyEnd(sql`strict`)
    .execute();
  // The header's unread count on every page (user_id = ? and read_at is null), and the inbox's pages, newest first.
  await db.schema.createIndex("notifications_unread").on("notifications").columns(["user_id", "read_at"]).execute();
  await db.schema.createIndex("notifications_inbox").on("notifications").columns(["user_id", "id"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notifications").execute();
}
