// The village settings' red-flag fields (流动红旗): parsed here, saved by the settings form with the
// village's other settings (app/rules/rules.server.ts). Both optional: a settings page from before
// the fields existed keeps the village's values.
import { z } from "zod";
import type { RedFlagScope } from "../../db/schema";
import { normalizeDigits } from "~/platform/validation.server";
import { FLAG_LIMITS, FLAG_MESSAGES, FLAG_SCOPE_CHOICES } from "./labels";

export const flagSettingsFields = {
  redFlags: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : normalizeDigits(s)))
    .pipe(z.union([z.undefined(), z.string().regex(/^\d{1,2}$/, FLAG_MESSAGES.count)]))
    .transform((s) => (s === undefined ? null : Number(s)))
    .refine((n) => n === null || n <= FLAG_LIMITS.countMax, FLAG_MESSAGES.count),
  redFlagScope: z
    .enum(FLAG_SCOPE_CHOICES.map((c) => c.value) as [RedFlagScope, ...RedFlagScope[]], { error: FLAG_MESSAGES.scope })
    .optional()
    .transform((s) => s ?? null),
};

export const FLAG_FIELDS = ["redFlags", "redFlagScope"] as const;

export interface FlagSettings {
  /** null (a form without the field) = unchanged. */
  redFlags: number | null;
  redFlagScope: RedFlagScope | null;
}

export const flagSettingsColumns = ["red_flags as redFlags", "red_flag_scope as redFlagScope"] as const;

/** The villages columns to set; a field the form did not send keeps the village's value. */
export function flagSettingsUpdate(before: FlagSettings, s: FlagSettings) {
  return { red_flags: s.redFlags ?? before.redFlags ?? 0, red_flag_scope: s.redFlagScope ?? before.redFlagScope ?? "village" };
}
