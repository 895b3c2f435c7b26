import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { BatchGroup, foldBatches } from "~/claims/notice-batches";
import { CampaignNotice } from "~/campaigns/campaign-honours";
import { findGrant, idParam, requireVillagePerson } from "~/platform/access.server";
import { campaignNotice } from "~/campaigns/views.server";
import { objectFromForm } from "~/claims/forms.server";
import { CLAIM_LIMITS } from "~/claims/labels";
import { noticeBoard } from "~/claims/views.server";
import { currentLedgerHead } from "~/ledger/check.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";
import sanitationStyles from "~/sanitation/sanitation.css";
import { RedBlackSection } from "~/sanitation/sanitation";
import { latestRedBlack } from "~/sanitation/redblack.server";
import flagStyles from "~/flags/flags.css";
import { FlagNotice } from "~/flags/flag-parts";
import { currentFlags, waitingFlags } from "~/flags/flags.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: sanitationStyles }, { rel: "stylesheet", href: flagStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.village.name ?? ""}公示栏 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const viewer = await requireVillagePerson(request, villageId);
  const print = new URL(request.url).searchParams.get("print") === "1";
  const canObject = viewer.homeVillageId === villageId && viewer.householdId !== null;
  const committee = !!findGrant(viewer, ["committee"], villageId);
  // Honour campaigns: villagers open a campaign from their own pages, the committee from its page.
  const campaignLink = canObject ? "/campaigns" : committee ? `/v/${villageId}/campaigns` : null;
  // 积分排行 is for the village's households and those who run it (a keeper without a household is neither).
  const rankings = canObject || committee || !!findGrant(viewer, ["village_admin", "township_admin"], villageId);
  return {
    villageId, print, canObject, committee, rankings, ledgerHead: print ? await currentLedgerHead() : null, ...(await noticeBoard(villageId, viewer.userId)),
    redblack: await latestRedBlack(villageId), campaigns: await campaignNotice(villageId), campaignLink,
    flags: await currentFlags(villageId), waitingFlags: committee ? await waitingFlags(villageId) : null,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const viewer = await requireVillagePerson(request, villageId);
  const raw = formToObject(await readForm(request));
  const out = await objectFromForm(villageId, viewer.userId, raw);
  if (!out.ok) return data({ ok: null, claimId: out.claimId ?? null, errors: out.errors }, { status: out.status });
  return { ok: out.message, claimId: out.claimId ?? null, errors: {} as Record<string, string> };
}

const pts = (n: number) => (n > 0 ? `+${n}` : String(n));

