// 积分存折: a household's year on paper, entry by entry with the balance after each, for villagers
// without phones. Read only. The balances are worked out from the entries themselves: the balance
// carried from the year before (the household's account_months up to then) plus a running sum over
// the year's entries in the order the statement shows them (time, then id), so each line's balance
// is what the ledger held right after that entry.
import { sql } from "kysely";
import { z } from "zod";
import { findGrant, forbidden, notFound, requireHousehold, requireViewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { hasInvisible, invisibleMessage, normalizeDigits, pageSchema } from "~/platform/validation.server";
import { villagerMemo } from "~/ledger/statement.server";
import { GRID_BATCH, PAPER_SIZES, PASSBOOK_PAGE_ENTRIES, type PaperSize } from "./labels";
import { chineseDay, yearChoices, yearRange, yearSchema } from "./year.server";

export interface PassbookLine {
  id: number;
  /** "03-05": the year is in the sheet's title. */
  day: string;
  /** What the villager reads: villagerMemo's wording, who in the household it was for after it. */
  memo: string;
  member: string | null;
  amount: number;
  /** The household's balance right after this entry. */
  balance: number;
  reversed: boolean;
}

export interface PassbookSheet {
  householdId: number;
  number: string;
  address: string;
  grid: string | null;
  village: string;
  township: string;
  head: string | null;
  year: number;
  /** Carried from the year before (上年结转). */
  opening: number;
  /** The year's totals, from the month rows (every page shows them, not only the last). */
  income: number;
  spent: number;
  closing: number;
  entries: number;
  /** The balance before this page's first line: the opening on page 1, 承前页 after it. */
  carried: number;
  lines: PassbookLine[];
  page: number;
  pages: number;
}

export interface PassbookOptions {
  year: number;
  size: PaperSize;
  /** Offered in the year list: this year and the few before it. */
  years: number[];
  printedOn: string;
}

/** Year, paper and page from the query string; a value that is not on offer gives the default. */
export const passbookQuerySchema = z.object({
  year: yearSchema,
  size: z
    .string()
    .nullish()
    .transform((s): PaperSize => ((PAPER_SIZES as readonly string[]).includes(s?.toUpperCase() ?? "") ? (s!.toUpperCase() as PaperSize) : "A4")),
  page: pageSchema,
});

type Query = z.infer<typeof passbookQuerySchema>;

function queryOf(request: Request): { q: Query; url: URL } {
  const url = new URL(request.url);
  const q = passbookQuerySchema.parse({ year: url.searchParams.get("year"), size: url.searchParams.get("size"), page: url.searchParams.get("page") });
  return { q, url };
}

const options = (q: Query): PassbookOptions => ({ year: q.year, size: q.size, years: yearChoices(), printedOn: chineseDay(now()) });

// ---- reads ------------------------------------------------------------------------------------------

interface HeadRow {
  householdId: number;
  accountId: number;
  number: string;
  address: string;
  grid: string | null;
  village: string;
  township: string;
  head: string | null;
}

function householdHeads() {
  return db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .innerJoin("villages as v", "v.id", "h.village_id")
    .innerJoin("townships as tw", "tw.id", "v.township_id")
    .leftJoin("grids as g", "g.id", "h.grid_id")
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .select(["h.id as householdId", "a.id as accountId", "h.number", "h.address", "g.name as grid", "v.name as village", "tw.name as township", "m.name as head"]);
}

interface YearFigures {
  opening: number;
  income: number;
  spent: number;
  entries: number;
}

/**
 * Per account: the balance carried into the year and the year's totals, in one statement over the
 * month rows (a dozen a year per household) instead of summing every earlier entry.
 */
async function yearFigures(accountIds: number[], year: number): Promise<Map<number, YearFigures>> {
  if (accountIds.length === 0) return new Map();
  const first = `${year}-01`;
  const rows = await db()
    .selectFrom("account_months")
    .select((eb) => [
      "account_id",
      eb.fn.sum<number>(eb.case().when("month", "<", first).then(eb("income", "-", eb.ref("spent"))).else(0).end()).as("opening"),
      eb.fn.sum<number>(eb.case().when("month", ">=", first).then(eb.ref("income")).else(0).end()).as("income"),
      eb.fn.sum<number>(eb.case().when("month", ">=", first).then(eb.ref("spent")).else(0).end()).as("spent"),
      eb.fn.sum<number>(eb.case().when("month", ">=", first).then(eb.ref("entries")).else(0).end()).as("entries"),
    ])
    .where("account_id", "in", accountIds)
    .where("month", "<", `${year + 1}-01`)
    .groupBy("account_id")
    .execute();
  return new Map(rows.map((r) => [r.account_id, { opening: Number(r.opening), income: Number(r.income), spent: Number(r.spent), entries: Number(r.entries) }]));
}

interface LineRow extends PassbookLine {
  accountId: number;
}

/**
 * The year's entries of the given accounts in one statement, each with the sum of its account's
 * entries up to and including it (a window over the year, by time then id). With `slice` only that
 * part of one account's year is read back (its sums still count every entry before it); the joins
 * for the wording run on those rows only.
 */
async function yearLines(accountIds: number[], year: number, slice?: { limit: number; offset: number }): Promise<LineRow[]> {
  if (accountIds.length === 0) return [];
  const { from, until } = yearRange(year);
  const limit = slice?.limit ?? null;
  if (limit !== null && (!Number.isSafeInteger(limit) || limit < 1)) throw new Error(`page size must be a positive integer: ${limit}`);
  const windowed = db()
    .selectFrom("ledger_entries as e")
    .select((eb) => [
      "e.id", "e.account_id", "e.txn_id", "e.created_at", "e.amount",
      eb.fn.sum<number>("e.amount").over((o) => o.partitionBy("e.account_id").orderBy("e.created_at").orderBy("e.id")).as("moved"),
    ])
    .where("e.account_id", "in", accountIds)
    .where("e.created_at", ">=", from)
    .where("e.created_at", "<", until);
  const rows = await db()
    .selectFrom(() => {
      const ordered = db().selectFrom(windowed.as("w")).selectAll().orderBy("w.account_id").orderBy("w.created_at").orderBy("w.id");
      return (slice ? ordered.limit(sql.lit(slice.limit)).offset(slice.offset) : ordered).as("p");
    })
    .innerJoin("ledger_transactions as t", "t.id", "p.txn_id")
    .leftJoin("members as m", "m.id", "t.member_id")
    // The claim an entry credits or revokes, for its wording, as the statement words it.
    .leftJoin("claims as c", (j) => j.onRef("c.id", "=", "t.cause_id").on("t.cause_kind", "=", constant("claim")))
    .leftJoin("rules as r", "r.id", "c.rule_id")
    .select((eb) => [
      "p.id", "p.account_id as accountId", "p.created_at as at", "p.amount", "p.moved", "t.memo", "m.name as member", "r.name as claimRule", "c.occurred_at as claimAt",
      // 0/1 on every engine (a bare EXISTS is a boolean on PostgreSQL).
      eb.case().when(eb.exists(eb.selectFrom("ledger_transactions as x").select("x.id").whereRef("x.reverses_id", "=", "t.id"))).then(1).else(0).end().as("reversed"),
    ])
    .orderBy("p.account_id")
    .orderBy("p.created_at")
    .orderBy("p.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    accountId: r.accountId,
    day: formatTime(r.at).slice(5, 10),
    memo: villagerMemo(r.memo, { rule: r.claimRule, at: r.claimAt }),
    member: r.member,
    amount: r.amount,
    // Filled in by the caller, which knows the opening balance.
    balance: Number(r.moved),
    reversed: Number(r.reversed) === 1,
  }));
}

