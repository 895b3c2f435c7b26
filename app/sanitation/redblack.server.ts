// The 红黑榜 of a published round: the top and bottom households by total, with tier and score.
// Computed once, at publishing, and stored frozen on the round (a database trigger refuses any later
// change), so re-inspections and edits never alter a board that was already posted.
import { constant, db } from "~/platform/database.server";
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
export async function buildRedBlack(round: { id: number; title: string; checklist: ChecklistSpec }, publishedAt: number, households: number): Promise<RedBlack> {
  const rows = await db()
    .selectFrom("inspections as i")
    .innerJoin("households as h", "h.id", "i.household_id")
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .select(["i.household_id as householdId", "h.number", "m.name as head", "i.total", "i.tier", "i.status"])
    .where("i.round_id", "=", round.id)
    .orderBy("h.number")
    .execute();
  // A scored inspection always has its total and tier (the save writes them together).
  const scored = rows.flatMap(({ householdId, number, head, total, tier, status }) =>
    status === "scored" && total !== null && tier !== null ? [{ householdId, number, head, total, tier }] : [],
  );
  const best = [...scored].sort((a, b) => b.total - a.total || a.number.localeCompare(b.number));
  const red = best.slice(0, Math.min(BOARD_SIZE, Math.ceil(best.length / 2)));
  const black = best.slice(red.length).sort((a, b) => a.total - b.total || a.number.localeCompare(b.number)).slice(0, Math.min(BOARD_SIZE, Math.floor(best.length / 2)));
  return {
    roundId: round.id, title: round.title, publishedAt, households, scored: scored.length, absent: rows.filter((r) => r.status === "absent").length,
    tiers: round.checklist.tiers.map((t) => ({ name: t.name, min: t.min, count: scored.filter((r) => r.tier === t.name).length })),
    red, black,
  };
}

// The board is stored as JSON written by buildRedBlack above, once, when the round was published.
const board = (row: { redblack_json: string | null } | undefined): RedBlack | null => (row?.redblack_json ? JSON.parse(row.redblack_json) : null);

/** The board of the village's latest published round by its dates (a round published late never replaces a later month's), or null. */
export async function latestRedBlack(villageId: number): Promise<RedBlack | null> {
  const row = await db()
    .selectFrom("sanitation_rounds")
    .select("redblack_json")
    .where("village_id", "=", villageId)
    .where("status", "=", "published")
    .orderBy("starts_at", "desc")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return board(row);
}

/** The frozen board of one published round of this village, or null. */
export async function roundRedBlack(villageId: number, roundId: number): Promise<RedBlack | null> {
  const row = await db().selectFrom("sanitation_rounds").select("redblack_json").where("id", "=", roundId).where("village_id", "=", villageId).where("status", "=", "published").executeTakeFirst();
  return board(row);
}
