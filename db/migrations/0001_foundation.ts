// Foundation schema. Landed migrations never change: add a new file instead.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("townships")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("villages")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("township_id", "integer", (c) => c.notNull().references("townships.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("notice_days", "integer", (c) => c.notNull().defaultTo(3).check(sql`notice_days >= 0`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("villages_name_unique", ["township_id", "name"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("grids")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addUniqueConstraint("grids_name_unique", ["village_id", "name"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("households")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("grid_id", "integer", (c) => c.references("grids.id"))
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("households_number_unique", ["village_id", "number"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("members")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("relation", "text", (c) => c.notNull())
    .addColumn("phone", "text")
    .addColumn("is_head", "integer", (c) => c.notNull().defaultTo(0).check(sql`is_head in (0, 1)`))
    .addColumn("can_redeem", "integer", (c) => c.notNull().defaultTo(1).check(sql`can_redeem in (0, 1)`))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("members_household").on("members").column("household_id").execute();
  // At most one head per household, enforced where it cannot be forgotten.
  await sql`create unique index members_one_head on members (household_id) where is_head = 1 and active = 1`.execute(db);

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("phone", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("member_id", "integer", (c) => c.unique().references("members.id"))
    .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("password_changed_at", "integer")
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("user_roles")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("role", "text", (c) =>
      c.notNull().check(
        sql`role in ('villager','household_head','inspector','store_keeper','committee','village_admin','township_admin')`,
      ),
    )
    .addColumn("village_id", "integer", (c) => c.references("villages.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    // The township admin spans the township; every other role is scoped to one village.
    .addCheckConstraint(
      "user_roles_scope",
      sql`(role = 'township_admin') = (village_id is null)`,
    )
    .modifyEnd(strict)
    .execute();
  await sql`create unique index user_roles_unique on user_roles (user_id, role, coalesce(village_id, 0))`.execute(db);

  await db.schema
    .createTable("sessions")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("last_seen_at", "integer", (c) => c.notNull())
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .addColumn("ip", "text", (c) => c.notNull())
    .addColumn("user_agent", "text", (c) => c.notNull())
    .addColumn("revoked_at", "integer")
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("sessions_user").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("login_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("first_failure_at", "integer", (c) => c.notNull())
    .addColumn("blocked_until", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("at", "integer", (c) => c.notNull())
    .addColumn("actor_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("actor_role", "text", (c) => c.notNull())
    .addColumn("village_id", "integer", (c) => c.references("villages.id"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text", (c) => c.notNull())
    .addColumn("target_id", "text")
    .addColumn("before_json", "text")
    .addColumn("after_json", "text")
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("audit_log_village").on("audit_log").columns(["village_id", "id"]).execute();
  await appendOnly(db, "audit_log");

  await db.schema
    .createTable("stores")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();

  await createLedger(db);
}

async function createLedger(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('household','issuance','store')`))
    .addColumn("household_id", "integer", (c) => c.unique().references("households.id"))
    .addColumn("store_id", "integer", (c) => c.unique().references("stores.id"))
    .addColumn("balance", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addCheckConstraint(
      "accounts_owner",
      sql`(kind = 'household') = (household_id is not null) and (kind = 'store') = (store_id is not null)`,
    )
    .modifyEnd(strict)
    .execute();
  await sql`create unique index accounts_one_issuance on accounts (village_id) where kind = 'issuance'`.execute(db);

  await db.schema
    .createTable("account_scores")
    .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id"))
    .addColumn("year", "integer", (c) => c.notNull())
    .addColumn("score", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_scores_pk", ["account_id", "year"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();

  // Per account and China-time month: entries, points in and out. Kept in the posting transaction
  // so statements find totals and page boundaries without scanning a household's whole history.
  await db.schema
    .createTable("account_months")
    .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id"))
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("entries", "integer", (c) => c.notNull())
    .addColumn("income", "integer", (c) => c.notNull())
    .addColumn("spent", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_months_pk", ["account_id", "month"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();

  await db.schema
    .createTable("ledger_transactions")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("kind", "text", (c) =>
      c.notNull().check(sql`kind in ('award','deduction','redemption','reversal','adjustment')`),
    )
    .addColumn("idem_key", "text", (c) => c.notNull().unique())
    .addColumn("request_hash", "text", (c) => c.notNull())
    // unique: a transaction can be reversed at most once
    .addColumn("reverses_id", "integer", (c) => c.unique().references("ledger_transactions.id"))
    .addColumn("actor_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("actor_role", "text", (c) => c.notNull())
    .addColumn("member_id", "integer", (c) => c.references("members.id"))
    .addColumn("rule_id", "integer")
    .addColumn("cause_kind", "text")
    .addColumn("cause_id", "integer")
    .addColumn("memo", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema
    .createIndex("ledger_transactions_cause")
    .on("ledger_transactions")
    .columns(["cause_kind", "cause_id"])
    .execute();

  await db.schema
    .createTable("ledger_entries")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("txn_id", "integer", (c) => c.notNull().references("ledger_transactions.id"))
    .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id"))
    .addColumn("amount", "integer", (c) => c.notNull().check(sql`amount <> 0`))
    .addColumn("score_delta", "integer", (c) => c.notNull())
    .addColumn("score_year", "integer", (c) => c.notNull())
    // A copy of the transaction's time, so a household's statement is one index range (checked by check:ledger).
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("prev_hash", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("ledger_entries_txn").on("ledger_entries").column("txn_id").execute();
  // Statement pages and monthly totals read only this index (amount included: a covering index).
  await db.schema
    .createIndex("ledger_entries_account_time")
    .on("ledger_entries")
    .columns(["account_id", "created_at", "id", "amount"])
    .execute();
  await appendOnly(db, "ledger_transactions");
  await appendOnly(db, "ledger_entries");

  await db.schema
    .createTable("holds")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("account_id", "integer", (c) => c.notNull().references("accounts.id"))
    .addColumn("amount", "integer", (c) => c.notNull().check(sql`amount > 0`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('active','released','converted')`),
    )
    .addColumn("idem_key", "text", (c) => c.notNull().unique())
    .addColumn("request_hash", "text", (c) => c.notNull())
    .addColumn("cause_kind", "text")
    .addColumn("cause_id", "integer")
    .addColumn("actor_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .addColumn("settled_at", "integer")
    .addColumn("settled_txn_id", "integer", (c) => c.references("ledger_transactions.id"))
    .modifyEnd(strict)
    .execute();
  await sql`create index holds_active on holds (account_id) where status = 'active'`.execute(db);
  // A hold only moves forward: active -> released | converted, and never changes amount.
  await sql`
    create trigger holds_forward_only before update on holds
    when old.status <> 'active' or new.amount <> old.amount or new.account_id <> old.account_id
    begin select raise(abort, 'hold is settled'); end`.execute(db);
  await sql`create trigger holds_no_delete before delete on holds
    begin select raise(abort, 'holds are never deleted'); end`.execute(db);
}

async function appendOnly(db: Kysely<any>, table: string): Promise<void> {
  await sql`${sql.raw(`create trigger ${table}_no_update before update on ${table}
    begin select raise(abort, '${table} is append-only'); end`)}`.execute(db);
  await sql`${sql.raw(`create trigger ${table}_no_delete before delete on ${table}
    begin select raise(abort, '${table} is append-only'); end`)}`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error("the foundation migration is not reversible");
}
