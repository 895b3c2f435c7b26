// Hand-written SQL in tests (checking what landed, setting up an odd state), on either engine: the
// SQLite-style `?` placeholders become PostgreSQL's `$1…` there. Through the engine's writer, outside
// any unit of work, so a test reads what every process committed.
import { CompiledQuery, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { engine, type Engine } from "~/platform/database.server";

function compile(k: Kysely<Database>, text: string, params: unknown[]): CompiledQuery {
  let n = 0;
  const postgres = k.getExecutor().adapter.constructor.name === "PostgresAdapter";
  const sql = postgres ? text.replace(/\?/g, () => `$${++n}`) : text;
  return CompiledQuery.raw(sql, params);
}

export interface Sql {
  /** Every row. */
  all<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T | undefined>;
  /** The first column of the first row. */
  value<T = unknown>(text: string, ...params: unknown[]): Promise<T | undefined>;
  /** A write; how many rows it changed. */
  run(text: string, ...params: unknown[]): Promise<number>;
}

/** SQL on `on` (default: this process's database). */
export function sqlOn(on: Engine = engine()): Sql {
  const k = on.writer;
  const rows = async <T>(text: string, params: unknown[]) => (await k.executeQuery<T>(compile(k, text, params))).rows;
  return {
    all: (text, ...params) => rows(text, params),
    get: async (text, ...params) => (await rows(text, params))[0] as never,
    value: async (text, ...params) => {
      const row = (await rows<Record<string, unknown>>(text, params))[0];
      return (row ? Object.values(row)[0] : undefined) as never;
    },
    run: async (text, ...params) => Number((await k.executeQuery(compile(k, text, params))).numAffectedRows ?? 0n),
  };
}

/** Whether the suite runs on PostgreSQL (TEST_DATABASE_URL). */
export function onPostgres(): boolean {
  return engine().kind === "postgres";
}
