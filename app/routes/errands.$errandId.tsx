// One errand: what, for whom, where, by when, who took it; the buttons the viewer may press (接下,
// 不接了, 确认完成, 取消需求). Anyone of the village sees it; anyone else gets a 404.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import { CLAIM_STATUS_LABELS } from "~/claims/labels";
import errandStyles from "~/errands/errands.css";
import { ErrandStatusTag } from "~/errands/errand-list";
import { ErrandError, errandFor } from "~/errands/errands.server";
import { actFromForm } from "~/errands/forms.server";
import { ERRAND_LIMITS, POSTER_KIND_LABELS } from "~/errands/labels";
import { idParam, notFound, requireViewer, type Viewer } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";
import { FormError, FormOk } from "~/ui/field";
import type { ClaimStatus } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "代跑 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: errandStyles }];

async function load(viewer: Viewer, id: number) {
  try {
    return await errandFor(viewer, id);
  } catch (e) {
    if (e instanceof ErrandError && e.status === 404) notFound();
    throw e;
  }
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = idParam(params.errandId);
  const viewer = await requireViewer(request);
  return await load(viewer, id);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = idParam(params.errandId);
  const viewer = await requireViewer(request);
  await load(viewer, id);
  const out = await actFromForm(viewer, id, formToObject(await readForm(request)));
  if (out.ok) return { ok: out.message, errors: {} as Record<string, string> };
  return data({ ok: null, errors: out.errors }, { status: out.status === 404 ? 400 : out.status });
}

function day(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

export default function ErrandPage() {
  const { errand: e, can } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [search] = useSearchParams();
  const errors = result?.errors ?? {};
  return (
    <section className="card narrow errand-card">
      <p className="muted small"><Link to="/errands" className="back">‹ 代跑</Link></p>
      <h1 className="errand-title">{e.what}</h1>
      <p><ErrandStatusTag status={e.status} />{e.untaken ? <span className="tag tag-warn">一天没人接</span> : null}</p>
      <FormOk message={result?.ok ?? (search.get("posted") ? "需求已发布，本村村民都能看到。" : null)} />
      <FormError message={errors._form} />
      <dl>
        <dt>帮谁</dt><dd data-testid="errand-household">{e.household}</dd>
        <dt>地点</dt><dd>{e.place}</dd>
        <dt>截止</dt><dd>{day(e.dueAt)} 前</dd>
        <dt>发布</dt><dd>{e.posterName}（{POSTER_KIND_LABELS[e.posterKind]}） · {formatTime(e.createdAt)}</dd>
        {e.volunteerName ? <><dt>志愿者</dt><dd data-testid="errand-volunteer">{e.volunteerName}{e.takenAt ? ` · ${formatTime(e.takenAt)} 接下` : ""}</dd></> : null}
        {e.confirmedAt ? <><dt>完成</dt><dd>{formatTime(e.confirmedAt)} 确认</dd></> : null}
        {e.claimStatus ? <><dt>积分</dt><dd data-testid="errand-claim">+{e.claimPoints} 分 · {CLAIM_STATUS_LABELS[e.claimStatus as ClaimStatus] ?? e.claimStatus}</dd></> : null}
        {e.cancelledAt ? <><dt>取消</dt><dd>{formatTime(e.cancelledAt)}{e.cancelReason ? ` · ${e.cancelReason}` : ""}</dd></> : null}
      </dl>
      {can.note ? <p className="muted">{can.note}</p> : null}
      <div className="errand-actions">
        {can.take ? (
          <Form method="post">
            <button type="submit" name="intent" value="take" className="primary block" disabled={busy}>我来帮忙（接下）</button>
          </Form>
        ) : null}
        {can.confirm ? (
          <Form method="post">
            <p className="muted">办好了吗？确认后为志愿者 {e.volunteerName} 申报积分。</p>
            <button type="submit" name="intent" value="confirm" className="primary block" disabled={busy}>已经办好，确认完成</button>
          </Form>
        ) : null}
        {can.giveBack ? (
          <Form method="post">
            <button type="submit" name="intent" value="giveBack" className="secondary block" disabled={busy}>不接了（放回给别人）</button>
          </Form>
        ) : null}
        {can.cancel ? (
          <Form method="post">
            <input type="hidden" name="intent" value="cancel" />
            <label htmlFor="f-reason">{e.status === "taken" ? "取消原因（已经有人接了，必须写）" : "取消原因（选填）"}</label>
            <input
              id="f-reason" name="reason" type="text" maxLength={ERRAND_LIMITS.reason}
              aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? "f-reason-err" : undefined}
            />
            {errors.reason ? <p className="field-error" id="f-reason-err">{errors.reason}</p> : null}
            <button type="submit" className="secondary block" disabled={busy}>取消这条需求</button>
          </Form>
        ) : null}
      </div>
    </section>
  );
}
