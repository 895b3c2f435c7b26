// Wrong redemption codes, counted per keeper on every path that takes one: the typed 8 digits, a
// scanned QR payload that names no order, and a confirm whose code is not its order's. 10 misses in
// 10 minutes block that keeper's lookups AND confirms for the rest of the window, a right code
// included, so the confirm post cannot be used to go on guessing (10⁸ codes, ≤ 10 guesses per
// 10 minutes per keeper). Other keepers are not affected.
//
// Race safety: callers check and count inside the ONE synchronous transaction that decides the
// answer, and return (not throw) the refusal so that transaction commits the miss before anyone is
// answered. Guesses sent at once are serialised by that transaction (SQLite has one writer), so
// none of them can slip past the 10th.
import { now } from "~/platform/clock.server";
import { engine, stmt } from "~/platform/database.server";

export const CODE_MISSES = 10;
export const CODE_WINDOW_MS = 10 * 60_000;

interface Row {
  failures: number;
  first_failure_at: number;
}

// login_throttle is the sign-in throttle's table; this counter has its own key prefix in it.
const key = (userId: number) => `code:${userId}`;

function row(userId: number): Row | undefined {
  return stmt("select failures, first_failure_at from login_throttle where key = ?").get(key(userId)) as Row | undefined;
}

/** Milliseconds the keeper must still wait before any code is accepted; 0 when allowed. */
export function codeBlockedMs(userId: number): number {
  const r = row(userId);
  const at = now();
  if (!r || at - r.first_failure_at > CODE_WINDOW_MS || r.failures < CODE_MISSES) return 0;
  return Math.max(1, r.first_failure_at + CODE_WINDOW_MS - at);
}

/** Counts one wrong code. Only inside the transaction that checked codeBlockedMs and that will commit. */
export function countCodeMiss(userId: number): void {
  if (!engine().sqlite.inTransaction) throw new Error("countCodeMiss outside a transaction: the check and the count must be one");
  const at = now();
  const r = row(userId);
  const fresh = !r || at - r.first_failure_at > CODE_WINDOW_MS;
  stmt(
    `insert into login_throttle (key, failures, first_failure_at, blocked_until) values (?, ?, ?, 0)
     on conflict (key) do update set failures = excluded.failures, first_failure_at = excluded.first_failure_at`,
  ).run(key(userId), fresh ? 1 : r.failures + 1, fresh ? at : r.first_failure_at);
}

export function codeBlockedMessage(ms: number): string {
  return `输错次数太多，请 ${Math.ceil(ms / 60_000)} 分钟后再试`;
}
