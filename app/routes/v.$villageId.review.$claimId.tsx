import { PhotoStrip } from "~/ui/photo-strip";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ClaimStatusLine } from "~/claims/status";
import claimStyles from "~/claims/claims.css";
import { EntryList } from "~/ledger/entries";
import { FormError, FormOk } from "~/ui/field";
import { idParam, notFound, requireRole } from "~/platform/access.server";
import { afterDecision, decideFromForm, reviewDoneSchema } from "~/claims/forms.server";
import { CLAIM_LIMITS, REVIEW_DONE } from "~/claims/labels";
import { claimDetail, nextToReview, reviewerOf } from "~/claims/views.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "申报详情 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: claimStyles }];

const COMMITTEE = ["committee"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const claimId = idParam(params.claimId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const reviewer = await reviewerOf(access.viewer.userId);
  const detail = await claimDetail(villageId, claimId, reviewer);
  if (!detail) notFound();
  const done = reviewDoneSchema.parse(new URL(request.url).searchParams.get("done"));
  // A claim this member may not decide points on to one they may.
  const next = detail.blocked ? await nextToReview(villageId, reviewer) : null;
  return { villageId, me: access.viewer.userId, done, next, ...detail };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const claimId = idParam(params.claimId);
  const access = await requireRole(request, COMMITTEE, villageId);
  if (!(await claimDetail(villageId, claimId, await reviewerOf(access.viewer.userId)))) notFound();
  const raw = formToObject(await readForm(request));
  const out = await decideFromForm(villageId, claimId, { userId: access.viewer.userId, role: access.role }, raw);
  if (!out.ok) return data({ ok: null, intent: raw.intent ?? "", objectionId: raw.objectionId ?? "", errors: out.errors }, { status: out.status });
  // Approved or rejected: straight on to the next claim waiting for this member (303: a GET there).
  if (out.done) throw redirect(await afterDecision(villageId, access.viewer.userId, out.done), 303);
  return { ok: out.message, intent: raw.intent ?? "", objectionId: "", errors: {} as Record<string, string> };
}

function ReasonForm({ intent, label, button, errors, busy, extra }: { intent: string; label: string; button: string; errors?: Record<string, string>; busy: boolean; extra?: Record<string, string | number> }) {
  const name = intent === "uphold" || intent === "dismiss" ? "note" : "reason";
  const id = `f-${intent}${extra?.objectionId ?? ""}`;
  const error = errors?.[name];
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="intent" value={intent} />
      {extra ? Object.entries(extra).map(([k, v]) => <input key={k} type="hidden" name={k} value={v} />) : null}
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} maxLength={CLAIM_LIMITS.reason} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} />
      {error ? <p className="field-error" id={`${id}-err`}>{error}</p> : null}
      <button type="submit" className="secondary block" disabled={busy}>{button}</button>
    </Form>
  );
}

