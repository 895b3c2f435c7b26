// Password hashing with bcryptjs (async API). bcrypt ignores bytes past 72, so longer passwords are refused.
import bcrypt from "bcryptjs";
import { z } from "zod";

const MAX_BYTES = 72;

function cost(): number {
  const n = Number(process.env.BCRYPT_COST);
  return Number.isInteger(n) && n >= 10 && n <= 14 ? n : 10;
}

/** The rules a new password must follow, with the message a villager sees. */
export const newPasswordSchema = z
  .string({ error: "请输入新密码" })
  .min(8, "密码至少 8 位")
  .refine((p) => Buffer.byteLength(p, "utf8") <= MAX_BYTES, "密码太长了（最多 72 个字节，约 24 个汉字）")
  .refine((p) => /\S/.test(p), "密码不能全是空格");

export async function hashPassword(plain: string): Promise<string> {
  if (Buffer.byteLength(plain, "utf8") > MAX_BYTES) throw new Error("password longer than 72 bytes");
  return bcrypt.hash(plain, cost());
}

export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(plain, "utf8") > MAX_BYTES) return Promise.resolve(false);
  return bcrypt.compare(plain, hash);
}

// Compared against when the phone is unknown, so timing does not reveal which phones have accounts.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  return (dummy ??= bcrypt.hash("not-a-real-password", cost()));
}
