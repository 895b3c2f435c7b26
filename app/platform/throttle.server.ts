// Slows password guessing without letting a stranger lock anyone out (decision 0026). Every check
// of a password counts in one or more lanes, each with its own budget:
// - device:  one browser that signed in to this account before (known-device cookie);
// - pair:    this account from this address, for browsers the account does not know;
// - account: this account from every unknown browser together, the bound on guesses per day;
// - address: one address over every account, a high ceiling that only spaces attempts out;
// - session: the current-password check on the change form, per session.
// Callers count an attempt *before* checking the password (see platform/auth.server.ts): the check of every
// lane and the counting happen in one unit of work, so guesses sent all at once cannot all slip
// past while the first ones are still hashing.
import { now } from "./clock.server";
import { db, unitOfWork } from "./database.server";

export type Lane = "device" | "pair" | "account" | "address" | "session";
export interface Bucket {
  lane: Lane;
  id: string;
}

interface Policy {
  /** Failures without any wait. */
  free: number;
  /** Wait after the first failure past `free`, doubling with each further one up to `maxMs`. */
  baseMs: number;
  maxMs: number;
  /** The counter starts over this long after its first failure. */
  windowMs: number;
  /** Failures in one window after which the lane waits for the window to end. */
  ceiling: number | null;
  /** On the right password: forget the lane, or take back only the attempt just counted. */
  onSuccess: "clear" | "forgive";
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SLOWING = { free: 5, baseMs: 30_000, maxMs: 15 * MINUTE, windowMs: DAY } as const;

export const POLICY: Record<Lane, Policy> = {
  device: { ...SLOWING, ceiling: 20, onSuccess: "clear" },
  session: { ...SLOWING, ceiling: 20, onSuccess: "clear" },
  pair: { ...SLOWING, ceiling: null, onSuccess: "clear" },
  // 20 a day from all unknown browsers together, then none until the day is over; the owner's
  // known devices have their own lanes, so this cannot shut the owner out.
  account: { free: 20, baseMs: 0, maxMs: 0, windowMs: DAY, ceiling: 20, onSuccess: "forgive" },
  // A village's phones often share one carrier address: 100 failures an hour over all its accounts
  // are free, then attempts from unknown browsers there are spaced 10 s apart (never longer).
  address: { free: 100, baseMs: 10_000, maxMs: 10_000, windowMs: HOUR, ceiling: null, onSuccess: "forgive" },
};

const key = (b: Bucket) => `${b.lane}:${b.id}`;

function read(b: Bucket) {
  return db().selectFrom("sign_in_throttle").select(["failures", "first_failure_at", "blocked_until"]).where("key", "=", key(b)).executeTakeFirst();
}

function blockedUntil(p: Policy, failures: number, first: number, at: number): number {
  if (p.ceiling !== null && failures >= p.ceiling) return first + p.windowMs;
  const over = failures - p.free;
  return over > 0 ? at + Math.min(p.maxMs, p.baseMs * 2 ** (over - 1)) : 0;
}

async function write(b: Bucket, failures: number, first: number, blocked: number): Promise<void> {
  const row = { key: key(b), failures, first_failure_at: first, blocked_until: blocked, expires_at: Math.max(first + POLICY[b.lane].windowMs, blocked) };
  await db()
    .insertInto("sign_in_throttle")
    .values(row)
    .onConflict((oc) => oc.column("key").doUpdateSet({ failures, first_failure_at: first, blocked_until: blocked, expires_at: row.expires_at }))
    .execute();
}

/** Milliseconds the lane must still wait, 0 when a try is allowed. */
async function waitMs(b: Bucket): Promise<number> {
  const row = await read(b);
  return row ? Math.max(0, row.blocked_until - now()) : 0;
}

async function recordFailure(b: Bucket, at: number): Promise<void> {
  const p = POLICY[b.lane];
  const row = await read(b);
  const stale = !row || at - row.first_failure_at >= p.windowMs;
  const failures = stale ? 1 : row.failures + 1;
  const first = stale ? at : row.first_failure_at;
  await write(b, failures, first, blockedUntil(p, failures, first, at));
}

/**
 * Checks every lane and, when none has to wait, counts the attempt as a failure in each, in one
 * unit of work (on SQLite it holds the writer, so concurrent attempts are checked one after
 * another; on a server database the rows are locked). Returns the longest wait and its lane, or
 * null when the attempt may go ahead.
 */
export function beginAttempt(buckets: Bucket[]): Promise<{ waitMs: number; lane: Lane } | null> {
  return unitOfWork(async () => {
    let worst: { waitMs: number; lane: Lane } | null = null;
    for (const b of buckets) {
      const w = await waitMs(b);
      if (w > 0 && (!worst || w > worst.waitMs)) worst = { waitMs: w, lane: b.lane };
    }
    if (worst) return worst;
    const at = now();
    await forgetExpired(at);
    for (const b of buckets) await recordFailure(b, at);
    return null;
  });
}

/** The password was right: each lane forgets its failures or takes back the attempt just counted. */
export function attemptSucceeded(buckets: Bucket[]): Promise<void> {
  return unitOfWork(async () => {
    for (const b of buckets) {
      const row = POLICY[b.lane].onSuccess === "clear" ? null : await read(b);
      const failures = row ? row.failures - 1 : 0;
      if (!row || failures <= 0) {
        await db().deleteFrom("sign_in_throttle").where("key", "=", key(b)).execute();
        continue;
      }
      const p = POLICY[b.lane];
      // Still over the ceiling: keep waiting for the window; past the free ones: keep the wait set.
      const blocked = (p.ceiling !== null && failures >= p.ceiling) || failures > p.free ? row.blocked_until : 0;
      await db().updateTable("sign_in_throttle").set({ failures, blocked_until: blocked }).where("key", "=", key(b)).execute();
    }
  });
}

/** After an admin reset: the account's unknown-browser lanes start over, so the owner can use the new password anywhere. */
export async function clearAccount(phone: string): Promise<void> {
  // The pair lanes of this phone are the keys between "pair:<phone>|" and "pair:<phone>}" ("}" follows "|").
  await db()
    .deleteFrom("sign_in_throttle")
    .where((eb) => eb.or([eb("key", "=", `account:${phone}`), eb.and([eb("key", ">=", `pair:${phone}|`), eb("key", "<", `pair:${phone}}`)])]))
    .execute();
}

// Rows are deleted once their window and any wait are over, at most once a minute, so the table
// holds about a day of failures however many phones and addresses are tried.
let sweptAt = 0;
async function forgetExpired(at: number): Promise<void> {
  if (Math.abs(at - sweptAt) < MINUTE) return;
  sweptAt = at;
  await db().deleteFrom("sign_in_throttle").where("expires_at", "<", at).execute();
}

export function waitMessage(ms: number): string {
  if (ms < MINUTE) return `尝试次数过多，请 ${Math.ceil(ms / 1000)} 秒后再试`;
  if (ms < HOUR) return `尝试次数过多，请 ${Math.ceil(ms / MINUTE)} 分钟后再试`;
  return `尝试次数过多，请 ${Math.ceil(ms / HOUR)} 小时后再试`;
}
