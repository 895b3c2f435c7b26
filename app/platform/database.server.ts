// The only module that opens databases, and the one way to run a unit of work (decision 0029).
//
// Domain code reads with `db()` and writes inside `unitOfWork(async (tx) => …)`; it never knows
// which engine answers. On SQLite (the default, one file) there is one writing connection, whose
// transactions begin IMMEDIATE, and a second, read-only connection for reads outside a unit of
// work: in WAL mode it sees every committed write and never an uncommitted one, and a reader is
// never queued behind another request's open transaction. With DATABASE_URL=postgres://… the same
// units run on PostgreSQL as serialisable transactions, retried a bounded number of times when the
// server refuses one (decision 0032); see postgres.server.ts.
import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery, Kysely, Migrator, SqliteAdapter, SqliteDriver, SqliteIntrospector, SqliteQueryCompiler, sql,
  type DatabaseConnection, type Migration, type MigrationProvider, type RawBuilder, type SqliteDatabase, type Transaction,
} from "kysely";
import type { Database } from "../../db/schema";
import { migrations } from "../../db/migrations/index";
import { PostgresMigrations, postgresOnlyMigrations } from "../../db/migrations/postgres";
import { databasePath, databaseUrl, isPostgresUrl } from "./env.server";
import { inspectPostgres, isRetryable, openPostgres, type PostgresEngine } from "./postgres.server";

/** A unit of work's transaction: what `unitOfWork` hands its callback (and `db()` returns inside it). */
export type Tx = Transaction<Database>;
/** Anything that runs queries: the reader, or a unit of work's transaction. */
export type Db = Kysely<Database>;

/** The process's database: the embedded SQLite file, or a PostgreSQL server (DATABASE_URL). */
export type Engine = SqliteEngine | PostgresEngine;

