// Honour campaigns on pages that belong to others: the notice board's section and a household's
// honour history. Only ui/styles.css classes here (those pages load no campaign stylesheet).
import { Link } from "@remix-run/react";
import { formatTime } from "~/platform/format";
import type { campaignNotice, HonourRow } from "./views.server";

type CampaignNoticeData = Awaited<ReturnType<typeof campaignNotice>>;

/** `link`: where a campaign's page is for this viewer ("/campaigns" for a villager, the committee's page for staff), or null. */
export function CampaignNotice({ data, link }: { data: CampaignNoticeData; link: string | null }) {
  return (
    <section className="card" data-testid="campaign-notice">
      <h2>评选（民主评议）</h2>
      {data.running.length ? (
        <ul className="entries">
          {data.running.map((c) => (
            <li key={c.id}>
              <div className="what">
                <div>{link ? <Link to={`${link}/${c.id}`}>{c.title}</Link> : c.title}</div>
                <div className="when">
                  {c.stateLabel}
                  {c.until ? `，${formatTime(c.until)} 截止` : ""}
                </div>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {data.confirmed.length === 0 ? <p className="muted">近一年没有公布的评选结果</p> : null}
      {data.confirmed.map((c) => (
        <div key={c.id}>
          <h3 style={{ fontSize: "1.1rem", margin: "1rem 0 0" }}>{c.title}</h3>
          <div className="muted small">{formatTime(c.confirmed_at).slice(0, 10)} 公布结果</div>
          <ul className="entries">
            {c.winners.map((w, i) => (
              <li key={i} data-testid="campaign-winner">
                <div className="what">
                  <div>
                    {w.category}：{w.label}
                  </div>
                  <div className="when">
                    {w.votes} 票{w.by_tie && w.tie_reason ? ` · 同票，村委决定：${w.tie_reason}` : ""}
                  </div>
                </div>
                <div className="amount plus">+{w.points}</div>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

export function HonourHistory({ rows }: { rows: HonourRow[] }) {
  return (
    <section className="card" data-testid="honours">
      <h2 style={{ marginTop: 0 }}>荣誉记录</h2>
      {rows.length === 0 ? <p className="muted">还没有评选获奖的记录</p> : null}
      <ul className="entries">
        {rows.map((h, i) => (
          <li key={i}>
            <div className="what">
              <div>
                {h.category}：{h.label}
              </div>
              <div className="when">
                {h.title} · {formatTime(h.confirmed_at).slice(0, 10)} · {h.votes} 票 · 积分{h.claim_status_label}
              </div>
            </div>
            <div className="amount plus">+{h.points}</div>
          </li>
        ))}
      </ul>
    </section>
  );
}
