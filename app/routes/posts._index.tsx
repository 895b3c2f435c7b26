import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/posts/posts.css";
import { CLAIM_STATUS_LABELS } from "~/claims/labels";
import { formatMonth } from "~/platform/format";
import { HOLDING_STATUS_LABELS, POST_LIMITS } from "~/posts/labels";
import { villagerAction, villagerPage, type PostReply } from "~/posts/pages.server";
import { FormError, FormOk } from "~/ui/field";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "定岗认责 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return villagerPage(request);
}

export async function action({ request }: ActionFunctionArgs) {
  return villagerAction(request);
}

export default function Posts() {
  const { posts, mine } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PostReply | undefined;
  const busy = useNavigation().state === "submitting";
  const open = new Set(mine.holdings.filter((h) => h.status === "applied" || h.status === "active").map((h) => h.postId));
  const known = result && posts.some((p) => p.id === result.target);
  return (
    <>
      <h1>定岗认责</h1>
      {result && !known && !result.ok ? <FormError message={result.errors._form ?? Object.values(result.errors)[0] ?? "请求有误，请刷新页面后再试"} /> : null}
      <section className="card">
        <h2>我的岗位</h2>
        {mine.holdings.length === 0 ? <p className="muted">还没有担任岗位。可以在下面申请。</p> : null}
        <ul className="post-list">
          {mine.holdings.map((h) => {
            const months = mine.months.filter((m) => m.holdingId === h.id);
            return (
              <li key={h.id}>
                <span className="title">{h.post} <span className="post-status">{HOLDING_STATUS_LABELS[h.status]}</span></span>
                {h.startMonth ? <span className="sub">{formatMonth(h.startMonth)}起{h.endMonth ? `，${formatMonth(h.endMonth)}卸任` : ""}</span> : null}
                {h.status === "refused" && h.reason ? <span className="sub">原因：{h.reason}</span> : null}
                {months.length ? (
                  <ul className="month-record" aria-label={`${h.post}每月履职`}>
                    {months.map((m) => (
                      <li key={m.month}>
                        {formatMonth(m.month)}：
                        {m.done ? (
                          <span className="post-status done">已履职{m.claimStatus ? `，积分${CLAIM_STATUS_LABELS[m.claimStatus as keyof typeof CLAIM_STATUS_LABELS] ?? ""}` : ""}</span>
                        ) : (
                          <span className="post-status missed">未履职{m.reason ? `：${m.reason}` : ""}</span>
                        )}
                      </li>
                    ))}
                  </ul>
                ) : h.status === "active" ? <span className="sub">每月由网格员或村委确认履职后申报积分</span> : null}
              </li>
            );
          })}
        </ul>
      </section>
      <section className="card">
        <h2>本村岗位</h2>
        {posts.length === 0 ? <p className="muted">村里还没有设岗位</p> : null}
        <ul className="post-list">
          {posts.map((p) => {
            const mineHere = result?.target === p.id ? result : undefined;
            const err = mineHere && !mineHere.ok ? mineHere.errors : {};
            return (
              <li key={p.id}>
                <span className="title">{p.name}</span>
                <span className="sub">每月 {p.allowance} 分 · 在岗 {p.holders} / {p.seats} 人</span>
                {p.duties ? <p className="duties">{p.duties}</p> : null}
                {mineHere?.ok ? <FormOk message={mineHere.ok} /> : null}
                {err._form ? <p className="form-error" role="alert">{err._form}</p> : null}
                {open.has(p.id) ? null : (
                  <Form method="post" noValidate className="post-actions" key={`a${p.id}-${mineHere?.stamp ?? 0}`}>
                    <input type="hidden" name="intent" value="apply" />
                    <input type="hidden" name="postId" value={p.id} />
                    <div>
                      <label htmlFor={`note-${p.id}`}>申请说明（可不填）</label>
                      <input
                        id={`note-${p.id}`}
                        name="note"
                        maxLength={POST_LIMITS.note}
                        defaultValue={mineHere && !mineHere.ok ? mineHere.values?.note : undefined}
                        aria-invalid={err.note ? true : undefined}
                        aria-describedby={err.note ? `note-${p.id}-err` : undefined}
                      />
                      {err.note ? <p className="field-error" id={`note-${p.id}-err`}>{err.note}</p> : null}
                    </div>
                    <button type="submit" className="primary" disabled={busy}>申请</button>
                  </Form>
                )}
              </li>
            );
          })}
        </ul>
      </section>
    </>
  );
}
