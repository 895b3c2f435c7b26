// One appeal for the committee: the entry appealed, its claim (rule, filer, approvers, 公示 dates),
// the household's reason and photos, and the decision: 维持 / 改为 / 撤销, with a reason.
import { PhotoStrip } from "~/ui/photo-strip";
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import appealStyles from "~/appeals/appeals.css";
import { appealDetail } from "~/appeals/appeals.server";
import { decideFromForm } from "~/appeals/forms.server";
import { APPEAL_LIMITS, signed, VERDICT_LABELS, type AppealVerdict } from "~/appeals/labels";
import { AppealStatusLine } from "~/appeals/status";
import { CLAIM_STATUS_LABELS } from "~/claims/labels";
import { idParam, notFound, requireRole } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";
import { FormError, FormOk } from "~/ui/field";

export const meta: MetaFunction = () => [{ title: "处理申诉 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

const COMMITTEE = ["committee"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const appealId = idParam(params.appealId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const detail = await appealDetail(villageId, appealId, access.viewer.userId);
  if (!detail) notFound();
  return { villageId, ...detail };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const appealId = idParam(params.appealId);
  const access = await requireRole(request, COMMITTEE, villageId);
  if (!(await appealDetail(villageId, appealId, access.viewer.userId))) notFound();
  const raw = formToObject(await readForm(request));
  const out = await decideFromForm(villageId, appealId, { userId: access.viewer.userId, role: access.role }, raw);
  if (!out.ok) return data({ ok: null, errors: out.errors, values: echoValues(raw, ["verdict", "note", "newPoints"]) }, { status: out.status });
  return { ok: out.message, errors: {} as Record<string, string>, values: null };
}

const day = (ms: number | null) => (ms ? formatTime(ms).slice(0, 10) : "—");

export default function AppealDecision() {
  const { villageId, appeal: a, photos, claim, poster, blocked } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  const verdict = (result?.values?.verdict ?? "") as AppealVerdict | "";
  return (
    <>
      <section className="card">
        <p className="muted small"><Link to={`/v/${villageId}/appeals`} className="back">‹ 申诉列表</Link></p>
        <h1>申诉：{a.household}号户 {a.member ?? ""}</h1>
        <FormOk message={result?.ok} />
        <div className="appeal-entry" data-testid="appeal-entry">
          <div>{a.what}</div>
          <div className={`amount ${a.points > 0 ? "plus" : "minus"}`}>{signed(a.points)} 分</div>
          <div className="muted">入账 {formatTime(a.creditedAt)}</div>
        </div>
        <p>状态：<AppealStatusLine appeal={a} /></p>
        <h2>申诉理由</h2>
        <p>{a.reason}</p>
        <p className="muted small">{a.filer} · {formatTime(a.createdAt)}</p>
        {photos.length ? (
          <PhotoStrip base={`/v/${villageId}/appeal-photos`} keys={photos.map((p) => p.key)} alt="申诉照片" />
        ) : <p className="muted">没有照片</p>}
      </section>
      <section className="card">
        <h2>原来的记录</h2>
        {claim ? (
          <>
            <dl className="facts">
              <dt>细则</dt><dd>{claim.rule}</dd>
              <dt>日期</dt><dd>{day(claim.occurredAt)} · {claim.quantity}{claim.unit === "hour" ? " 小时" : " 次"}</dd>
              <dt>说明</dt><dd>{claim.note || "无"}</dd>
              <dt>提交人</dt><dd>{claim.filer}</dd>
              <dt>审核通过</dt><dd>{claim.approvers.length ? claim.approvers.join("、") : "—"}</dd>
              <dt>公示</dt><dd>{day(claim.approvedAt)} 至 {day(claim.noticeUntil)}</dd>
              <dt>入账</dt><dd>{day(claim.creditedAt)}</dd>
              <dt>申报状态</dt><dd>{CLAIM_STATUS_LABELS[claim.status]}</dd>
            </dl>
            {claim.objections.map((o, i) => (
              <p key={i} className="muted">公示时的异议：{o.reason}（{o.status === "open" ? "未处理" : o.status === "upheld" ? "成立" : "不成立"}{o.resolution ? `：${o.resolution}` : ""}）</p>
            ))}
            {claim.photos.length ? <PhotoStrip base={`/v/${villageId}/photos`} keys={claim.photos.map((p) => p.key)} alt="申报照片" /> : null}
          </>
        ) : (
          <p>不是申报入账的记录{poster?.name ? `，由 ${poster.name} 记入` : ""}。</p>
        )}
      </section>
      <section className="card">
        <h2>处理</h2>
        <FormError message={errors._form} />
        {a.status !== "pending" ? (
          <div className="appeal-decision" data-testid="appeal-decision">
            <p><strong>{a.status === "upheld" ? "维持原决定" : a.status === "revoked" ? "已撤销，积分已冲正" : `已改为 ${signed(a.newPoints ?? 0)} 分`}</strong></p>
            <p>处理理由：{a.decisionNote}</p>
            <p className="muted">{a.decidedBy} · {a.decidedAt ? formatTime(a.decidedAt) : ""}</p>
          </div>
        ) : blocked ? (
          <p className="appeal-blocked" data-testid="appeal-blocked">{blocked}</p>
        ) : (
          <Form method="post" noValidate>
            <fieldset className="appeal-verdicts" aria-invalid={errors.verdict ? true : undefined} aria-describedby={errors.verdict ? "f-verdict-err" : undefined}>
              <legend>处理结果</legend>
              {(Object.keys(VERDICT_LABELS) as AppealVerdict[]).map((v) => (
                <label key={v}>
                  <input type="radio" name="verdict" value={v} defaultChecked={verdict === v} />
                  {VERDICT_LABELS[v]}
                </label>
              ))}
            </fieldset>
            {errors.verdict ? <p className="field-error" id="f-verdict-err">{errors.verdict}</p> : null}
            <label htmlFor="f-newPoints">改为多少分（只在选“改为新的分值”时填）</label>
            <input
              id="f-newPoints" name="newPoints" inputMode="numeric" maxLength={APPEAL_LIMITS.pointsChars} autoComplete="off"
              defaultValue={result?.values?.newPoints ?? ""} aria-invalid={errors.newPoints ? true : undefined} aria-describedby={errors.newPoints ? "f-newPoints-err" : undefined}
            />
            {errors.newPoints ? <p className="field-error" id="f-newPoints-err">{errors.newPoints}</p> : <p className="muted small">原来 {signed(a.points)} 分。奖励填正数，扣分填负数，如 -3</p>}
            <label htmlFor="f-note">处理理由</label>
            <textarea
              id="f-note" name="note" rows={3} maxLength={APPEAL_LIMITS.reason} defaultValue={result?.values?.note ?? ""}
              aria-invalid={errors.note ? true : undefined} aria-describedby={errors.note ? "f-note-err" : undefined}
            />
            {errors.note ? <p className="field-error" id="f-note-err">{errors.note}</p> : null}
            <p className="muted small elder-hide">改分或撤销会记一笔冲正（改分再记一笔新分），该户的积分明细里能看到。</p>
            <button type="submit" className="primary block" disabled={busy}>提交处理结果</button>
          </Form>
        )}
      </section>
    </>
  );
}
