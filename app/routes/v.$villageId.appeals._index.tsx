// 申诉处理: the village's pending appeals, the longest waiting first, and the latest decided ones.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import appealStyles from "~/appeals/appeals.css";
import { appealQueue } from "~/appeals/appeals.server";
import { AppealStatusLine } from "~/appeals/status";
import { idParam, requireRole } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { ListRow } from "~/ui/list-row";

export const meta: MetaFunction = () => [{ title: "申诉处理 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

const COMMITTEE = ["committee"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  return { villageId, ...(await appealQueue(villageId, access.viewer.userId)) };
}

export default function AppealQueue() {
  const { villageId, pending, total, decided } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="card">
        <h1>申诉处理</h1>
        <p className="muted">村民对已入账的奖励或扣分提出的申诉。由没有参与原来审核的委员处理：维持、改分或撤销。</p>
        <h2>待处理（{total} 条）</h2>
        {pending.length === 0 ? <p className="muted">没有待处理的申诉。</p> : (
          <ul className="entries appeals-list tappable">
            {pending.map((a) => (
              <ListRow
                key={a.id}
                what={
                  <>
                    <Link to={`/v/${villageId}/appeals/${a.id}`}>{a.household}号户 {a.member ?? ""}：{a.what}</Link>
                    {a.blocked ? <span className="tag">{a.blocked.startsWith("这是本户") ? "本户申诉" : "需其他委员处理"}</span> : null}
                  </>
                }
                when={<>申诉于 {formatTime(a.createdAt)} · 已等 {a.waitingDays} 天</>}
                delta={a.points}
              />
            ))}
          </ul>
        )}
      </section>
      {decided.length ? (
        <section className="card">
          <h2>最近处理的</h2>
          <ul className="entries appeals-list tappable">
            {decided.map((a) => (
              <ListRow
                key={a.id}
                what={
                  <>
                    <Link to={`/v/${villageId}/appeals/${a.id}`}>{a.household}号户 {a.member ?? ""}：{a.what}</Link>
                    <AppealStatusLine appeal={a} />
                  </>
                }
                when={<>{a.decidedBy} · {a.decidedAt ? formatTime(a.decidedAt) : ""}</>}
                delta={a.points}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
