// 积分清零 / 过期: words and limits the settings page, the notice and the committee's page share
// (client-safe: no server code here).

export type ExpiryMode = "never" | "year_end" | "months";

export const EXPIRY_LIMITS = { monthsMin: 1, monthsMax: 60, noticeDaysMax: 90, reasonMax: 200 } as const;

/** The choices as the village admin reads them: what each means for a villager, with an example. */
export const EXPIRY_MODE_CHOICES: readonly { value: ExpiryMode; label: string; hint: string }[] = [
  { value: "never", label: "积分不过期", hint: "村民的积分一直有效，什么时候兑换都可以。" },
  {
    value: "year_end",
    label: "每年年底清零",
    hint: "每年 12 月 31 日过完，没兑换的可用积分清零（例如 2026 年没用完的积分，2027 年 1 月 1 日清零）。正在兑换中的积分不清零；累计积分照常每年重新计算。",
  },
  {
    value: "months",
    label: "得到满几个月后过期",
    hint: "每月 1 日，把满下面月数、还没用掉的积分清零，先得到的先用、先过期（例如填 12：2026 年 3 月得到的积分，没用掉的话 2027 年 4 月 1 日清零）。",
  },
];

export const EXPIRY_MODE_WORDS: Record<ExpiryMode, string> = { never: "不过期", year_end: "每年年底清零", months: "得到满几个月后过期" };

export const EXPIRY_MESSAGES = {
  mode: "请选择积分是否过期",
  months: `过期月数应为 ${EXPIRY_LIMITS.monthsMin} 到 ${EXPIRY_LIMITS.monthsMax} 的整数`,
  noticeDays: `提前提醒天数应为 0 到 ${EXPIRY_LIMITS.noticeDaysMax} 的整数`,
} as const;

/** "2026年12月31日". */
export function dayWords(isoDay: string): string {
  const [y, m, d] = isoDay.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

/** A period as people say it: "2026" → "2026年", "2027-03" → "2027年3月". */
export function periodWords(period: string): string {
  const [y, m] = period.split("-").map(Number);
  return m ? `${y}年${m}月` : `${y}年`;
}
