// The township dashboard asks each village when it last approved a claim (reports/figures.server.ts):
// with this index that is one seek per village, not a pass over all of the village's claims.
import type { Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("claims_village_approved").on("claims").columns(["village_id", "approved_at"]).execute();
}
