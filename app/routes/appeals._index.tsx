// 我的申诉: the household's appeals, newest first, and the way to appeal an entry.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import appealStyles from "~/appeals/appeals.css";
import { householdAppeals } from "~/appeals/appeals.server";
import { AppealStatusLine } from "~/appeals/status";
import { requireHousehold } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { ListRow } from "~/ui/list-row";

export const meta: MetaFunction = () => [{ title: "我的申诉 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  return { appeals: await householdAppeals(viewer.householdId) };
}

export default function HouseholdAppeals() {
  const { appeals } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h1>我的申诉</h1>
      <p className="muted">对已经入账的奖励或扣分有不同意见，可以在入账后的申诉期内向村委申诉。</p>
      <p><Link to="/appeals/new" className="button">选一条记录申诉</Link></p>
      {appeals.length === 0 ? <p className="muted">还没有申诉。</p> : (
        <ul className="entries appeals-list">
          {appeals.map((a) => (
            <ListRow
              key={a.id}
              what={
                <>
                  <Link to={`/appeals/${a.id}`}>{a.what}</Link>
                  <AppealStatusLine appeal={a} />
                </>
              }
              when={<>申诉于 {formatTime(a.createdAt)}{a.member ? ` · ${a.member}` : ""}</>}
              delta={a.points}
            />
          ))}
        </ul>
      )}
      <p><Link to="/statement">‹ 回到积分明细</Link></p>
    </section>
  );
}
