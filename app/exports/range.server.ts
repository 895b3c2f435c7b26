// An export's request: which days (China time, both ends included) and which file format. Read from
// the query string of the export page and of the file's own address; bad input is a Chinese message
// per field and nothing is exported or logged.
import { z } from "zod";
import { normalizeDigits } from "~/platform/validation.server";
import { EXPORT_FORMATS, EXPORT_KINDS, EXPORT_MESSAGES as M, FIRST_YEAR, LAST_YEAR, MAX_YEARS, type ExportFormat, type ExportKind } from "./labels";

const CHINA_OFFSET = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
/** Longer than any real date field: a huge value is refused before any parsing. */
const MAX_CHARS = 40;

/** Epoch ms of 00:00 China time of a "YYYY-MM-DD" day. */
export function chinaDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - CHINA_OFFSET;
}

/** "YYYY-MM-DD" of an instant in China time. */
export function chinaDayOf(ms: number): string {
  return new Date(ms + CHINA_OFFSET).toISOString().slice(0, 10);
}

/** "2026-3-8" (typed without a date picker, or in full-width digits) as "2026-03-08"; null when not a real day. */
function normalDay(raw: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(normalizeDigits(raw));
  if (!m) return null;
  const day = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  // Date.parse rolls 2026-02-31 over into March instead of refusing it.
  const start = chinaDayStart(day);
  return Number.isNaN(start) || chinaDayOf(start) !== day ? null : day;
}

function daySchema(missing: string) {
  return z
    .string({ error: missing })
    .max(MAX_CHARS, M.badDay)
    .transform((s, ctx) => {
      if (s.trim() === "") {
        ctx.addIssue({ code: "custom", message: missing });
        return z.NEVER;
      }
      const day = normalDay(s);
      if (!day) {
        ctx.addIssue({ code: "custom", message: M.badDay });
        return z.NEVER;
      }
      const year = Number(day.slice(0, 4));
      if (year < FIRST_YEAR || year > LAST_YEAR) {
        ctx.addIssue({ code: "custom", message: M.outOfYears });
        return z.NEVER;
      }
      return day;
    });
}

/** The first day that is more than MAX_YEARS after `from` (2026-03-08 → 2029-03-08). */
function yearsAfter(from: string): string {
  const [y, m, d] = from.split("-").map(Number);
  return new Date(Date.UTC(y + MAX_YEARS, m - 1, d)).toISOString().slice(0, 10);
}

export const rangeSchema = z
  .object({
    from: daySchema(M.fromMissing),
    to: daySchema(M.toMissing),
    format: z.enum(EXPORT_FORMATS, { error: M.format }),
  })
  .superRefine((r, ctx) => {
    // Only two good days are compared (a refused field may still reach here as it was typed).
    const day = /^\d{4}-\d{2}-\d{2}$/;
    if (!day.test(r.from) || !day.test(r.to)) return;
    if (r.from > r.to) ctx.addIssue({ code: "custom", path: ["to"], message: M.order });
    else if (r.to >= yearsAfter(r.from)) ctx.addIssue({ code: "custom", path: ["to"], message: M.tooLong });
  })
  .transform((r) => ({ ...r, start: chinaDayStart(r.from), until: chinaDayStart(r.to) + DAY_MS }));

export type ExportRange = z.output<typeof rangeSchema>;

export const kindSchema = z.enum(EXPORT_KINDS, { error: M.kind });

/** The township's choice of village: "" for the whole township, or a village's id. */
export const villageChoiceSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(z.union([z.literal(""), z.string().regex(/^\d{1,12}$/, M.village)]))
  .transform((s) => (s === "" ? null : Number(s)));

/** The page's defaults: this month so far. */
export function defaultRange(at: number): { from: string; to: string } {
  const to = chinaDayOf(at);
  return { from: `${to.slice(0, 8)}01`, to };
}

/** A query string's single values (the first of repeated ones), as a form's would be. */
export function queryValues(url: URL, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = url.searchParams.get(k);
    if (v !== null) out[k] = v;
  }
  return out;
}

export type { ExportFormat, ExportKind };
