import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/posts/posts.css";
import { idParam } from "~/platform/access.server";
import { formatMonth } from "~/platform/format";
import { HOLDING_STATUS_LABELS, POST_LIMITS, POST_SUGGESTIONS } from "~/posts/labels";
import { committeeAction, committeePage, type PostReply } from "~/posts/pages.server";
import { FormError, FormOk } from "~/ui/field";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "定岗认责 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return committeePage(request, idParam(params.villageId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  return committeeAction(request, idParam(params.villageId));
}

interface PostValues {
  name?: string;
  duties?: string;
  allowance?: string | number;
  seats?: string | number;
}

/** The post's fields; `id` keeps each form's ids apart. */
function PostFields({ id, values, errors }: { id: string; values: PostValues; errors: Record<string, string> }) {
  const field = (name: keyof PostValues) => ({
    id: `${id}-${name}`,
    name,
    "aria-invalid": errors[name] ? true : undefined,
    "aria-describedby": errors[name] ? `${id}-${name}-err` : undefined,
  });
  const error = (name: keyof PostValues) => (errors[name] ? <p className="field-error" id={`${id}-${name}-err`}>{errors[name]}</p> : null);
  return (
    <>
      <div>
        <label htmlFor={`${id}-name`}>岗位名称</label>
        <input {...field("name")} list="post-suggestions" maxLength={POST_LIMITS.name} autoComplete="off" defaultValue={values.name} />
        {error("name")}
      </div>
      <div>
        <label htmlFor={`${id}-duties`}>岗位职责</label>
        <textarea {...field("duties")} maxLength={POST_LIMITS.duties} defaultValue={values.duties} />
        {error("duties")}
      </div>
      <div className="two">
        <div>
          <label htmlFor={`${id}-allowance`}>每月积分</label>
          <input {...field("allowance")} inputMode="numeric" autoComplete="off" defaultValue={values.allowance} />
          {error("allowance")}
        </div>
        <div>
          <label htmlFor={`${id}-seats`}>最多几人</label>
          <input {...field("seats")} inputMode="numeric" autoComplete="off" defaultValue={values.seats} />
          {error("seats")}
        </div>
      </div>
    </>
  );
}

function ReasonForm({ intent, holdingId, label, button, result, busy }: { intent: string; holdingId: number; label: string; button: string; result?: PostReply; busy: boolean }) {
  const mine = result?.intent === intent && result.target === holdingId && !result.ok ? result : undefined;
  const id = `${intent}-${holdingId}`;
  return (
    <details open={mine ? true : undefined}>
      <summary>{label}</summary>
      <Form method="post" noValidate className="post-actions">
        <input type="hidden" name="intent" value={intent} />
        <input type="hidden" name="holdingId" value={holdingId} />
        <div>
          <label htmlFor={id}>原因</label>
          <input id={id} name="reason" maxLength={POST_LIMITS.reason} defaultValue={mine?.values?.reason} aria-invalid={mine?.errors.reason ? true : undefined} aria-describedby={mine?.errors.reason ? `${id}-err` : undefined} />
          {mine?.errors.reason ? <p className="field-error" id={`${id}-err`}>{mine.errors.reason}</p> : null}
        </div>
        <button type="submit" className="secondary" disabled={busy}>{button}</button>
      </Form>
    </details>
  );
}

