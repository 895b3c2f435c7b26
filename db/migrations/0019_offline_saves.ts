// Offline sanitation scoring: each save the inspector's phone sends carries a key the phone made
// when the save was kept. The key is unique here, so a save sent twice (a lost answer, a replayed
// queue, two sends at once) is written once and every resend gets the first answer. client_at is
// when the inspector tapped save on the phone: between two saves of one household the later one
// wins (sanitation/offline.server.ts). Refused saves leave no row: nothing was written.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("inspection_saves")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("key", "text", (c) => c.notNull().unique())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("round_id", "integer", (c) => c.notNull().references("sanitation_rounds.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('scored', 'absent')`))
    // saved: written to the inspection; superseded: a later save of the household was there first.
    .addColumn("outcome", "text", (c) => c.notNull().check(sql`outcome in ('saved', 'superseded')`))
    .addColumn("inspection_id", "integer", (c) => c.references("inspections.id"))
    .addColumn("total", "integer")
    .addColumn("tier", "text")
    .addColumn("client_at", "integer", (c) => c.notNull())
    .addColumn("saved_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("inspection_saves_household").on("inspection_saves").columns(["round_id", "household_id", "client_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("inspection_saves").execute();
}
