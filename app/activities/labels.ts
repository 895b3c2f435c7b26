// Volunteer activities: limits and labels shared by the server's schemas and the pages (no server code here).

/**
 * The longest text each activity field takes, in characters: the server's schemas and the forms'
 * maxLength both read these, so a form never lets anyone type more than the server keeps.
 * Numbers: capacity 1–1000 (4 digits), hours "12.5" (4 characters).
 */
export const TEXT_LIMITS = {
  title: 40, description: 500, place: 60, cancelReason: 100, capacityDigits: 4, hours: 4, search: 20,
} as const;

export const CAPACITY_MAX = 1000;
/** Longer than a day is not one activity: hours per attendee are capped at 24 as well. */
export const MAX_HOURS = 24;

/** How a rule pays: "每小时 2 分" or "每次 5 分". */
export function pointsLabel(r: { points: number; unit: string }): string {
  return r.unit === "hour" ? `每小时 ${r.points} 分` : `每次 ${r.points} 分`;
}