/**
 * The sheets of these households for the year, in 户号 order: four statements whatever their number.
 * `page` pages one household's entries (its year may run to thousands); with null each sheet is whole.
 */
export async function passbookSheets(householdIds: number[], year: number, page: number | null): Promise<PassbookSheet[]> {
  if (householdIds.length === 0) return [];
  const heads = await householdHeads().where("h.id", "in", householdIds).orderBy("h.village_id").orderBy("h.number").execute();
  return sheets(heads, year, page);
}

/** The sheets of households already read with their heads: yearFigures and yearLines, one statement each. */
async function sheets(heads: HeadRow[], year: number, page: number | null): Promise<PassbookSheet[]> {
  const ids = heads.map((h) => h.accountId);
  const figures = await yearFigures(ids, year);
  const fig = (account: number) => figures.get(account) ?? { opening: 0, income: 0, spent: 0, entries: 0 };
  // One household is paged (its year may run to thousands of entries); a grid's sheets come whole.
  const single = page !== null && heads.length === 1;
  const pages = single ? Math.max(1, Math.ceil(fig(ids[0]).entries / PASSBOOK_PAGE_ENTRIES)) : 1;
  const current = single ? Math.min(page, pages) : 1;
  const lines = await yearLines(ids, year, single ? { limit: PASSBOOK_PAGE_ENTRIES, offset: (current - 1) * PASSBOOK_PAGE_ENTRIES } : undefined);
  const byAccount = new Map<number, PassbookLine[]>();
  for (const { accountId, ...line } of lines) {
    const list = byAccount.get(accountId) ?? [];
    list.push({ ...line, balance: fig(accountId).opening + line.balance });
    byAccount.set(accountId, list);
  }
  return heads.map(({ accountId, ...h }) => {
    const f = fig(accountId);
    const own = byAccount.get(accountId) ?? [];
    return {
      ...h,
      year,
      opening: f.opening,
      income: f.income,
      spent: f.spent,
      closing: f.opening + f.income - f.spent,
      entries: f.entries,
      carried: own.length ? own[0].balance - own[0].amount : f.opening,
      lines: own,
      page: current,
      pages,
    };
  });
}

