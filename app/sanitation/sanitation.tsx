// Pieces of the sanitation pages: the 红黑榜, a household's inspection history, status tags.
import { Link } from "@remix-run/react";
import { formatTime } from "~/platform/format";
import { INSPECTION_STATUS_LABELS, REQUEST_STATUS_LABELS, tierRange, type ChecklistSpec } from "./labels";
import type { BoardEntry, RedBlack } from "./redblack.server";
import type { HistoryEntry } from "./history.server";

function BoardList({ rows, empty }: { rows: BoardEntry[]; empty: string }) {
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ol className="board-list">
      {rows.map((r, i) => (
        <li key={r.householdId}>
          <span className="rank">{i + 1}</span>
          <span className="hh">{r.number}号户 {r.head ?? ""}</span>
          <span className="score">{r.total} 分 · {r.tier}</span>
        </li>
      ))}
    </ol>
  );
}

/** The frozen 红黑榜 of one round: red (highest totals) and black (lowest) side by side when there is room. */
export function RedBlackBoard({ board, village }: { board: RedBlack; village?: string }) {
  return (
    <div className="redblack" data-testid="redblack">
      <h2 className="board-title">{village ?? ""}{board.title}环境卫生红黑榜</h2>
      <p className="muted small board-facts">
        {formatTime(board.publishedAt).slice(0, 10)} 公布 · 评分 {board.scored} 户{board.absent ? ` · 未检查 ${board.absent} 户` : ""} ·{" "}
        {board.tiers.map((t) => `${t.name} ${t.count} 户`).join("，")}
      </p>
      <div className="boards">
        <section className="board red">
          <h3>红榜</h3>
          <BoardList rows={board.red} empty="本月没有上红榜的户" />
        </section>
        <section className="board black">
          <h3>黑榜</h3>
          <BoardList rows={board.black} empty="本月没有上黑榜的户" />
        </section>
      </div>
    </div>
  );
}

/** The notice board's section: the latest board and a link to its A3 poster. */
export function RedBlackSection({ board, villageId, print }: { board: RedBlack | null; villageId: number; print: boolean }) {
  if (!board) return null;
  return (
    <section className="card redblack-card">
      <RedBlackBoard board={board} />
      {print ? null : (
        <p className="no-print">
          <Link to={`/v/${villageId}/rounds/${board.roundId}/poster`}>打印红黑榜（A3 海报）</Link>
        </p>
      )}
    </section>
  );
}

export function InspectionTag({ status }: { status: keyof typeof INSPECTION_STATUS_LABELS | null }) {
  const s = status ?? "todo";
  const tone = s === "scored" ? "tag-ok" : s === "returned" ? "tag-warn" : s === "absent" ? "tag-off" : "";
  return <span className={`tag ${tone}`}>{INSPECTION_STATUS_LABELS[s]}</span>;
}

export function ChecklistFacts({ checklist }: { checklist: ChecklistSpec }) {
  return (
    <p className="muted small">
      {checklist.name}：{checklist.items.map((i) => `${i.name} ${i.max} 分`).join("，")}。
      档次：{checklist.tiers.map((_, i) => tierRange(checklist.tiers, i)).join("，")}
    </p>
  );
}

/** A household's inspections month by month (newest first). */
export function InspectionHistory({ entries, villageId, more }: { entries: HistoryEntry[]; villageId: number; more?: boolean }) {
  return (
    <section className="card inspection-history" data-testid="inspection-history">
      <h2>卫生检查记录</h2>
      {entries.length === 0 ? <p className="muted">还没有公布过的卫生检查结果</p> : null}
      <ul className="entries">
        {entries.map((e) => (
          <li key={e.roundId}>
            <div className="what">
              <div>
                <strong>{e.title}</strong> {e.status === "absent" ? <span className="tag tag-off">未检查</span> : e.status === "returned" ? <span className="tag tag-warn">复查中</span> : <span className="tag">{e.tier}</span>}
              </div>
              {e.status === "absent" ? <div className="when">未检查：{e.absentReason}</div> : (
                <div className="when">{e.items.map((i) => `${i.name} ${i.score ?? "-"}/${i.max}`).join(" · ")}</div>
              )}
              <div className="when">
                检查员 {e.inspector}
                {e.note ? ` · ${e.note}` : ""}
                {e.claimLabel ? ` · 积分${e.claimPoints! > 0 ? "+" : ""}${e.claimPoints}（${e.claimLabel}）` : ""}
              </div>
              {e.photos.length ? (
                <div className="photos">
                  {e.photos.map((p) => (
                    <a key={p} href={`/v/${villageId}/rounds/${e.roundId}/photos/${p}`}><img src={`/v/${villageId}/rounds/${e.roundId}/photos/${p}`} alt="检查照片" width={64} height={64} /></a>
                  ))}
                </div>
              ) : null}
              {e.request ? (
                <div className="when">复查申请：{REQUEST_STATUS_LABELS[e.request.status]}{e.request.note ? `（${e.request.note}）` : ""}</div>
              ) : null}
            </div>
            <div className="amount">{e.status === "scored" || e.status === "returned" ? `${e.total}分` : "—"}</div>
          </li>
        ))}
      </ul>
      {more ? <p><Link to="/inspections">全部检查记录、申请复查 ›</Link></p> : null}
    </section>
  );
}
