// The figures of the township dashboard and the village report, each one grouped read of a summary
// or of a small table: points by month from ledger_months (kept by the ledger in every posting,
// 0012), balances and who earned lately from accounts, the rest from claims, objections, rounds and
// settlements. Nothing here reads ledger_entries: on a county's ledger that is millions of rows.
import { chinaMonthStart, now } from "~/platform/clock.server";
import type { ExpressionBuilder } from "kysely";
import type { Database } from "../../db/schema";
import { constant, db } from "~/platform/database.server";
import {
  addFigures, addMonths, zeroFigures,
  type GridRow, type MonthRow, type Participation, type PointFigures, type TierCounts, type Waiting,
} from "./labels";
import type { Range } from "./range.server";

export const DAY_MS = 24 * 3600_000;

/** Epoch ms bounds of a month range in China time: [start of `from`, start of the month after `to`). */
export function rangeBounds(r: Range): { start: number; end: number } {
  return { start: chinaMonthStart(r.from), end: chinaMonthStart(addMonths(r.to, 1)) };
}

/** Per village, per month of the range: what moved, from the ledger's monthly summary, summed by the database. */
export async function monthFigures(r: Range, villageId?: number): Promise<Map<number, Map<string, PointFigures>>> {
  const rows = await db()
    .selectFrom("ledger_months")
    .select((eb) => {
      // Sum of `points` over the rows that match, signed as given (`-1` turns debits into positive figures).
      const part = (sign: 1 | -1, kind: "award" | "deduction" | "redemption" | "expiry" | null, reversal: 0 | 1, category?: "volunteer" | "sanitation" | "family" | "other") => {
        let when = eb("reversal", "=", constant(reversal));
        if (kind) when = eb.and([when, eb("kind", "=", constant(kind))]);
        if (category === "other") when = eb.and([when, eb("category", "not in", [constant("volunteer"), constant("sanitation"), constant("family")])]);
        else if (category) when = eb.and([when, eb("category", "=", constant(category))]);
        const value = sign === 1 ? eb.ref("points") : eb.neg(eb.ref("points"));
        return eb.fn.sum<number>(eb.case().when(when).then(value).else(eb.lit(0)).end());
      };
      return [
        "village_id",
        "month",
        part(1, "award", 0, "volunteer").as("volunteer"),
        part(1, "award", 0, "sanitation").as("sanitation"),
        part(1, "award", 0, "family").as("family"),
        part(1, "award", 0, "other").as("other"),
        part(-1, "deduction", 0).as("deducted"),
        part(-1, "redemption", 0).as("redeemed"),
        part(-1, "expiry", 0).as("expired"),
        part(1, null, 1).as("reversed"),
        eb.fn.sum<number>("points").as("net"),
      ];
    })
    .where("month", ">=", r.from)
    .where("month", "<=", r.to)
    .$if(villageId !== undefined, (q) => q.where("village_id", "=", villageId!))
    .groupBy(["village_id", "month"])
    .execute();
  const settled = await db()
    .selectFrom("settlements")
    .select((eb) => ["village_id", "month", eb.fn.sum<number>("cost_fen").as("fen")])
    .where("month", ">=", r.from)
    .where("month", "<=", r.to)
    .$if(villageId !== undefined, (q) => q.where("village_id", "=", villageId!))
    .groupBy(["village_id", "month"])
    .execute();
  const out = new Map<number, Map<string, PointFigures>>();
  const cell = (v: number, m: string) => {
    let months = out.get(v);
    if (!months) out.set(v, (months = new Map()));
    let f = months.get(m);
    if (!f) months.set(m, (f = zeroFigures()));
    return f;
  };
  for (const row of rows) {
    const f = cell(row.village_id, row.month);
    f.issued = { volunteer: Number(row.volunteer), sanitation: Number(row.sanitation), family: Number(row.family), other: Number(row.other) };
    f.deducted = Number(row.deducted);
    f.redeemed = Number(row.redeemed);
    f.reversed = Number(row.reversed);
    f.expired = Number(row.expired);
    // An adjustment counts in the net change only.
    f.net = Number(row.net);
  }
  for (const s of settled) cell(s.village_id, s.month).settledFen += Number(s.fen);
  return out;
}

/** Per village: what its households held at the start of `from` (everything before the range). */
export async function heldBefore(from: string, villageId?: number): Promise<Map<number, number>> {
  const rows = await db()
    .selectFrom("ledger_months")
    .select((eb) => ["village_id", eb.fn.sum<number>("points").as("points")])
    .where("month", "<", from)
    .$if(villageId !== undefined, (q) => q.where("village_id", "=", villageId!))
    .groupBy("village_id")
    .execute();
  return new Map(rows.map((r) => [r.village_id, Number(r.points)]));
}

/** One village's months in order, with what its households held at each month's end. */
export function monthRows(months: string[], figures: Map<string, PointFigures> | undefined, before: number): MonthRow[] {
  let held = before;
  return months.map((month) => {
    const f = figures?.get(month) ?? zeroFigures();
    held += f.net;
    return { month, ...f, issued: { ...f.issued }, outstanding: held };
  });
}

