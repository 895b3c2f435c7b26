// 流动红旗 (rotating red flags): publishing a sanitation round hands the village's flags to the
// best-scoring households of that round, per village or per grid (villages.red_flags: how many, 0 =
// off; villages.red_flag_scope). A flag row is one slot of one round: held by a household, or waiting
// (household_id null, tied_json set) for the committee to pick among households tied at the
// boundary. The next round's publication ends the earlier rows (ended_at), which stay as history.
// The unique keys are what make a second hand-out or a second pick impossible, even at once.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("villages")
    .addColumn("red_flags", "integer", (c) => c.notNull().defaultTo(0).check(sql`red_flags between 0 and 20`))
    .execute();
  await db.schema
    .alterTable("villages")
    .addColumn("red_flag_scope", "text", (c) => c.notNull().defaultTo("village").check(sql`red_flag_scope in ('village', 'grid')`))
    .execute();

  await db.schema
    .createTable("red_flags")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("round_id", "integer", (c) => c.notNull().references("sanitation_rounds.id"))
    // Per-grid scope: the grid; village scope: null. scope_key is the same as a number (0 = village),
    // so the unique key below holds on both engines (two nulls are never equal).
    .addColumn("grid_id", "integer", (c) => c.references("grids.id"))
    .addColumn("scope_key", "integer", (c) => c.notNull())
    .addColumn("slot", "integer", (c) => c.notNull().check(sql`slot >= 1`))
    .addColumn("household_id", "integer", (c) => c.references("households.id"))
    // The score that earned the flag (for a tie, the tied score).
    .addColumn("total", "integer", (c) => c.notNull())
    // A tie at the boundary: the households the committee picks from, as a JSON array of ids.
    .addColumn("tied_json", "text")
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("reason", "text")
    .addColumn("decided_at", "integer")
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("ended_at", "integer")
    .addColumn("ended_by_round_id", "integer", (c) => c.references("sanitation_rounds.id"))
    .addCheckConstraint("red_flags_held_or_tied", sql`household_id is not null or tied_json is not null`)
    .addCheckConstraint("red_flags_decided", sql`(decided_at is null) = (reason is null)`)
    .addUniqueConstraint("red_flags_slot_once", ["round_id", "scope_key", "slot"])
    .addUniqueConstraint("red_flags_household_once", ["round_id", "household_id"])
    .modifyEnd(strict)
    .execute();
  // The current holders of a village (ended_at null), a household's flags, a round's slots.
  await db.schema.createIndex("red_flags_village").on("red_flags").columns(["village_id", "ended_at", "round_id"]).execute();
  await db.schema.createIndex("red_flags_household").on("red_flags").columns(["household_id", "ended_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("red_flags").execute();
  for (const c of ["red_flag_scope", "red_flags"]) await db.schema.alterTable("villages").dropColumn(c).execute();
}
