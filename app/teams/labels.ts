// 志愿队伍: limits, words and the period filter shared by the server's schemas and the pages (no server code here).

/** The longest text each team field takes, in characters (the schemas and the forms' maxLength read these). */
export const TEXT_LIMITS = { name: 20, description: 200, search: 20 } as const;

/** Members shown per page of a team (a township team may grow large). */
export const MEMBERS_PER_PAGE = 50;
/** A team's activities shown on its page, newest first, within the period. */
export const ACTIVITIES_SHOWN = 30;
/** Teams per page of the township's side-by-side table. */
export const TEAMS_PER_PAGE = 50;

/** A period of the hours filter: a year ("2026") or a month ("2026-11"). */
export interface Period {
  key: string;
  label: string;
  /** Epoch ms, China time, [from, to). */
  from: number;
  to: number;
}

const CHINA = 8 * 3600_000;

/** "2026" or "2026-11" as a period, or null when it is neither (or out of range). */
export function periodOf(key: string): Period | null {
  const m = /^(\d{4})(?:-(\d{2}))?$/.exec(key);
  if (!m) return null;
  const y = Number(m[1]);
  if (y < 2000 || y > 2100) return null;
  if (m[2] === undefined) return { key, label: `${y} 年`, from: Date.UTC(y, 0, 1) - CHINA, to: Date.UTC(y + 1, 0, 1) - CHINA };
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  return { key, label: `${y} 年 ${mo} 月`, from: Date.UTC(y, mo - 1, 1) - CHINA, to: Date.UTC(y, mo, 1) - CHINA };
}

/** This year, China time. */
export function thisYear(at: number): string {
  return String(new Date(at + CHINA).getUTCFullYear());
}

/** The choices of the period select: this year, last year and this year's months so far (newest first). */
export function periodChoices(at: number): { value: string; label: string }[] {
  const d = new Date(at + CHINA);
  const y = d.getUTCFullYear();
  const out = [{ value: String(y), label: `${y} 年全年` }, { value: String(y - 1), label: `${y - 1} 年全年` }];
  for (let mo = d.getUTCMonth() + 1; mo >= 1; mo--) out.push({ value: `${y}-${String(mo).padStart(2, "0")}`, label: `${y} 年 ${mo} 月` });
  return out;
}

/** Hours as a villager reads them: "12.5 小时", "0 小时". */
export function hoursLabel(h: number): string {
  return `${Math.round(h * 10) / 10} 小时`;
}

/** Who runs the team: "乡镇队伍" or "村级队伍". */
export function levelLabel(t: { village_id: number | null }): string {
  return t.village_id === null ? "乡镇队伍" : "村级队伍";
}
