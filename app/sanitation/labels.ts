// Sanitation round words and the checklist's shape, shared by server and UI (no server code here).
import type { InspectionStatus, ReinspectionStatus, RoundStatus } from "../../db/schema";

export interface ChecklistItem {
  name: string;
  max: number;
}

/**
 * A tier applies from `min` points up to the next tier's minimum and pays or deducts by `ruleId`. The
 * form requires a rule; null survives only in a template saved before that, and such a tier files no claim.
 */
export interface ChecklistTier {
  name: string;
  min: number;
  ruleId: number | null;
}

export interface ChecklistSpec {
  name: string;
  items: ChecklistItem[];
  tiers: ChecklistTier[]; // best tier (highest min) first; the last one starts at 0
}

/**
 * Longest input each sanitation form field accepts: the server's schemas and the forms' maxLength
 * both read these, so a form never lets people type what the server then refuses (characters for
 * text, digits for numbers).
 */
export const SANITATION_MAX = {
  checklistName: 20,
  itemName: 12,
  itemMaxDigits: 3, // full marks 1 to 100
  tierName: 8,
  tierMinDigits: 4, // a tier's minimum 0 to 1000
  roundTitle: 20,
  scoreDigits: 3, // an item's score, 0 to its full marks (at most 100)
  scoreNote: 200,
  absentReason: 100,
  returnReason: 100,
  declineNote: 200,
  requestReason: 200,
  householdNumber: 12,
  relation: 20,
} as const;

/** Rows the checklist form offers: the server reads that many, the form draws that many. */
export const ITEM_ROWS = 10;
export const TIER_ROWS = 5;

export const ROUND_STATUS_LABELS: Record<RoundStatus, string> = { draft: "未开始", open: "检查中", published: "已公布" };
export const INSPECTION_STATUS_LABELS: Record<InspectionStatus | "todo", string> = {
  todo: "未评",
  scored: "已评分",
  absent: "未检查",
  returned: "退回重评",
};
export const REQUEST_STATUS_LABELS: Record<ReinspectionStatus, string> = {
  open: "待处理",
  accepted: "已同意，待复查",
  declined: "未同意",
  applied: "已复查改分",
};

/** Days after publishing in which a household head may ask for re-inspection. */
export const REINSPECTION_DAYS = 7;

export const maxTotal = (items: ChecklistItem[]): number => items.reduce((s, i) => s + i.max, 0);

/** The tier a total falls in: the first (best) whose minimum it reaches. */
export function tierOf(tiers: ChecklistTier[], total: number): ChecklistTier {
  return tiers.find((t) => total >= t.min) ?? tiers[tiers.length - 1];
}

/** A round's last day as people say it ("11月30日"); `endsAt` is the first moment after the round. */
export function lastDayLabel(endsAt: number): string {
  const d = new Date(endsAt - 1 + 8 * 3600_000);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** "优秀 ≥ 90" / "不合格 < 60" for showing a tier's range. */
export function tierRange(tiers: ChecklistTier[], i: number): string {
  const t = tiers[i];
  if (t.min === 0 && i > 0) return `${t.name} < ${tiers[i - 1].min}`;
  return `${t.name} ≥ ${t.min}`;
}
