// 积分排行 as an A3 poster for the village notice board, beside the 红黑榜 (print from the browser).
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/printables/rankings.css";
import { RankingPosterView } from "~/printables/rankings";
import { rankingPoster } from "~/printables/rankings.server";
import { idParam } from "~/platform/access.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.village ?? ""}${data?.grid?.name ?? ""}${data?.year ?? ""}年积分排行榜` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return rankingPoster(request, idParam(params.villageId));
}

export default function RankingPoster() {
  const p = useLoaderData<typeof loader>();
  const back = `/v/${p.villageId}/rankings?${new URLSearchParams({ year: String(p.year), ...(p.grid ? { grid: String(p.grid.id) } : {}) })}`;
  return (
    <div className="rk-poster">
      <p className="no-print muted small"><Link to={back}>‹ 积分排行</Link> · 用浏览器的“打印”，纸张选 A3</p>
      <RankingPosterView scope={p} rows={p.rows} more={p.more} />
    </div>
  );
}
