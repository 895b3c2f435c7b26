// The only module that opens databases, and the one way to run a unit of work (decision 0029).
//
// Domain code reads with `db()` and writes inside `unitOfWork(async (tx) => …)`; it never knows
// which engine answers. On SQLite (the default, one file) there is one writing connection, whose
// transactions begin IMMEDIATE, and a second, read-only connection for reads outside a unit of
// work: in WAL mode it sees every committed write and never an uncommitted one, and a reader is
// never queued behind another request's open transaction.
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery, Kysely, Migrator, SqliteAdapter, SqliteDriver, SqliteIntrospector, SqliteQueryCompiler, sql,
  type DatabaseConnection, type MigrationProvider, type RawBuilder, type SqliteDatabase, type Transaction,
} from "kysely";
import type { Database } from "../../db/schema";
import { migrations } from "../../db/migrations/index";
import { databasePath } from "./env.server";

/** A unit of work's transaction: what `unitOfWork` hands its callback (and `db()` returns inside it). */
export type Tx = Transaction<Database>;
/** Anything that runs queries: the reader, or a unit of work's transaction. */
export type Db = Kysely<Database>;

export interface Engine {
  kind: "sqlite";
  path: string;
  /** The writing connection's own handle: migrations' checks, backups, the tests' independent reads. */
  sqlite: SQLite.Database;
  writer: Kysely<Database>;
  /** Reads outside a unit of work (a second, read-only connection; the writer for ":memory:"). */
  reader: () => Kysely<Database>;
  /** The reader's own handle (the writer's for ":memory:"). */
  readerSqlite: () => SQLite.Database;
  close: () => Promise<void>;
}

// ---- SQLite ----------------------------------------------------------------------------------------

/**
 * kysely's SQLite driver prepares every query anew (~25 µs for a simple select against ~5 µs for a
 * prepared statement, measured on the bench data); statements are reused by SQL text instead. A
 * statement still being read by an iterator (a streamed export) is busy: then a fresh one is made.
 */
function reusingStatements(sqlite: SQLite.Database, writer: boolean): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(source: string) {
      // SQLite ends a whole transaction by itself on some errors (disk full, I/O). A unit of work
      // that went on after such an error (a caller catching a nested unit's refusal) would write
      // outside any transaction, and those writes would stay: refuse them instead.
      if (writer && open.getStore() && !sqlite.inTransaction) throw new Error("写入没有完成，请重试（数据库已结束这次事务）");
      const hit = cache.get(source);
      if (hit && !hit.busy) return hit;
      const fresh = sqlite.prepare(source);
      if (!hit && cache.size < 5000) cache.set(source, fresh);
      return fresh;
    },
  };
}

/** Transactions take the write lock up front: two writers never deadlock upgrading a read lock. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

function sqliteKysely(sqlite: SQLite.Database, writer = false): Kysely<Database> {
  const database = reusingStatements(sqlite, writer);
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new ImmediateSqliteDriver({ database }),
      createIntrospector: (k) => new SqliteIntrospector(k),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

function openSqlite(file: string): SQLite.Database {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // Savepoint journals stay in memory: a unit of work with nested units (a round's publication, an
  // activity's close) can journal more than the 64 KiB after which SQLite would otherwise create,
  // write and delete a file in /var/tmp.
  sqlite.pragma("temp_store = MEMORY");
  sqlite.pragma("recursive_triggers = ON"); // else INSERT OR REPLACE deletes append-only rows without firing their delete triggers
  return sqlite;
}

export function openDatabase(file: string): Engine {
  const sqlite = openSqlite(file);
  const writer = sqliteKysely(sqlite, true);
  let reader: Kysely<Database> | undefined;
  let readSqlite: SQLite.Database | undefined;
  const readerSqlite = () => {
    if (file === ":memory:") return sqlite;
    if (!readSqlite) {
      readSqlite = new SQLite(file, { readonly: true, fileMustExist: true });
      readSqlite.pragma("busy_timeout = 5000");
    }
    return readSqlite;
  };
  return {
    kind: "sqlite",
    path: file,
    sqlite,
    writer,
    readerSqlite,
    reader: () => {
      if (file === ":memory:") return writer;
      return (reader ??= sqliteKysely(readerSqlite()));
    },
    close: async () => {
      await reader?.destroy();
      await writer.destroy();
    },
  };
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

/** The same, for kysely queries (the ledger check); `destroy()` closes it. */
export function inspect(file: string): Kysely<Database> {
  return sqliteKysely(openReadOnly(file));
}

