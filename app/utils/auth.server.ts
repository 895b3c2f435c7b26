// Sign-in, sign-out and password changes.
import { z } from "zod";
import { audit } from "./audit.server";
import { transact } from "./db.server";
import { dummyHash, hashPassword, newPasswordSchema, verifyPassword } from "./password.server";
import { noteUser } from "./request-scope.server";
import { endSession, revokeUserSessions, startSession } from "./session.server";
import { clearFailures, forgiveOne, recordFailure, waitMessage, waitMs } from "./throttle.server";
import { findUserByPhone, getUser, rolesOf, setPasswordHash } from "./users.server";
import { phoneSchema } from "./validation.server";

export const signInSchema = z.object({
  phone: phoneSchema,
  password: z.string({ error: "请输入密码" }).min(1, "请输入密码").max(200, "密码不正确"),
});

export type SignInResult = { ok: true; setCookie: string; mustChangePassword: boolean } | { ok: false; error: string };

const WRONG = "手机号或密码不正确";

export async function signIn(request: Request, phone: string, password: string, ip: string): Promise<SignInResult> {
  const wait = Math.max(waitMs("account", phone), waitMs("ip", ip));
  if (wait > 0) return { ok: false, error: waitMessage(wait) };
  // Counted before the (slow, async) hash check, so concurrent guesses are throttled too.
  recordFailure("account", phone);
  recordFailure("ip", ip);
  const user = findUserByPhone(phone);
  const valid = user ? await verifyPassword(password, user.password_hash) : (await verifyPassword(password, await dummyHash()), false);
  if (!user || !valid || user.disabled) {
    return { ok: false, error: user?.disabled && valid ? "该账号已停用，请联系村管理员" : WRONG };
  }
  clearFailures("account", phone);
  forgiveOne("ip", ip);
  const setCookie = await startSession(request, user.id, ip);
  noteUser(user.id);
  return { ok: true, setCookie, mustChangePassword: user.must_change_password === 1 };
}

export function signOut(request: Request): Promise<string> {
  return endSession(request);
}

export const changePasswordSchema = z
  .object({
    current: z.string({ error: "请输入原密码" }).min(1, "请输入原密码").max(200, "原密码不正确"),
    next: newPasswordSchema,
    confirm: z.string({ error: "请再输入一次新密码" }),
  })
  .refine((v) => v.next === v.confirm, { path: ["confirm"], message: "两次输入的新密码不一样" })
  .refine((v) => v.next !== v.current, { path: ["next"], message: "新密码不能和原密码一样" });

/** Changes the signed-in user's own password and signs out their other devices. */
export async function changeOwnPassword(userId: number, sessionId: string, current: string, next: string): Promise<string | null> {
  const user = getUser(userId);
  if (!user) return "原密码不正确";
  // A borrowed or stolen session must not be a way to guess the owner's password quickly.
  const wait = waitMs("account", user.phone);
  if (wait > 0) return waitMessage(wait);
  recordFailure("account", user.phone);
  if (!(await verifyPassword(current, user.password_hash))) return "原密码不正确";
  clearFailures("account", user.phone);
  const hash = await hashPassword(next);
  const roles = rolesOf(userId);
  transact(() => {
    setPasswordHash(userId, hash, false);
    revokeUserSessions(userId, sessionId);
    const staff = roles.find((r) => r.role !== "villager" && r.role !== "household_head");
    if (staff) {
      audit({ actorUserId: userId, actorRole: staff.role, villageId: staff.villageId, action: "change_own_password", targetType: "user", targetId: userId });
    }
  });
  return null;
}

/** An admin sets a temporary password; the owner must change it at next sign-in. */
export async function resetPassword(
  actor: { userId: number; role: string; villageId: number | null },
  targetUserId: number,
  temporary: string,
): Promise<void> {
  const hash = await hashPassword(temporary);
  transact(() => {
    setPasswordHash(targetUserId, hash, true);
    revokeUserSessions(targetUserId);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "reset_password", targetType: "user", targetId: targetUserId });
  });
}
