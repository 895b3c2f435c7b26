// Slows password guessing per account and per IP without locking the owner out for good:
// after a few free failures each further one doubles the wait, capped at 15 minutes.
// Callers count an attempt as a failure *before* checking the password (see auth.server.ts), so
// guesses sent all at once cannot all slip past the check while the first ones are still hashing.
import { now } from "./clock.server";
import { db, stmt } from "./db.server";

const FREE_FAILURES = { account: 5, ip: 20 };
const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 15 * 60_000;
// An account's counter lasts a day; an IP's an hour, since a village office or a phone carrier's NAT
// puts many honest people behind one address.
const FORGET_AFTER_MS: Record<"account" | "ip", number> = { account: 24 * 3600_000, ip: 3600_000 };

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
  const stale = !row || at - row.first_failure_at > FORGET_AFTER_MS[scope];
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

/** Takes back one counted attempt (it turned out to be the right password). */
export function forgiveOne(scope: Scope, id: string): void {
  const k = key(scope, id);
  const row = stmt("select * from login_throttle where key = ?").get(k) as Row | undefined;
  if (!row) return;
  const failures = Math.max(0, row.failures - 1);
  const blocked = failures > FREE_FAILURES[scope] ? row.blocked_until : 0;
  stmt("update login_throttle set failures = ?, blocked_until = ? where key = ?").run(failures, blocked, k);
}

export function clearFailures(scope: Scope, id: string): void {
  stmt("delete from login_throttle where key = ?").run(key(scope, id));
}

export function waitMessage(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  return ms < 60_000 ? `尝试次数过多，请 ${Math.ceil(ms / 1000)} 秒后再试` : `尝试次数过多，请 ${minutes} 分钟后再试`;
}
