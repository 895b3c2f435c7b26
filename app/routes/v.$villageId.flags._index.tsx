// 历届红旗户: the village's flag holders round by round, newest first (linked from the 公示栏).
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/flags/flags.css";
import { HolderList } from "~/flags/flag-parts";
import { flagHistory } from "~/flags/flags.server";
import { idParam, requireVillagePerson } from "~/platform/access.server";
import { formatTime } from "~/platform/format";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "历届流动红旗 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireVillagePerson(request, villageId);
  // A page number that is not a small whole number shows the first page.
  const raw = new URL(request.url).searchParams.get("page") ?? "1";
  const page = /^\d{1,4}$/.test(raw) && Number(raw) >= 1 ? Number(raw) : 1;
  return { villageId, page, ...(await flagHistory(villageId, page)) };
}

export default function FlagHistory() {
  const { villageId, page, rounds, more } = useLoaderData<typeof loader>();
  return (
    <>
      <p className="muted small"><Link className="back" to={`/v/${villageId}/notice`}>‹ 公示栏</Link></p>
      <section className="card">
        <h1>历届流动红旗</h1>
        <p className="muted small">每次公布卫生评比，得分最高的农户接过流动红旗，上一轮的红旗户交出红旗。</p>
        {rounds.length === 0 ? <p className="muted">还没有发过流动红旗</p> : null}
        {rounds.map((r) => (
          <div key={r.id} className="flag-round" data-testid={`flag-round-${r.id}`}>
            <h3>{r.title}卫生评比</h3>
            <p className="muted small">{r.publishedAt ? `${formatTime(r.publishedAt).slice(0, 10)} 公布` : null}{r.flags.every((f) => f.endedAt === null) ? " · 现在持有" : ""}</p>
            <HolderList flags={r.flags} />
            {r.flags.some((f) => f.householdId !== null) ? (
              <p className="flag-links">
                {r.flags.filter((f) => f.householdId !== null).map((f) => (
                  <Link key={f.id} to={`/v/${villageId}/flags/${f.id}/certificate`}>{f.number}号户奖状 ›</Link>
                ))}
              </p>
            ) : null}
          </div>
        ))}
        <nav className="flag-pager" aria-label="翻页">
          {page > 1 ? <Link to={`?page=${page - 1}`}>‹ 较近的</Link> : <span />}
          {more ? <Link to={`?page=${page + 1}`}>更早的 ›</Link> : null}
        </nav>
      </section>
    </>
  );
}
