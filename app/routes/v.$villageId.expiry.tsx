import crypto from "node:crypto";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import expiryStyles from "~/expiry/expiry.css";
import { EXPIRY_LIMITS, EXPIRY_MODE_WORDS, periodWords } from "~/expiry/labels";
import { expiriesQuerySchema, reverseExpiry, reverseExpirySchema, villageExpiries, villagePolicy } from "~/expiry/expiry.server";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { formatTime } from "~/platform/format";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { FormError, FormOk } from "~/ui/field";
import { Pager } from "~/ui/pager";

export const meta: MetaFunction = () => [{ title: "积分过期 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: expiryStyles }];

const COMMITTEE = ["committee"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, COMMITTEE, villageId);
  const url = new URL(request.url);
  const query = expiriesQuerySchema.safeParse({ page: url.searchParams.get("page"), number: url.searchParams.get("number") });
  if (!query.success) throw new Response(query.error.issues[0].message, { status: 400 });
  const { page, number } = query.data;
  const [list, policy] = await Promise.all([villageExpiries(villageId, page, number), villagePolicy(villageId)]);
  // A key per row, made now: a double tap or a resent form reverses once.
  const rows = list.rows.map((r) => ({ ...r, key: crypto.randomBytes(16).toString("hex") }));
  return { ...list, rows, number, mode: EXPIRY_MODE_WORDS[policy.mode], months: policy.mode === "months" ? policy.months : null };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const form = formToObject(await readForm(request));
  const txnId = /^\d{1,12}$/.test(form.txnId ?? "") ? Number(form.txnId) : null;
  const parsed = reverseExpirySchema.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    // Only the reason is typed; anything else wrong is a stale or forged form.
    const shown: Record<string, string> = errors.reason && !errors.txnId && !errors.key ? { reason: errors.reason } : { _form: errors.txnId ?? errors.key ?? "请求有误，请刷新页面后再试" };
    return data({ ok: null, errors: shown, txnId, values: echoValues(form, ["reason"]) }, { status: 400 });
  }
  const out = await reverseExpiry(actorOf(access), villageId, parsed.data);
  if (!out.ok) return data({ ok: null, errors: out.errors, txnId, values: echoValues(form, ["reason"]) }, { status: out.status ?? 400 });
  return { ok: "已撤销这笔过期，积分已退回到这户。", errors: {} as Record<string, string>, txnId, values: null };
}

export default function Expiries() {
  const { rows, page, pages, total, number, mode, months } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  // A reason refused for a row no longer on this page (another page, a stale form): said at the top.
  const lost = errors.reason && !rows.some((r) => r.txnId === result?.txnId) ? errors.reason : null;
  return (
    <section className="card">
      <h1>积分过期</h1>
      <p className="muted">本村设置：{mode}{months ? `（${months} 个月）` : ""}。过期由系统按设置自动办理；办错了可以撤销，积分退回到这户，撤销要写明理由。</p>
      <FormOk message={result?.ok} />
      <FormError message={errors._form} />
      {lost ? <p className="field-error" id="f-reason-err" role="alert">撤销理由：{lost}</p> : null}
      <Form method="get" className="expiry-find">
        <label htmlFor="f-number">只看一户（填户号）</label>
        <div className="row">
          <input id="f-number" name="number" inputMode="numeric" maxLength={20} defaultValue={number} />
          <button type="submit" className="secondary">查看</button>
        </div>
      </Form>
      {total === 0 ? <p className="muted">{number ? `${number}号户没有过期的积分。` : "还没有过期的积分。"}</p> : <p className="muted">{number ? `${number}号户` : ""}共 {total} 笔。</p>}
      <ul className="expiry-list">
        {rows.map((r) => (
          <li key={r.txnId} data-testid="expiry-row">
            <div className="what">
              <strong>{r.number}号户</strong>
              {r.head ? ` ${r.head}` : ""} · {periodWords(r.period)}过期 <strong>{r.points}</strong> 分
            </div>
            <div className="muted small">{formatTime(r.at)}</div>
            {r.reversedAt !== null ? (
              <p className="small">已于 {formatTime(r.reversedAt)} 撤销{r.reversedMemo ? `：${r.reversedMemo.replace(/^撤销积分过期：/, "")}` : ""}</p>
            ) : (
              <details open={result?.txnId === r.txnId && !result?.ok ? true : undefined}>
                <summary>撤销这笔过期</summary>
                <Form method="post" noValidate>
                  <input type="hidden" name="txnId" value={r.txnId} />
                  <input type="hidden" name="key" value={r.key} />
                  <label htmlFor={`f-reason-${r.txnId}`}>撤销理由（必填，会记入操作记录）</label>
                  <input
                    id={`f-reason-${r.txnId}`}
                    name="reason"
                    maxLength={EXPIRY_LIMITS.reasonMax}
                    defaultValue={result?.txnId === r.txnId ? result?.values?.reason ?? "" : ""}
                    aria-invalid={result?.txnId === r.txnId && errors.reason ? true : undefined}
                    aria-describedby={result?.txnId === r.txnId && errors.reason ? "f-reason-err" : undefined}
                  />
                  {result?.txnId === r.txnId && errors.reason ? <p className="field-error" id="f-reason-err">{errors.reason}</p> : null}
                  <button type="submit" className="primary block" disabled={busy}>撤销，退回 {r.points} 分</button>
                </Form>
              </details>
            )}
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} link={(p) => `?${new URLSearchParams({ ...(number ? { number } : {}), page: String(p) })}`} />
    </section>
  );
}
