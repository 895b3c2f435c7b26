// The 红黑榜 of a published round: computed once, at publishing, and stored frozen on the round
// (a database trigger refuses any later change), so re-inspections and edits never alter a board
// that was already posted.
import { stmt } from "./db.server";
import type { ChecklistSpec } from "./sanitation-labels";

export const BOARD_SIZE = 10;

export interface BoardEntry {
  householdId: number;
  number: string;
  head: string | null;
  total: number;
  tier: string;
}

export interface RedBlack {
  roundId: number;
  title: string;
  publishedAt: number;
  households: number;
  scored: number;
  absent: number;
  tiers: { name: string; min: number; count: number }[];
  red: BoardEntry[];
  black: BoardEntry[];
}

/** Red: the best tier, highest totals first. Black: the worst tier, lowest first. Never the same household on both. */
export function buildRedBlack(round: { id: number; title: string; checklist: ChecklistSpec }, publishedAt: number, households: number): RedBlack {
  const rows = stmt(
    `select i.household_id as householdId, h.number, i.total, i.tier, i.status,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head
     from inspections i join households h on h.id = i.household_id where i.round_id = ? order by h.number`,
  ).all(round.id) as (BoardEntry & { status: string })[];
  const scored = rows.filter((r) => r.status === "scored").map(({ status: _s, ...r }) => r);
  const tiers = round.checklist.tiers;
  const best = tiers[0]?.name;
  const worst = tiers.length > 1 ? tiers[tiers.length - 1].name : null;
  const red = scored.filter((r) => r.tier === best).sort((a, b) => b.total - a.total || a.number.localeCompare(b.number)).slice(0, BOARD_SIZE);
  const black = scored.filter((r) => r.tier === worst).sort((a, b) => a.total - b.total || a.number.localeCompare(b.number)).slice(0, BOARD_SIZE);
  return {
    roundId: round.id, title: round.title, publishedAt, households, scored: scored.length, absent: rows.filter((r) => r.status === "absent").length,
    tiers: tiers.map((t) => ({ name: t.name, min: t.min, count: scored.filter((r) => r.tier === t.name).length })),
    red, black,
  };
}

/** The board of the village's most recently published round, or null. */
export function latestRedBlack(villageId: number): RedBlack | null {
  const row = stmt("select redblack_json from sanitation_rounds where village_id = ? and status = 'published' order by published_at desc, id desc limit 1").get(villageId) as
    | { redblack_json: string }
    | undefined;
  return row ? (JSON.parse(row.redblack_json) as RedBlack) : null;
}

/** The frozen board of one published round of this village, or null. */
export function roundRedBlack(villageId: number, roundId: number): RedBlack | null {
  const row = stmt("select redblack_json from sanitation_rounds where id = ? and village_id = ? and status = 'published'").get(roundId, villageId) as { redblack_json: string } | undefined;
  return row ? (JSON.parse(row.redblack_json) as RedBlack) : null;
}
