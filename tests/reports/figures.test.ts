// The dashboard's and the village report's figures, checked against sums made apart from them: the
// ledger's own entries (ledger_entries joined to their transactions, summed here month by month) and
// hand-written counts of claims, objections, inspections and settlements. The reports read the
// ledger's monthly summary (ledger_months) and accounts.last_earned_at instead: if either drifted
// from the entries, these comparisons fail (the last test shows one that does).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { award } from "~/ledger/ledger.server";
import { FRESH_MS } from "~/reports/cache.server";
import { recentTownshipDashboard, townshipDashboard, villageReport, type TownshipDashboard, type VillageReport } from "~/reports/reports.server";
import { issuedTotal, monthsOf, type MonthRow, type PointFigures } from "~/reports/labels";
import { readRange } from "~/reports/range.server";
import { sqlOn } from "../support/sql";
import { DAY, NOW, earnedSince, householdLegs, monthTruth, reportVillages, type ReportVillages, type Truth } from "./fixture";

const LINKS = { review: true, stock: true, settlement: true };
const YEAR = { from: "2026-01", to: "2026-12" };
const AUTUMN = { from: "2026-10", to: "2026-11" };

let v: ReportVillages;

beforeAll(async () => {
  v = await reportVillages();
});
afterAll(() => clockControl.reset());

function asTruth(r: MonthRow | (PointFigures & { outstanding: number })): Truth {
  return {
    volunteer: r.issued.volunteer, sanitation: r.issued.sanitation, family: r.issued.family, other: r.issued.other,
    deducted: r.deducted, redeemed: r.redeemed, reversed: r.reversed, net: r.net, outstanding: r.outstanding,
  };
}

const sumTruth = (ts: Truth[]): Omit<Truth, "outstanding"> =>
  ts.reduce(
    (a, t) => ({
      volunteer: a.volunteer + t.volunteer, sanitation: a.sanitation + t.sanitation, family: a.family + t.family, other: a.other + t.other,
      deducted: a.deducted + t.deducted, redeemed: a.redeemed + t.redeemed, reversed: a.reversed + t.reversed, net: a.net + t.net,
    }),
    { volunteer: 0, sanitation: 0, family: 0, other: 0, deducted: 0, redeemed: 0, reversed: 0, net: 0 },
  );

const withoutHeld = ({ outstanding: _o, ...t }: Truth) => t;

/** Settlements in fen per month, straight from the table. */
async function settledTruth(villageId: number, months: string[]): Promise<number[]> {
  const rows = await sqlOn().all<{ month: string; fen: number }>("select month, sum(cost_fen) as fen from settlements where village_id = ? group by month", villageId);
  return months.map((m) => Number(rows.find((r) => r.month === m)?.fen ?? 0));
}

