// The test-only clock is on only with TEST_CLOCK_CONTROL=1 AND a database under the temp folder.
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testClockEnabled } from "~/platform/test-clock.server";

const saved = { ...process.env };
afterEach(() => {
  process.env.TEST_CLOCK_CONTROL = saved.TEST_CLOCK_CONTROL;
  process.env.DATABASE_PATH = saved.DATABASE_PATH;
  if (saved.TEST_CLOCK_CONTROL === undefined) delete process.env.TEST_CLOCK_CONTROL;
});

describe("test clock switch", () => {
  it("is off without the variable, even for a temp database", () => {
    delete process.env.TEST_CLOCK_CONTROL;
    expect(testClockEnabled()).toBe(false);
  });
  it("is on with the variable and a temp database (what the test harness uses)", () => {
    process.env.TEST_CLOCK_CONTROL = "1";
    expect(process.env.DATABASE_PATH!.startsWith(os.tmpdir())).toBe(true);
    expect(testClockEnabled()).toBe(true);
  });
  it("refuses the default database and any real path, whatever the variable says", () => {
    process.env.TEST_CLOCK_CONTROL = "1";
    delete process.env.DATABASE_PATH;
    expect(testClockEnabled()).toBe(false); // npm start's default: db/data/jifen.sqlite
    process.env.DATABASE_PATH = path.resolve("db/data/jifen.sqlite");
    expect(testClockEnabled()).toBe(false);
    process.env.DATABASE_PATH = "/var/lib/jifen/jifen.sqlite";
    expect(testClockEnabled()).toBe(false);
    process.env.DATABASE_PATH = path.join(os.tmpdir(), "..", "etc", "x.sqlite"); // climbing out of tmp
    expect(testClockEnabled()).toBe(false);
  });
});