export default function CommitteePosts() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PostReply | undefined;
  const busy = useNavigation().state === "submitting";
  const about = (intent: string[], target: number) => (result && intent.includes(result.intent) && result.target === target ? result : undefined);
  const createErr = result?.intent === "post.create" && !result.ok ? result.errors : {};
  const shownElsewhere =
    result &&
    (result.intent === "post.create" ||
      (result.target !== null &&
        (d.posts.some((p) => p.id === result.target && result.intent.startsWith("post.")) ||
          [...d.holdings.applied, ...d.holdings.active].some((h) => h.id === result.target && result.intent.startsWith("holding.") && result.intent !== "holding.appoint") ||
          (result.intent === "holding.appoint" && d.found.some((m) => m.id === result.target)))));
  const active = d.posts.filter((p) => p.active);
  return (
    <>
      <h1>定岗认责</h1>
      <datalist id="post-suggestions">{POST_SUGGESTIONS.map((s) => <option key={s} value={s} />)}</datalist>
      <section className="card">
        <p className="muted small">岗位每月补贴积分：网格员或村委确认当月履职后自动申报，经审核和公示后到账。每个岗位有一条自己的积分细则“定岗：岗位名称”，每人每月一次。</p>
        <p><Link to={`/v/${d.villageId}/posts/confirm`} className="button">去确认本月履职</Link></p>
      </section>
      {result && !shownElsewhere && !result.ok ? <FormError message={result.errors._form ?? Object.values(result.errors)[0] ?? "请求有误，请刷新页面后再试"} /> : null}
      {result && !shownElsewhere && result.ok ? <FormOk message={result.ok} /> : null}

      <section className="card">
        <h2>待处理的申请（{d.holdings.applied.length}）</h2>
        {d.holdings.applied.length === 0 ? <p className="muted">没有待处理的申请</p> : null}
        <ul className="post-list">
          {d.holdings.applied.map((h) => {
            const mine = about(["holding.accept", "holding.refuse"], h.id);
            return (
              <li key={h.id}>
                <span className="title">{h.member}（{h.household}）申请{h.post}</span>
                {h.note ? <span className="sub">说明：{h.note}</span> : null}
                {mine?.ok ? <FormOk message={mine.ok} /> : null}
                {mine && !mine.ok && mine.errors._form ? <p className="form-error" role="alert">{mine.errors._form}</p> : null}
                <Form method="post" noValidate>
                  <input type="hidden" name="intent" value="holding.accept" />
                  <input type="hidden" name="holdingId" value={h.id} />
                  <button type="submit" className="primary" disabled={busy}>同意</button>
                </Form>
                <ReasonForm intent="holding.refuse" holdingId={h.id} label="不同意" button="回复不同意" result={result} busy={busy} />
              </li>
            );
          })}
        </ul>
      </section>

      <section className="card">
        <h2>本村岗位（{d.posts.length}）</h2>
        {d.posts.length === 0 ? <p className="muted">还没有设岗位，在下面新设</p> : null}
        <ul className="post-list">
          {d.posts.map((p) => {
            const mine = about(["post.update", "post.end", "post.reopen"], p.id);
            const err = mine && !mine.ok ? mine.errors : {};
            const holders = d.holdings.active.filter((h) => h.postId === p.id);
            return (
              <li key={p.id}>
                <span className="title">{p.name}{p.active ? "" : "（已撤销）"}</span>
                <span className="sub">每月 {p.allowance} 分 · 在岗 {p.holders} / {p.seats} 人{p.waiting ? ` · ${p.waiting} 份申请待处理` : ""}</span>
                {p.duties ? <p className="duties">{p.duties}</p> : null}
                {mine?.ok ? <FormOk message={mine.ok} /> : null}
                {err._form ? <p className="form-error" role="alert">{err._form}</p> : null}
                {holders.length ? (
                  <ul className="month-record" aria-label={`${p.name}在岗`}>
                    {holders.map((h) => {
                      // An accepted application moves here from the list above: its answer shows here too.
                      const ended = about(["holding.end", "holding.accept"], h.id);
                      return (
                        <li key={h.id}>
                          {h.member}（{h.household}）{h.startMonth ? `，${formatMonth(h.startMonth)}起` : ""}
                          {ended?.ok ? <FormOk message={ended.ok} /> : null}
                          {ended && !ended.ok && ended.errors._form ? <p className="form-error" role="alert">{ended.errors._form}</p> : null}
                          <ReasonForm intent="holding.end" holdingId={h.id} label="卸任" button="确认卸任" result={result} busy={busy} />
                        </li>
                      );
                    })}
                  </ul>
                ) : null}
                {p.active ? (
                  <details open={mine?.intent === "post.update" && !mine.ok ? true : undefined}>
                    <summary>修改岗位</summary>
                    <Form method="post" noValidate className="post-form" key={`u${p.id}-${mine?.stamp ?? 0}`}>
                      <input type="hidden" name="intent" value="post.update" />
                      <input type="hidden" name="postId" value={p.id} />
                      <PostFields id={`p${p.id}`} values={mine?.intent === "post.update" && !mine.ok ? mine.values ?? {} : p} errors={mine?.intent === "post.update" ? err : {}} />
                      <button type="submit" className="primary" disabled={busy}>保存</button>
                    </Form>
                    {/* Inside 修改岗位: ending a post ends its holders, so it is not one stray tap away. */}
                    <Form method="post" noValidate>
                      <input type="hidden" name="intent" value="post.end" />
                      <input type="hidden" name="postId" value={p.id} />
                      <p className="muted small">撤销后在岗的人都卸任，积分细则停用；请先确认本月履职。</p>
                      <button type="submit" className="secondary" disabled={busy}>撤销岗位</button>
                    </Form>
                  </details>
                ) : (
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="post.reopen" />
                    <input type="hidden" name="postId" value={p.id} />
                    <button type="submit" className="secondary" disabled={busy}>恢复岗位</button>
                  </Form>
                )}
              </li>
            );
          })}
        </ul>
      </section>

      <section className="card">
        <h2>任命</h2>
        <Form method="get" className="month-form">
          <div>
            <label htmlFor="q">找村民（姓名或户号）</label>
            <input id="q" name="q" maxLength={POST_LIMITS.search} defaultValue={d.q} autoComplete="off" />
          </div>
          <button type="submit" className="secondary">查找</button>
        </Form>
        {d.q && d.found.length === 0 ? <p className="muted">没有找到“{d.q}”</p> : null}
        <ul className="post-list">
          {d.found.map((m) => {
            const mine = about(["holding.appoint"], m.id);
            return (
              <li key={m.id}>
                <span className="title">{m.name}（{m.household}）</span>
                {mine?.ok ? <FormOk message={mine.ok} /> : null}
                {mine && !mine.ok ? <p className="form-error" role="alert">{mine.errors._form ?? mine.errors.postId ?? mine.errors.memberId}</p> : null}
                {active.length ? (
                  <Form method="post" noValidate className="post-actions">
                    <input type="hidden" name="intent" value="holding.appoint" />
                    <input type="hidden" name="memberId" value={m.id} />
                    <div>
                      <label htmlFor={`post-${m.id}`}>岗位</label>
                      <select id={`post-${m.id}`} name="postId">
                        {active.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                      </select>
                    </div>
                    <button type="submit" className="primary" disabled={busy}>任命</button>
                  </Form>
                ) : <span className="sub">请先新设岗位</span>}
              </li>
            );
          })}
        </ul>
      </section>

      <section className="card">
        <h2>新设岗位</h2>
        {result?.intent === "post.create" && result.ok ? <FormOk message={result.ok} /> : null}
        {createErr._form ? <p className="form-error" role="alert">{createErr._form}</p> : null}
        <Form method="post" noValidate className="post-form" key={`new-${result?.intent === "post.create" ? result.stamp ?? 0 : 0}`}>
          <input type="hidden" name="intent" value="post.create" />
          <PostFields id="new" values={result?.intent === "post.create" && !result.ok ? result.values ?? {} : {}} errors={createErr} />
          <button type="submit" className="primary" disabled={busy}>新设岗位</button>
        </Form>
      </section>

      {d.holdings.past.length ? (
        <section className="card">
          <h2>历史记录</h2>
          <ul className="post-list">
            {d.holdings.past.map((h) => (
              <li key={h.id}>
                <span className="title">{h.member}（{h.household}）· {h.post}</span>
                <span className="sub">
                  {HOLDING_STATUS_LABELS[h.status]}
                  {h.startMonth ? `，${formatMonth(h.startMonth)}起` : ""}
                  {h.endMonth ? `，${formatMonth(h.endMonth)}止` : ""}
                  {h.reason ? `，原因：${h.reason}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
