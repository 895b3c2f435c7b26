// Honour campaigns (评选, 民主评议): categories, nominations, the frozen list of voters, secret
// ballots, tie decisions and confirmed winners. Winners' points reach households only as claims
// (0004_claims); nothing here is a ledger table. Also marks village representatives (村民代表).
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  // SQLite allows a CHECK on an added column; NOT NULL needs the default.
  await sql`alter table members add column is_representative integer not null default 0 check (is_representative in (0, 1))`.execute(db);

  await db.schema
    .createTable("campaigns")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("nominate_from", "integer", (c) => c.notNull())
    .addColumn("nominate_until", "integer", (c) => c.notNull())
    .addColumn("vote_from", "integer", (c) => c.notNull())
    .addColumn("vote_until", "integer", (c) => c.notNull())
    .addColumn("voters", "text", (c) => c.notNull().check(sql`voters in ('representatives', 'household')`))
    // Minimum turnout in percent, fixed at creation.
    .addColumn("quorum", "integer", (c) => c.notNull().check(sql`quorum between 0 and 100`))
    .addColumn("created_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    // The list of voters is frozen by the first ballot (or at confirm): see campaign_electors.
    .addColumn("electorate_at", "integer")
    .addColumn("electorate", "integer")
    .addColumn("confirmed_at", "integer")
    .addColumn("confirmed_by", "integer", (c) => c.references("users.id"))
    .addCheckConstraint("campaigns_windows", sql`nominate_from < nominate_until and nominate_until <= vote_from and vote_from < vote_until`)
    .addCheckConstraint("campaigns_confirmed", sql`(confirmed_at is null) = (confirmed_by is null)`)
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("campaigns_village").on("campaigns").columns(["village_id", "vote_until"]).execute();

  await db.schema
    .createTable("campaign_categories")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("campaign_id", "integer", (c) => c.notNull().references("campaigns.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    // 'household': 文明家庭, 最美家庭 (a household is nominated); 'member': 好婆婆, 好媳妇 (a person is).
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('household', 'member')`))
    .addColumn("winners", "integer", (c) => c.notNull().check(sql`winners between 1 and 20`))
    .addColumn("rule_id", "integer", (c) => c.notNull().references("rules.id"))
    // A tie at the last winning place, decided by the committee with a reason (JSON array of nomination ids).
    .addColumn("tie_choice", "text")
    .addColumn("tie_reason", "text")
    .addColumn("tie_by", "integer", (c) => c.references("users.id"))
    .addColumn("tie_at", "integer")
    .addUniqueConstraint("campaign_categories_name", ["campaign_id", "name"])
    .addCheckConstraint("campaign_categories_tie", sql`(tie_choice is null) = (tie_reason is null)`)
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("campaign_nominations")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("campaign_id", "integer", (c) => c.notNull().references("campaigns.id"))
    .addColumn("category_id", "integer", (c) => c.notNull().references("campaign_categories.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("member_id", "integer", (c) => c.references("members.id")) // null for a household category
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("nominated_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("nominator_role", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('proposed', 'accepted', 'rejected', 'merged')`))
    .addColumn("merged_into", "integer", (c) => c.references("campaign_nominations.id"))
    .addColumn("decided_by", "integer", (c) => c.references("users.id"))
    .addColumn("decided_at", "integer")
    .addColumn("decision_note", "text")
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addCheckConstraint("campaign_nominations_merged", sql`(status = 'merged') = (merged_into is not null)`)
    .modifyEnd(strict)
    .execute();
  // One nomination per nominator, nominee and category.
  await sql`create unique index campaign_nominations_once on campaign_nominations (category_id, household_id, coalesce(member_id, 0), nominated_by)`.execute(db);
  await db.schema.createIndex("campaign_nominations_campaign").on("campaign_nominations").columns(["campaign_id", "status"]).execute();

  // Who may vote, frozen once: 'member:<id>' (a representative) or 'household:<id>'.
  await db.schema
    .createTable("campaign_electors")
    .addColumn("campaign_id", "integer", (c) => c.notNull().references("campaigns.id"))
    .addColumn("voter_key", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("campaign_electors_pk", ["campaign_id", "voter_key"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();

  // One ballot per voter and category: changing it rewrites its choices, never adds a ballot.
  await db.schema
    .createTable("campaign_ballots")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("campaign_id", "integer", (c) => c.notNull().references("campaigns.id"))
    .addColumn("category_id", "integer", (c) => c.notNull().references("campaign_categories.id"))
    .addColumn("voter_key", "text", (c) => c.notNull())
    .addColumn("cast_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("changes", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("campaign_ballots_once", ["category_id", "voter_key"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("campaign_ballots_campaign").on("campaign_ballots").columns(["campaign_id", "voter_key"]).execute();

  await db.schema
    .createTable("campaign_ballot_choices")
    .addColumn("ballot_id", "integer", (c) => c.notNull().references("campaign_ballots.id"))
    .addColumn("nomination_id", "integer", (c) => c.notNull().references("campaign_nominations.id"))
    .addPrimaryKeyConstraint("campaign_ballot_choices_pk", ["ballot_id", "nomination_id"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();
  await db.schema.createIndex("campaign_ballot_choices_nomination").on("campaign_ballot_choices").column("nomination_id").execute();

  await db.schema
    .createTable("campaign_winners")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("campaign_id", "integer", (c) => c.notNull().references("campaigns.id"))
    .addColumn("category_id", "integer", (c) => c.notNull().references("campaign_categories.id"))
    .addColumn("nomination_id", "integer", (c) => c.notNull().references("campaign_nominations.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("member_id", "integer", (c) => c.references("members.id"))
    .addColumn("votes", "integer", (c) => c.notNull())
    .addColumn("by_tie", "integer", (c) => c.notNull().check(sql`by_tie in (0, 1)`))
    .addColumn("claim_id", "integer", (c) => c.notNull().references("claims.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("campaign_winners_once", ["category_id", "nomination_id"])
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("campaign_winners_household").on("campaign_winners").column("household_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["campaign_winners", "campaign_ballot_choices", "campaign_ballots", "campaign_electors", "campaign_nominations", "campaign_categories", "campaigns"]) {
    await db.schema.dropTable(t).execute();
  }
  await sql`alter table members drop column is_representative`.execute(db);
}
