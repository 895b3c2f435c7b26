// Small pieces the claim pages share: a claim's state in words, and its points as what they are
// (earned, on their way, or not counted).
import { formatTime } from "~/platform/format";
import { IN_FLIGHT } from "./labels";
import type { ClaimListRow } from "./views.server";

export type ClaimStatusInfo = Pick<ClaimListRow, "status" | "status_label" | "reason" | "notice_until" | "credited_at">;

/** `tag={false}` leaves the state's tag out, where the row says it already (ClaimPoints). */
export function ClaimStatusLine({ claim: c, tag = true }: { claim: ClaimStatusInfo; tag?: boolean }) {
  const words = (
    <>
      {c.status === "rejected" && c.reason ? <span>理由：{c.reason}</span> : null}
      {(c.status === "notice" || c.status === "objected") && c.notice_until ? <span>公示到 <span className="nowrap">{formatTime(c.notice_until)}</span></span> : null}
      {c.status === "credited" && c.credited_at ? <span className="nowrap">{formatTime(c.credited_at)}</span> : null}
      {c.status === "revoked" ? <span>积分已冲正{c.reason ? `，理由：${c.reason}` : ""}</span> : null}
    </>
  );
  if (!tag && c.status === "pending") return null;
  return (
    <div className="claim-status">
      {tag ? <><span className={`tag state-${c.status}`}>{c.status_label}</span>{" "}</> : null}
      {words}
    </div>
  );
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/**
 * A claim's points on the right of its row. Only a credited claim's are earned (green or red); a
 * claim on its way shows its state beside grey points (待审核 +3); a rejected or revoked one is struck.
 */
export function ClaimPoints({ claim: c }: { claim: Pick<ClaimListRow, "status" | "status_label" | "points"> }) {
  if (c.status === "credited") return <div className={`amount ${c.points > 0 ? "plus" : "minus"}`}>{signed(c.points)}</div>;
  if (IN_FLIGHT.includes(c.status)) {
    return (
      <div className="amount claim-pending" data-testid="claim-pending">
        <span className="claim-pending-state">{c.status_label}</span> <span>{signed(c.points)}</span>
      </div>
    );
  }
  return (
    <div className="amount claim-void">
      <s>{signed(c.points)}</s>
      <span className="sr-only">（未计入）</span>
    </div>
  );
}
