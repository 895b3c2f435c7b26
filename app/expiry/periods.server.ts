// When a village's points expire, as instants (China time). A period names one run: "2026" is the
// year-end run of 2026, made at the first instant of 2027; "2027-03" is the monthly run made at the
// first instant of March 2027, which expires what was earned before March 2026 (12 months) and is
// still unspent. Pure: the caller passes "now".
import { chinaMonth, chinaMonthStart, chinaYear } from "~/platform/clock.server";
import type { ExpiryMode } from "./labels";

export interface Policy {
  mode: ExpiryMode;
  months: number;
  noticeDays: number;
  /** When the mode was chosen; a run whose moment came earlier is never due. */
  since: number | null;
}

export interface Run {
  period: string;
  /** The moment the run is due: the first instant after the last day points can be spent. */
  at: number;
  /** Points earned since this instant are kept: the run's moment for year end (what a late run
   *  finds earned in the new year stays), the month N months before for the monthly mode. */
  keepEarnedSince: number;
  /** The last day the expiring points can be spent, "2026-12-31" (China time). */
  lastDay: string;
}

const DAY = 24 * 3600_000;
const CHINA_OFFSET = 8 * 3600_000;

function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split("-").map(Number);
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

function isoDay(ms: number): string {
  return new Date(ms + CHINA_OFFSET).toISOString().slice(0, 10);
}

/** The run of `period` under `policy`. */
export function runOf(policy: Policy, period: string): Run {
  if (policy.mode === "year_end") {
    const at = chinaMonthStart(`${Number(period) + 1}-01`);
    return { period, at, keepEarnedSince: at, lastDay: isoDay(at - 1) };
  }
  const at = chinaMonthStart(period);
  return { period, at, keepEarnedSince: chinaMonthStart(shiftMonth(period, -policy.months)), lastDay: isoDay(at - 1) };
}

/** The latest run whose moment has come (at or before `at`), if the village had its mode by then. */
export function dueRun(policy: Policy, at: number): Run | null {
  if (policy.mode === "never" || policy.since === null) return null;
  const period = policy.mode === "year_end" ? String(chinaYear(at) - 1) : chinaMonth(at);
  const run = runOf(policy, period);
  return policy.since <= run.at ? run : null;
}

/** The next run to come (after `at`), if households should be told about it by now. */
export function noticeRun(policy: Policy, at: number): Run | null {
  if (policy.mode === "never" || policy.since === null || policy.noticeDays <= 0) return null;
  const period = policy.mode === "year_end" ? String(chinaYear(at)) : shiftMonth(chinaMonth(at), 1);
  const run = runOf(policy, period);
  return at >= run.at - policy.noticeDays * DAY ? run : null;
}

/** The month "YYYY-MM" the monthly run keeps from, for its memo ("2026年3月及以前"). */
export function monthBefore(ms: number): string {
  return chinaMonth(ms - 1);
}
