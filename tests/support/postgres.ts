// The suite on PostgreSQL (TEST_DATABASE_URL): every test file and every test server gets its own
// database, created from a template the global setup migrated once (a copy takes ~50 ms; migrating
// anew would take seconds). The role in the URL needs CREATEDB.
import crypto from "node:crypto";
import pg from "pg";

/** The migrated template of this run (named by the global setup, so two runs never share one). */
export function template(): string {
  return process.env.JIFEN_TEST_TEMPLATE ?? "jifen_test_template";
}

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL?.trim() || undefined;
}

/** The URL of database `name` on the TEST_DATABASE_URL server. */
export function urlOf(name: string): string {
  const u = new URL(testDatabaseUrl()!);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: testDatabaseUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Byte order, as SQLite compares text: the same sort on both engines, whatever the server's locale. */
const CREATE = "template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'";

/** An empty database (no schema) for the template or a test that migrates itself. */
export async function createEmptyDatabase(name: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name} ${CREATE}`);
  });
  return urlOf(name);
}

/** The template with the demo township in it, as a server's first boot leaves it. */
export function demoTemplate(): string {
  return `${template()}_demo`;
}

/** A fresh, migrated database of its own, copied from the template (with the demo data: `demo`). */
export async function createTestDatabase(demo = false): Promise<string> {
  const name = `jifen_t_${crypto.randomBytes(6).toString("hex")}`;
  await admin((c) => c.query(`create database ${name} template ${demo ? demoTemplate() : template()}`));
  return urlOf(name);
}

/** A copy of the database at `url` (no one may be connected to it). */
export async function copyDatabase(url: string, name: string): Promise<string> {
  const from = new URL(url).pathname.slice(1);
  await admin(async (c) => {
    await c.query(`drop database if exists ${name} with (force)`);
    await c.query(`create database ${name} template ${from}`);
  });
  return urlOf(name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((c) => c.query(`drop database if exists ${name} with (force)`));
}
