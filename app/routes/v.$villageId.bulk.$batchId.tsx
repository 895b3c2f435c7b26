import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import styles from "~/bulk/bulk.css";
import { batchView, BulkError } from "~/bulk/bulk.server";
import { approveBatchFromForm } from "~/bulk/forms.server";
import { BATCH_STATUS_LABELS } from "~/bulk/labels";
import { CLAIM_STATUS_LABELS } from "~/claims/labels";
import { idParam, notFound, requireRole } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { readForm } from "~/platform/validation.server";
import { FormError, FormOk } from "~/ui/field";
import type { ClaimStatus } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "批量发放 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

const COMMITTEE = ["committee"] as const;

async function viewOr404(villageId: number, batchId: number) {
  try {
    return await batchView(villageId, batchId);
  } catch (e) {
    if (e instanceof BulkError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const view = await viewOr404(villageId, idParam(params.batchId));
  return { villageId, ...view, mine: view.batch.filer_user_id === access.viewer.userId };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const batchId = idParam(params.batchId);
  await viewOr404(villageId, batchId);
  const form = await readForm(request);
  if (form.get("intent") !== "approve_all") return data({ ok: null, error: "请求有误，请刷新页面后再试", failed: [] }, { status: 400 });
  const out = await approveBatchFromForm(villageId, batchId, { userId: access.viewer.userId, role: access.role });
  if (!out.ok) return data({ ok: null, error: out.error, failed: [] }, { status: out.status });
  return { ok: out.message, error: null, failed: out.failed };
}

const SHOWN: ClaimStatus[] = ["pending", "notice", "objected", "credited", "rejected", "revoked"];

export default function BulkBatch() {
  const { villageId, batch, claims, skipped, mine } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const revalidator = useRevalidator();
  const filing = batch.status === "filing";
  const done = batch.filed + batch.skipped;
  const percent = Math.min(100, Math.round((done / batch.households) * 100));
  // While it is being filed: look again every two seconds (without JavaScript: the meta refresh below).
  useEffect(() => {
    if (!filing) return;
    const t = setInterval(() => {
      if (revalidator.state === "idle" && document.visibilityState === "visible") revalidator.revalidate();
    }, 2000);
    return () => clearInterval(t);
  }, [filing, revalidator]);
  const pending = claims.pending?.n ?? 0;
  return (
    <>
      <section className="card" data-testid="bulk-batch">
        {filing ? <noscript><meta httpEquiv="refresh" content="3" /></noscript> : null}
        <p className="bulk-back"><Link to={`/v/${villageId}/bulk`}>‹ 批量发放</Link></p>
        <div className="bulk-head">
          <h1>{batch.rule}</h1>
          <span className={`tag ${filing ? "tag-warn" : "tag-ok"}`} data-testid="bulk-status">{BATCH_STATUS_LABELS[batch.status]}</span>
        </div>
        <dl className="facts">
          <dt>发给</dt><dd>{batch.chosen}</dd>
          <dt>每户</dt><dd><span className="amount plus">+{batch.points}</span> 分</dd>
          <dt>日期</dt><dd>{formatTime(batch.occurred_at).slice(0, 10)}</dd>
          {batch.note ? <><dt>说明</dt><dd>{batch.note}</dd></> : null}
          <dt>登记人</dt><dd>{batch.filer} · {formatTime(batch.created_at).slice(0, 16)}</dd>
        </dl>
        <p>
          已处理 <strong data-testid="bulk-done">{done}</strong> / {batch.households} 户：<span className="nowrap">登记 <strong data-testid="bulk-filed">{batch.filed}</strong> 户</span>，<span className="nowrap">共 <strong>{batch.filed * batch.points}</strong> 分</span>
          {batch.skipped ? <span className="nowrap">；跳过 {batch.skipped} 户</span> : null}
        </p>
        <div className="bulk-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label="登记进度">
          <span style={{ width: `${percent}%` }} />
        </div>
        {filing ? <p className="muted small bulk-back">正在登记，页面会自动更新。<Link to=".">刷新</Link></p> : null}
        <div className="bulk-statuses">
          {SHOWN.filter((s) => claims[s]).map((s) => (
            <div key={s} data-testid={`bulk-claims-${s}`}>
              <strong>{claims[s].n}</strong>
              <span className="muted small">{CLAIM_STATUS_LABELS[s]}</span>
            </div>
          ))}
        </div>
        <FormOk message={result?.ok} />
        <FormError message={result?.error} />
        {result?.failed?.length ? <ul className="form-error">{result.failed.map((f) => <li key={f.claimId}>#{f.claimId}：{f.message}</li>)}</ul> : null}
        <div className="bulk-links">
          {pending && !mine ? (
            <Form method="post">
              <input type="hidden" name="intent" value="approve_all" />
              <button type="submit" className="primary block" disabled={busy} data-testid="bulk-approve-all">
                {busy ? "正在审核…" : `本批 ${pending} 条全部审核通过`}
              </button>
            </Form>
          ) : null}
          {pending && mine ? <p className="muted small">这批是你登记的，需要另一位村委委员审核。</p> : null}
          {pending ? <Link className="button" to={`/v/${villageId}/review?rule=${batch.rule_id}&filer=${batch.filer_user_id}`}>逐条审核 ›</Link> : null}
        </div>
      </section>
      {skipped.length ? (
        <section className="card">
          <h2>跳过的 {batch.skipped} 户</h2>
          <ul className="bulk-refused">
            {skipped.map((s) => <li key={s.id}><span className="nowrap">{s.number}号户{s.head ? ` ${s.head}` : ""}</span>：{s.reason}</li>)}
          </ul>
          {batch.skipped > skipped.length ? <p className="muted small">只列出前 {skipped.length} 户。</p> : null}
        </section>
      ) : null}
    </>
  );
}
