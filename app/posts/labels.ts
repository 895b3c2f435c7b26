// 定岗认责: words and input limits shared by the server's schemas and the pages (no server code here).
import type { PostHoldingStatus } from "../../db/schema";

export const POST_LIMITS = { name: 20, duties: 300, note: 100, reason: 100, search: 20, allowanceMax: 9999, seatsMax: 999 } as const;

/** The posts villages name in their reports; the committee's form offers them. */
export const POST_SUGGESTIONS = ["民情信息员", "纠纷调解员", "治安协管员", "文明倡导员", "志愿服务员", "带富先锋员"] as const;

/** A post's own rule is named after it, so the review queue and the ledger say where the points came from. */
export const POST_RULE_PREFIX = "定岗：";

export const HOLDING_STATUS_LABELS: Record<PostHoldingStatus, string> = {
  applied: "申请中",
  active: "在岗",
  refused: "未同意",
  ended: "已卸任",
};

/** How many months back a duty may still be confirmed (a claim older than a year cannot be filed). */
export const CONFIRM_MONTHS_BACK = 11;

/** "2026-11" → the month before, "2026-10". */
export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/** The months that may be confirmed, newest first: this month and CONFIRM_MONTHS_BACK before it. */
export function confirmableMonths(current: string): string[] {
  const out = [current];
  while (out.length <= CONFIRM_MONTHS_BACK) out.push(previousMonth(out[out.length - 1]));
  return out;
}
