import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/campaigns/campaigns.css";
import { Tag } from "~/ui/form-parts";
import { CampaignFacts, CategoryResult, NominateBox, StateTag, Turnout } from "~/campaigns/campaign";
import { FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { NOMINATION_LABELS, TEXT_LIMITS } from "~/campaigns/labels";
import { committeeCampaignAction, committeeCampaignPage } from "~/campaigns/pages.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "评选"} · 评选管理 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const campaignId = idParam(params.campaignId);
  const url = new URL(request.url);
  return committeeCampaignPage(request, villageId, campaignId, { cat: url.searchParams.get("cat"), q: url.searchParams.get("q"), created: url.searchParams.get("created") === "1" });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const campaignId = idParam(params.campaignId);
  const raw = await readForm(request);
  const form = formToObject(raw);
  const picks = raw.getAll("pick").filter((x): x is string => typeof x === "string");
  const reply = await committeeCampaignAction(request, villageId, campaignId, form, { picks });
  return data({ ...reply, values: echoValues(form, ["nomineeId", "reason", "note"]) }, { status: reply.status });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Reply = ReturnType<typeof useActionData<typeof action>>;

export default function CommitteeCampaign() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const c = d.campaign;
  const nominating = c.state === "nominating" && d.canAct;
  const canTie = c.state === "closed" && d.canAct && !!d.result?.turnout.met;
  // Where each reply shows: beside its form when that form is on the page, else on top.
  const placed =
    (result?.intent === "nominate" && nominating && d.search.found.length > 0) ||
    (result?.intent?.startsWith("nomination.") && d.canDecide && d.nominations.some((n) => n.id === result.target)) ||
    (result?.intent === "tie.decide" && canTie && d.result?.categories.some((k) => k.id === result.target && k.tiePlaces > 0 && !d.ownTies.includes(k.id))) ||
    (result?.intent === "campaign.confirm" && d.canAct && (c.state === "closed" || c.state === "confirmed"));
  return (
    <>
      <p className="muted small">
        <Link className="back" to={`/v/${d.villageId}/campaigns`}>‹ 评选管理</Link>
      </p>
      <section className="card">
        <h1>
          {c.title} <StateTag state={c.state} label={c.stateLabel} />
        </h1>
        {d.created ? <FormOk message="评选已发起，提名开始后村民可以在“公示栏”里进入评选提名" /> : null}
        {result?.ok && !placed ? <FormOk message={result.ok} /> : null}
        {result && !result.ok && !placed ? <FormError message={result.errors._form ?? Object.values(result.errors)[0]} /> : null}
        {c.description ? <p>{c.description}</p> : null}
        <CampaignFacts c={c} />
        {c.state === "draft" ? <p className="muted">提名从 {formatTime(c.nominate_from)} 开始。</p> : null}
        {c.state === "between" ? <p className="muted">提名已截止。投票 {formatTime(c.vote_from)} 开始前，请审核完提名：只有“已确定为候选”的会出现在选票上。</p> : null}
        {c.state === "voting" ? (
          <p className="secret" data-testid="secret">投票进行中，{formatTime(c.vote_until)} 截止。截止前任何人（包括村委）都看不到票数；任何时候都看不到谁投了谁。</p>
        ) : null}
      </section>

      {nominating ? (
        <section className="card">
          <h2>村委提名</h2>
          <NominateBox categories={d.categories} search={d.search} errors={result?.intent === "nominate" && !result.ok ? result.errors : {}} values={result?.intent === "nominate" && !result.ok ? result.values : undefined} busy={busy} resetKey={d.nominations.length} />
          {result?.intent === "nominate" && result.ok && placed ? <FormOk message={result.ok} /> : null}
        </section>
      ) : null}

      {/* Once voting has closed the result comes first; the nominations stay below as the record. */}
      {d.result ? <Results d={d} result={result} busy={busy} canTie={canTie} /> : null}

      {d.categories.map((k) => (
        <Nominations key={k.id} d={d} k={k} result={result} busy={busy} />
      ))}
    </>
  );
}