export interface SqliteEngine {
  kind: "sqlite";
  /** Where the data is, for messages: the file. */
  location: string;
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

/** Opens the database at `location`: a postgres:// URL, otherwise a SQLite file. */
export function openDatabase(location: string): Engine {
  return isPostgresUrl(location) ? openPostgres(location) : openSqliteEngine(location);
}

function openSqliteEngine(file: string): SqliteEngine {
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
    location: file,
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

/** The same, for kysely queries (the ledger check), on a file or a postgres:// URL; `destroy()` closes it. */
export function inspect(location: string): Kysely<Database> {
  return isPostgresUrl(location) ? inspectPostgres(location) : sqliteKysely(openReadOnly(location));
}


// ---- the process-wide database -----------------------------------------------------------------------

let current: Engine | undefined;

/** The process-wide engine (one per process; see decision 0029). */
export function engine(): Engine {
  if (!current) current = openDatabase(databaseUrl() ?? databasePath());
  return current;
}

export async function closeDatabase(): Promise<void> {
  if (!current) return;
  const closing = current;
  current = undefined;
  await closing.close();
}

// ---- units of work -----------------------------------------------------------------------------------

/** The outermost unit's state, shared by its savepoints. */
interface Unit {
  /** PostgreSQL: the unit began by locking the ledger chain (see `lockLedgerChain`). */
  chainLocked: boolean;
  /** PostgreSQL: the unit reached a ledger append without the lock, so it must run again with it. */
  needsChainLock: boolean;
  /** PostgreSQL: read committed (`perVillage`, `blindWrite`), not serialisable. */
  readCommitted?: boolean;
}

/** The unit of work open in this async context, and how many savepoints deep it is. */
const open = new AsyncLocalStorage<{ tx: Tx; depth: number; unit: Unit }>();

/** Thrown to end an attempt that must start again with the ledger chain locked. */
class ChainLockNeeded extends Error {}

/** How often a unit is tried when PostgreSQL refuses it (serialisation failure, deadlock). */
const MAX_ATTEMPTS = 10;

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

export interface UnitOptions {
  /**
   * The unit appends to the ledger: on PostgreSQL it begins with the chain's lock instead of
   * learning at its first append that it needs it and starting again (see `lockLedgerChain`).
   * Only the outermost unit's option counts.
   */
  appendsToLedger?: boolean;
  /**
   * One blind write whose effect does not depend on anything read (noting a session's visit): on
   * PostgreSQL it runs at read committed, where two requests touching the same row queue instead
   * of one failing and running again.
   */
  blindWrite?: boolean;
  /**
   * A store write (a code, a confirm, a counter sale, stock): on PostgreSQL it runs at read committed
   * and serialises on its village's store lock (`lockVillageStore`, taken before anything it checks
   * is read), as every store write of the village does; its ledger append takes the chain's lock
   * when it gets there. Serialisable isolation would refuse checkouts at different counters for
   * sharing an index page of the few live holds (measured: decision 0032).
   */
  perVillage?: boolean;
}

/** The option of units that append to the ledger. */
export const APPENDS: UnitOptions = { appendsToLedger: true };

/**
 * Runs fn as one atomic unit: everything it writes commits together or not at all. fn must await
 * nothing but the database: on SQLite the unit holds the only writer until it ends; on PostgreSQL
 * fn may run again from the start (a serialisation failure or deadlock, up to MAX_ATTEMPTS times),
 * so it must not change anything outside the database either. Called inside another unit of work,
 * it runs as a savepoint of it: its writes roll back alone if it throws.
 */
export async function unitOfWork<T>(fn: (tx: Tx) => Promise<T>, options: UnitOptions = {}): Promise<T> {
  const outer = open.getStore();
  if (outer) return savepoint(outer.tx, fn);
  const current = engine();
  if (current.kind === "sqlite") return once(current.writer, fn, { chainLocked: true, needsChainLock: false });
  const readCommitted = options.perVillage === true || options.blindWrite === true;
  let chainLocked = options.appendsToLedger === true && !readCommitted;
  for (let attempt = 1; ; attempt++) {
    const unit: Unit = { chainLocked, needsChainLock: false, readCommitted };
    try {
      return await once(current.writer, fn, unit);
    } catch (error) {
      if (unit.needsChainLock && !chainLocked) {
        chainLocked = true; // no wait: the next attempt queues on the lock instead
        continue;
      }
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Jittered backoff, so the units that collided do not collide again at once.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(2 ** attempt, 50)));
    }
  }
}

async function once<T>(writer: Kysely<Database>, fn: (tx: Tx) => Promise<T>, unit: Unit): Promise<T> {
  let failed: { error: unknown } | undefined;
  const postgres = engine().kind === "postgres";
  const begin = postgres ? writer.transaction().setIsolationLevel(unit.readCommitted ? "read committed" : "serializable") : writer.transaction();
  try {
    return await begin.execute(async (tx) => {
      // Before anything else: PostgreSQL takes the transaction's snapshot at its first query, and
      // LOCK TABLE is not one, so the chain's head read after it is the newest.
      if (postgres && unit.chainLocked) await lockChain(tx);
      return open.run({ tx, depth: 0, unit }, async () => {
        try {
          const out = await fn(tx);
          // fn caught the signal to start again (a caller handling errors broadly): still start again.
          if (unit.needsChainLock) throw new ChainLockNeeded();
          return out;
        } catch (error) {
          failed = { error };
          throw error;
        }
      });
    });
  } catch (error) {
    // kysely rolls back after fn fails; when SQLite had already ended the transaction (disk full,
    // I/O), that rollback fails too, and its "no transaction is active" would hide why.
    if (failed && error !== failed.error) throw failed.error;
    throw error;
  }
}

/** Self-exclusive, so appends queue; plain reads are not blocked. kysely's builder has no LOCK TABLE. */
function lockChain(tx: Tx): Promise<unknown> {
  return sql`lock table ledger_entries in share row exclusive mode`.execute(tx);
}

