// 积分排行 (rankings) show the household head's name; whether in full or masked (刘*兵) is the
// village's choice. 0 (masked) by default: a name on a poster at the village gate is the village's
// decision to make, not the software's.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("villages")
    .addColumn("ranking_full_names", "integer", (c) => c.notNull().defaultTo(0).check(sql`ranking_full_names in (0, 1)`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("villages").dropColumn("ranking_full_names").execute();
}
