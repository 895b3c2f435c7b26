// A browser that signed in to an account before is a "known device" of that account: its password
// attempts count in their own throttle lane, so a stranger guessing elsewhere cannot shut the owner
// out of their usual phone (decision 0026). The cookie is signed with the session secret and names
// the accounts it signed in to, so it cannot be made up or moved to another account; it grants
// nothing but that lane (a password is still needed).
import crypto from "node:crypto";
import { createCookie } from "@remix-run/node";
import { sessionSecret } from "./env.server";

// A family often shares one phone: remember the last few accounts signed in on it.
const MAX_ACCOUNTS = 5;
// Browsers keep a cookie at most 400 days; each sign-in renews it.
const MAX_AGE_S = 400 * 24 * 3600;

interface Device {
  /** Random id of this browser. */
  d: string;
  /** Accounts (user ids) signed in on it, most recent first. */
  u: number[];
}

let cookie: ReturnType<typeof createCookie> | undefined;
function deviceCookie() {
  return (cookie ??= createCookie("__device", { httpOnly: true, sameSite: "lax", path: "/", secrets: [sessionSecret()] }));
}

async function read(request: Request): Promise<Device | null> {
  let v: unknown;
  try {
    v = await deviceCookie().parse(request.headers.get("cookie"));
  } catch {
    return null;
  }
  if (!v || typeof v !== "object") return null;
  const { d, u } = v as Partial<Device>;
  if (typeof d !== "string" || !/^[A-Za-z0-9_-]{22}$/.test(d)) return null;
  if (!Array.isArray(u) || u.length > MAX_ACCOUNTS || !u.every((x) => Number.isSafeInteger(x) && x > 0)) return null;
  return { d, u };
}

/** This browser's id when it signed in to the user's account before, else null. */
export async function knownDeviceOf(request: Request, userId: number): Promise<string | null> {
  const device = await read(request);
  return device && device.u.includes(userId) ? device.d : null;
}

/** Set-Cookie header that makes (or keeps) this browser a known device of the user. */
export async function rememberDevice(request: Request, userId: number): Promise<string> {
  const old = await read(request);
  const device: Device = {
    d: old?.d ?? crypto.randomBytes(16).toString("base64url"),
    u: [userId, ...(old?.u ?? []).filter((x) => x !== userId)].slice(0, MAX_ACCOUNTS),
  };
  const secure = new URL(request.url).protocol === "https:";
  return deviceCookie().serialize(device, { secure, maxAge: MAX_AGE_S });
}
