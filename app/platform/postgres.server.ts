// PostgreSQL for database.server.ts (the only module that imports this one): a pool of writing
// connections for units of work and a pool of read-only ones for reads outside them, as on SQLite.
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database } from "../../db/schema";

export interface PostgresEngine {
  kind: "postgres";
  /** Where the data is, for messages: the URL without its password. */
  location: string;
  writer: Kysely<Database>;
  reader: () => Kysely<Database>;
  close: () => Promise<void>;
}

// Our numbers are JavaScript numbers on both engines: ids, epoch milliseconds and counts are
// bigint columns here (count() and sum() answer bigint and numeric), all far below 2^53.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** DATABASE_POOL: connections per pool and process (two pools: writing and reading). */
function poolSize(): number {
  const n = Number(process.env.DATABASE_POOL ?? 10);
  return Number.isInteger(n) && n > 0 ? n : 10;
}

function pool(url: string, readOnly: boolean, max = poolSize()): pg.Pool {
  const p = new pg.Pool({
    connectionString: url,
    max,
    types,
    // A transaction left open (a crashed request) must not hold its locks for ever.
    idle_in_transaction_session_timeout: 60_000,
    // Idle connections do not keep a finished script (a CLI command, a worker) alive.
    allowExitOnIdle: true,
    // Index scans over sequential ones: under serialisable isolation a sequential scan locks the
    // whole table for conflict checking, and two checkouts at different counters would then
    // refuse each other (PostgreSQL's manual, "Serializable Isolation Level", on these two costs).
    // And an acknowledged write is on disk whatever the server's default (as SQLite's synchronous=FULL).
    options: `-c random_page_cost=1.1 -c cpu_tuple_cost=0.03 -c synchronous_commit=on${readOnly ? " -c default_transaction_read_only=on" : ""}`,
  });
  // An idle connection the server closed (a restart) is replaced on next use; without a listener
  // its error would end the process.
  p.on("error", (e) => console.error("数据库连接断开", e.message));
  return p;
}

export function openPostgres(url: string): PostgresEngine {
  const writer = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool(url, false) }) });
  let reader: Kysely<Database> | undefined;
  return {
    kind: "postgres",
    location: redactUrl(url),
    writer,
    reader: () => (reader ??= new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool(url, true) }) })),
    close: async () => {
      await reader?.destroy();
      await writer.destroy();
    },
  };
}

/** One read-only connection for inspecting a database (check:ledger); `destroy()` closes it. */
export function inspectPostgres(url: string): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool(url, true, 1) }) });
}

/** The URL as it may be printed: without the password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

/** A refusal that running the whole unit again can cure: serialisation failure, deadlock. */
export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}
