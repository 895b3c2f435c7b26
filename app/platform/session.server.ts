// Sessions live in the database (revocable); the cookie carries only a random, signed token.
import crypto from "node:crypto";
import { createCookie } from "@remix-run/node";
import { now } from "./clock.server";
import { atomically, unitOfWork } from "./database.server";
import { sessionSecret } from "./env.server";

export const IDLE_TIMEOUT_MS = 7 * 24 * 3600_000;
export const ABSOLUTE_TIMEOUT_MS = 30 * 24 * 3600_000;
// Writing last_seen_at on every request would make every page a write; a minute is precise enough.
const TOUCH_EVERY_MS = 60_000;

let cookie: ReturnType<typeof createCookie> | undefined;
function sessionCookie() {
  return (cookie ??= createCookie("__session", {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secrets: [sessionSecret()],
  }));
}

function isHttps(request: Request): boolean {
  return new URL(request.url).protocol === "https:";
}

function tokenId(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

export interface SessionRow {
  id: string;
  user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** Starts a fresh session (a new token every sign-in: rotation) and returns its Set-Cookie header. */
export async function startSession(request: Request, userId: number, ip: string): Promise<string> {
  const token = crypto.randomBytes(32).toString("base64url");
  const at = now();
  await unitOfWork((tx) =>
    tx
      .insertInto("sessions")
      .values({
        id: tokenId(token), user_id: userId, created_at: at, last_seen_at: at, expires_at: at + ABSOLUTE_TIMEOUT_MS, ip,
        user_agent: (request.headers.get("user-agent") ?? "").slice(0, 200),
      })
      .execute(),
  );
  return sessionCookie().serialize(token, { secure: isHttps(request), maxAge: ABSOLUTE_TIMEOUT_MS / 1000 });
}

// Checking the cookie's signature goes through WebCrypto (a key import and an HMAC per request,
// ~2% of a request's CPU in a profile), and hashing the token costs as much again under load. The
// answer for a given Cookie header never changes while the server runs (one secret), so recent
// answers (the session id, i.e. the token's hash) are remembered; the session row is still read
// every time, so a revoked or expired session is refused as before.
const verified = new Map<string, string | null>();
const VERIFIED_MAX = 2000;

/** The id of the session the request's cookie names (not yet checked against the table), or null. */
export async function sessionIdOf(request: Request): Promise<string | null> {
  const header = request.headers.get("cookie");
  if (!header) return null;
  const known = verified.get(header);
  if (known !== undefined) return known;
  const value = await sessionCookie().parse(header);
  const id = typeof value === "string" ? tokenId(value) : null;
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(header, id);
  return id;
}

/**
 * For a session row read with `revoked_at is null`: false (and revoked) when it has timed out;
 * otherwise true, noting the visit at most once a minute.
 */
export async function keepAlive(row: SessionRow): Promise<boolean> {
  const at = now();
  if (at >= row.expires_at || at - row.last_seen_at >= IDLE_TIMEOUT_MS) {
    await revokeSession(row.id);
    return false;
  }
  if (at - row.last_seen_at > TOUCH_EVERY_MS) {
    await unitOfWork((tx) => tx.updateTable("sessions").set({ last_seen_at: at }).where("id", "=", row.id).execute(), { blindWrite: true });
  }
  return true;
}

export async function revokeSession(id: string): Promise<void> {
  await unitOfWork((tx) => tx.updateTable("sessions").set({ revoked_at: now() }).where("id", "=", id).where("revoked_at", "is", null).execute());
}

/** Used after a password change or reset: every other device must sign in again. */
export async function revokeUserSessions(userId: number, exceptId?: string): Promise<void> {
  await atomically((tx) =>
    tx.updateTable("sessions").set({ revoked_at: now() }).where("user_id", "=", userId).where("revoked_at", "is", null).where("id", "<>", exceptId ?? "").execute(),
  );
}

/** Revokes the request's session and returns a Set-Cookie header that clears the cookie. */
export async function endSession(request: Request): Promise<string> {
  const id = await sessionIdOf(request);
  if (id) await revokeSession(id);
  return sessionCookie().serialize("", { maxAge: 0, secure: isHttps(request) });
}
