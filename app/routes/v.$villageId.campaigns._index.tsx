import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/campaigns/campaigns.css";
import { StateTag, windowText } from "~/campaigns/campaign";
import { idParam } from "~/platform/access.server";
import { committeeListPage } from "~/campaigns/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "评选管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return committeeListPage(request, idParam(params.villageId));
}

export default function StaffCampaigns() {
  const { villageId, canCreate, campaigns } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>评选管理</h1>
        {canCreate ? <Link className="button" to={`/v/${villageId}/campaigns/new`}>发起评选</Link> : null}
      </div>
      <section className="card">
        <p className="muted small">好婆婆、好媳妇、文明家庭……由村民提名、村委审核候选、民主投票，村委确认后获奖积分经审核、公示入账。</p>
        {campaigns.length === 0 ? <p className="muted">还没有评选。{canCreate ? "点右上角的“发起评选”开始。" : ""}</p> : null}
        <ul className="campaign-list">
          {campaigns.map((c) => (
            <li key={c.id}>
              <Link to={`/v/${villageId}/campaigns/${c.id}`}>
                <span className="title">
                  {c.title} <StateTag state={c.state} label={c.stateLabel} />
                </span>
                <span className="sub">{c.categories}</span>
                <span className="sub">投票 {windowText(c.vote_from, c.vote_until)} · 提名 {c.nominations} 条</span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
