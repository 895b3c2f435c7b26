// The process-wide connection's settings the ledger depends on: a commit is on disk before it is
// answered, foreign keys hold, a second process waits instead of failing, and savepoint journals
// (every grouped write is one) stay in memory instead of temp files.
import { expect, it } from "vitest";
import { engine } from "~/platform/database.server";

it("opens the database in WAL mode with synchronous=FULL, foreign keys, a busy timeout and in-memory temp storage", () => {
  const p = (name: string) => engine().sqlite.pragma(name, { simple: true });
  expect({
    journal: p("journal_mode"), synchronous: p("synchronous"), foreignKeys: p("foreign_keys"), busyTimeout: p("busy_timeout"), tempStore: p("temp_store"),
  }).toEqual({ journal: "wal", synchronous: 2, foreignKeys: 1, busyTimeout: 5000, tempStore: 2 });
});