// ---- the pages --------------------------------------------------------------------------------------

/** /passbook: the viewer's own household (any member of it: it is what their 明细 shows, on paper). */
export async function ownPassbook(request: Request) {
  const viewer = await requireHousehold(request);
  const { q } = queryOf(request);
  const head = await householdHeads().where("h.id", "=", viewer.householdId).executeTakeFirstOrThrow();
  const [sheet] = await sheets([head], q.year, q.page);
  return { options: options(q), sheet, villageId: viewer.homeVillageId };
}

const PRINTERS = ["village_admin", "committee", "township_admin"] as const;

/** A household or grid id from the query string: digits only, or no such thing (404). */
function idFrom(value: string | null): number | null {
  if (value === null) return null;
  const digits = normalizeDigits(value).trim();
  if (!/^\d{1,12}$/.test(digits)) notFound();
  return Number(digits);
}

export interface GridChoice {
  /** 0: the households without a grid. */
  id: number;
  name: string;
  households: number;
}

export type VillagePassbook =
  | { kind: "pick"; villageId: number; village: string; options: PassbookOptions; grids: GridChoice[]; number: string; numberError: string | null }
  | { kind: "household"; villageId: number; village: string; options: PassbookOptions; sheet: PassbookSheet }
  | { kind: "grid"; villageId: number; village: string; options: PassbookOptions; grid: GridChoice; sheets: PassbookSheet[]; batch: number; batches: number };

/**
 * /v/:villageId/passbook: the village admin and committee (and the township admin) print for any
 * household of the village (?household=id or ?number=户号) or a whole grid (?grid=id, 0 = no grid),
 * one household per sheet. Without either: the page to choose. Ids of another village are 404.
 */
