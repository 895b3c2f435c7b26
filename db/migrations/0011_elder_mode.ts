// 长辈模式 (large type, MIIT 适老化): the account's choice, so it follows the villager to another
// phone. 0 or 1 like the other flags; before sign-in the device's cookie holds the choice instead.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("users")
    .addColumn("elder_mode", "integer", (c) => c.notNull().defaultTo(0).check(sql`elder_mode in (0, 1)`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("users").dropColumn("elder_mode").execute();
}