export default function NoticeBoard() {
  const { villageId, print, canObject, committee, rankings, village, now, inNotice, awards, deductions, resolved, ledgerHead, redblack, campaigns, campaignLink, sources, flags, waitingFlags } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const known = result?.claimId != null && inNotice.some((c) => c.id === result.claimId);
  const noticeItem = (c: (typeof inNotice)[number]) => {
    const mine = result?.claimId === c.id ? result : null;
    const error = mine && !mine.ok ? mine.errors.reason : null;
    const formError = mine && !mine.ok ? mine.errors._form : null;
    return (
      <li key={c.id} className="notice-item" data-testid={`notice-${c.id}`}>
        <div className="what" style={{ flex: 1 }}>
          <div>
            {c.household}号户 {c.member} · {c.rule}
            {c.status === "objected" ? <span className="tag state-objected">有异议</span> : null}
          </div>
          <div className="when">
            {formatTime(c.occurred_at).slice(0, 10)}{c.note ? ` · ${c.note}` : ""}
          </div>
          <div className="when">
            公示到 <span className="nowrap">{formatTime(c.notice_until ?? now)}</span>，<span className="nowrap">还剩 <strong>{c.daysLeft}</strong> 天</span>
            {committee && !print ? <> · <Link className="pad" to={`/v/${villageId}/review/${c.id}`}>处理</Link></> : null}
          </div>
          {mine?.ok ? <FormOk message={mine.ok} /> : null}
          <FormError message={formError} />
          {!print && canObject && c.objectedByMe && !mine?.ok ? <p className="muted small">你已对这条提出异议</p> : null}
          {!print && canObject && !c.objectedByMe ? (
            <details className="no-print" open={!!error}>
              <summary>提出异议</summary>
              <Form method="post" noValidate>
                <input type="hidden" name="claimId" value={c.id} />
                <label htmlFor={`o-${c.id}`}>异议理由</label>
                <input id={`o-${c.id}`} name="reason" maxLength={CLAIM_LIMITS.reason} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? `o-${c.id}-err` : undefined} />
                {error ? <p className="field-error" id={`o-${c.id}-err`}>{error}</p> : null}
                <button type="submit" className="secondary block" disabled={busy}>提交异议</button>
              </Form>
            </details>
          ) : null}
        </div>
        <div className={`amount ${c.points > 0 ? "plus" : "minus"}`}>{pts(c.points)}</div>
      </li>
    );
  };
  const awardItem = (c: (typeof awards)[number]) => (
    <li key={c.id} data-testid={`credited-${c.id}`}>
      <div className="what">
        <div>{c.household}号户 {c.member} · {c.rule}</div>
        <div className="when">
          {formatTime(c.credited_at ?? 0).slice(0, 10)} 入账
          {committee && !print ? <> · <Link to={`/v/${villageId}/review/${c.id}`}>详情/撤销</Link></> : null}
        </div>
      </div>
      <div className="amount plus">{pts(c.points)}</div>
    </li>
  );
  const deductionItem = (c: (typeof deductions)[number]) => (
    <li key={c.id}>
      <div className="what">
        <div>{c.household}号户 {c.member} · {c.rule}</div>
        <div className="when">
          {formatTime(c.credited_at ?? 0).slice(0, 10)}{c.note ? ` · ${c.note}` : ""}
          {committee && !print ? <> · <Link to={`/v/${villageId}/review/${c.id}`}>详情/撤销</Link></> : null}
        </div>
      </div>
      <div className="amount minus">{pts(c.points)}</div>
    </li>
  );
  return (
    <div className={print ? "notice-board print" : "notice-board"}>
      <section className="card">
        <h1>{village.name}积分公示栏</h1>
        <p className="muted small">
          {formatTime(now).slice(0, 10)} · 公示期 {village.notice_days} 天。公示期内本村村民可以对申报提出异议，村委会核实处理；期满没有异议自动入账。
        </p>
        {print ? <p className="no-print"><Link to={`/v/${villageId}/notice`}>返回</Link></p> : <p className="no-print row"><Link to={`/v/${villageId}/notice?print=1`}>打印版</Link>{rankings ? <Link to={`/v/${villageId}/rankings`}>积分排行 ›</Link> : null}</p>}
        {ledgerHead ? (
          <p className="small muted ledger-head" data-testid="ledger-head">
            账本校验码（打印时的最后一条记录）：<span className="mono">{`${ledgerHead.id}:${ledgerHead.hash}`}</span>。日后用它核对，可以证明在这之前的账目没有被改过。
          </p>
        ) : null}
        {!known ? <FormError message={result && !result.ok ? result.errors._form ?? result.errors.reason : null} /> : null}
      </section>
      <FlagNotice villageId={villageId} flags={flags} waiting={waitingFlags} print={print} />
      <RedBlackSection board={redblack} villageId={villageId} print={print} />
      <section className="card">
        <h2>正在公示（{inNotice.length}）</h2>
        {inNotice.length === 0 ? <p className="muted">目前没有正在公示的申报</p> : null}
        <ul className="entries">
          {foldBatches(inNotice, sources).map((g) =>
            "row" in g ? noticeItem(g.row) : <BatchGroup key={g.key} group={g} open={print || g.rows.some((c) => c.id === result?.claimId)} render={noticeItem} />,
          )}
        </ul>
      </section>
      <CampaignNotice data={campaigns} link={print ? null : campaignLink} />
      <section className="card">
        <h2>近 30 天入账（{awards.length}）</h2>
        {awards.length === 0 ? <p className="muted">近 30 天没有入账</p> : null}
        <ul className="entries">
          {foldBatches(awards, sources).map((g) => ("row" in g ? awardItem(g.row) : <BatchGroup key={g.key} group={g} open={print} render={awardItem} />))}
        </ul>
      </section>
      <section className="card">
        <h2>近 30 天扣分（{deductions.length}）</h2>
        {deductions.length === 0 ? <p className="muted">近 30 天没有扣分</p> : null}
        <ul className="entries">
          {foldBatches(deductions, sources).map((g) => ("row" in g ? deductionItem(g.row) : <BatchGroup key={g.key} group={g} open={print} render={deductionItem} />))}
        </ul>
      </section>
      <section className="card">
        <h2>已处理的异议（{resolved.length}）</h2>
        {resolved.length === 0 ? <p className="muted">近 30 天没有处理过的异议</p> : null}
        <ul className="entries">
          {resolved.map((o) => (
            <li key={o.id}>
              <div className="what">
                <div>{o.household}号户 {o.member} · {o.rule}</div>
                <div className="when">异议：{o.reason}</div>
                <div className="when">{o.status === "upheld" ? "异议成立，申报已驳回" : "异议不成立"}：{o.resolution}</div>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
