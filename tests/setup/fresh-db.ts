// Every test file gets its own freshly migrated SQLite file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-test-"));
process.env.DATABASE_PATH = path.join(dir, "test.sqlite");
process.env.SESSION_SECRET = "test-secret";
process.env.BCRYPT_COST = process.env.BCRYPT_COST ?? "10";

beforeAll(async () => {
  const { migrateToLatest } = await import("../../app/platform/database.server");
  await migrateToLatest();
});

afterAll(async () => {
  const { closeDatabase } = await import("../../app/platform/database.server");
  await closeDatabase();
  fs.rmSync(dir, { recursive: true, force: true });
});
