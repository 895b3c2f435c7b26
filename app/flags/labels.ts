// 流动红旗: words and limits the browser may import (no server code here).
import type { RedFlagScope } from "../../db/schema";

export const FLAG_LIMITS = {
  /** Flags a round hands out, per village or per grid (villages.red_flags, checked 0–20 there too). */
  countMax: 20,
  reason: 200,
  /** Rounds per page of the history. */
  historyPage: 12,
} as const;

export const FLAG_SCOPE_CHOICES: readonly { value: RedFlagScope; label: string; hint: string }[] = [
  { value: "village", label: "全村评", hint: "全村得分最高的几户各得一面" },
  { value: "grid", label: "每个网格评", hint: "每个网格得分最高的几户各得一面（没有分网格的户不参加）" },
];

export const FLAG_MESSAGES = {
  count: `流动红旗面数应为 0 到 ${FLAG_LIMITS.countMax} 的整数`,
  scope: "请选择流动红旗按全村评还是每个网格评",
  household: "请从并列的农户中选一户",
  reason: "请写明为什么选这一户",
  reasonLong: `理由最多 ${FLAG_LIMITS.reason} 个字`,
  notTied: "只能在并列的农户中选择",
  taken: "这面红旗已经由另一位村委委员决定了",
  ended: "这一轮的红旗已经交给了下一轮，不能再决定",
  twice: "这户已经得到本轮的另一面红旗，请选另一户",
  committee: "只有村委委员可以决定红旗归属",
} as const;

const CHINA_OFFSET_MS = 8 * 3600_000;

/** "11月" for a round that starts in November, China time: how the banner names the round. */
export function flagMonth(startsAt: number): string {
  return `${new Date(startsAt + CHINA_OFFSET_MS).getUTCMonth() + 1}月`;
}

/** "2026年11月" for the certificate and the history. */
export function flagYearMonth(startsAt: number): string {
  const d = new Date(startsAt + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月`;
}
