// 长辈模式 (large type, MIIT 适老化): on or off for the signed-in account (users.elder_mode), so it
// follows the villager to another phone, and before sign-in for the device (a cookie). Signed in,
// the account's choice is shown. Large type turned on at the sign-in page is carried into the
// account at sign-in (whoever needed it to sign in needs it after); a choice made while signed in is
// left on the device too, so the sign-in page after 退出 looks the same as the page before it.
import { unitOfWork } from "./database.server";

const COOKIE = "jifen_elder";
// Chromium keeps a cookie at most 400 days.
const MAX_AGE_S = 400 * 24 * 3600;

/** The device's choice: true or false once made there, null before. */
export function deviceElder(request: Request): boolean | null {
  const m = /(?:^|;\s*)jifen_elder=([01])(?:;|$)/.exec(request.headers.get("cookie") ?? "");
  return m ? m[1] === "1" : null;
}

/** The Set-Cookie header that remembers the choice on this device. Not a secret: only how the pages look. */
export function elderCookie(request: Request, on: boolean): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  return `${COOKIE}=${on ? 1 : 0}; Path=/; Max-Age=${MAX_AGE_S}; SameSite=Lax; HttpOnly${secure}`;
}

/** Whether the page is drawn in large type: the account's choice when signed in (read with the viewer), else the device's. */
export function elderMode(request: Request, viewer: { elderMode: boolean } | null): boolean {
  return viewer ? viewer.elderMode : deviceElder(request) === true;
}

export async function setAccountElder(userId: number, on: boolean): Promise<void> {
  await unitOfWork((tx) => tx.updateTable("users").set({ elder_mode: on ? 1 : 0 }).where("id", "=", userId).execute(), { blindWrite: true });
}

/** At sign-in: large type turned on at this device before signing in stays on for the account. */
export async function carryDeviceElder(request: Request, userId: number): Promise<void> {
  if (deviceElder(request) !== true) return;
  await unitOfWork((tx) => tx.updateTable("users").set({ elder_mode: 1 }).where("id", "=", userId).where("elder_mode", "=", 0).execute(), { blindWrite: true });
}
