// The village settings' expiry fields (積分清零): parsed here, saved by the settings form with the
// village's other settings (app/rules/rules.server.ts).
import { z } from "zod";
import { normalizeDigits } from "~/platform/validation.server";
import { EXPIRY_LIMITS, EXPIRY_MESSAGES, EXPIRY_MODE_CHOICES, type ExpiryMode } from "./labels";

function whole(message: string, min: number, max: number) {
  return z
    .string({ error: message })
    .transform(normalizeDigits)
    .pipe(z.string().regex(/^\d{1,2}$/, message))
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
}

export const expirySettingsFields = {
  expiryMode: z.enum(EXPIRY_MODE_CHOICES.map((c) => c.value) as [ExpiryMode, ...ExpiryMode[]], { error: EXPIRY_MESSAGES.mode }),
  expiryMonths: whole(EXPIRY_MESSAGES.months, EXPIRY_LIMITS.monthsMin, EXPIRY_LIMITS.monthsMax),
  expiryNoticeDays: whole(EXPIRY_MESSAGES.noticeDays, 0, EXPIRY_LIMITS.noticeDaysMax),
};

export const EXPIRY_FIELDS = ["expiryMode", "expiryMonths", "expiryNoticeDays"] as const;

export interface ExpirySettings {
  expiryMode: ExpiryMode;
  expiryMonths: number;
  expiryNoticeDays: number;
}

export const expirySettingsColumns = ["expiry_mode as expiryMode", "expiry_months as expiryMonths", "expiry_notice_days as expiryNoticeDays"] as const;

/** The villages columns to set; a new mode counts from now (no run whose moment has passed becomes due). */
export function expirySettingsUpdate(before: ExpirySettings, s: ExpirySettings, at: number) {
  return {
    expiry_mode: s.expiryMode,
    expiry_months: s.expiryMonths,
    expiry_notice_days: s.expiryNoticeDays,
    ...(before.expiryMode !== s.expiryMode ? { expiry_since: s.expiryMode === "never" ? null : at } : {}),
  };
}
