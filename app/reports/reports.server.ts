// The township dashboard (乡镇看板) and one village's report (村报表), put together from the grouped
// reads of figures.server.ts: about ten statements for the whole township, whatever its ledger's size.
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { attentionList, type AttentionLinks } from "./attention.server";
import { remembered } from "./cache.server";
import {
  addMonthRows, claimFigures, gridFigures, heldBefore, householdFigures, monthFigures, monthRows, objectionFigures, sanitationFigures, sumRows,
} from "./figures.server";
import { matrixValue, monthsOf, tierOrder, type AttentionItem, type GridRow, type MatrixFigure, type MonthRow, type PointFigures, type VillageSummary } from "./labels";
import type { Range } from "./range.server";
import { groupFigures, type GroupRow } from "~/groups/figures.server";

interface Assembled {
  months: string[];
  villages: (VillageSummary & { rows: MonthRow[] })[];
  attention: AttentionItem[];
}

async function assemble(villages: { id: number; name: string }[], r: Range, links: AttentionLinks, villageId?: number): Promise<Assembled> {
  const months = monthsOf(r.from, r.to);
  const ids = villages.map((v) => v.id);
  const figures = await monthFigures(r, villageId);
  const before = await heldBefore(r.from, villageId);
  const households = await householdFigures(villageId);
  const claims = await claimFigures(ids);
  const objections = await objectionFigures(r, villageId);
  const sanitation = await sanitationFigures(r, villageId);
  const attention = await attentionList(villages, claims, links);
  return {
    months,
    attention,
    villages: villages.map((v) => {
      const rows = monthRows(months, figures.get(v.id), before.get(v.id) ?? 0);
      const h = households.get(v.id) ?? { households: 0, balance: 0, earned30: 0, earned90: 0 };
      const s = sanitation.get(v.id) ?? { rounds: 0, tiers: {} };
      return {
        id: v.id,
        name: v.name,
        rows,
        totals: sumRows(rows),
        outstanding: h.balance,
        participation: { households: h.households, earned30: h.earned30, earned90: h.earned90 },
        waiting: claims.get(v.id)?.waiting ?? { count: 0, oldestDays: null },
        objections: objections.get(v.id) ?? { filed: 0, upheld: 0 },
        rounds: s.rounds,
        tiers: s.tiers,
      };
    }),
  };
}

function tiersOf(xs: { tiers: Record<string, number> }[]): string[] {
  return tierOrder(xs.flatMap((x) => Object.keys(x.tiers)));
}

export interface TownshipDashboard {
  range: Range;
  /** The figure compared village by village and month by month, when one was asked for. */
  figure: MatrixFigure | null;
  months: string[];
  /** The township month by month. */
  rows: MonthRow[];
  totals: PointFigures;
  /** Each village's range figures, side by side (their month rows stay on the server). */
  villages: VillageSummary[];
  /** The chosen figure per village and month: values[i] is the month months[i]. */
  matrix: { id: number; name: string; values: number[] }[] | null;
  tierNames: string[];
  attention: AttentionItem[];
  asOf: number;
}

/** townshipDashboard, as it was at most FRESH_MS ago (cache.server.ts): what the page shows. */
export function recentTownshipDashboard(r: Range, figure: MatrixFigure | null, links: AttentionLinks): Promise<TownshipDashboard> {
  return remembered(`township:${r.from}:${r.to}:${figure ?? ""}:${links.review}${links.stock}${links.settlement}`, () => townshipDashboard(r, figure, links));
}

export async function townshipDashboard(r: Range, figure: MatrixFigure | null, links: AttentionLinks): Promise<TownshipDashboard> {
  const villages = await db().selectFrom("villages").select(["id", "name"]).orderBy("id").execute();
  const a = await assemble(villages, r, links);
  const rows = addMonthRows(a.villages.map((v) => v.rows), a.months);
  return {
    range: r,
    figure,
    months: a.months,
    rows,
    totals: sumRows(rows),
    villages: a.villages.map(({ rows: _rows, ...v }) => v),
    matrix: figure ? a.villages.map((v) => ({ id: v.id, name: v.name, values: v.rows.map((m) => matrixValue(m, figure)) })) : null,
    tierNames: tiersOf(a.villages),
    attention: a.attention,
    asOf: now(),
  };
}

export interface VillageReport {
  range: Range;
  village: VillageSummary;
  months: string[];
  rows: MonthRow[];
  grids: GridRow[];
  /** 各联户 (issue 18): households and points per household group; empty when the village has none. */
  groups: GroupRow[];
  tierNames: string[];
  attention: AttentionItem[];
  asOf: number;
}

export async function villageReport(villageId: number, r: Range, links: AttentionLinks): Promise<VillageReport | null> {
  const village = await db().selectFrom("villages").select(["id", "name"]).where("id", "=", villageId).executeTakeFirst();
  if (!village) return null;
  const a = await assemble([village], r, links, villageId);
  const { rows, ...summary } = a.villages[0];
  const grids = await gridFigures(villageId, r);
  return {
    range: r,
    village: summary,
    months: a.months,
    rows,
    grids,
    groups: await groupFigures(villageId, r),
    tierNames: tiersOf([summary, ...grids]),
    attention: a.attention,
    asOf: now(),
  };
}
