// A clock the end-to-end test can move over HTTP, to see 公示 end without waiting days.
// Enabled only when TEST_CLOCK_CONTROL=1 AND the database lives under the OS temp folder (what the
// test harness uses); on PostgreSQL, the data folder under it AND a database named as the harness
// names its throwaway copies (jifen_t_<hex>). A normal `npm start` (default database under db/data, or any real path)
// refuses, whatever NODE_ENV says: the built server always runs as production, so NODE_ENV
// cannot tell a test from a village. See docs/decisions/0011-earn-test-clock.md.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { clockControl, now } from "./clock.server";
import { databasePath, databaseUrl } from "./env.server";

export function testClockEnabled(): boolean {
  if (process.env.TEST_CLOCK_CONTROL !== "1") return false;
  if (!process.env.DATABASE_PATH) return false;
  const url = databaseUrl();
  if (url && !/^\/jifen_t_[0-9a-f]+$/.test(new URL(url).pathname)) return false;
  const tmp = fs.realpathSync(os.tmpdir());
  let dir: string;
  try {
    dir = fs.realpathSync(path.dirname(path.resolve(databasePath())));
  } catch {
    return false;
  }
  return dir.startsWith(tmp + path.sep);
}

/** Said once at start-up, so nobody runs a village with it on by mistake. */
export function describeTestClock(): string | null {
  if (process.env.TEST_CLOCK_CONTROL !== "1") return null;
  return testClockEnabled()
    ? "警告：测试时钟已开启（仅供自动化测试，数据库在临时目录）"
    : "已拒绝开启测试时钟：只有数据库位于系统临时目录时才允许（TEST_CLOCK_CONTROL 仅供测试）";
}

export const advanceSchema = z.object({
  advanceMs: z.string().regex(/^\d{1,12}$/, "advanceMs 应为毫秒数").transform(Number),
});

export function advanceTestClock(ms: number): number {
  clockControl.advance(ms);
  return now();
}
