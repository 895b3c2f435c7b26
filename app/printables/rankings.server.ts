// 积分排行: households ranked by their year's score (account_scores), for the whole village or one
// grid, on the screen and as an A3 poster. Tied scores share a place (1, 2, 2, 4). Heads' names are
// masked (刘*兵) unless the village chose full names (villages.ranking_full_names, 0013): the mask
// is put on here, so a masked name never leaves the server.
import { sql } from "kysely";
import { z } from "zod";
import { findGrant, forbidden, notFound, requireViewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { normalizeDigits, pageSchema } from "~/platform/validation.server";
import { maskName, POSTER_PLACES, POSTER_ROWS_MAX, RANKING_PAGE_SIZE } from "./labels";
import { chineseDay, yearChoices, yearSchema } from "./year.server";

export const rankingQuerySchema = z.object({ year: yearSchema, page: pageSchema });

export interface RankingRow {
  householdId: number;
  place: number;
  /** The head's name as the village shows it (masked or full); "12号户" without a head. */
  name: string;
  grid: string | null;
  score: number;
  mine: boolean;
}

export interface RankingScope {
  villageId: number;
  village: string;
  year: number;
  years: number[];
  /** The grid ranked, or null for the whole village. */
  grid: { id: number; name: string } | null;
  /** The grids the viewer may choose: all of the village's for its staff, a villager's own. */
  grids: { id: number; name: string }[];
  staff: boolean;
  fullNames: boolean;
  printedOn: string;
}

const STAFF = ["village_admin", "committee", "township_admin"] as const;

/**
 * Who may look: the village's admin and committee and the township admin (any grid), and anyone
 * living in the village (the whole village and their own grid). Anyone else: 403; a grid that is not
 * on the viewer's list: 404, as if it did not exist.
 */
async function scopeOf(request: Request, villageId: number): Promise<RankingScope & { householdId: number | null; page: number }> {
  const viewer = await requireViewer(request);
  const staff = !!findGrant(viewer, STAFF, villageId);
  const resident = viewer.householdId !== null && viewer.homeVillageId === villageId;
  if (!staff && !resident) throw forbidden();
  const village = await db().selectFrom("villages").select(["name", "ranking_full_names"]).where("id", "=", villageId).executeTakeFirst();
  if (!village) notFound();
  const url = new URL(request.url);
  const q = rankingQuerySchema.parse({ year: url.searchParams.get("year"), page: url.searchParams.get("page") });
  let grids = await db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("id").execute();
  if (!staff) {
    const own = await db().selectFrom("households").select("grid_id").where("id", "=", viewer.householdId!).executeTakeFirst();
    grids = grids.filter((g) => g.id === own?.grid_id);
  }
  const raw = url.searchParams.get("grid");
  let grid: { id: number; name: string } | null = null;
  if (raw !== null && raw !== "") {
    const digits = normalizeDigits(raw).trim();
    grid = /^\d{1,12}$/.test(digits) ? (grids.find((g) => g.id === Number(digits)) ?? null) : null;
    if (!grid) notFound();
  }
  return {
    villageId, village: village.name, year: q.year, years: yearChoices(), grid, grids, staff, fullNames: village.ranking_full_names === 1,
    printedOn: chineseDay(now()), householdId: resident ? viewer.householdId : null, page: q.page,
  };
}

/** The village's (or grid's) households with score and place; ordered and cut by the caller. */
function ranked(villageId: number, year: number, gridId: number | null) {
  const base = db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .leftJoin("account_scores as s", (j) => j.onRef("s.account_id", "=", "a.id").on("s.year", "=", year))
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .select((eb) => [
      "h.id as householdId", "h.number", "m.name as head", "g.name as grid",
      eb.fn.coalesce("s.score", eb.lit(0)).as("score"),
      // Competition ranking: tied scores share a place and the next place is skipped (1, 2, 2, 4).
      eb.fn.agg<number>("rank").over((o) => o.orderBy(eb.fn.coalesce("s.score", eb.lit(0)), "desc")).as("place"),
    ])
    .where("h.village_id", "=", villageId);
  return gridId === null ? base : base.where("h.grid_id", "=", gridId);
}

type RankedRow = { householdId: number; number: string; head: string | null; grid: string | null; score: number; place: number };

function shown(rows: RankedRow[], fullNames: boolean, mine: number | null): RankingRow[] {
  return rows.map((r) => ({
    householdId: r.householdId,
    place: Number(r.place),
    name: r.head ? (fullNames ? r.head : maskName(r.head)) : `${r.number}号户`,
    grid: r.grid,
    score: Number(r.score),
    mine: r.householdId === mine,
  }));
}

export interface RankingPage extends RankingScope {
  rows: RankingRow[];
  total: number;
  page: number;
  pages: number;
  /** The viewer's own household's place, when they live in the village. */
  mine: { place: number; score: number } | null;
}

/** /v/:villageId/rankings: one page of the ranking, ties ordered by 户号. */
export async function rankingPage(request: Request, villageId: number): Promise<RankingPage> {
  const { householdId, page, ...scope } = await scopeOf(request, villageId);
  const ranking = await rankingRows(villageId, { year: scope.year, gridId: scope.grid?.id ?? null, fullNames: scope.fullNames, page, mine: householdId });
  return { ...scope, ...ranking };
}

/**
 * One page of a village's (or grid's) ranking: the place comes from a window over every household of
 * the scope, the page is cut after it in SQL. `mine`: the household to mark and to give its place.
 */
export async function rankingRows(
  villageId: number,
  o: { year: number; gridId: number | null; fullNames: boolean; page: number; mine: number | null },
): Promise<Pick<RankingPage, "rows" | "total" | "page" | "pages" | "mine">> {
  const counted = db().selectFrom("households").select((eb) => eb.fn.countAll<number>().as("n")).where("village_id", "=", villageId);
  const total = Number((await (o.gridId === null ? counted : counted.where("grid_id", "=", o.gridId)).executeTakeFirstOrThrow()).n);
  const pages = Math.max(1, Math.ceil(total / RANKING_PAGE_SIZE));
  const page = Math.min(o.page, pages);
  const rows = await db()
    .selectFrom(ranked(villageId, o.year, o.gridId).as("r"))
    .selectAll()
    .orderBy("r.place")
    .orderBy("r.number")
    .limit(sql.lit(RANKING_PAGE_SIZE))
    .offset((page - 1) * RANKING_PAGE_SIZE)
    .execute();
  const mine = o.mine === null ? null : await ownPlace(villageId, o.year, o.gridId, o.mine);
  return { rows: shown(rows, o.fullNames, o.mine), total, page, pages, mine };
}

/** A household's place: one more than the households of the scope with a higher score. */
async function ownPlace(villageId: number, year: number, gridId: number | null, householdId: number): Promise<{ place: number; score: number } | null> {
  const own = await db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .leftJoin("account_scores as s", (j) => j.onRef("s.account_id", "=", "a.id").on("s.year", "=", year))
    .select((eb) => ["h.grid_id", eb.fn.coalesce("s.score", eb.lit(0)).as("score")])
    .where("h.id", "=", householdId)
    .executeTakeFirst();
  if (!own || (gridId !== null && own.grid_id !== gridId)) return null;
  const score = Number(own.score);
  const above = db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .leftJoin("account_scores as s", (j) => j.onRef("s.account_id", "=", "a.id").on("s.year", "=", year))
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("h.village_id", "=", villageId)
    .where((eb) => eb(eb.fn.coalesce("s.score", eb.lit(0)), ">", score));
  const n = (await (gridId === null ? above : above.where("h.grid_id", "=", gridId)).executeTakeFirstOrThrow()).n;
  return { place: Number(n) + 1, score };
}

export interface RankingPoster extends RankingScope {
  rows: RankingRow[];
  /** More households tie with the last place shown than the poster has room for. */
  more: boolean;
}

/** /v/:villageId/rankings/poster: the first POSTER_PLACES places with a score above 0, ties included. */
export async function rankingPoster(request: Request, villageId: number): Promise<RankingPoster> {
  const { householdId: _h, page: _p, ...scope } = await scopeOf(request, villageId);
  return { ...scope, ...(await posterRows(villageId, { year: scope.year, gridId: scope.grid?.id ?? null, fullNames: scope.fullNames })) };
}

export async function posterRows(villageId: number, o: { year: number; gridId: number | null; fullNames: boolean }): Promise<{ rows: RankingRow[]; more: boolean }> {
  const rows = await db()
    .selectFrom(ranked(villageId, o.year, o.gridId).as("r"))
    .selectAll()
    .where("r.place", "<=", POSTER_PLACES)
    .where("r.score", ">", 0)
    .orderBy("r.place")
    .orderBy("r.number")
    .limit(sql.lit(POSTER_ROWS_MAX + 1))
    .execute();
  return { rows: shown(rows.slice(0, POSTER_ROWS_MAX), o.fullNames, null), more: rows.length > POSTER_ROWS_MAX };
}
