// Small pieces the claim pages share: a claim's state in words.
import { formatTime } from "~/platform/format";
import type { ClaimListRow } from "./views.server";

export type ClaimStatusInfo = Pick<ClaimListRow, "status" | "status_label" | "reason" | "notice_until" | "credited_at" | "credit_memo" | "revoke_memo">;

export function ClaimStatusLine({ claim: c }: { claim: ClaimStatusInfo }) {
  return (
    <div className="claim-status">
      <span className={`tag state-${c.status}`}>{c.status_label}</span>{" "}
      {c.status === "rejected" && c.reason ? <span>理由：{c.reason}</span> : null}
      {(c.status === "notice" || c.status === "objected") && c.notice_until ? <span>公示到 {formatTime(c.notice_until)}</span> : null}
      {c.status === "credited" && c.credited_at ? <span>{formatTime(c.credited_at)} 入账：{c.credit_memo}</span> : null}
      {c.status === "revoked" ? <span>已冲正：{c.revoke_memo}</span> : null}
    </div>
  );
}