/**
 * Called by the ledger before it reads the chain's head to append to it. On SQLite the one writer
 * already serialises appends. On PostgreSQL the unit must hold the chain's lock from its first
 * statement (a serialisable snapshot taken earlier could not see the newest head): units that
 * append say so (`{ appendsToLedger: true }`), and one that did not is rolled back here and run
 * again with the lock (decision 0032).
 */
export async function lockLedgerChain(): Promise<void> {
  const store = open.getStore();
  if (!store) throw new Error("the ledger is appended to inside a unit of work only");
  if (store.unit.chainLocked) return;
  if (store.unit.readCommitted) {
    // At read committed every statement reads what is committed when it starts: after the lock, the newest head.
    await lockChain(store.tx);
    store.unit.chainLocked = true;
    return;
  }
  store.unit.needsChainLock = true;
  throw new ChainLockNeeded("这次写入需要重试");
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
  if (!outer || outer.tx !== tx) throw new Error("a savepoint belongs to the unit of work open here");
  const depth = outer.depth + 1;
  const name = sql.id(`sp${depth}`);
  await sql`savepoint ${name}`.execute(tx);
  try {
    const out = await open.run({ tx, depth, unit: outer.unit }, () => fn(tx));
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

/** Runs before anything else touches the connection. */
export async function migrateToLatest(target: Engine = engine()): Promise<string[]> {
  if (target.kind === "sqlite") return migrate(target.writer);
  // Several app processes may start at once: one migrates while the others wait on the lock.
  return target.writer.connection().execute(async (c) => {
    await c.selectNoFrom((eb) => eb.fn("pg_advisory_lock", [eb.val(MIGRATION_LOCK)]).as("locked")).execute();
    try {
      return await migrate(c.withPlugin(new PostgresMigrations()), { ...postgresOnlyMigrations, ...migrations });
    } finally {
      await advisoryUnlock(c, MIGRATION_LOCK);
    }
  });
}

/** PostgreSQL advisory lock keys of this app (any fixed numbers no other app on the server uses). */
const MIGRATION_LOCK = 7_203_001;
const LOCKS = { scheduler: 7_203_002 } as const;
/** The class of the per-village store locks (pg_advisory_xact_lock(class, village id)). */
const STORE_LOCK = 7_203_003;

/**
 * A store write of `villageId` waits here for the village's other store writes to end (PostgreSQL;
 * SQLite's one writer already serialises them). Called first in a `perVillage` unit, before what
 * it checks is read; `villageId` may come from a row that never changes (a household's village).
 */
export async function lockVillageStore(villageId: number): Promise<void> {
  const store = open.getStore();
  if (!store) throw new Error("a store lock is taken inside a unit of work only");
  if (engine().kind !== "postgres") return;
  await store.tx.selectNoFrom((eb) => eb.fn("pg_advisory_xact_lock", [eb.val(STORE_LOCK), eb.val(villageId)]).as("locked")).execute();
}

/**
 * Runs fn unless another process is running work of the same name (several app processes on one
 * PostgreSQL database); returns whether it ran. The lock is the database's, held by one connection
 * for fn's duration and released with it, also when the process dies. SQLite serves one process.
 */
export async function exclusively(name: keyof typeof LOCKS, fn: () => Promise<void>): Promise<boolean> {
  const current = engine();
  if (current.kind === "sqlite") {
    await fn();
    return true;
  }
  return current.writer.connection().execute(async (c) => {
    const { got } = await c.selectNoFrom((eb) => eb.fn<boolean>("pg_try_advisory_lock", [eb.val(LOCKS[name])]).as("got")).executeTakeFirstOrThrow();
    if (!got) return false;
    try {
      await fn();
      return true;
    } finally {
      await advisoryUnlock(c, LOCKS[name]);
    }
  });
}

function advisoryUnlock(c: Kysely<Database>, key: number): Promise<unknown> {
  return c.selectNoFrom((eb) => eb.fn("pg_advisory_unlock", [eb.val(key)]).as("unlocked")).execute();
}

async function migrate(k: Kysely<Database>, all: Record<string, Migration> = migrations): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => all };
  const migrator = new Migrator({ db: k, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
