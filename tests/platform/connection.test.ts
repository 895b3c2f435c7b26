// The process-wide connection's settings the ledger depends on: a commit is on disk before it is
// answered, foreign keys hold, a second process waits instead of failing, and savepoint journals
// (every grouped write is one) stay in memory instead of temp files.
import { sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { expect, it } from "vitest";
import { engine } from "~/platform/database.server";
import { onPostgres } from "../support/sql";

// SQLite's own pragmas; PostgreSQL's counterparts are checked below.
it.skipIf(onPostgres())("opens the database in WAL mode with synchronous=FULL, foreign keys, a busy timeout and in-memory temp storage", () => {
  const current = engine();
  if (current.kind !== "sqlite") throw new Error("SQLite only");
  const p = (name: string) => current.sqlite.pragma(name, { simple: true });
  expect({
    journal: p("journal_mode"), synchronous: p("synchronous"), foreignKeys: p("foreign_keys"), busyTimeout: p("busy_timeout"), tempStore: p("temp_store"),
  }).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 5000, tempStore: 2 });
});

// PostgreSQL enforces foreign keys and makes a second writer wait on its own; durability is the
// server's setting (synchronous_commit), not the connection's. What the app sets is checked here.
it.runIf(onPostgres())("on PostgreSQL: a transaction left open ends after a minute, and reads outside a unit of work cannot write", async () => {
  const current = engine();
  const setting = async (k: Kysely<Database>, name: string) => (await sql<{ v: string }>`select current_setting(${name}) as v`.execute(k)).rows[0].v;
  expect({
    writerIdle: await setting(current.writer, "idle_in_transaction_session_timeout"),
    readerIdle: await setting(current.reader(), "idle_in_transaction_session_timeout"),
    writerReadOnly: await setting(current.writer, "default_transaction_read_only"),
    readerReadOnly: await setting(current.reader(), "default_transaction_read_only"),
  }).toEqual({ writerIdle: "1min", readerIdle: "1min", writerReadOnly: "off", readerReadOnly: "on" });
  await expect(sql`create table reader_write_probe (id bigint)`.execute(current.reader())).rejects.toThrow(/read-only transaction/);
});
