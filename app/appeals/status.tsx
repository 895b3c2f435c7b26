// An appeal's state in a line: 申诉中, or what the committee decided.
import { APPEAL_STATUS_LABELS, signed } from "./labels";
import type { AppealStatus } from "../../db/schema";

export function AppealStatusLine({ appeal }: { appeal: { status: AppealStatus; newPoints: number | null } }) {
  const text = appeal.status === "modified" ? `已改为 ${signed(appeal.newPoints ?? 0)} 分` : APPEAL_STATUS_LABELS[appeal.status];
  return <span className={`tag appeal-${appeal.status}`}>{text}</span>;
}
