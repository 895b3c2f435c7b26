import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import claimStyles from "~/claims/claims.css";
import { IN_FLIGHT } from "~/claims/labels";
import { ClaimPoints, ClaimStatusLine } from "~/claims/status";
import { requireHousehold } from "~/platform/access.server";
import { householdClaims } from "~/claims/views.server";
import { formatTime } from "~/platform/format";

export const meta: MetaFunction = () => [{ title: "我的申报 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: claimStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  const filed = new URL(request.url).searchParams.get("filed") === "1";
  return { claims: await householdClaims(viewer.householdId), villageId: viewer.homeVillageId, filed };
}

export default function HouseholdClaims() {
  const { claims, villageId, filed } = useLoaderData<typeof loader>();
  const waiting = claims.filter((c) => IN_FLIGHT.includes(c.status));
  const promised = waiting.reduce((n, c) => n + c.points, 0);
  return (
    <section className="card">
      <h1>我家的积分申报</h1>
      {filed ? <p className="form-ok" role="status">申报已提交，等待村委审核</p> : null}
      <p className="row">
        <Link to="/claims/new" className="button">申报积分</Link>
        <Link to={`/v/${villageId}/notice`}>看公示栏</Link>
      </p>
      {waiting.length ? (
        <p className="claims-waiting" data-testid="claims-waiting">
          {waiting.length} 条还在审核或公示，共 <strong className="nowrap">{promised > 0 ? `+${promised}` : promised} 分</strong>，入账后才能使用。
        </p>
      ) : null}
      {claims.length === 0 ? <p className="muted">还没有申报记录。参加了志愿服务、做了好事，点上面的“申报积分”填一张。</p> : null}
      <ul className="entries">
        {claims.map((c) => (
          <li key={c.id} id={`claim-${c.id}`} data-testid={`claim-${c.id}`}>
            <div className="what">
              <div>
                {c.rule} · {c.member}
              </div>
              <div className="when">
                {formatTime(c.occurred_at).slice(0, 10)} · {c.quantity}{c.unit === "hour" ? " 小时" : " 次"}
                {c.note ? ` · ${c.note}` : ""}
              </div>
              <ClaimStatusLine claim={c} tag={!IN_FLIGHT.includes(c.status)} />
              {c.status === "credited" || c.status === "revoked" ? <Link to="/statement" className="claim-more">在积分明细中查看</Link> : null}
            </div>
            <ClaimPoints claim={c} />
          </li>
        ))}
      </ul>
    </section>
  );
}
