// The PostgreSQL side of `npm run bench -- --postgres <URL>`: the same township dataset, copied once
// from the SQLite file into a template database (npm run db:copy, kept between runs for the same
// dataset version), and a fresh copy of that template for each run, so every run starts from the same
// data, as the SQLite side does with its file copy. The URL's role needs CREATEDB.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import pg from "pg";
import { DATASET_FILE, DATASET_VERSION } from "./common";

function urlOf(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(base: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const TEMPLATE = `jifen_bench_${DATASET_VERSION.replace(/\W/g, "_")}`;
const RUN = "jifen_bench_run";

/** The template holding the dataset, made by the copy command when this version has none yet. */
export async function preparePostgres(base: string): Promise<void> {
  const ready = await admin(base, async (c) => {
    const { rows } = await c.query("select datname from pg_database where datname = $1", [TEMPLATE]);
    return rows.length > 0;
  });
  if (ready) {
    console.log(`  reusing PostgreSQL database ${TEMPLATE} (the dataset copied by an earlier run)`);
    return;
  }
  console.log(`  copying the dataset into PostgreSQL database ${TEMPLATE} (npm run db:copy; once per dataset version)`);
  const partial = `${TEMPLATE}_partial`;
  await admin(base, async (c) => {
    await c.query(`drop database if exists ${partial} with (force)`);
    await c.query(`create database ${partial} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C'`);
  });
  // The cached file may predate the latest migrations (the SQLite side's server applies them to its
  // run copy at start): the copy command takes a migrated source, so it gets a migrated copy.
  const source = DATASET_FILE.replace(/\.sqlite$/, ".pg-source.sqlite");
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(source + suffix, { force: true });
  fs.copyFileSync(DATASET_FILE, source);
  try {
    const env = { ...process.env, DATABASE_PATH: source, DATABASE_URL: "" };
    execFileSync("npx", ["tsx", "scripts/migrate.ts"], { stdio: "inherit", env });
    execFileSync("npx", ["tsx", "scripts/copy-to-postgres.ts", source, urlOf(base, partial)], { stdio: "inherit", env });
  } finally {
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(source + suffix, { force: true });
  }
  // Renamed only once complete: an interrupted copy is never taken for the dataset.
  await admin(base, (c) => c.query(`alter database ${partial} rename to ${TEMPLATE}`));
}

/** A fresh copy of the dataset for this run; its URL. */
export async function freshRunDatabase(base: string): Promise<string> {
  await admin(base, async (c) => {
    await c.query(`drop database if exists ${RUN} with (force)`);
    await c.query(`create database ${RUN} template ${TEMPLATE}`);
    // The template's planner statistics are not copied with it.
  });
  const url = urlOf(base, RUN);
  await admin(url, (c) => c.query("analyze"));
  return url;
}

export async function dropRunDatabase(base: string): Promise<void> {
  await admin(base, (c) => c.query(`drop database if exists ${RUN} with (force)`));
}