/** One note, two outcomes: the button pressed sends the intent (works without JavaScript). */
function ResolveForm({ objectionId, errors, busy }: { objectionId: number; errors?: Record<string, string>; busy: boolean }) {
  const id = `f-objection${objectionId}`;
  const error = errors?.note;
  return (
    <Form method="post" noValidate>
      <input type="hidden" name="objectionId" value={objectionId} />
      <label htmlFor={id}>核实情况</label>
      <input id={id} name="note" maxLength={CLAIM_LIMITS.reason} autoComplete="off" aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-err` : undefined} />
      {error ? <p className="field-error" id={`${id}-err`}>{error}</p> : null}
      <button type="submit" name="intent" value="dismiss" className="secondary block" disabled={busy}>异议不成立，继续公示</button>
      <button type="submit" name="intent" value="uphold" className="secondary block" disabled={busy}>异议成立，驳回申报</button>
    </Form>
  );
}

export default function ClaimReview() {
  const { villageId, me, done, next, claim, grid, filerUserId, photos, approvals, objections, recentClaims, recentEntries, blocked } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errs = (intent: string, objectionId = "") => (result && !result.ok && result.intent === intent && result.objectionId === objectionId ? result.errors : undefined);
  const generalError = result && !result.ok ? (result.errors._form ?? null) : null;
  const mine = filerUserId === me;
  return (
    <>
      <section className="card">
        <p className="muted small"><Link to={`/v/${villageId}/review`} className="back">‹ 审核列表</Link></p>
        <h1>申报 #{claim.id}：{claim.rule}</h1>
        <FormError message={generalError} />
        <FormOk message={result ? result.ok : done ? `${REVIEW_DONE[done]}。下面是下一条等你审核的申报。` : null} />
        <p className={`amount big ${claim.points > 0 ? "plus" : "minus"}`}>{claim.points > 0 ? `+${claim.points}` : claim.points} 分</p>
        <ClaimStatusLine claim={claim} />
        <dl className="facts">
          <dt>成员</dt><dd>{claim.household}号户 {claim.member}{grid ? `（${grid}）` : ""}</dd>
          <dt>日期</dt><dd>{formatTime(claim.occurred_at).slice(0, 10)} · {claim.quantity}{claim.unit === "hour" ? " 小时" : " 次"}</dd>
          <dt>说明</dt><dd>{claim.note || "无"}</dd>
          <dt>提交人</dt><dd>{claim.filer}{mine ? "（你自己）" : ""}</dd>
          <dt>已通过</dt><dd>{approvals.length ? approvals.map((a) => a.name).join("、") : "还没有"}</dd>
        </dl>
        {photos.length ? (
          <PhotoStrip base={`/v/${villageId}/photos`} keys={photos.map((p) => p.key)} alt="证据照片" />
        ) : <p className="muted">没有照片</p>}
      </section>
      {claim.status === "pending" ? (
        <section className="card">
          <h2>审核</h2>
          {blocked ? (
            <>
              <p className="review-blocked" data-testid="review-blocked">{blocked}</p>
              {next ? <Link to={`/v/${villageId}/review/${next}`} className="button secondary block">看下一条等你审核的申报 ›</Link> : null}
            </>
          ) : (
            <>
              <Form method="post">
                <input type="hidden" name="intent" value="approve" />
                <button type="submit" className="primary block" disabled={busy}>通过</button>
              </Form>
              <ReasonForm intent="reject" label="驳回理由" button="驳回" errors={errs("reject")} busy={busy} />
              <p className="muted small elder-hide">通过或驳回后，会直接打开下一条等你审核的申报。</p>
            </>
          )}
        </section>
      ) : null}
      {objections.length ? (
        <section className="card">
          <h2>异议</h2>
          {objections.map((o) => (
            <div key={o.id} className="objection">
              <p>{o.objector}（{formatTime(o.at)}）：{o.reason}</p>
              {o.status === "open" ? (
                o.objector_user_id === me ? <p className="muted">这是你提出的异议，请由其他委员处理</p> : (
                  <ResolveForm objectionId={o.id} errors={errs("dismiss", String(o.id)) ?? errs("uphold", String(o.id))} busy={busy} />
                )
              ) : <p className="muted">{o.status === "upheld" ? "异议成立" : "异议不成立"}：{o.resolution}</p>}
            </div>
          ))}
        </section>
      ) : null}
      {claim.status === "credited" ? (
        <section className="card">
          <h2>撤销</h2>
          <p className="muted">撤销会记一笔冲正，该户的积分明细里能看到。</p>
          <ReasonForm intent="revoke" label="撤销理由" button="撤销并冲正" errors={errs("revoke")} busy={busy} />
        </section>
      ) : null}
      <section className="card">
        <h2>该户最近的申报</h2>
        {recentClaims.length === 0 ? <p className="muted">没有其他申报</p> : (
          <ul className="entries tappable">
            {recentClaims.map((c) => (
              <li key={c.id}>
                <div className="what">
                  <Link className="open" to={`/v/${villageId}/review/${c.id}`}>#{c.id} {c.rule} · {c.member}</Link>
                  <ClaimStatusLine claim={c} />
                </div>
                <div className={`amount ${c.points > 0 ? "plus" : "minus"}`}>{c.points > 0 ? `+${c.points}` : c.points}</div>
              </li>
            ))}
          </ul>
        )}
        <h2>该户最近的积分记录</h2>
        <EntryList entries={recentEntries} />
      </section>
    </>
  );
}
