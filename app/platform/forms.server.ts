// Pieces shared by the admin server modules: who acts, form field rules, results, constraint mapping.
import crypto from "node:crypto";
import { z } from "zod";
import { newPasswordSchema } from "./password.server";
import type { Access } from "./access.server";

/** Who performs a staff write, under which role, in which village: what the audit log records. */
export interface StaffActor {
  userId: number;
  role: string;
  villageId: number | null;
}

export function actorOf(access: Access): StaffActor {
  return { userId: access.viewer.userId, role: access.role, villageId: access.villageId };
}

/** The outcome of a write: done, or messages keyed by form field ("_form" for the whole form). */
export type Outcome<T extends object = object> = ({ ok: true } & T) | { ok: false; errors: Record<string, string>; status?: number };

export function fail(field: string, message: string, status = 400): { ok: false; errors: Record<string, string>; status: number } {
  return { ok: false, errors: { [field]: message }, status };
}

export { notFound } from "./access.server";

/**
 * True when err is a unique-constraint failure on `what`, named as SQLite's message names it: the
 * table's columns (`users.phone`), or `table.` for any of the table's. PostgreSQL's error (23505)
 * names the table and the key's columns separately; they are put together the same way.
 */
export function isUniqueViolation(err: unknown, what: string): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as { code?: unknown; table?: unknown; detail?: unknown };
  if (e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") return err.message.includes(what);
  if (e.code !== "23505" || typeof e.table !== "string") return false;
  const columns = /^Key \((.*?)\)=/.exec(typeof e.detail === "string" ? e.detail : "")?.[1]?.split(", ") ?? [];
  const named = columns.length ? columns.map((c) => `${e.table}.${c}`).join(", ") : `${e.table}.`;
  return named.includes(what);
}

/** A temporary password villagers can type on a number pad: 8 random digits. */
export function generatePassword(): string {
  return String(crypto.randomInt(0, 100_000_000)).padStart(8, "0");
}

// ---- form fields --------------------------------------------------------

/** An id sent by a form (hidden input, select): digits only; anything else is a malformed request. */
export const formIdSchema = z
  .string({ error: "请求有误，请刷新页面后再试" })
  .regex(/^\d{1,12}$/, "请求有误，请刷新页面后再试")
  .transform(Number);

/** An HTML checkbox: present ("on") when ticked, absent otherwise. */
export const checkboxSchema = z
  .string()
  .optional()
  .transform((v) => v === "on" || v === "1" || v === "true");

/** A password the admin may type, or leave empty to have one generated and shown once. */
export const initialPasswordSchema = z
  .string()
  .optional()
  .transform((s, ctx) => {
    if (!s) return null;
    const checked = newPasswordSchema.safeParse(s);
    if (checked.success) return checked.data;
    ctx.addIssue({ code: "custom", message: checked.error.issues[0]?.message ?? "密码不符合要求" });
    return z.NEVER;
  });

/** What the user typed, sent back to refill a form that failed (bounded, so a huge post is not echoed). */
export function echoValues(form: Record<string, string>, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = (form[k] ?? "").slice(0, 200);
  return out;
}