export async function villagePassbook(request: Request, villageId: number): Promise<{ status: number; body: VillagePassbook }> {
  const viewer = await requireViewer(request);
  if (!findGrant(viewer, PRINTERS, villageId)) throw forbidden();
  const village = await db().selectFrom("villages").select("name").where("id", "=", villageId).executeTakeFirst();
  if (!village) notFound();
  const { q, url } = queryOf(request);
  const base = { villageId, village: village.name, options: options(q) };

  // The choosing page is one form with two buttons: by=number prints the 户号 typed, by=grid the grid
  // chosen (the form sends both fields; the button says which one counts).
  const by = url.searchParams.get("by");
  const householdId = idFrom(url.searchParams.get("household"));
  const gridId = by === "number" ? null : idFrom(url.searchParams.get("grid"));
  const number = by === "grid" ? "" : normalizeDigits(url.searchParams.get("number") ?? "").trim().slice(0, 40);
  const pick = async (status: number, numberError: string): Promise<{ status: number; body: VillagePassbook }> => ({
    status,
    body: { kind: "pick", ...base, grids: await gridChoices(villageId), number: hasInvisible(number) ? "" : number, numberError },
  });
  if (by === "number" && !number && householdId === null) return pick(400, "请填写户号");
  if (hasInvisible(number)) return pick(400, invisibleMessage("户号"));
  if (householdId !== null || number) {
    let query = householdHeads().where("h.village_id", "=", villageId);
    query = householdId !== null ? query.where("h.id", "=", householdId) : query.where("h.number", "=", number);
    const head = await query.executeTakeFirst();
    if (!head && householdId !== null) notFound();
    if (!head) return pick(404, `本村没有户号为“${number.length > 20 ? `${number.slice(0, 20)}…` : number}”的住户，请核对户号`);
    const [sheet] = await sheets([head], q.year, q.page);
    return { status: 200, body: { kind: "household", ...base, sheet } };
  }
  if (gridId !== null) {
    const printed = await gridPassbook(villageId, gridId, q.year, q.page);
    if (!printed) notFound();
    return { status: 200, body: { kind: "grid", ...base, ...printed } };
  }
  return { status: 200, body: { kind: "pick", ...base, grids: await gridChoices(villageId), number: "", numberError: null } };
}

/**
 * One batch of a grid's sheets (GRID_BATCH households by 户号, one sheet each); grid 0 is the
 * village's households without a grid. Null when the village has no such grid with households.
 */
export async function gridPassbook(villageId: number, gridId: number, year: number, batch: number) {
  const grid = (await gridChoices(villageId)).find((g) => g.id === gridId);
  if (!grid) return null;
  const batches = Math.max(1, Math.ceil(grid.households / GRID_BATCH));
  const current = Math.min(batch, batches);
  const inVillage = householdHeads().where("h.village_id", "=", villageId);
  const heads = await (gridId === 0 ? inVillage.where("h.grid_id", "is", null) : inVillage.where("h.grid_id", "=", gridId))
    .orderBy("h.number")
    .limit(GRID_BATCH)
    .offset((current - 1) * GRID_BATCH)
    .execute();
  return { grid, sheets: await sheets(heads, year, null), batch: current, batches };
}

/** The village's grids with their household counts, and "未分网格" when some household has none. */
async function gridChoices(villageId: number): Promise<GridChoice[]> {
  const rows = await db()
    .selectFrom("households as h")
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .select((eb) => ["h.grid_id as id", "g.name", eb.fn.countAll<number>().as("households")])
    .where("h.village_id", "=", villageId)
    .groupBy(["h.grid_id", "g.name"])
    .execute();
  // In the order the grids were made, the households without one last (engines sort nulls apart).
  return rows.map((r) => ({ id: r.id ?? 0, name: r.name ?? "未分网格", households: Number(r.households) })).sort((a, b) => (a.id || Infinity) - (b.id || Infinity));
}