export function sumRows(rows: PointFigures[]): PointFigures {
  return rows.reduce((to, f) => addFigures(to, f), zeroFigures());
}

/** Month rows added up across villages, month by month. */
export function addMonthRows(all: MonthRow[][], months: string[]): MonthRow[] {
  return months.map((month, i) => {
    const row: MonthRow = { month, ...zeroFigures(), outstanding: 0 };
    for (const rows of all) {
      addFigures(row, rows[i]);
      row.outstanding += rows[i].outstanding;
    }
    return row;
  });
}

/**
 * Per village: household accounts, their balances summed, and how many earned in the last 30 and 90
 * days (accounts.last_earned_at, set by the ledger on every award). The township reads every household
 * account once; one village's are found through its households (accounts has no village index).
 */
export async function householdFigures(villageId?: number): Promise<Map<number, { balance: number } & Participation>> {
  const at = now();
  const figures = (eb: ExpressionBuilder<Database, "accounts">) => [
    eb.ref("accounts.village_id").as("village_id"),
    eb.fn.countAll<number>().as("households"),
    eb.fn.coalesce(eb.fn.sum<number>("accounts.balance"), eb.lit(0)).as("balance"),
    eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("accounts.last_earned_at", ">=", at - 30 * DAY_MS).then(1).else(0).end()), eb.lit(0)).as("earned30"),
    eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("accounts.last_earned_at", ">=", at - 90 * DAY_MS).then(1).else(0).end()), eb.lit(0)).as("earned90"),
  ];
  const rows =
    villageId === undefined
      ? await db().selectFrom("accounts").select(figures).where("accounts.kind", "=", constant("household")).groupBy("accounts.village_id").execute()
      : await db()
          .selectFrom("households as h")
          .innerJoin("accounts", "accounts.household_id", "h.id")
          .select(figures)
          .where("h.village_id", "=", villageId)
          .groupBy("accounts.village_id")
          .execute();
  return new Map(rows.map((r) => [r.village_id, { households: Number(r.households), balance: Number(r.balance), earned30: Number(r.earned30), earned90: Number(r.earned90) }]));
}

export interface ClaimFigures {
  waiting: Waiting;
  /** When the village last approved a claim (into 公示), or null if never. */
  lastApprovedAt: number | null;
}

/** Per village: claims waiting for review, the oldest one's age, and the last approval. */
export async function claimFigures(villageIds: number[]): Promise<Map<number, ClaimFigures>> {
  if (!villageIds.length) return new Map();
  const at = now();
  // Index seeks per village (claims_village_status, claims_village_approved), not a pass over every claim.
  const rows = await db()
    .selectFrom("villages as v")
    .select((eb) => [
      "v.id",
      eb.selectFrom("claims").select((c) => c.fn.countAll<number>().as("n")).whereRef("village_id", "=", "v.id").where("status", "=", constant("pending")).as("waiting"),
      eb.selectFrom("claims").select((c) => c.fn.min<number>("created_at").as("m")).whereRef("village_id", "=", "v.id").where("status", "=", constant("pending")).as("oldest"),
      eb.selectFrom("claims").select((c) => c.fn.max<number>("approved_at").as("m")).whereRef("village_id", "=", "v.id").as("approved"),
    ])
    .where("v.id", "in", villageIds)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        waiting: { count: Number(r.waiting ?? 0), oldestDays: r.oldest === null ? null : Math.floor((at - Number(r.oldest)) / DAY_MS) },
        lastApprovedAt: r.approved === null ? null : Number(r.approved),
      },
    ]),
  );
}

/** Per village: objections filed in the range, and how many of them were upheld. */
export async function objectionFigures(r: Range, villageId?: number): Promise<Map<number, { filed: number; upheld: number }>> {
  const { start, end } = rangeBounds(r);
  const rows = await db()
    .selectFrom("objections")
    .select((eb) => [
      "village_id",
      eb.fn.countAll<number>().as("filed"),
      eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("status", "=", constant("upheld")).then(1).else(0).end()), eb.lit(0)).as("upheld"),
    ])
    .where("created_at", ">=", start)
    .where("created_at", "<", end)
    .$if(villageId !== undefined, (q) => q.where("village_id", "=", villageId!))
    .groupBy("village_id")
    .execute();
  return new Map(rows.map((x) => [x.village_id, { filed: Number(x.filed), upheld: Number(x.upheld) }]));
}

