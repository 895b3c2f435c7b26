// What the township asks every month (issued by category, deducted, redeemed, reversed) per village,
// kept by the ledger in the posting transaction, as account_months is per account: the dashboard
// reads a few hundred rows instead of summing two million entries per request. And each household
// account's latest award, for "households that earned in the last 30/90 days".
// Both are filled here from the ledger as it stands; check:ledger compares them with the entries.
import { sql, type Kysely } from "kysely";

const MONTH_MS_MAX = 32 * 24 * 3600_000;
const CHINA_OFFSET = 8 * 3600_000;

/** "2026-11" and its start in China time, as the ledger's chinaMonth gives it. */
function monthOf(at: number): { month: string; start: number } {
  const d = new Date(at + CHINA_OFFSET);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  return { month: `${y}-${String(m + 1).padStart(2, "0")}`, start: Date.UTC(y, m, 1) - CHINA_OFFSET };
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("ledger_months")
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("month", "text", (c) => c.notNull())
    // A reversal is summed under the kind it reverses (reversal = 1), so issued less reversed is one subtraction.
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull()) // the rule's category, '' without a rule
    .addColumn("reversal", "integer", (c) => c.notNull().check(sql`reversal in (0, 1)`))
    .addColumn("points", "integer", (c) => c.notNull()) // signed: what the village's households gained
    .addColumn("txns", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("ledger_months_pk", ["village_id", "month", "kind", "category", "reversal"])
    .modifyEnd(sql`without rowid, strict`)
    .execute();
  await db.schema.alterTable("accounts").addColumn("last_earned_at", "integer").execute();
  await fill(db);
}

/** Both figures from the ledger as it stands (exported: a test empties and refills them). */
export async function fill(db: Kysely<any>): Promise<void> {
  const span = await db
    .selectFrom("ledger_transactions")
    .select((eb) => [eb.fn.min("created_at").as("first"), eb.fn.max("created_at").as("last")])
    .executeTakeFirstOrThrow();
  if (span.first === null) return;
  // One grouped read per month: builder-only (no engine's date functions), bounded by the month's rows.
  for (let start = monthOf(Number(span.first)).start; start <= Number(span.last); ) {
    const { month } = monthOf(start);
    const end = monthOf(start + MONTH_MS_MAX).start;
    const points = (eb: any) =>
      eb.fn.coalesce(
        eb.selectFrom("ledger_entries as e")
          .innerJoin("accounts as a", "a.id", "e.account_id")
          .select(eb.fn.sum("e.amount").as("p"))
          .whereRef("e.txn_id", "=", "t.id")
          .where("a.kind", "=", "household"),
        sql.lit(0),
      );
    const rows = await db
      .selectFrom("ledger_transactions as t")
      .leftJoin("ledger_transactions as o", "o.id", "t.reverses_id")
      .leftJoin("rules as r", "r.id", "t.rule_id")
      .select((eb: any) => [
        "t.village_id",
        eb.fn.coalesce("o.kind", "t.kind").as("kind"),
        eb.fn.coalesce("r.category", sql.lit("")).as("category"),
        eb.case().when("t.kind", "=", "reversal").then(1).else(0).end().as("reversal"),
        eb.fn.sum(points(eb)).as("points"),
        eb.fn.countAll().as("txns"),
      ])
      .where("t.created_at", ">=", start)
      .where("t.created_at", "<", end)
      .groupBy(["t.village_id", "o.kind", "t.kind", "r.category"])
      .execute();
    // o.kind and t.kind are grouped apart: fold rows that land on one key.
    const folded = new Map<string, { village_id: number; month: string; kind: string; category: string; reversal: number; points: number; txns: number }>();
    for (const r of rows) {
      const key = `${r.village_id}|${r.kind}|${r.category}|${r.reversal}`;
      const f = folded.get(key) ?? { village_id: r.village_id, month, kind: r.kind, category: r.category, reversal: Number(r.reversal), points: 0, txns: 0 };
      f.points += Number(r.points);
      f.txns += Number(r.txns);
      folded.set(key, f);
    }
    if (folded.size) await db.insertInto("ledger_months").values([...folded.values()]).execute();
    start = end;
  }
  await db
    .updateTable("accounts")
    .set((eb: any) => ({
      last_earned_at: eb
        .selectFrom("ledger_entries as e")
        .innerJoin("ledger_transactions as t", "t.id", "e.txn_id")
        .select(eb.fn.max("e.created_at").as("at"))
        .whereRef("e.account_id", "=", "accounts.id")
        .where("t.kind", "=", "award"),
    }))
    .where("kind", "=", "household")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("accounts").dropColumn("last_earned_at").execute();
  await db.schema.dropTable("ledger_months").execute();
}
