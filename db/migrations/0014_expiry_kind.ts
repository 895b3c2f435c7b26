// Points that expire (积分清零 / 过期) leave the household as ledger transactions of their own kind,
// `expiry`, so statements, the village summary and the township's 过期 figure can tell them from
// deductions (decision 0035). 0001's check on `kind` must admit it.
//
// PostgreSQL alters the check in place. SQLite cannot alter a check: the table is rebuilt as SQLite's
// ALTER TABLE documentation describes (new table, copy, drop, rename, with foreign keys off so the
// drop does not trip the entries that point at it), in one transaction. Rows are copied unchanged,
// so every entry's hash still verifies.
import { sql, SqliteAdapter, type Kysely } from "kysely";

const KINDS = sql`kind in ('award','deduction','redemption','reversal','adjustment','expiry')`;
const COLUMNS = [
  "id", "village_id", "kind", "idem_key", "request_hash", "reverses_id", "actor_user_id", "actor_role",
  "member_id", "rule_id", "cause_kind", "cause_id", "memo", "created_at",
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) {
    // PostgreSQL names a column's check <table>_<column>_check.
    await db.schema.alterTable("ledger_transactions").dropConstraint("ledger_transactions_kind_check").execute();
    await db.schema.alterTable("ledger_transactions").addCheckConstraint("ledger_transactions_kind_check", KINDS).execute();
    return;
  }
  // Outside a transaction, or SQLite ignores it.
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (tx) => {
      await tx.schema
        .createTable("ledger_transactions_next")
        .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
        .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
        .addColumn("kind", "text", (c) => c.notNull().check(KINDS))
        .addColumn("idem_key", "text", (c) => c.notNull().unique())
        .addColumn("request_hash", "text", (c) => c.notNull())
        .addColumn("reverses_id", "integer", (c) => c.unique().references("ledger_transactions.id"))
        .addColumn("actor_user_id", "integer", (c) => c.references("users.id"))
        .addColumn("actor_role", "text", (c) => c.notNull())
        .addColumn("member_id", "integer", (c) => c.references("members.id"))
        .addColumn("rule_id", "integer")
        .addColumn("cause_kind", "text")
        .addColumn("cause_id", "integer")
        .addColumn("memo", "text", (c) => c.notNull())
        .addColumn("created_at", "integer", (c) => c.notNull())
        .modifyEnd(sql`strict`)
        .execute();
      await tx
        .insertInto("ledger_transactions_next")
        .columns([...COLUMNS])
        .expression(tx.selectFrom("ledger_transactions").select([...COLUMNS]).orderBy("id"))
        .execute();
      await tx.schema.dropTable("ledger_transactions").execute();
      await tx.schema.alterTable("ledger_transactions_next").renameTo("ledger_transactions").execute();
      await tx.schema.createIndex("ledger_transactions_cause").on("ledger_transactions").columns(["cause_kind", "cause_id"]).execute();
      await sql`${sql.raw(`create trigger ledger_transactions_no_update before update on ledger_transactions
    begin select raise(abort, 'ledger_transactions is append-only'); end`)}`.execute(tx);
      await sql`${sql.raw(`create trigger ledger_transactions_no_delete before delete on ledger_transactions
    begin select raise(abort, 'ledger_transactions is append-only'); end`)}`.execute(tx);
      // Every reference to the rebuilt table must still hold before the change is kept (only those:
      // whatever else the database holds is not this migration's to judge).
      const broken = (await sql<{ parent: string }>`pragma foreign_key_check`.execute(tx)).rows.filter((r) => r.parent === "ledger_transactions");
      if (broken.length) throw new Error(`0014: ${broken.length} references to ledger_transactions broken by the rebuild`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error("0014 is not reversible: an expiry transaction cannot be made to disappear");
}
