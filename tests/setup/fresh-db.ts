// Every test file gets its own freshly migrated database: a SQLite file, or on PostgreSQL
// (TEST_DATABASE_URL) a database copied from the migrated template.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createTestDatabase, dropTestDatabase, testDatabaseUrl } from "../support/postgres";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-test-"));
process.env.DATABASE_PATH = path.join(dir, "test.sqlite");
process.env.SESSION_SECRET = "test-secret";
process.env.BCRYPT_COST = process.env.BCRYPT_COST ?? "10";
const postgres = testDatabaseUrl();
if (postgres) process.env.DATABASE_URL = await createTestDatabase();
else delete process.env.DATABASE_URL;

beforeAll(async () => {
  const { migrateToLatest } = await import("../../app/platform/database.server");
  await migrateToLatest();
});

afterAll(async () => {
  const { closeDatabase } = await import("../../app/platform/database.server");
  await closeDatabase();
  fs.rmSync(dir, { recursive: true, force: true });
  if (postgres) await dropTestDatabase(process.env.DATABASE_URL!);
});
