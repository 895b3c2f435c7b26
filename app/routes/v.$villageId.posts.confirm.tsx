import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/posts/posts.css";
import { idParam } from "~/platform/access.server";
import { formatMonth } from "~/platform/format";
import { POST_LIMITS } from "~/posts/labels";
import { confirmAction, confirmPage, type PostReply } from "~/posts/pages.server";
import { FormError, FormOk } from "~/ui/field";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "岗位履职确认 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return confirmPage(request, idParam(params.villageId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  return confirmAction(request, idParam(params.villageId));
}

export default function ConfirmPosts() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PostReply | undefined;
  const busy = useNavigation().state === "submitting";
  const known = result && d.rows.some((r) => r.holdingId === result.target);
  const waiting = d.rows.filter((r) => !r.record).length;
  return (
    <>
      <h1>岗位履职确认</h1>
      <section className="card">
        <p className="muted small">
          {d.role === "committee" ? "村委委员可以确认本村所有在岗的人。" : d.gridCount ? "你是网格员：这里是你网格里在岗的人。" : "你还不是哪个网格的网格员，没有要确认的人。"}
          确认“已履职”会为他申报当月岗位积分，经审核和公示后到账。不能确认自己和本户的岗位。
        </p>
        <Form method="get" className="month-form">
          <div>
            <label htmlFor="month">月份</label>
            <select id="month" name="month" defaultValue={d.month}>
              {d.months.map((m) => <option key={m} value={m}>{formatMonth(m)}</option>)}
            </select>
          </div>
          <button type="submit" className="secondary">查看</button>
        </Form>
        <p><strong>{formatMonth(d.month)}</strong>：{d.rows.length} 人，待确认 {waiting} 人</p>
      </section>
      {result && !known && !result.ok ? <FormError message={result.errors._form ?? Object.values(result.errors)[0] ?? "请求有误，请刷新页面后再试"} /> : null}
      <section className="card">
        {d.rows.length === 0 ? <p className="muted">这个月没有要确认的人</p> : null}
        {d.rows.map((r) => {
          const mine = result?.target === r.holdingId ? result : undefined;
          const err = mine && !mine.ok ? mine.errors : {};
          return (
            <div className="confirm-row" key={r.holdingId} data-holding={r.holdingId}>
              <span className="who">{r.member}（{r.household}）</span>
              <span className="sub">{r.post} · 每月 {r.allowance} 分{r.grid ? ` · ${r.grid}` : ""}</span>
              {mine?.ok ? <FormOk message={mine.ok} /> : null}
              {err._form ? <p className="form-error" role="alert">{err._form}</p> : null}
              {r.record ? (
                <p className={`post-status ${r.record.done ? "done" : "missed"}`}>
                  {r.record.done ? "已确认履职" : `未履职：${r.record.reason ?? ""}`}
                </p>
              ) : (
                <>
                  <Form method="post" noValidate key={`d${r.holdingId}-${mine?.stamp ?? 0}`}>
                    <input type="hidden" name="intent" value="done" />
                    <input type="hidden" name="holdingId" value={r.holdingId} />
                    <input type="hidden" name="month" value={d.month} />
                    <button type="submit" className="primary yes" disabled={busy}>已履职，确认</button>
                  </Form>
                  <details open={err.reason ? true : undefined}>
                    <summary>没有履职</summary>
                    <Form method="post" noValidate className="post-actions">
                      <input type="hidden" name="intent" value="not_done" />
                      <input type="hidden" name="holdingId" value={r.holdingId} />
                      <input type="hidden" name="month" value={d.month} />
                      <div>
                        <label htmlFor={`reason-${r.holdingId}`}>原因</label>
                        <input
                          id={`reason-${r.holdingId}`}
                          name="reason"
                          maxLength={POST_LIMITS.reason}
                          defaultValue={mine && !mine.ok ? mine.values?.reason : undefined}
                          aria-invalid={err.reason ? true : undefined}
                          aria-describedby={err.reason ? `reason-${r.holdingId}-err` : undefined}
                        />
                        {err.reason ? <p className="field-error" id={`reason-${r.holdingId}-err`}>{err.reason}</p> : null}
                      </div>
                      <button type="submit" className="secondary" disabled={busy}>记为未履职</button>
                    </Form>
                  </details>
                </>
              )}
            </div>
          );
        })}
        {d.page > 1 || d.more ? (
          <nav className="pager" aria-label="翻页">
            {d.page > 1 ? <Link to={`?month=${d.month}&page=${d.page - 1}`}>‹ 上一页</Link> : <span />}
            <span className="muted">第 {d.page} 页</span>
            {d.more ? <Link to={`?month=${d.month}&page=${d.page + 1}`}>下一页 ›</Link> : <span />}
          </nav>
        ) : null}
      </section>
    </>
  );
}