/** Per village: the sanitation rounds published in the range, and their scored households per tier. */
export async function sanitationFigures(r: Range, villageId?: number): Promise<Map<number, { rounds: number; tiers: TierCounts }>> {
  const { start, end } = rangeBounds(r);
  const rounds = await db()
    .selectFrom("sanitation_rounds")
    .select((eb) => ["village_id", eb.fn.countAll<number>().as("n")])
    .where("status", "=", constant("published"))
    .where("published_at", ">=", start)
    .where("published_at", "<", end)
    .$if(villageId !== undefined, (q) => q.where("village_id", "=", villageId!))
    .groupBy("village_id")
    .execute();
  const tiers = await db()
    .selectFrom("sanitation_rounds as r")
    .innerJoin("inspections as i", "i.round_id", "r.id")
    .select((eb) => ["r.village_id", "i.tier", eb.fn.countAll<number>().as("n")])
    .where("r.status", "=", constant("published"))
    .where("r.published_at", ">=", start)
    .where("r.published_at", "<", end)
    .where("i.status", "=", constant("scored"))
    .where("i.tier", "is not", null)
    .$if(villageId !== undefined, (q) => q.where("r.village_id", "=", villageId!))
    .groupBy(["r.village_id", "i.tier"])
    .execute();
  const out = new Map<number, { rounds: number; tiers: TierCounts }>();
  for (const x of rounds) out.set(x.village_id, { rounds: Number(x.n), tiers: {} });
  for (const t of tiers) {
    const v = out.get(t.village_id) ?? { rounds: 0, tiers: {} };
    v.tiers[t.tier!] = Number(t.n);
    out.set(t.village_id, v);
  }
  return out;
}

// ---- per grid (one village) ----------------------------------------------------------------

/** One village's grids side by side: households, balances, who earned lately, points in and out over the range, claims waiting, tiers. */
export async function gridFigures(villageId: number, r: Range): Promise<GridRow[]> {
  const at = now();
  const { start, end } = rangeBounds(r);
  const grids = await db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("id").execute();
  const households = await db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .select((eb) => [
      "h.grid_id",
      eb.fn.countAll<number>().as("households"),
      eb.fn.coalesce(eb.fn.sum<number>("a.balance"), eb.lit(0)).as("balance"),
      eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("a.last_earned_at", ">=", at - 30 * DAY_MS).then(1).else(0).end()), eb.lit(0)).as("earned30"),
      eb.fn.coalesce(eb.fn.sum<number>(eb.case().when("a.last_earned_at", ">=", at - 90 * DAY_MS).then(1).else(0).end()), eb.lit(0)).as("earned90"),
    ])
    .where("h.village_id", "=", villageId)
    .groupBy("h.grid_id")
    .execute();
  const moved = await db()
    .selectFrom("households as h")
    .innerJoin("accounts as a", "a.household_id", "h.id")
    .innerJoin("account_months as m", "m.account_id", "a.id")
    .select((eb) => ["h.grid_id", eb.fn.sum<number>("m.income").as("income"), eb.fn.sum<number>("m.spent").as("spent")])
    .where("h.village_id", "=", villageId)
    .where("m.month", ">=", r.from)
    .where("m.month", "<=", r.to)
    .groupBy("h.grid_id")
    .execute();
  const waiting = await db()
    .selectFrom("claims as c")
    .innerJoin("households as h", "h.id", "c.household_id")
    .select((eb) => ["h.grid_id", eb.fn.countAll<number>().as("n")])
    .where("c.village_id", "=", villageId)
    .where("c.status", "=", constant("pending"))
    .groupBy("h.grid_id")
    .execute();
  const tiers = await db()
    .selectFrom("sanitation_rounds as r")
    .innerJoin("inspections as i", "i.round_id", "r.id")
    .innerJoin("households as h", "h.id", "i.household_id")
    .select((eb) => ["h.grid_id", "i.tier", eb.fn.countAll<number>().as("n")])
    .where("r.village_id", "=", villageId)
    .where("r.status", "=", constant("published"))
    .where("r.published_at", ">=", start)
    .where("r.published_at", "<", end)
    .where("i.status", "=", constant("scored"))
    .where("i.tier", "is not", null)
    .groupBy(["h.grid_id", "i.tier"])
    .execute();
  const rows = new Map<number | null, GridRow>();
  const row = (id: number | null) => {
    let g = rows.get(id);
    if (!g) {
      const name = id === null ? "未分网格" : (grids.find((x) => x.id === id)?.name ?? "");
      rows.set(id, (g = { id, name, participation: { households: 0, earned30: 0, earned90: 0 }, balance: 0, income: 0, spent: 0, waiting: 0, tiers: {} }));
    }
    return g;
  };
  for (const g of grids) row(g.id);
  for (const h of households) {
    const g = row(h.grid_id);
    g.participation = { households: Number(h.households), earned30: Number(h.earned30), earned90: Number(h.earned90) };
    g.balance = Number(h.balance);
  }
  for (const m of moved) Object.assign(row(m.grid_id), { income: Number(m.income), spent: Number(m.spent) });
  for (const w of waiting) row(w.grid_id).waiting = Number(w.n);
  for (const t of tiers) row(t.grid_id).tiers[t.tier!] = Number(t.n);
  // The grids in their order, "未分网格" last and only when it has households or figures.
  return [...rows.values()].sort((a, b) => (a.id === null ? 1 : b.id === null ? -1 : a.id - b.id));
}