function Nominations({ d, k, result, busy }: { d: Data; k: Data["categories"][number]; result: Reply; busy: boolean }) {
  const list = d.nominations.filter((n) => n.category_id === k.id);
  const live = (s: string) => s === "proposed" || s === "accepted";
  const standing = list.filter((n) => n.status === "accepted").length;
  return (
    <section className="card" data-testid={`nominations-${k.id}`}>
      <h2>
        {k.name}：提名 {list.length} 条，候选 {standing} 个
      </h2>
      <p className="muted small">
        {k.kind === "household" ? "评家庭" : "评个人"} · 评 {k.winners} 个 · 每个获奖{k.kind === "household" ? "家庭（记在户主名下）" : "人"}按“{k.rule_name}”得 {k.rule_points} 分
      </p>
      {list.length === 0 ? <p className="muted">还没有提名</p> : null}
      {list.map((n) => {
        const mine = result && result.target === n.id && result.intent.startsWith("nomination.") ? result : null;
        const twins = list.filter((x) => x.id !== n.id && live(x.status) && x.household_id === n.household_id && x.member_id === n.member_id);
        return (
          <div key={n.id} className="nomination" data-nomination={n.id}>
            <div>
              <span className="cand">{n.label}</span> <Tag tone={n.status === "accepted" ? "ok" : n.status === "proposed" ? "warn" : "off"}>{NOMINATION_LABELS[n.status]}</Tag>
            </div>
            <div>理由：{n.reason}</div>
            <div className="sub">
              {n.nominator}提名 · {formatTime(n.created_at)}
              {n.status === "merged" ? ` · 已合并到 #${n.merged_into}` : ""}
              {n.decision_note ? ` · 不采纳：${n.decision_note}` : ""}
            </div>
            {mine?.ok ? <FormOk message={mine.ok} /> : null}
            <FormError message={mine && !mine.ok ? mine.errors._form : null} />
            {d.canDecide && n.status !== "merged" && n.own ? <p className="muted small">这是你家的提名，请由另一位村委委员处理</p> : null}
            {d.canDecide && n.status !== "merged" && !n.own ? (
              <div className="actions-row">
                {n.status !== "accepted" ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="nomination.accept" />
                    <input type="hidden" name="nominationId" value={n.id} />
                    <button type="submit" className="primary" disabled={busy}>确定为候选</button>
                  </Form>
                ) : null}
                {live(n.status)
                  ? twins.map((t) => (
                      <Form method="post" key={t.id}>
                        <input type="hidden" name="intent" value="nomination.merge" />
                        <input type="hidden" name="nominationId" value={n.id} />
                        <input type="hidden" name="intoId" value={t.id} />
                        <button type="submit" className="secondary" disabled={busy}>重复，合并到 #{t.id}</button>
                      </Form>
                    ))
                  : null}
                {n.status !== "rejected" ? (
                  <details open={!!mine && !mine.ok && !!mine.errors.note}>
                    <summary>不采纳</summary>
                    <Form method="post" noValidate>
                      <input type="hidden" name="intent" value="nomination.reject" />
                      <input type="hidden" name="nominationId" value={n.id} />
                      <label htmlFor={`note-${n.id}`}>不采纳的理由</label>
                      <input id={`note-${n.id}`} name="note" maxLength={TEXT_LIMITS.rejectNote} autoComplete="off" defaultValue={mine && !mine.ok ? mine.values.note : undefined} aria-invalid={mine?.errors.note ? true : undefined} aria-describedby={mine?.errors.note ? `note-${n.id}-err` : undefined} />
                      {mine?.errors.note ? <p className="field-error" id={`note-${n.id}-err`}>{mine.errors.note}</p> : null}
                      <button type="submit" className="secondary block" disabled={busy}>不采纳</button>
                    </Form>
                  </details>
                ) : null}
              </div>
            ) : null}
          </div>
        );
      })}
    </section>
  );
}

