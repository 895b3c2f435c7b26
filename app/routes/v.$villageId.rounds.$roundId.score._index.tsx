import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useMemo } from "react";
import styles from "~/sanitation/sanitation.css";
import { FormOk } from "~/ui/field";
import { InspectionTag } from "~/sanitation/sanitation";
import { idParam } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { scoreListPage } from "~/sanitation/pages.server";
import { KeptBadge, OfflineBox, OrphanSaves, useOfflineScoring } from "~/sanitation/offline-scoring";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.round.title ?? ""}卫生检查 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return scoreListPage(request, idParam(params.villageId), idParam(params.roundId));
}

export default function ScoreList() {
  const d = useLoaderData<typeof loader>();
  const pct = d.total ? Math.round((d.done / d.total) * 100) : 0;
  const base = `/v/${d.villageId}/rounds/${d.round.id}/score`;
  const revalidator = useRevalidator();
  // While the round is open, every household this inspector may score is stored for offline use.
  const prepare = useMemo(() => (d.round.status === "open" ? d.rows.filter((h) => !h.conflict).map((h) => `${base}/${h.id}`) : null), [d.round.status, d.rows, base]);
  const offline = useOfflineScoring(d.villageId, d.round.id, prepare, () => revalidator.revalidate());
  const kept = new Map(offline.saves.map((k) => [k.householdId, k]));
  return (
    <section className="card">
      <p className="muted small"><Link className="back" to={`/v/${d.villageId}/rounds`}>‹ 我的卫生检查</Link></p>
      <h1>{d.round.title}卫生检查</h1>
      <p className="muted small">{formatTime(d.round.starts_at).slice(0, 10)} 至 {formatTime(d.round.ends_at - 1).slice(0, 10)}</p>
      <FormOk message={d.saved} />
      <OfflineBox s={offline} />
      <div className="progress" data-testid="progress">
        <div className="bar" aria-hidden="true"><span style={{ width: `${pct}%` }} /></div>
        <strong>已评 {d.done}/{d.total} 户</strong>
      </div>
      {d.recused ? <p className="muted small">另有 {d.recused} 户你要回避，由本网格的其他检查员评分</p> : null}
      {d.round.status === "open" && d.next ? <p><Link className="button block" to={`${base}/${d.next}`} reloadDocument={!offline.online}>评下一户</Link></p> : null}
      {d.round.status === "open" && !d.next ? <p className={d.ended ? "muted" : "form-ok"}>{d.ended ? "检查时间已过，只有村委退回重评的农户还能评分。" : "你负责的农户都评完了。"}</p> : null}
      {d.round.status === "published" ? <p className="muted">评比已公布。只有村委同意复查的农户可以重新评分。</p> : null}
      {d.round.status === "draft" ? <p className="muted">评比还没开始，村委开始后才能评分。</p> : null}
      <ul className="score-list">
        {d.rows.map((h) => (
          <li key={h.id} data-testid={`hh-${h.number}`}>
            {h.conflict ? (
              <div className="off muted">
                <span className="main"><span className="title">{h.number}号户 {h.head ?? ""}</span><span className="sub">{h.grid} · 回避，由其他检查员评分</span></span>
                <span className="right"><InspectionTag status={h.status} /></span>
              </div>
            ) : (
              // No signal: a plain page load, which the service worker answers from the phone.
              <Link to={`${base}/${h.id}`} reloadDocument={!offline.online}>
                <span className="main"><span className="title">{h.number}号户 {h.head ?? ""}</span><span className="sub">{h.address || h.grid}</span><KeptBadge save={kept.get(h.id)} /></span>
                <span className="right">{h.status === "scored" ? <strong>{h.total} 分 {h.tier}</strong> : <InspectionTag status={h.status} />}</span>
              </Link>
            )}
          </li>
        ))}
      </ul>
      <OrphanSaves s={offline} listed={new Set(d.rows.map((h) => h.id))} />
    </section>
  );
}
