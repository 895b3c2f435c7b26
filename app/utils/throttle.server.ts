// Slows password guessing per account and per IP without locking the owner out for good:
// after a few free failures each further one doubles the wait, capped at 15 minutes.
import { now } from "./clock.server";
import { db, stmt } from "./db.server";

const FREE_FAILURES = { account: 5, ip: 20 };
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
const FORGET_AFTER_MS = 24 * 3600_000;

type Scope = keyof typeof FREE_FAILURES;

interface Row {
  failures: number;
  first_failure_at: number;
  blocked_until: number;
}

function key(scope: Scope, id: string): string {
  return `${scope}:${id}`;
}

/** Milliseconds the caller must still wait, 0 when a try is allowed. */
export function waitMs(scope: Scope, id: string): number {
  const row = stmt("select * from login_throttle where key = ?").get(key(scope, id)) as Row | undefined;
  if (!row) return 0;
  return Math.max(0, row.blocked_until - now());
}

export function recordFailure(scope: Scope, id: string): void {
  const k = key(scope, id);
  const at = now();
  const row = stmt("select * from login_throttle where key = ?").get(k) as Row | undefined;
  const stale = !row || at - row.first_failure_at > FORGET_AFTER_MS;
  const failures = stale ? 1 : row.failures + 1;
  const over = failures - FREE_FAILURES[scope];
  const delay = over > 0 ? Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (over - 1)) : 0;
  stmt(
      `insert into login_throttle (key, failures, first_failure_at, blocked_until) values (?, ?, ?, ?)
       on conflict (key) do update set failures = excluded.failures, first_failure_at = excluded.first_failure_at,
       blocked_until = excluded.blocked_until`,
    )
    .run(k, failures, stale ? at : row.first_failure_at, at + delay);
}

export function clearFailures(scope: Scope, id: string): void {
  stmt("delete from login_throttle where key = ?").run(key(scope, id));
}

export function waitMessage(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return ms < 60_000 ? `尝试次数过多，请 ${Math.ceil(ms / 1000)} 秒后再试` : `尝试次数过多，请 ${minutes} 分钟后再试`;
}
