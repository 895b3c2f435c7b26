// Words, choices and limits the printables (积分存折, 积分排行) share with the browser and with the
// village settings page. No server code here.

// ---- 积分存折 -------------------------------------------------------------------------------------

/** Paper the passbook prints on: each has its own named @page in passbook.css. */
export const PAPER_SIZES = ["A4", "A5"] as const;
export type PaperSize = (typeof PAPER_SIZES)[number];

export const PAPER_LABELS: Record<PaperSize, string> = {
  A4: "A4 纸",
  A5: "A5 纸（小）",
};

/** Entries on one screen page of one household's passbook; the running balance goes on across pages. */
export const PASSBOOK_PAGE_ENTRIES = 400;

/** Households per printing of a whole grid (one household per sheet of paper). */
export const GRID_BATCH = 30;

// ---- 积分排行 -------------------------------------------------------------------------------------

/** How a village shows heads' names on its rankings (villages.ranking_full_names 0/1, migration 0013). */
export const RANKING_NAME_CHOICES = [
  { value: "masked", label: "隐去中间的字，如 刘*兵" },
  { value: "full", label: "显示全名，如 刘建兵" },
] as const;
export type RankingNames = (typeof RANKING_NAME_CHOICES)[number]["value"];

/** Rows on one screen page of the rankings. */
export const RANKING_PAGE_SIZE = 50;

/** Places on the A3 poster; households tied with the last place are shown too, up to POSTER_ROWS_MAX rows. */
export const POSTER_PLACES = 20;
export const POSTER_ROWS_MAX = 40;

/**
 * A name as a masked ranking shows it: first and last character kept, each one between them a *
 * ("刘建兵" → "刘*兵", "欧阳小明" → "欧**明"); a two-character name keeps its first ("刘兵" → "刘*").
 * Characters, not UTF-16 units, so a rare character outside the BMP is never cut in half.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return "";
  if (chars.length <= 2) return `${chars[0]}*`;
  return chars[0] + "*".repeat(chars.length - 2) + chars[chars.length - 1];
}
