// Wrong redemption codes, counted per keeper on every path that takes one: the typed 8 digits, a
// scanned QR payload that names no order, and a confirm whose code is not its order's. 10 misses in
// 10 minutes block that keeper's lookups AND confirms for the rest of the window, a right code
// included, so the confirm post cannot be used to go on guessing (10⁸ codes, ≤ 10 guesses per
// 10 minutes per keeper). Other keepers are not affected.
//
// Race safety: callers check and count inside the ONE unit of work that decides the answer, and
// return (not throw) the refusal so that unit commits the miss before anyone is answered. Guesses
// sent at once are serialised by that unit of work (SQLite has one writer; a server database would
// lock the row), so none of them can slip past the 10th.
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";

export const CODE_MISSES = 10;
export const CODE_WINDOW_MS = 10 * 60_000;

// login_throttle is the sign-in throttle's table; this counter has its own key prefix in it.
const key = (userId: number) => `code:${userId}`;

function row(userId: number) {
  return db().selectFrom("login_throttle").select(["failures", "first_failure_at"]).where("key", "=", key(userId)).executeTakeFirst();
}

/** Milliseconds the keeper must still wait before any code is accepted; 0 when allowed. */
export async function codeBlockedMs(userId: number): Promise<number> {
  const r = await row(userId);
  const at = now();
  if (!r || at - r.first_failure_at > CODE_WINDOW_MS || r.failures < CODE_MISSES) return 0;
  return Math.max(1, r.first_failure_at + CODE_WINDOW_MS - at);
}

/** Counts one wrong code. Only inside the unit of work that checked codeBlockedMs and that will commit. */
export async function countCodeMiss(userId: number): Promise<void> {
  if (!db().isTransaction) throw new Error("countCodeMiss outside a unit of work: the check and the count must be one");
  const at = now();
  const r = await row(userId);
  const fresh = !r || at - r.first_failure_at > CODE_WINDOW_MS;
  const failures = fresh ? 1 : r.failures + 1;
  const first = fresh ? at : r.first_failure_at;
  await db()
    .insertInto("login_throttle")
    .values({ key: key(userId), failures, first_failure_at: first, blocked_until: 0 })
    .onConflict((oc) => oc.column("key").doUpdateSet({ failures, first_failure_at: first }))
    .execute();
}

export function codeBlockedMessage(ms: number): string {
  return `输错次数太多，请 ${Math.ceil(ms / 60_000)} 分钟后再试`;
}
