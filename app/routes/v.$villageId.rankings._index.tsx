// 积分排行 of a village, or of one of its grids, by the year's score. Villagers see their own village
// (and their grid); its admin and committee, and the township admin, any grid.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Pager } from "~/ui/pager";
import styles from "~/printables/rankings.css";
import { RankingChoices, RankingList, scoreMeaning } from "~/printables/rankings";
import { rankingPage } from "~/printables/rankings.server";
import { idParam } from "~/platform/access.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.village ?? ""}${data?.grid?.name ?? ""}积分排行 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return rankingPage(request, idParam(params.villageId));
}

export default function Rankings() {
  const r = useLoaderData<typeof loader>();
  const base = `/v/${r.villageId}/rankings`;
  const query = (more: Record<string, string> = {}) => new URLSearchParams({ year: String(r.year), ...(r.grid ? { grid: String(r.grid.id) } : {}), ...more }).toString();
  return (
    <section className="card">
      <h1>{r.village}{r.grid?.name ?? ""}积分排行</h1>
      <RankingChoices scope={r} />
      {r.mine ? (
        <p className="rk-mine" data-testid="ranking-mine">
          我家 {r.year} 年排第 <strong>{r.mine.place}</strong> 名（共 {r.total} 户），{r.mine.score} 分
        </p>
      ) : null}
      <p className="muted small elder-hide">{scoreMeaning(r.year)}{r.fullNames ? "" : "姓名隐去中间的字。"}</p>
      <RankingList rows={r.rows} showGrid={!r.grid} />
      <Pager page={r.page} pages={r.pages} link={(p) => `${base}?${query({ page: String(p) })}`} />
      <p className="rk-links">
        <Link to={`${base}/poster?${query()}`}>打印排行榜（A3 海报）</Link>
        {r.staff ? <Link to={`/v/${r.villageId}/passbook`}>打印积分存折</Link> : <Link to="/passbook">我家的积分存折</Link>}
      </p>
    </section>
  );
}
