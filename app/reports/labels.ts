// Words, months and view types of the township dashboard and the village report, shared by server
// and browser (no server code here).

/** How the township groups what was issued: the rule's category, village rules and the rest under 其他. */
export const ISSUE_GROUPS = ["volunteer", "sanitation", "family", "other"] as const;
export type IssueGroup = (typeof ISSUE_GROUPS)[number];

export const ISSUE_LABELS: Record<IssueGroup, string> = {
  volunteer: "志愿服务",
  sanitation: "环境卫生",
  family: "评选",
  other: "其他",
};

/** Chart colours per group; the tables beside the charts carry the same numbers for anyone who cannot tell them apart. */
export const ISSUE_COLOURS: Record<IssueGroup, string> = {
  volunteer: "#1565c0",
  sanitation: "#2e7d32",
  family: "#c77700",
  other: "#7b1fa2",
};

/** One month's (or a range's) points, as the village's households saw them move. */
export interface PointFigures {
  /** Awarded, by group, before any reversal. */
  issued: Record<IssueGroup, number>;
  deducted: number;
  redeemed: number;
  /** Reversals (红冲, voided orders, revoked claims): their signed effect on the households' balances. */
  reversed: number;
  /** Expired points: no expiry exists yet (issue 17 fills it). */
  expired: number;
  /** Everything that moved, signed: the change of what the households hold. */
  net: number;
  /** Store settlements recorded for the month, in fen. */
  settledFen: number;
}

export const issuedTotal = (f: PointFigures): number => ISSUE_GROUPS.reduce((n, g) => n + f.issued[g], 0);

export function zeroFigures(): PointFigures {
  return { issued: { volunteer: 0, sanitation: 0, family: 0, other: 0 }, deducted: 0, redeemed: 0, reversed: 0, expired: 0, net: 0, settledFen: 0 };
}

export function addFigures(to: PointFigures, f: PointFigures): PointFigures {
  for (const g of ISSUE_GROUPS) to.issued[g] += f.issued[g];
  to.deducted += f.deducted;
  to.redeemed += f.redeemed;
  to.reversed += f.reversed;
  to.expired += f.expired;
  to.net += f.net;
  to.settledFen += f.settledFen;
  return to;
}

/** A month's row: its figures and what the households held at its end. */
export interface MonthRow extends PointFigures {
  month: string;
  outstanding: number;
}

/** Households that earned at least once in the last 30 and 90 days, of how many. */
export interface Participation {
  households: number;
  earned30: number;
  earned90: number;
}

export interface Waiting {
  /** Claims waiting for review (待审核). */
  count: number;
  /** Days the oldest has waited; null when none waits. */
  oldestDays: number | null;
}

/** Household inspections of the rounds published in the range, per tier name. */
export type TierCounts = Record<string, number>;

export interface VillageSummary {
  id: number;
  name: string;
  totals: PointFigures;
  /** What the households hold now (可用积分 summed): what the village owes in goods. */
  outstanding: number;
  participation: Participation;
  waiting: Waiting;
  objections: { filed: number; upheld: number };
  rounds: number;
  tiers: TierCounts;
}

export type AttentionKind = "no_approval" | "old_queue" | "zero_stock" | "unsettled";

export interface AttentionItem {
  kind: AttentionKind;
  villageId: number;
  villageName: string;
  text: string;
  /** The same in a few words, for the township's list grouped by kind ("东风村 9 天"). */
  short: string;
  /** Where to act on it, when the viewer may open that page. */
  href: string | null;
  /** For sorting: days overdue or waiting. */
  days: number;
}

/** The kinds in the order the list shows them: what is late first. */
export const ATTENTION_ORDER: AttentionKind[] = ["old_queue", "unsettled", "zero_stock", "no_approval"];

export const ATTENTION_LABELS: Record<AttentionKind, string> = {
  no_approval: "很久没有批准申报",
  old_queue: "申报等太久",
  zero_stock: "商品断货",
  unsettled: "兑换未结算",
};

/** The figure compared village by village, month by month, on the dashboard. */
export const MATRIX_FIGURES = ["issued", "volunteer", "sanitation", "family", "other", "deducted", "redeemed", "reversed", "net", "outstanding", "settled"] as const;
export type MatrixFigure = (typeof MATRIX_FIGURES)[number];

export const MATRIX_LABELS: Record<MatrixFigure, string> = {
  issued: "发放合计",
  volunteer: "发放·志愿服务",
  sanitation: "发放·环境卫生",
  family: "发放·评选",
  other: "发放·其他",
  deducted: "扣分",
  redeemed: "兑换",
  reversed: "撤销",
  net: "净增减",
  outstanding: "月末未兑积分",
  settled: "结算金额（元）",
};

export function matrixValue(row: MonthRow, figure: MatrixFigure): number {
  switch (figure) {
    case "issued":
      return issuedTotal(row);
    case "volunteer":
    case "sanitation":
    case "family":
    case "other":
      return row.issued[figure];
    case "settled":
      return row.settledFen;
    default:
      return row[figure];
  }
}

export interface GridRow {
  id: number | null;
  name: string;
  participation: Participation;
  /** What the grid's households hold now. */
  balance: number;
  /** Points in and out of the grid's households over the range (account_months). */
  income: number;
  spent: number;
  waiting: number;
  tiers: TierCounts;
}

// ---- months ---------------------------------------------------------------------------------

export const MONTH_RE = /^20\d{2}-(0[1-9]|1[0-2])$/;

export function addMonths(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number);
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

export function monthSpan(from: string, to: string): number {
  const [fy, fm] = from.split("-").map(Number);
  const [ty, tm] = to.split("-").map(Number);
  return (ty - fy) * 12 + (tm - fm) + 1;
}

export function monthsOf(from: string, to: string): string[] {
  const n = monthSpan(from, to);
  return Array.from({ length: Math.max(0, n) }, (_, i) => addMonths(from, i));
}

/** "2026-03" → "3月", or "2026年3月" for a January or the first month shown. */
export function shortMonth(month: string, withYear = false): string {
  const [y, m] = month.split("-");
  return withYear || m === "01" ? `${y}年${Number(m)}月` : `${Number(m)}月`;
}

export function percent(part: number, whole: number): string {
  return whole ? `${Math.round((part * 100) / whole)}%` : "—";
}

export function yuanOf(fen: number): string {
  return (fen / 100).toFixed(2);
}

/** The tier names in the order a checklist usually lists them, then any others. */
const USUAL_TIERS = ["优秀", "良好", "合格", "不合格"];
export function tierOrder(names: Iterable<string>): string[] {
  const set = new Set(names);
  const usual = USUAL_TIERS.filter((t) => set.has(t));
  return [...usual, ...[...set].filter((t) => !USUAL_TIERS.includes(t)).sort()];
}
