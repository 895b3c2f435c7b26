import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/sanitation/sanitation.css";
import { idParam } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { ROUND_STATUS_LABELS } from "~/sanitation/labels";
import { roundsPage } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "卫生评比 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return roundsPage(request, idParam(params.villageId));
}

const day = (ms: number) => formatTime(ms).slice(5, 10);

export default function Rounds() {
  const { villageId, committee, inspector, rounds, mine } = useLoaderData<typeof loader>();
  return (
    <>
      {inspector ? (
        <section className="card">
          <h1>我的卫生检查</h1>
          {mine.length === 0 ? <p className="muted">现在没有分给你的评比。村委开始评比后，这里会列出你负责网格的农户。</p> : null}
          <ul className="list">
            {mine.map((r) => (
              <li key={r.id}>
                <Link to={`/v/${villageId}/rounds/${r.id}/score`} className="item" data-testid={`score-round-${r.id}`}>
                  <span className="main">
                    <span className="title">{r.title}卫生评比 <span className="tag">{ROUND_STATUS_LABELS[r.status]}</span></span>
                    <span className="sub">{day(r.starts_at)} 至 {day(r.ends_at - 1)}</span>
                  </span>
                  <span className="go">{r.status === "open" ? "去评分 ›" : "查看 ›"}</span>
                </Link>
              </li>
            ))}
          </ul>
          <p><Link to={`/v/${villageId}/rounds/recusals`}>亲属回避申报 ›</Link></p>
        </section>
      ) : null}
      {committee ? (
        <section className="card">
          <div className="toolbar">
            <h1 style={{ margin: 0 }}>卫生评比</h1>
            <Link className="button" to={`/v/${villageId}/rounds/new`}>新建评比</Link>
          </div>
          {rounds.length === 0 ? <p className="muted">还没有评比。点“新建评比”，选检查表、日期和各网格的检查员。</p> : null}
          <ul className="list">
            {rounds.map((r) => (
              <li key={r.id}>
                <Link to={`/v/${villageId}/rounds/${r.id}`} className="item">
                  <span className="main">
                    <span className="title">{r.title} <span className="tag">{ROUND_STATUS_LABELS[r.status]}</span></span>
                    <span className="sub">{day(r.starts_at)} 至 {day(r.ends_at - 1)} · 已评 {r.done}/{r.households} 户</span>
                  </span>
                  <span className="go">管理 ›</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
