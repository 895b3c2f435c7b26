// Sanitation inspection rounds (卫生评比): checklist templates, rounds with inspectors per grid, one
// inspection row per round and household, photos, declared recusals (回避) and re-inspection requests.
// Points reach households only as claims (0004_claims), filed when a round is published.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  // Items [{name, max}] and tiers [{name, min, ruleId|null}] as JSON: a template is edited as one form
  // and copied whole into a round when the round is created.
  await db.schema
    .createTable("checklists")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("items_json", "text", (c) => c.notNull())
    .addColumn("tiers_json", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("checklists_village").on("checklists").column("village_id").execute();

  await db.schema
    .createTable("sanitation_rounds")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("checklist_id", "integer", (c) => c.notNull().references("checklists.id"))
    // The template as it was when the round was created: later edits to the template never change it.
    .addColumn("checklist_json", "text", (c) => c.notNull())
    .addColumn("starts_at", "integer", (c) => c.notNull())
    .addColumn("ends_at", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('draft', 'open', 'published')`))
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addColumn("opened_at", "integer")
    .addColumn("opened_by", "integer", (c) => c.references("users.id"))
    .addColumn("published_at", "integer")
    .addColumn("published_by", "integer", (c) => c.references("users.id"))
    // The 红黑榜 frozen at publishing; nothing updates it afterwards (see the trigger below).
    .addColumn("redblack_json", "text")
    .addCheckConstraint("sanitation_rounds_times", sql`ends_at > starts_at`)
    .addCheckConstraint("sanitation_rounds_published", sql`(status = 'published') = (published_at is not null and redblack_json is not null)`)
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("sanitation_rounds_village").on("sanitation_rounds").columns(["village_id", "starts_at"]).execute();
  await sql`create trigger sanitation_rounds_redblack_frozen before update of redblack_json on sanitation_rounds
    when old.redblack_json is not null and new.redblack_json is not old.redblack_json
    begin select raise(abort, 'redblack snapshot is frozen'); end`.execute(db);

  await db.schema
    .createTable("round_inspectors")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("round_id", "integer", (c) => c.notNull().references("sanitation_rounds.id"))
    .addColumn("grid_id", "integer", (c) => c.notNull().references("grids.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addUniqueConstraint("round_inspectors_once", ["round_id", "grid_id", "user_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("round_inspectors_user").on("round_inspectors").columns(["user_id", "round_id"]).execute();

  // One row per round and household: a save upserts it, so a repeated save is the same row.
  await db.schema
    .createTable("inspections")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("round_id", "integer", (c) => c.notNull().references("sanitation_rounds.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('scored', 'absent', 'returned')`))
    .addColumn("scores_json", "text")
    .addColumn("total", "integer")
    .addColumn("tier", "text")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("absent_reason", "text")
    .addColumn("returned_reason", "text")
    .addColumn("inspector_user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("saved_at", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    // The claim filed when the round was published (or when a re-inspection was applied).
    .addColumn("claim_id", "integer", (c) => c.references("claims.id"))
    .addUniqueConstraint("inspections_once", ["round_id", "household_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("inspections_household").on("inspections").column("household_id").execute();

  await db.schema
    .createTable("inspection_photos")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("inspection_id", "integer", (c) => c.notNull().references("inspections.id"))
    .addColumn("file", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("inspection_photos_inspection").on("inspection_photos").column("inspection_id").execute();

  // 回避: an inspector declares households of relatives they must not score.
  await db.schema
    .createTable("inspection_recusals")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("relation", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("inspection_recusals_once", ["user_id", "household_id"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("reinspection_requests")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("round_id", "integer", (c) => c.notNull().references("sanitation_rounds.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("requested_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('open', 'accepted', 'declined', 'applied')`))
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("decision_note", "text")
    .addColumn("old_claim_id", "integer", (c) => c.references("claims.id"))
    .addColumn("new_claim_id", "integer", (c) => c.references("claims.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("decided_at", "integer")
    .addColumn("applied_at", "integer")
    // One request per household and round: a second ask is answered by the first.
    .addUniqueConstraint("reinspection_requests_once", ["round_id", "household_id"])
    .modifyEnd(strict)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["reinspection_requests", "inspection_recusals", "inspection_photos", "inspections", "round_inspectors", "sanitation_rounds", "checklists"]) {
    await db.schema.dropTable(t).execute();
  }
}
