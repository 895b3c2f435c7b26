import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import claimStyles from "~/claims/claims.css";
import { REVIEW_DONE } from "~/claims/labels";
import { FormError, FormOk } from "~/ui/field";
import { Pager } from "~/ui/pager";
import { idParam, requireRole } from "~/platform/access.server";
import { approveManyFromForm, reviewDoneSchema } from "~/claims/forms.server";
import { queueFilterSchema, reviewerOf, reviewQueue } from "~/claims/views.server";
import { formatTime } from "~/platform/format";
import { pageSchema, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "审核申报 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: claimStyles }];

const COMMITTEE = ["committee"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const q = new URL(request.url).searchParams;
  const filter = queueFilterSchema.parse({ rule: q.get("rule"), grid: q.get("grid"), filer: q.get("filer") });
  const queue = await reviewQueue(villageId, filter, pageSchema.parse(q.get("page")), await reviewerOf(access.viewer.userId));
  return { villageId, filter, done: reviewDoneSchema.parse(q.get("done")), ...queue };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const out = await approveManyFromForm(villageId, { userId: access.viewer.userId, role: access.role }, await readForm(request));
  if (!out.ok) return data({ ok: null, error: out.errors._form, failed: [] }, { status: out.status });
  return { ok: out.message, error: null, failed: out.failed ?? [] };
}

export default function ReviewQueue() {
  const { villageId, filter, done, rows, options, approvalsNeeded, total, page, pages } = useLoaderData<typeof loader>();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(filter.rule ? { rule: String(filter.rule) } : {}), ...(filter.grid ? { grid: String(filter.grid) } : {}), ...(filter.filer ? { filer: String(filter.filer) } : {}), page: String(p) })}`;
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <section className="card">
        <h1>审核申报（{total} 条待审）</h1>
        <p className="muted small">
          最早提交的排在最前。每条申报需要 {approvalsNeeded} 位村委委员通过；自己提交的、本户的申报由其他委员审核，这里不能勾选。
        </p>
        <p className="muted small"><Link to={`/v/${villageId}/notice`}>看公示栏 ›</Link></p>
        <Form method="get" className="filters">
          <div>
            <label htmlFor="q-rule">细则</label>
            <select id="q-rule" name="rule" defaultValue={filter.rule ?? ""}>
              <option value="">全部</option>
              {options.rules.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="q-grid">网格</label>
            <select id="q-grid" name="grid" defaultValue={filter.grid ?? ""}>
              <option value="">全部</option>
              {options.grids.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </div>
          <div>
            <label htmlFor="q-filer">提交人</label>
            <select id="q-filer" name="filer" defaultValue={filter.filer ?? ""}>
              <option value="">全部</option>
              {options.filers.map((f) => <option key={f.id} value={f.id}>{f.name}</option>)}
            </select>
          </div>
          <button type="submit" className="secondary">筛选</button>
        </Form>
      </section>
      <section className="card">
        <FormError message={result?.error} />
        <FormOk message={result ? result.ok : done ? `${REVIEW_DONE[done]}。等你审核的申报都处理完了${total ? "，剩下的需要其他委员审核" : ""}。` : null} />
        {result?.failed?.length ? (
          <ul className="form-error">{result.failed.map((f) => <li key={f.claimId}>#{f.claimId}：{f.message}</li>)}</ul>
        ) : null}
        {rows.length === 0 ? <p className="muted">没有待审核的申报。村民或网格员提交新的申报后会出现在这里。</p> : null}
        <Form method="post">
          <ul className="entries review-queue">
            {rows.map((c) => (
              <li key={c.id} className={c.blocked ? "blocked" : undefined} data-testid={`review-${c.id}`}>
                {/* The whole row (but the 查看 link) selects the claim: a finger-sized target, not a 24 px box. */}
                <label className="review-pick" htmlFor={`pick-${c.id}`}>
                  <input
                    type="checkbox" id={`pick-${c.id}`} name="claimId" value={c.id} disabled={c.blocked !== null}
                    aria-describedby={c.blocked ? `why-${c.id}` : undefined}
                  />
                  <span className="review-what">
                    <span className="review-title"><span className="review-no">#{c.id}</span> {c.rule}</span>
                    <span className="when">
                      {c.household}号户 {c.member} · <span className="nowrap">{formatTime(c.occurred_at).slice(0, 10)}</span> · <span className="nowrap">{c.quantity}{c.unit === "hour" ? "小时" : "次"}</span>
                      {c.photos ? ` · ${c.photos} 张照片` : ""}
                    </span>
                    <span className="when">
                      提交：{c.filer} · <span className="nowrap">{c.waitingDays ? `已等 ${c.waitingDays} 天` : "今天提交"}</span>
                      {c.approvedBy.length ? ` · 已通过：${c.approvedBy.join("、")}` : ""}
                    </span>
                    {c.blocked ? <span className="review-why" id={`why-${c.id}`}>{c.blocked}</span> : null}
                  </span>
                </label>
                <div className="review-side">
                  <span className={`amount ${c.points > 0 ? "plus" : "minus"}`}>{c.points > 0 ? `+${c.points}` : c.points}</span>
                  <Link className="review-open" to={`/v/${villageId}/review/${c.id}`} aria-label={`查看 #${c.id} ${c.rule}（${c.member}）`}>
                    查看<span aria-hidden="true"> ›</span>
                  </Link>
                </div>
              </li>
            ))}
          </ul>
          {rows.length ? <button type="submit" className="primary block" disabled={busy}>通过选中的申报</button> : null}
        </Form>
        <Pager page={page} pages={pages} link={pageLink} />
      </section>
    </>
  );
}
