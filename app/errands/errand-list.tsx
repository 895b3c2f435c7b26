// A list of errands as big tappable cards: what, for whom and where, by when, its state.
import { Link } from "@remix-run/react";
import { formatTime } from "~/platform/format";
import type { ErrandStatus } from "../../db/schema";
import { ERRAND_STATUS_LABELS } from "./labels";

export interface ErrandItem {
  id: number;
  what: string;
  household: string;
  place: string;
  dueAt: number;
  status: ErrandStatus;
  volunteerName: string | null;
  untaken: boolean;
  claimPoints?: number | null;
}

export function ErrandStatusTag({ status }: { status: ErrandStatus }) {
  return <span className={`tag errand-${status}`}>{ERRAND_STATUS_LABELS[status]}</span>;
}

export function ErrandList({ errands, empty, showVolunteer }: { errands: ErrandItem[]; empty: string; showVolunteer?: boolean }) {
  if (errands.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="errand-list">
      {errands.map((e) => (
        <li key={e.id} className={e.untaken ? "untaken" : undefined} data-testid="errand-item">
          <Link to={`/errands/${e.id}`}>
            <div className="errand-what">{e.what} <ErrandStatusTag status={e.status} />{e.untaken ? <span className="tag tag-warn">一天没人接</span> : null}</div>
            <div className="errand-line">为 {e.household} · {e.place}</div>
            <div className="errand-line">{formatTime(e.dueAt).slice(0, 10)} 前{showVolunteer && e.volunteerName ? ` · 志愿者 ${e.volunteerName}` : ""}</div>
          </Link>
        </li>
      ))}
    </ul>
  );
}