// ---- the process-wide database -----------------------------------------------------------------------

let current: Engine | undefined;

/** The process-wide engine (one per process; see decision 0029). */
export function engine(): Engine {
  if (!current) current = openDatabase(databasePath());
  return current;
}

export async function closeDatabase(): Promise<void> {
  if (!current) return;
  const closing = current;
  current = undefined;
  await closing.close();
}

// ---- units of work -----------------------------------------------------------------------------------

/** The unit of work open in this async context, and how many savepoints deep it is. */
const open = new AsyncLocalStorage<{ tx: Tx; depth: number }>();

/**
 * Where to read: inside a unit of work its own transaction (so it sees what it wrote), otherwise
 * the reader. Writing through it outside a unit of work fails: the reader is read-only.
 */
export function db(): Db {
  return open.getStore()?.tx ?? engine().reader();
}

/**
 * A constant written into the SQL text instead of bound as a parameter, for columns that a partial
 * index filters on (members.is_head/active, accounts.kind, holds.status, orders.status). SQLite
 * re-plans a statement on every run when such a column is compared with a parameter, since whether
 * the index applies depends on the value: ~4 µs against ~0.5 µs per run, measured. The other fixed
 * states and flags are written the same way, so one rule holds. Our own constants only, never
 * input (sql.lit quotes strings).
 */
export function constant<T extends string | number>(value: T): RawBuilder<T> {
  return sql.lit(value);
}

/**
 * Runs fn as one atomic unit: everything it writes commits together or not at all. fn must await
 * nothing but the database: on SQLite the unit holds the only writer until it ends. Called inside
 * another unit of work, it runs as a savepoint of it: its writes roll back alone if it throws.
 */
export async function unitOfWork<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const outer = open.getStore();
  if (outer) return savepoint(outer.tx, fn);
  let failed: { error: unknown } | undefined;
  try {
    return await engine().writer.transaction().execute((tx) =>
      open.run({ tx, depth: 0 }, async () => {
        try {
          return await fn(tx);
        } catch (error) {
          failed = { error };
          throw error;
        }
      }),
    );
  } catch (error) {
    // kysely rolls back after fn fails; when SQLite had already ended the transaction (disk full,
    // I/O), that rollback fails too, and its "no transaction is active" would hide why.
    if (failed && error !== failed.error) throw failed.error;
    throw error;
  }
}

/**
 * fn as part of the caller's unit of work when there is one (no savepoint: for a single statement,
 * or work whose failure fails the caller too), otherwise in a unit of its own.
 */
export async function atomically<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const outer = open.getStore();
  return outer ? await fn(outer.tx) : await unitOfWork(fn);
}

/** fn's writes inside tx, rolled back alone if fn throws (the error is rethrown). */
export async function savepoint<T>(tx: Tx, fn: (tx: Tx) => Promise<T>): Promise<T> {
  // Named by nesting depth, not by a running count: the statement cache keys on SQL text, and a
  // new name per savepoint would fill it with one-off texts. kysely's typed savepoints track names
  // in the type, so the three standard commands (the same on SQLite and PostgreSQL) are written out.
  const outer = open.getStore();
  const depth = outer?.tx === tx ? outer.depth + 1 : 1;
  const name = sql.id(`sp${depth}`);
  await sql`savepoint ${name}`.execute(tx);
  try {
    const out = await open.run({ tx, depth }, () => fn(tx));
    await sql`release savepoint ${name}`.execute(tx);
    return out;
  } catch (error) {
    try {
      await sql`rollback to savepoint ${name}`.execute(tx);
      await sql`release savepoint ${name}`.execute(tx);
    } catch {
      // No savepoint to roll back to: the engine has ended the whole transaction (disk full, I/O),
      // or cannot undo this part of it. End it for certain, so no commit keeps half of fn's
      // writes, and report the error that caused it.
      await sql`rollback`.execute(tx).catch(() => {});
    }
    throw error;
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs before anything else touches the connection. */
export async function migrateToLatest(target: Engine = engine()): Promise<string[]> {
  const migrator = new Migrator({ db: target.writer, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
