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
import { NOMINATION_LABELS } from "~/campaigns/labels";
import { villagerCampaignAction, villagerCampaignPage } from "~/campaigns/pages.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "评选"} · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  return villagerCampaignPage(request, idParam(params.campaignId), { cat: url.searchParams.get("cat"), q: url.searchParams.get("q") });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const campaignId = idParam(params.campaignId);
  const raw = await readForm(request);
  const form = formToObject(raw);
  const choices = raw.getAll("choice").filter((x): x is string => typeof x === "string");
  const reply = await villagerCampaignAction(request, campaignId, form, { choices });
  return data({ ...reply, values: echoValues(form, ["nomineeId", "reason"]) }, { status: reply.status });
}

type Data = ReturnType<typeof useLoaderData<typeof loader>>;
type Reply = ReturnType<typeof useActionData<typeof action>>;

export default function CampaignPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const c = d.campaign;
  const placed =
    (result?.intent === "nominate" && c.state === "nominating" && d.search.found.length > 0) ||
    (result?.intent === "ballot" && d.canVote && d.categories.some((k) => k.id === result.target));
  return (
    <>
      <p className="muted small">
        <Link className="back" to="/campaigns">‹ 评选</Link>
      </p>
      <section className="card">
        <h1>
          {c.title} <StateTag state={c.state} label={c.stateLabel} />
        </h1>
        {result?.ok && !placed ? <FormOk message={result.ok} /> : null}
        {result && !result.ok && !placed ? <FormError message={result.errors._form ?? Object.values(result.errors)[0]} /> : null}
        {c.description ? <p>{c.description}</p> : null}
        <CampaignFacts c={c} />
        {c.state === "draft" ? <p className="muted">提名从 {formatTime(c.nominate_from)} 开始。</p> : null}
        {c.state === "between" ? <p className="muted">提名已截止，村委正在审核候选。投票 {formatTime(c.vote_from)} 开始。</p> : null}
      </section>

      {c.state === "nominating" ? (
        <section className="card">
          <h2>我要提名</h2>
          <p className="muted small">提名截止：{formatTime(c.nominate_until)}。村委审核通过后成为候选，提名人不公开。</p>
          <NominateBox categories={d.categories} search={d.search} errors={result?.intent === "nominate" && !result.ok ? result.errors : {}} values={result?.intent === "nominate" && !result.ok ? result.values : undefined} busy={busy} resetKey={d.mine.length} />
          {result?.intent === "nominate" && result.ok && placed ? <FormOk message={result.ok} /> : null}
          {d.mine.length ? (
            <>
              <h3>我的提名</h3>
              <ul className="entries" data-testid="my-nominations">
                {d.mine.map((n) => (
                  <li key={n.id}>
                    <div className="what">
                      <div>
                        {d.categories.find((k) => k.id === n.category_id)?.name}：{n.label} <Tag tone={n.status === "accepted" || n.status === "merged" ? "ok" : n.status === "proposed" ? "warn" : "off"}>{n.status === "merged" ? "已确定为候选（与他人提名合并）" : NOMINATION_LABELS[n.status]}</Tag>
                      </div>
                      <div className="when">理由：{n.reason}{n.decision_note ? ` · 村委说明：${n.decision_note}` : ""}</div>
                    </div>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      ) : null}

      {c.state === "nominating" || c.state === "between" || (c.state === "voting" && !d.canVote) ? <Candidates d={d} /> : null}
      {c.state === "voting" ? <Ballots d={d} result={result} busy={busy} /> : null}

      {d.result ? (
        <section className="card" data-testid="result">
          <h2>{c.state === "confirmed" ? "评选结果" : d.result.turnout.met ? "投票结果（等村委确认后公布）" : "投票结果（投票率不够，结果无效）"}</h2>
          <Turnout result={d.result} voters={c.voters} />
          {d.result.categories.map((k) => (
            <CategoryResult key={k.id} k={k} pending={c.state !== "confirmed"} />
          ))}
        </section>
      ) : null}
    </>
  );
}

function Candidates({ d }: { d: Data }) {
  return (
    <section className="card">
      <h2>候选人</h2>
      {d.categories.map((k) => {
        const list = d.candidates.filter((x) => x.category_id === k.id);
        return (
          <div key={k.id}>
            <h3>{k.name}（评 {k.winners} 个）</h3>
            {list.length === 0 ? <p className="muted">还没有确定的候选</p> : null}
            <ul className="entries">
              {list.map((x) => (
                <li key={x.id}>
                  <div className="what">
                    <div>{x.label}</div>
                    <ul className="reasons">{x.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>
                  </div>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

function Ballots({ d, result, busy }: { d: Data; result: Reply; busy: boolean }) {
  const c = d.campaign;
  if (!d.canVote) {
    return (
      <section className="card">
        <h2>投票</h2>
        <p className="warn" data-testid="cannot-vote">{d.cannotVote}</p>
      </section>
    );
  }
  return (
    <>
      <p className="secret">投票 {formatTime(c.vote_until)} 截止，截止前可以改票。你投了谁只有你{c.voters === "household" ? "家" : ""}看得到；截止前谁都看不到票数。</p>
      {d.categories.map((k) => {
        const list = d.candidates.filter((x) => x.category_id === k.id);
        const mine = d.choices[String(k.id)] ?? [];
        const reply = result?.intent === "ballot" && result.target === k.id ? result : null;
        const err = reply && !reply.ok ? reply.errors[`choice-${k.id}`] ?? reply.errors._form : null;
        return (
          <section key={k.id} className="card" data-testid={`ballot-${k.id}`}>
            <h2>{k.name}</h2>
            {list.length === 0 ? (
              <p className="muted">这一类没有候选人</p>
            ) : (
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="ballot" />
                <input type="hidden" name="categoryId" value={k.id} />
                {reply?.ok ? <FormOk message={reply.ok} /> : null}
                <fieldset className="picks" aria-describedby={err ? `choice-${k.id}-err` : undefined}>
                  <legend>{k.winners === 1 ? "选 1 个" : `最多选 ${k.winners} 个`}{mine.length ? `（你${c.voters === "household" ? "家" : ""}已投：${mine.length} 个）` : ""}</legend>
                  {list.map((x) => (
                    <label key={x.id} className="check">
                      <input type={k.winners === 1 ? "radio" : "checkbox"} name="choice" value={x.id} defaultChecked={x.ids.some((id) => mine.includes(id))} />
                      <span>
                        {x.label}
                        <span className="reason-line">{x.reasons.slice(0, 2).join("；")}</span>
                      </span>
                    </label>
                  ))}
                  {err ? <p className="field-error" id={`choice-${k.id}-err`}>{err}</p> : null}
                </fieldset>
                <button type="submit" className="primary block" disabled={busy}>{mine.length ? "改票" : "投票"}</button>
              </Form>
            )}
          </section>
        );
      })}
    </>
  );
}
