// Sign-in, sign-out and password changes.
import { z } from "zod";
import { audit } from "~/audit/audit.server";
import { unitOfWork } from "./database.server";
import { dummyHash, hashPassword, newPasswordSchema, verifyPassword } from "./password.server";
import { noteUser } from "./request-scope.server";
import { endSession, revokeUserSessions, startSession } from "./session.server";
import { knownDeviceOf, rememberDevice } from "./known-device.server";
import { carryDeviceElder } from "./elder.server";
import { attemptSucceeded, beginAttempt, clearAccount, waitMessage, type Bucket } from "./throttle.server";
import { findUserByPhone, getUser, rolesOf, setPasswordHash } from "~/people/users.server";
import { phoneSchema } from "./validation.server";

export const signInSchema = z.object({
  phone: phoneSchema,
  password: z.string({ error: "请输入密码" }).min(1, "请输入密码").max(200, "密码不正确"),
});

export type SignInResult =
  | { ok: true; setCookie: string; deviceCookie: string; mustChangePassword: boolean }
  | { ok: false; error: string };

const WRONG = "手机号或密码不正确";
const OWN_PHONE_HINT = "。在以前登录过的手机上可以照常登录，也可以请村管理员重置密码";

/** The throttle lanes an attempt counts in (decision 0026). */
function lanesOf(phone: string, ip: string, userId: number | undefined, device: string | null): Bucket[] {
  if (userId !== undefined && device) return [{ lane: "device", id: `${userId}:${device}` }];
  return [
    { lane: "pair", id: `${phone}|${ip}` },
    { lane: "account", id: phone },
    { lane: "address", id: ip },
  ];
}

export async function signIn(request: Request, phone: string, password: string, ip: string): Promise<SignInResult> {
  const user = await findUserByPhone(phone);
  const device = user ? await knownDeviceOf(request, user.id) : null;
  const lanes = lanesOf(phone, ip, user?.id, device);
  // Checked and counted in one unit of work before the (slow) hash check, so concurrent guesses are
  // throttled too; bcrypt runs outside any transaction.
  const blocked = await beginAttempt(lanes);
  if (blocked) return { ok: false, error: waitMessage(blocked.waitMs) + (blocked.lane === "account" ? OWN_PHONE_HINT : "") };
  const valid = user ? await verifyPassword(password, user.password_hash) : (await verifyPassword(password, await dummyHash()), false);
  if (!user || !valid || user.disabled) {
    return { ok: false, error: user?.disabled && valid ? "该账号已停用，请联系村管理员" : WRONG };
  }
  await attemptSucceeded(lanes);
  await carryDeviceElder(request, user.id);
  const setCookie = await startSession(request, user.id, ip);
  const deviceCookie = await rememberDevice(request, user.id);
  noteUser(user.id);
  return { ok: true, setCookie, deviceCookie, mustChangePassword: user.must_change_password === 1 };
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
  const user = await getUser(userId);
  if (!user) return "原密码不正确";
  // A borrowed or stolen session must not be a way to guess the owner's password quickly; its own
  // lane, so a stranger's guesses at the sign-in form do not stop the owner changing it.
  const lanes: Bucket[] = [{ lane: "session", id: sessionId }];
  const blocked = await beginAttempt(lanes);
  if (blocked) return waitMessage(blocked.waitMs);
  if (!(await verifyPassword(current, user.password_hash))) return "原密码不正确";
  await attemptSucceeded(lanes);
  const hash = await hashPassword(next);
  const roles = await rolesOf(userId);
  await unitOfWork(async () => {
    await setPasswordHash(userId, hash, false);
    await revokeUserSessions(userId, sessionId);
    const staff = roles.find((r) => r.role !== "villager" && r.role !== "household_head");
    if (staff) {
      await audit({ actorUserId: userId, actorRole: staff.role, villageId: staff.villageId, action: "change_own_password", targetType: "user", targetId: userId });
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
  const phone = (await getUser(targetUserId))?.phone;
  await unitOfWork(async () => {
    await setPasswordHash(targetUserId, hash, true);
    await revokeUserSessions(targetUserId);
    // A stranger's guesses must not keep the owner from using the new password on a new phone.
    if (phone) await clearAccount(phone);
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "reset_password", targetType: "user", targetId: targetUserId });
  });
}