async function checkVillage(report: VillageReport, villageId: number, range: { from: string; to: string }): Promise<void> {
  const months = monthsOf(range.from, range.to);
  const legs = await householdLegs(villageId);
  const truth = monthTruth(legs, months);
  expect(report.months).toEqual(months);
  expect(report.rows.map(asTruth)).toEqual(truth);
  expect(report.rows.map((r) => r.settledFen)).toEqual(await settledTruth(villageId, months));
  expect(report.rows.every((r) => r.expired === 0)).toBe(true);
  expect(withoutHeld(asTruth({ ...report.village.totals, outstanding: 0 }))).toEqual(sumTruth(truth));
  // What the households hold now: the sum of every household leg, and the accounts' balances.
  const held = legs.reduce((n, l) => n + l.amount, 0);
  expect(report.village.outstanding).toBe(held);
  expect(Number(await sqlOn().value("select coalesce(sum(balance), 0) from accounts where village_id = ? and kind = 'household'", villageId))).toBe(held);
  // Participation: households with an award leg in the last 30 / 90 days, of all the village's households.
  const households = Number(await sqlOn().value("select count(*) from households where village_id = ?", villageId));
  expect(report.village.participation).toEqual({ households, earned30: earnedSince(legs, NOW - 30 * DAY), earned90: earnedSince(legs, NOW - 90 * DAY) });
  // Claims waiting and the oldest one's age.
  const waiting = (await sqlOn().get<{ n: number; oldest: number | null }>("select count(*) as n, min(created_at) as oldest from claims where village_id = ? and status = 'pending'", villageId))!;
  expect(report.village.waiting).toEqual({ count: Number(waiting.n), oldestDays: waiting.oldest === null ? null : Math.floor((NOW - Number(waiting.oldest)) / DAY) });
  // Objections filed in the range, and of those the upheld ones.
  const start = Date.UTC(Number(range.from.slice(0, 4)), Number(range.from.slice(5)) - 1, 1) - 8 * 3600_000;
  const end = Date.UTC(Number(range.to.slice(0, 4)), Number(range.to.slice(5)), 1) - 8 * 3600_000;
  const objections = await sqlOn().all<{ status: string }>("select status from objections where village_id = ? and created_at >= ? and created_at < ?", villageId, start, end);
  expect(report.village.objections).toEqual({ filed: objections.length, upheld: objections.filter((o) => o.status === "upheld").length });
  // Sanitation tiers of the rounds published in the range.
  const tiers = await sqlOn().all<{ tier: string; n: number; grid_id: number | null }>(
    `select i.tier, h.grid_id, count(*) as n from inspections i join sanitation_rounds r on r.id = i.round_id join households h on h.id = i.household_id
      where r.village_id = ? and r.status = 'published' and r.published_at >= ? and r.published_at < ? and i.status = 'scored' group by i.tier, h.grid_id`,
    villageId, start, end,
  );
  const byTier: Record<string, number> = {};
  for (const t of tiers) byTier[t.tier] = (byTier[t.tier] ?? 0) + Number(t.n);
  expect(report.village.tiers).toEqual(byTier);

  // Per grid: points in and out over the range, participation, claims waiting, tiers.
  const grids = await sqlOn().all<{ id: number; name: string }>("select id, name from grids where village_id = ? order by id", villageId);
  const gridIds: (number | null)[] = [...grids.map((g) => g.id)];
  if (Number(await sqlOn().value("select count(*) from households where village_id = ? and grid_id is null", villageId)) > 0) gridIds.push(null);
  expect(report.grids.map((g) => g.id)).toEqual(gridIds);
  for (const g of report.grids) {
    const inRange = legs.filter((l) => l.grid_id === g.id && months.includes(new Date(l.created_at + 8 * 3600_000).toISOString().slice(0, 7)));
    const size = Number(await sqlOn().value(`select count(*) from households where village_id = ? and grid_id ${g.id === null ? "is null" : "= ?"}`, villageId, ...(g.id === null ? [] : [g.id])));
    const gridWaiting = Number(await sqlOn().value(
      `select count(*) from claims c join households h on h.id = c.household_id where c.village_id = ? and c.status = 'pending' and h.grid_id ${g.id === null ? "is null" : "= ?"}`,
      villageId, ...(g.id === null ? [] : [g.id]),
    ));
    const gridTiers: Record<string, number> = {};
    for (const t of tiers.filter((t) => t.grid_id === g.id)) gridTiers[t.tier] = Number(t.n);
    expect(g, `grid ${g.name}`).toMatchObject({
      income: inRange.filter((l) => l.amount > 0).reduce((n, l) => n + l.amount, 0),
      spent: inRange.filter((l) => l.amount < 0).reduce((n, l) => n - l.amount, 0),
      balance: legs.filter((l) => l.grid_id === g.id).reduce((n, l) => n + l.amount, 0),
      participation: { households: size, earned30: earnedSince(legs, NOW - 30 * DAY, g.id), earned90: earnedSince(legs, NOW - 90 * DAY, g.id) },
      waiting: gridWaiting,
      tiers: gridTiers,
    });
  }
}

describe("the village report agrees with the ledger", () => {
  it("over the default twelve months", async () => {
    const q = readRange(new URL("http://x/v/1/report"));
    expect(q).toMatchObject({ ok: true, range: YEAR });
    const report = (await villageReport(v.x.villageId, YEAR, LINKS))!;
    await checkVillage(report, v.x.villageId, YEAR);
    // The fixture moved every kind of figure, so none of the comparisons above was of zeros.
    const t = report.village.totals;
    for (const n of [t.issued.volunteer, t.issued.sanitation, t.issued.family, t.issued.other, t.deducted, t.redeemed, t.settledFen, report.village.objections.upheld]) expect(n).toBeGreaterThan(0);
    expect(t.reversed).toBe(-20 + 4 + 30 - 5); // 评选 award and a claim taken back, a deduction and a voided order given back
    expect(report.village.waiting.count).toBe(2);
    expect(report.village.waiting.oldestDays).toBe(25);
    expect(report.village.objections).toEqual({ filed: 2, upheld: 1 });
    expect(report.tierNames).toEqual(["优秀", "良好", "合格", "不合格"]);
    expect(report.grids.map((g) => g.name)).toEqual(["一网格", "二网格"]);
  });

  it("over two months, holding what came before them", async () => {
    const report = (await villageReport(v.x.villageId, AUTUMN, LINKS))!;
    await checkVillage(report, v.x.villageId, AUTUMN);
    // September's points are held at the start of October, not counted in the range.
    expect(report.rows[0].outstanding).not.toBe(report.rows[0].net);
    expect(report.village.tiers).toEqual({ 优秀: 2, 良好: 1, 合格: 1, 不合格: 1 });
  });

  it("for a village without grids, claims or rounds", async () => {
    const report = (await villageReport(v.y.villageId, YEAR, LINKS))!;
    await checkVillage(report, v.y.villageId, YEAR);
    expect(report.grids.map((g) => g.name)).toEqual(["未分网格"]);
  });
});

