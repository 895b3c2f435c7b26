// The 红黑榜 of a published round: the top and bottom households by total, with tier and score.
// Computed once, at publishing, and stored frozen on the round (a database trigger refuses any later
// change), so re-inspections and edits never alter a board that was already posted.
import { stmt } from "~/platform/database.server";
import type { ChecklistSpec } from "./labels";

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

/**
 * Red: the BOARD_SIZE highest totals, highest first. Black: the BOARD_SIZE lowest, lowest first. Each
 * entry carries its tier and score. A round with fewer than 2 × BOARD_SIZE scored households is split
 * (the upper half red, the rest black), so no household is on both lists. Ties go by household number.
 */
export function buildRedBlack(round: { id: number; title: string; checklist: ChecklistSpec }, publishedAt: number, households: number): RedBlack {
  const rows = stmt(
    `select i.household_id as householdId, h.number, i.total, i.tier, i.status,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head
     from inspections i join households h on h.id = i.household_id where i.round_id = ? order by h.number`,
  ).all(round.id) as (BoardEntry & { status: string })[];
  const scored = rows.filter((r) => r.status === "scored").map(({ status: _s, ...r }) => r);
  const best = [...scored].sort((a, b) => b.total - a.total || a.number.localeCompare(b.number));
  const red = best.slice(0, Math.min(BOARD_SIZE, Math.ceil(best.length / 2)));
  const black = best.slice(red.length).sort((a, b) => a.total - b.total || a.number.localeCompare(b.number)).slice(0, Math.min(BOARD_SIZE, Math.floor(best.length / 2)));
  return {
    roundId: round.id, title: round.title, publishedAt, households, scored: scored.length, absent: rows.filter((r) => r.status === "absent").length,
    tiers: round.checklist.tiers.map((t) => ({ name: t.name, min: t.min, count: scored.filter((r) => r.tier === t.name).length })),
    red, black,
  };
}

/** The board of the village's latest published round by its dates (a round published late never replaces a later month's), or null. */
export function latestRedBlack(villageId: number): RedBlack | null {
  const row = stmt("select redblack_json from sanitation_rounds where village_id = ? and status = 'published' order by starts_at desc, id desc limit 1").get(villageId) as
    | { redblack_json: string }
    | undefined;
  return row ? (JSON.parse(row.redblack_json) as RedBlack) : null;
}

/** The frozen board of one published round of this village, or null. */
export function roundRedBlack(villageId: number, roundId: number): RedBlack | null {
  const row = stmt("select redblack_json from sanitation_rounds where id = ? and village_id = ? and status = 'published'").get(roundId, villageId) as { redblack_json: string } | undefined;
  return row ? (JSON.parse(row.redblack_json) as RedBlack) : null;
}
