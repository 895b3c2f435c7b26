// The one source of "now" on the server, so tests can move time.
let offsetMs = 0;
let fixed: number | null = null;

export function now(): number {
  return fixed ?? Date.now() + offsetMs;
}

/**
 * Moves "now": used by tests, and by the demo seed to write a year of history
 * before the server listens. Never exposed to a request.
 */
export const clockControl = {
  set(ms: number | null) {
    fixed = ms;
  },
  advance(ms: number) {
    if (fixed !== null) fixed += ms;
    else offsetMs += ms;
  },
  reset() {
    fixed = null;
    offsetMs = 0;
  },
};

const CHINA_OFFSET_MS = 8 * 3600_000;

/** Calendar year in China time (UTC+8, no DST): scores are yearly. */
export function chinaYear(ms: number): number {
  return new Date(ms + CHINA_OFFSET_MS).getUTCFullYear();
}

/** "2026-11" in China time. */
export function chinaMonth(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 7);
}

/** Epoch ms of the first instant of a China-time month "YYYY-MM". */
export function chinaMonthStart(month: string): number {
  const [y, m] = month.split("-").map(Number);
  return Date.UTC(y, m - 1, 1) - CHINA_OFFSET_MS;
}