describe("the township dashboard", () => {
  let d: TownshipDashboard;
  beforeAll(async () => {
    d = await townshipDashboard(YEAR, "issued", { review: false, stock: true, settlement: true });
  });

  it("shows each village as its own report does, and the township as their sum", async () => {
    const villages = await sqlOn().all<{ id: number }>("select id from villages order by id");
    expect(d.villages.map((x) => x.id)).toEqual(villages.map((x) => x.id));
    const months = monthsOf(YEAR.from, YEAR.to);
    const all = await Promise.all(villages.map(async (x) => monthTruth(await householdLegs(x.id), months)));
    const township = months.map((_, i) => all.reduce((a, t) => {
      const m = t[i];
      return {
        volunteer: a.volunteer + m.volunteer, sanitation: a.sanitation + m.sanitation, family: a.family + m.family, other: a.other + m.other,
        deducted: a.deducted + m.deducted, redeemed: a.redeemed + m.redeemed, reversed: a.reversed + m.reversed, net: a.net + m.net, outstanding: a.outstanding + m.outstanding,
      };
    }, monthTruth([], [months[i]])[0]));
    expect(d.rows.map(asTruth)).toEqual(township);
    for (const x of [v.x.villageId, v.y.villageId]) {
      const own = (await villageReport(x, YEAR, LINKS))!;
      const shown = d.villages.find((s) => s.id === x)!;
      expect(shown).toEqual(own.village);
      expect(d.matrix!.find((m) => m.id === x)!.values).toEqual(own.rows.map((r) => issuedTotal(r)));
    }
    const held = Number(await sqlOn().value("select coalesce(sum(e.amount), 0) from ledger_entries e join accounts a on a.id = e.account_id where a.kind = 'household'"));
    expect(d.villages.reduce((n, x) => n + x.outstanding, 0)).toBe(held);
    expect(d.rows[d.rows.length - 1].outstanding).toBe(held);
  });

  it("compares any figure village by village", async () => {
    const redeemed = await townshipDashboard(YEAR, "redeemed", LINKS);
    const own = (await villageReport(v.x.villageId, YEAR, LINKS))!;
    expect(redeemed.matrix!.find((m) => m.id === v.x.villageId)!.values).toEqual(own.rows.map((r) => r.redeemed));
    const settled = await townshipDashboard(YEAR, "settled", LINKS);
    expect(settled.matrix!.find((m) => m.id === v.x.villageId)!.values).toEqual(own.rows.map((r) => r.settledFen));
  });

  it("lists what needs attention, with links only to pages the viewer may open", async () => {
    const mine = d.attention.filter((a) => a.villageId === v.x.villageId);
    expect(mine.map((a) => a.kind).sort()).toEqual(["old_queue", "unsettled", "zero_stock"]);
    expect(mine.find((a) => a.kind === "old_queue")!.text).toContain("25 天");
    expect(mine.find((a) => a.kind === "old_queue")!.href).toBeNull(); // the township admin does not review claims
    const unsettled = mine.find((a) => a.kind === "unsettled")!;
    expect(unsettled.text).toContain("2026年11月"); // October was settled; December is not due yet
    expect(unsettled.text).not.toContain("10月");
    expect(unsettled.href).toBe(`/v/${v.x.villageId}/store/settlement?store=${v.x.storeId}&month=2026-11`);
    expect(mine.find((a) => a.kind === "zero_stock")!.text).toContain("香皂");
    const other = d.attention.filter((a) => a.villageId === v.y.villageId).map((a) => a.kind).sort();
    expect(other).toEqual(["no_approval", "unsettled"]);
  });

  it("a village that approved nothing for 14 days, and a review queue older than 7 days, are named from their thresholds", async () => {
    clockControl.set(NOW + 10 * DAY); // the last approval (10 December) is now 15 days old
    try {
      const later = await townshipDashboard({ from: "2026-01", to: "2026-12" }, "issued", LINKS);
      const kinds = later.attention.filter((a) => a.villageId === v.x.villageId).map((a) => a.kind);
      expect(kinds).toContain("no_approval");
      expect(later.attention.find((a) => a.villageId === v.x.villageId && a.kind === "old_queue")!.href).toBe(`/v/${v.x.villageId}/review`);
    } finally {
      clockControl.set(NOW);
    }
    const before = await townshipDashboard(YEAR, "issued", LINKS);
    expect(before.attention.filter((a) => a.villageId === v.x.villageId).map((a) => a.kind)).not.toContain("no_approval");
  });
});