function Results({ d, result, busy, canTie }: { d: Data; result: Reply; busy: boolean; canTie: boolean }) {
  const r = d.result!;
  const c = d.campaign;
  const confirmReply = result?.intent === "campaign.confirm" ? result : null;
  return (
    <section className="card" data-testid="result">
      <h2>{c.state === "confirmed" ? "评选结果（已确认公布）" : r.turnout.met ? "投票结果（待村委确认）" : "投票结果（投票率不够，结果无效）"}</h2>
      <Turnout result={r} voters={c.voters} />
      {r.categories.map((k) => {
        const mine = result?.intent === "tie.decide" && result.target === k.id ? result : null;
        const pickErr = mine && !mine.ok ? mine.errors[`pick-${k.id}`] ?? mine.errors._form : null;
        return (
          <div key={k.id}>
            <CategoryResult k={k} pending={c.state !== "confirmed"} />
            {canTie && k.tiePlaces > 0 && d.ownTies.includes(k.id) ? <p className="muted">同票的候选里有你家，请由另一位村委委员决定</p> : null}
            {canTie && k.tiePlaces > 0 && !d.ownTies.includes(k.id) ? (
              <Form method="post" noValidate className="tie-form">
                <input type="hidden" name="intent" value="tie.decide" />
                <input type="hidden" name="categoryId" value={k.id} />
                {mine?.ok ? <FormOk message={mine.ok} /> : null}
                <fieldset className="picks" aria-describedby={pickErr ? `pick-${k.id}-err` : undefined}>
                  <legend>{k.tieDecided ? "改变村委的决定" : `村委决定：从同票的里选 ${k.tiePlaces} 个`}</legend>
                  {k.rows.filter((x) => x.outcome === "tie").map((x) => (
                    <label key={x.id} className="check">
                      <input type="checkbox" name="pick" value={x.id} defaultChecked={k.tieDecided?.choice.includes(x.id)} />
                      <span>{x.label}（{x.votes} 票）</span>
                    </label>
                  ))}
                  {pickErr ? <p className="field-error" id={`pick-${k.id}-err`}>{pickErr}</p> : null}
                </fieldset>
                <label htmlFor={`reason-${k.id}`}>决定理由（会和结果一起公布）</label>
                <textarea id={`reason-${k.id}`} name="reason" rows={2} maxLength={TEXT_LIMITS.tieReason} defaultValue={mine && !mine.ok ? mine.values.reason : k.tieDecided?.reason} aria-invalid={mine?.errors.reason ? true : undefined} aria-describedby={mine?.errors.reason ? `reason-${k.id}-err` : undefined} />
                {mine?.errors.reason ? <p className="field-error" id={`reason-${k.id}-err`}>{mine.errors.reason}</p> : null}
                <button type="submit" className="secondary block" disabled={busy}>记录决定</button>
              </Form>
            ) : null}
          </div>
        );
      })}
      {c.state === "closed" && d.canAct ? (
        <>
          <h3>确认结果</h3>
          {r.blockers.length ? <ul className="blockers">{r.blockers.map((b) => <li key={b}>{b}</li>)}</ul> : <p>确认后结果在公示栏公布，每位当选者生成一条积分申报，由另一位村委委员审核后进入公示。</p>}
          {confirmReply?.ok ? <FormOk message={confirmReply.ok} /> : null}
          <FormError message={confirmReply && !confirmReply.ok ? confirmReply.errors._form : null} />
          <Form method="post">
            <input type="hidden" name="intent" value="campaign.confirm" />
            <button type="submit" className="primary block" disabled={busy || r.blockers.length > 0}>确认结果并提交积分申报</button>
          </Form>
        </>
      ) : null}
      {c.state === "confirmed" ? (
        <>
          {confirmReply?.ok ? <FormOk message={confirmReply.ok} /> : null}
          <p>
            {formatTime(c.confirmed_at ?? 0)} 确认。积分申报：
            {d.claims.length === 0 ? "没有当选者，没有申报。" : d.claims.map((x) => `#${x.claim_id} ${x.statusLabel}`).join("，")}
            {d.canAct && d.claims.some((x) => x.status === "pending") ? <> · <Link to={`/v/${d.villageId}/review`}>去审核 ›</Link></> : null}
          </p>
        </>
      ) : null}
    </section>
  );
}
