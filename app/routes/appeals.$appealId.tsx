// One appeal of the household: the entry appealed, the reason and photos, and what the committee decided.
import { PhotoStrip } from "~/ui/photo-strip";
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import appealStyles from "~/appeals/appeals.css";
import { householdAppeal } from "~/appeals/appeals.server";
import { signed } from "~/appeals/labels";
import { AppealStatusLine } from "~/appeals/status";
import { idParam, notFound, requireHousehold } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { FormOk } from "~/ui/field";

export const meta: MetaFunction = () => [{ title: "申诉详情 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = idParam(params.appealId);
  const viewer = await requireHousehold(request);
  const found = await householdAppeal(viewer.householdId, id);
  if (!found) notFound();
  return { ...found, villageId: viewer.homeVillageId, filed: new URL(request.url).searchParams.get("filed") === "1" };
}

export default function AppealStatusPage() {
  const { appeal: a, photos, villageId, filed } = useLoaderData<typeof loader>();
  return (
    <section className="card narrow">
      <p className="muted small"><Link to="/appeals" className="back">‹ 我的申诉</Link></p>
      <h1>申诉详情</h1>
      <FormOk message={filed ? "申诉已提交，村委会另请一位委员核实处理" : null} />
      <div className="appeal-entry">
        <div>{a.what}</div>
        <div className={`amount ${a.points > 0 ? "plus" : "minus"}`}>{signed(a.points)} 分</div>
        <div className="muted">入账 {formatTime(a.creditedAt)}{a.member ? ` · ${a.member}` : ""}</div>
      </div>
      <p>状态：<AppealStatusLine appeal={a} /></p>
      <dl className="facts">
        <dt>申诉人</dt><dd>{a.filer}</dd>
        <dt>申诉时间</dt><dd>{formatTime(a.createdAt)}</dd>
        <dt>申诉理由</dt><dd>{a.reason}</dd>
      </dl>
      {photos.length ? <PhotoStrip base={`/v/${villageId}/appeal-photos`} keys={photos.map((p) => p.key)} alt="申诉照片" /> : null}
      {a.status === "pending" ? (
        <p className="muted">村委还没有处理。处理后结果会显示在这里和积分明细里。</p>
      ) : (
        <div className="appeal-decision" data-testid="appeal-decision">
          <p><strong>{a.status === "upheld" ? "维持原决定，积分不变" : a.status === "revoked" ? `已撤销，${signed(-a.points)} 分已冲正` : `已改为 ${signed(a.newPoints ?? 0)} 分`}</strong></p>
          <p>处理理由：{a.decisionNote}</p>
          <p className="muted">{a.decidedBy} · {a.decidedAt ? formatTime(a.decidedAt) : ""}</p>
        </div>
      )}
      <p><Link to="/statement">看积分明细</Link></p>
    </section>
  );
}
