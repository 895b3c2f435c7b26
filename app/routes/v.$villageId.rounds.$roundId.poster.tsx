// The 红黑榜 of one published round as an A3 poster for the village notice board (print from the browser).
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { RedBlackBoard } from "~/sanitation/sanitation";
import { idParam } from "~/platform/access.server";
import { posterPage } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.village ?? ""}${data?.board.title ?? ""}红黑榜` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return posterPage(request, idParam(params.villageId), idParam(params.roundId));
}

export default function Poster() {
  const { villageId, village, board } = useLoaderData<typeof loader>();
  return (
    <div className="poster">
      <p className="no-print muted small"><Link to={`/v/${villageId}/notice`}>‹ 公示栏</Link> · 用浏览器的“打印”，纸张选 A3</p>
      <RedBlackBoard board={board} village={village} />
      <p className="muted small board-facts">红榜：本轮总分最高的 10 户；黑榜：总分最低的 10 户（评分户少时前一半上红榜、后一半上黑榜）。对结果有异议的，公布 7 天内户主可以在“我的家庭 → 卫生检查记录”申请复查。</p>
    </div>
  );
}
