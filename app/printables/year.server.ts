// The year a printable is for, and the day it was printed: what the passbook and the rankings share.
import { z } from "zod";
import { chinaMonthStart, chinaYear, now } from "~/platform/clock.server";
import { formatTime } from "~/platform/format";
import { normalizeDigits } from "~/platform/validation.server";

/** No village kept points before this; the year list starts no earlier. */
const FIRST_YEAR = 2020;
/** Years the year list offers, this one first. */
const YEARS_OFFERED = 5;

/**
 * A year from a link or the year list: four digits, from FIRST_YEAR to this year (China time).
 * Anything else shows this year, as a bad month shows all months on the statement: a choice of
 * view, not data, so an old bookmark still opens.
 */
export const yearSchema = z
  .string()
  .nullish()
  .transform((s) => {
    const digits = normalizeDigits(s ?? "").trim();
    const current = chinaYear(now());
    const n = Number(digits);
    return /^\d{4}$/.test(digits) && n >= FIRST_YEAR && n <= current ? n : current;
  });

/** This year and the few before it, newest first. */
export function yearChoices(): number[] {
  const current = chinaYear(now());
  return Array.from({ length: YEARS_OFFERED }, (_, i) => current - i).filter((y) => y >= FIRST_YEAR);
}

/** A China-time year as an instant range [from, until). */
export function yearRange(year: number): { from: number; until: number } {
  return { from: chinaMonthStart(`${year}-01`), until: chinaMonthStart(`${year + 1}-01`) };
}

/** "2026年5月3日" (China time): the printed date on a sheet, and an entry's day. */
export function chineseDay(ms: number): string {
  const [y, m, d] = formatTime(ms).slice(0, 10).split("-").map(Number);
  return `${y}年${m}月${d}日`;
}
