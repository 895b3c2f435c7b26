// 志愿队伍 ("1 + 5 + N"): one township team, specialised teams, village squads. A team is the
// township's (village_id null, run by the township admin, members from any of its villages) or a
// village's (run by its committee or admin, members from that village only). Members are villagers
// (members rows); a leader is a member marked so. One row per team and member, ever at once: the
// unique key is what stops two taps adding the same person twice. An activity may belong to a team;
// the team's hours are its activities' attendance hours, summed when asked (never stored).
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("volunteer_teams")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("township_id", "integer", (c) => c.notNull().references("townships.id"))
    // Null: the township's own team.
    .addColumn("village_id", "integer", (c) => c.references("villages.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("volunteer_teams_village").on("volunteer_teams").columns(["township_id", "village_id"]).execute();

  await db.schema
    .createTable("volunteer_team_members")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("team_id", "integer", (c) => c.notNull().references("volunteer_teams.id"))
    .addColumn("member_id", "integer", (c) => c.notNull().references("members.id"))
    // The member's village (a township team's members come from several).
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("is_leader", "integer", (c) => c.notNull().defaultTo(0).check(sql`is_leader in (0, 1)`))
    .addColumn("added_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("volunteer_team_members_once", ["team_id", "member_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("volunteer_team_members_member").on("volunteer_team_members").column("member_id").execute();

  await db.schema.alterTable("activities").addColumn("team_id", "integer", (c) => c.references("volunteer_teams.id")).execute();
  await db.schema.createIndex("activities_team").on("activities").columns(["team_id", "starts_at"]).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("activities_team").execute();
  await db.schema.alterTable("activities").dropColumn("team_id").execute();
  await db.schema.dropTable("volunteer_team_members").execute();
  await db.schema.dropTable("volunteer_teams").execute();
}
