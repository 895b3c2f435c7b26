// Appeals (申诉): state words and input limits shared by server and browser (no server code here).
import type { AppealStatus } from "../../db/schema";

export const APPEAL_STATUS_LABELS: Record<AppealStatus, string> = {
  pending: "申诉中",
  upheld: "维持原决定",
  modified: "已改分",
  revoked: "已撤销",
};

export type AppealVerdict = "uphold" | "modify" | "revoke";

export const VERDICT_LABELS: Record<AppealVerdict, string> = {
  uphold: "维持原决定（积分不变）",
  modify: "改为新的分值",
  revoke: "撤销这条记录（冲正）",
};

/** What an appealed entry's tag says on the household's statement. */
export function appealTag(a: { status: AppealStatus; newPoints: number | null }): string {
  if (a.status === "pending") return "申诉中";
  if (a.status === "upheld") return "申诉：维持";
  if (a.status === "revoked") return "申诉：已撤销";
  return `申诉：已改为 ${signed(a.newPoints ?? 0)} 分`;
}

export function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

export const APPEAL_LIMITS = {
  /** The household's reason and the committee's note. */
  reason: 200,
  /** The new points: up to 4 digits and a minus sign. */
  pointsChars: 5,
  pointsMax: 9999,
} as const;

export const APPEAL_DAYS_MAX = 365;
export const APPEAL_DAYS_DEFAULT = 30;
