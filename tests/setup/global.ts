// Builds the server once before HTTP tests need it; on PostgreSQL (TEST_DATABASE_URL) migrates the
// template every test database is copied from.
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { copyDatabase, createEmptyDatabase, demoTemplate, dropTestDatabase, template, testDatabaseUrl } from "../support/postgres";

export default async function setup(): Promise<() => Promise<void>> {
  execSync("node scripts/build-if-needed.mjs", { stdio: "inherit" });
  if (!testDatabaseUrl()) return async () => {};
  const { openDatabase, migrateToLatest } = await import("../../app/platform/database.server");
  process.env.JIFEN_TEST_TEMPLATE = `jifen_template_${process.pid}`; // the test processes inherit it
  const url = await createEmptyDatabase(template());
  const migrated = openDatabase(url);
  await migrateToLatest(migrated);
  await migrated.close();
  // The demo township as a first boot seeds it (~18 s on PostgreSQL against ~3 s on SQLite: one
  // round trip per statement), once; test servers start from a copy of it.
  const demo = await copyDatabase(url, demoTemplate());
  const { startServer } = await import("../support/harness");
  // The first boot's data folder stays for the run: its demo photos are copied to each server.
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-demo-"));
  process.env.JIFEN_TEST_DEMO_FOLDER = folder;
  try {
    const first = await startServer({ DATABASE_PATH: path.join(folder, "app.sqlite") }, { database: demo });
    await first.stop();
  } catch (e) {
    await dropTestDatabase(demo);
    await dropTestDatabase(url);
    throw e;
  }
  console.log(`PostgreSQL：每个测试文件使用从 ${template()} 复制的数据库`);
  return async () => {
    fs.rmSync(folder, { recursive: true, force: true });
    await dropTestDatabase(demo);
    await dropTestDatabase(url);
  };
}