describe("the dashboard page's figures", () => {
  it("are at most half a minute old, and computed once for requests that come together", async () => {
    const links = { review: false, stock: true, settlement: true };
    const [a, b] = await Promise.all([recentTownshipDashboard(YEAR, null, links), recentTownshipDashboard(YEAR, null, links)]);
    expect(b).toBe(a);
    const household = (await sqlOn().value<number>("select id from households where village_id = ? order by id limit 1", v.y.villageId))!;
    await award({ householdId: household, amount: 9, idemKey: "rpt:fresh", actor: { userId: null, role: "system" }, memo: "缓存测试" });
    try {
      clockControl.set(NOW + FRESH_MS - 1);
      expect(await recentTownshipDashboard(YEAR, null, links)).toBe(a);
      clockControl.set(NOW + FRESH_MS);
      const later = await recentTownshipDashboard(YEAR, null, links);
      expect(issuedTotal(later.totals)).toBe(issuedTotal(a.totals) + 9);
      expect(later.asOf).toBe(NOW + FRESH_MS);
    } finally {
      clockControl.set(NOW);
    }
  });
});

describe("a summary that drifted from the ledger", () => {
  it("is caught by the comparison above", async () => {
    const where = "village_id = ? and month = '2026-10' and kind = 'award' and reversal = 0";
    await sqlOn().run(`update ledger_months set points = points + 1 where ${where}`, v.x.villageId);
    try {
      const report = (await villageReport(v.x.villageId, YEAR, LINKS))!;
      await expect(checkVillage(report, v.x.villageId, YEAR)).rejects.toThrow();
    } finally {
      await sqlOn().run(`update ledger_months set points = points - 1 where ${where}`, v.x.villageId);
    }
    await checkVillage((await villageReport(v.x.villageId, YEAR, LINKS))!, v.x.villageId, YEAR);
  });
});

describe("the months asked for", () => {
  const ask = (query: string) => readRange(new URL(`http://x/township/dashboard?${query}`));
  it("default to the last twelve, and accept full-width digits", () => {
    expect(ask("")).toMatchObject({ ok: true, range: YEAR, figure: null });
    expect(ask("figure=redeemed")).toMatchObject({ ok: true, figure: "redeemed" });
    expect(ask("from=&to=")).toMatchObject({ ok: true, range: YEAR });
    expect(ask("from=２０２６－０３&to=2026-05")).toMatchObject({ ok: true, range: { from: "2026-03", to: "2026-05" } });
    expect(ask("to=2026-06")).toMatchObject({ ok: true, range: { from: "2025-07", to: "2026-06" } });
  });
  it("refuse what is not a month, a reversed or too long range, a future month, an unknown figure", () => {
    expect(ask("from=2026-13")).toMatchObject({ ok: false, errors: { from: "开始月份应为 年-月，如 2026-03" } });
    expect(ask("to=abc")).toMatchObject({ ok: false, errors: { to: "结束月份应为 年-月，如 2026-03" } });
    expect(ask("from=1999-01")).toMatchObject({ ok: false, errors: { from: expect.stringContaining("年-月") } });
    expect(ask("from=2026-06&to=2026-05")).toMatchObject({ ok: false, errors: { from: "开始月份不能晚于结束月份" } });
    expect(ask("from=2023-01&to=2026-05")).toMatchObject({ ok: false, errors: { from: "一次最多看 36 个月，请缩短范围" } });
    expect(ask("to=2027-01")).toMatchObject({ ok: false, errors: { to: expect.stringContaining("不能晚于本月") } });
    expect(ask("figure=points")).toMatchObject({ ok: false, errors: { figure: "请从列表中选择要比较的数字" } });
    expect(ask(`from=${encodeURIComponent("<script>")}`)).toMatchObject({ ok: false, values: { from: "" } });
  });
});
