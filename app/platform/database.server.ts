// The only module that opens the database.
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from "kysely";
import type { Database } from "../../db/schema";
import { migrations } from "../../db/migrations/index";
import { databasePath } from "./env.server";

export interface Db {
  sqlite: SQLite.Database;
  kysely: Kysely<Database>;
  path: string;
}

export function openDatabase(file: string): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Savepoint journals stay in memory: a batch of grouped writes (decision 0025) journals more than
  // the 64 KiB after which SQLite would otherwise create, write and delete a file in /var/tmp.
  sqlite.pragma("temp_store = MEMORY");
  sqlite.pragma("recursive_triggers = ON"); // else INSERT OR REPLACE deletes append-only rows without firing their delete triggers
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { sqlite, kysely, path: file };
}

/**
 * A read-only connection for inspecting a database file (check:ledger, a backup): it sets no pragma
 * that writes, so the file being checked is not changed (no journal-mode switch, no new folders).
 */
export function openReadOnly(file: string): SQLite.Database {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 5000");
  return sqlite;
}

let current: Db | undefined;
let statements = new Map<string, SQLite.Statement>();

/** The process-wide connection: one writer, one connection (see docs/decisions). */
export function db(): Db {
  if (!current) current = openDatabase(databasePath());
  return current;
}

export function closeDatabase(): void {
  if (!current) return;
  current.sqlite.close();
  current = undefined;
  statements = new Map();
}

/**
 * A prepared statement on the process-wide connection, compiled once per SQL text.
 * Preparing costs 5–20 µs; a page runs a dozen statements, the ledger several per transfer.
 */
export function stmt(source: string): SQLite.Statement {
  let s = statements.get(source);
  if (!s) {
    s = db().sqlite.prepare(source);
    statements.set(source, s);
  }
  return s;
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs before anything else touches the connection, so kysely's own migration transaction is safe here. */
export async function migrateToLatest(target: Db = db()): Promise<string[]> {
  const migrator = new Migrator({ db: target.kysely, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

let runner: { sqlite: SQLite.Database; run: SQLite.Transaction<(fn: () => unknown) => unknown> } | undefined;

/** Runs fn in one synchronous IMMEDIATE transaction (a savepoint when nested). fn must not await. */
export function transact<T>(fn: () => T): T {
  const sqlite = db().sqlite;
  // One wrapper per connection: building a new one costs more than a whole small transaction.
  if (runner?.sqlite !== sqlite) runner = { sqlite, run: sqlite.transaction((f: () => unknown) => f()) };
  return runner.run.immediate(fn) as T;
}

interface Queued {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

let queued: Queued[] = [];

/**
 * Group commit (decision 0025): fn runs in its own savepoint inside ONE synchronous IMMEDIATE
 * transaction shared with the other writes queued during this turn of the event loop, and the
 * promise settles only after that transaction has committed, so an answer never reports a write
 * that is not on disk. fn must not await, and must not catch SQLite's errors and go on writing.
 * If fn throws, only its own savepoint is rolled back and only its promise rejects. If the
 * transaction itself fails (begin, commit, or an error SQLite answers with a full rollback), every
 * write of the batch rejects and none is kept.
 */
export function transactGrouped<T>(fn: () => T): Promise<T> {
  // Inside a transaction the write would commit apart from it, outside its rollback.
  if (db().sqlite.inTransaction) return Promise.reject(new Error("transactGrouped called inside a transaction"));
  return new Promise<T>((resolve, reject) => {
    if (queued.length === 0) setImmediate(commitQueued);
    queued.push({ fn, resolve: resolve as (value: unknown) => void, reject });
  });
}

class BatchLost extends Error {
  constructor(cause: unknown) {
    super("写入没有完成，请重试", { cause });
  }
}

function commitQueued(): void {
  const batch = queued;
  queued = [];
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  let culprit: Queued | undefined;
  try {
    // A batch that began inside an open transaction would settle at its savepoint's release, not at a commit.
    if (db().sqlite.inTransaction) throw new Error("group commit found a transaction already open");
    transact(() => {
      for (const q of batch) {
        try {
          outcomes.push({ ok: true, value: transact(q.fn) });
        } catch (error) {
          // An error SQLite answers with a rollback of the whole transaction (disk full, I/O) undoes
          // the earlier savepoints too: then nothing of the batch may be reported as written.
          if (!db().sqlite.inTransaction) {
            culprit = q;
            throw error;
          }
          outcomes.push({ ok: false, error });
        }
      }
    });
  } catch (error) {
    // The others get their own error object: one request's refusal must not be shown on another's page.
    for (const q of batch) q.reject(q === culprit ? error : new BatchLost(error));
    return;
  }
  batch.forEach((q, i) => {
    const o = outcomes[i];
    if (o.ok) q.resolve(o.value);
    else q.reject(o.error);
  });
}
