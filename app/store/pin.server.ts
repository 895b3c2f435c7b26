// The household PIN for counter checkout: 6 digits, stored only as a bcrypt hash. Every try is
// counted before bcrypt runs (so guesses sent at once cannot slip past), 5 wrong in a row lock
// counter checkout for that household for 15 minutes; the head sees the lock on the home page.
import { z } from "zod";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import { hashPassword, verifyPassword } from "~/platform/password.server";
import { normalizeDigits } from "~/platform/validation.server";
import type { StaffActor } from "~/platform/forms.server";
import { TEXT_LIMITS } from "./labels";
import { notifyHousehold } from "~/notifications/notify.server";
import { pinLocked } from "~/notifications/notices";

export const PIN_MAX_FAILURES = 5;
export const PIN_LOCK_MS = 15 * 60_000;

export const pinSchema = z
  .string({ error: "请输入 6 位数字密码" })
  .transform(normalizeDigits)
  .pipe(z.string().min(1, "请输入 6 位数字密码").max(TEXT_LIMITS.pin, "兑换密码是 6 位数字").regex(/^\d{6}$/, "兑换密码是 6 位数字"));

/** A new PIN: 6 digits, not all the same and not a run like 123456. */
export const newPinSchema = z
  .object({ pin: pinSchema, confirm: z.string({ error: "请再输入一次" }).transform(normalizeDigits) })
  .superRefine((v, ctx) => {
    if (/^(\d)\1{5}$/.test(v.pin) || "0123456789".includes(v.pin) || "9876543210".includes(v.pin)) {
      ctx.addIssue({ code: "custom", path: ["pin"], message: "密码太简单了，请不要用 6 个相同数字或连续数字" });
    } else if (v.confirm !== v.pin) ctx.addIssue({ code: "custom", path: ["confirm"], message: "两次输入的密码不一样" });
  });

function pinRow(householdId: number) {
  return db()
    .selectFrom("household_pins")
    .select(["pin_hash", "village_id", "failures", "locked_until", "last_failure_at", "set_at"])
    .where("household_id", "=", householdId)
    .executeTakeFirst();
}

type PinRow = NonNullable<Awaited<ReturnType<typeof pinRow>>>;

export interface PinState {
  set: boolean;
  setAt: number | null;
  lockedUntil: number | null;
  failures: number;
}

export async function pinState(householdId: number): Promise<PinState> {
  const row = await pinRow(householdId);
  if (!row) return { set: false, setAt: null, lockedUntil: null, failures: 0 };
  const locked = row.locked_until > now() ? row.locked_until : null;
  return { set: true, setAt: row.set_at, lockedUntil: locked, failures: locked ? row.failures : freshFailures(row) };
}

/** Failures older than the lock period are forgotten. */
function freshFailures(row: PinRow): number {
  return row.last_failure_at !== null && now() - row.last_failure_at < PIN_LOCK_MS ? row.failures : 0;
}

/** Set by the household head (own household) or an admin; clears any lock. */
export async function setPin(actor: StaffActor, householdId: number, villageId: number, pin: string): Promise<void> {
  const hash = await hashPassword(pin);
  await unitOfWork(async () => {
    const had = !!(await pinRow(householdId));
    const at = now();
    await db()
      .insertInto("household_pins")
      .values({ household_id: householdId, village_id: villageId, pin_hash: hash, set_by: actor.userId, set_at: at, failures: 0, locked_until: 0, last_failure_at: null })
      .onConflict((oc) =>
        oc.column("household_id").doUpdateSet({ pin_hash: hash, set_by: actor.userId, set_at: at, failures: 0, locked_until: 0, last_failure_at: null }),
      )
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: had ? "pin.change" : "pin.set", targetType: "household", targetId: householdId });
  });
}

export type PinCheck = { ok: true } | { ok: false; code: "no_pin" | "locked" | "pin"; message: string };

function lockedMessage(until: number): string {
  return `密码连续输错 ${PIN_MAX_FAILURES} 次，这户的柜台兑换已锁定，请 ${Math.ceil((until - now()) / 60_000)} 分钟后再试`;
}

/** Counts the try first, then compares; a right PIN takes the try back and clears the count. */
export async function checkPin(householdId: number, pin: string): Promise<PinCheck> {
  const pre = await unitOfWork(async (): Promise<PinCheck | PinRow> => {
    const row = await pinRow(householdId);
    if (!row) return { ok: false, code: "no_pin", message: "这户还没有设置兑换密码，请户主在“我的家庭”里设置，或请村管理员设置" };
    if (row.locked_until > now()) return { ok: false, code: "locked", message: lockedMessage(row.locked_until) };
    const failures = freshFailures(row);
    if (failures >= PIN_MAX_FAILURES) return { ok: false, code: "locked", message: lockedMessage(now() + PIN_LOCK_MS) };
    await db().updateTable("household_pins").set({ failures: failures + 1, last_failure_at: now(), locked_until: 0 }).where("household_id", "=", householdId).execute();
    return row;
  });
  if ("ok" in pre) return pre;
  // bcrypt runs between the two units of work, never inside one.
  const right = /^\d{6}$/.test(pin) && (await verifyPassword(pin, pre.pin_hash));
  return unitOfWork(async (): Promise<PinCheck> => {
    const row = await pinRow(householdId);
    if (!row) return { ok: false, code: "no_pin", message: "这户还没有设置兑换密码，请户主在“我的家庭”里设置，或请村管理员设置" };
    if (right) {
      await db().updateTable("household_pins").set({ failures: 0, last_failure_at: null }).where("household_id", "=", householdId).execute();
      return { ok: true };
    }
    if (row.failures >= PIN_MAX_FAILURES) {
      const until = now() + PIN_LOCK_MS;
      await db().updateTable("household_pins").set({ locked_until: until }).where("household_id", "=", householdId).execute();
      await notifyHousehold(householdId, pinLocked({ householdId, villageId: row.village_id, until }));
      return { ok: false, code: "locked", message: lockedMessage(until) };
    }
    return { ok: false, code: "pin", message: `兑换密码不对，还可以再试 ${PIN_MAX_FAILURES - row.failures} 次` };
  });
}

/** The PIN form's action for a household: parse, hash, store. */
export async function pinFormAction(actor: StaffActor, householdId: number, villageId: number, form: Record<string, string>): Promise<{ errors: Record<string, string>; ok: string | null; status: number }> {
  const parsed = newPinSchema.safeParse(form);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? "_form")] ??= i.message;
    return { errors, ok: null, status: 400 };
  }
  await setPin(actor, householdId, villageId, parsed.data.pin);
  return { errors: {}, ok: "兑换密码已设置。到超市柜台兑换时输入这个密码。", status: 200 };
}
