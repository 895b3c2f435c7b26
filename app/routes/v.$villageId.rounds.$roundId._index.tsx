import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/sanitation/sanitation.css";
import { AssignChecks } from "~/sanitation/assign-form";
import { FormError, FormOk } from "~/ui/field";
import { ChecklistFacts, InspectionTag } from "~/sanitation/sanitation";
import { idParam } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { REQUEST_STATUS_LABELS, ROUND_STATUS_LABELS, SANITATION_MAX } from "~/sanitation/labels";
import { roundAction, roundPage, type Reply } from "~/sanitation/pages.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.round.title ?? ""}卫生评比 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return roundPage(request, idParam(params.villageId), idParam(params.roundId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await roundAction(request, idParam(params.villageId), idParam(params.roundId));
  return data(out.reply, { status: out.status });
}

export default function RoundPage() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const r = d.round;
  const failed = result && !result.ok ? result : null;
  const rowError = (intent: string, key: number) => (failed && failed.intent === intent && failed.key === key ? failed.errors : null);
  // Errors of a form on this page show beside it; the rest (a stale or forged post) show on top.
  const rowIntents = ["inspection.return", "request.accept", "request.decline", "request.apply"];
  const inRow = !!failed && rowIntents.includes(failed.intent) &&
    (failed.intent === "inspection.return" ? d.table.some((t) => t.household_id === failed.key && r.status === "open" && (t.status === "scored" || t.status === "absent")) : d.requests.some((q) => q.id === failed.key));
  const belowAssign = !!failed && failed.intent === "round.assign" && r.status !== "published";
  const topError = failed && !inRow && !belowAssign ? failed.errors._form ?? failed.errors.assign ?? failed.errors.reason ?? failed.errors.note ?? "请求有误，请刷新页面后再试" : null;
  const scored = d.table.filter((t) => t.status === "scored" || t.status === "absent").length;
  const returned = d.table.filter((t) => t.status === "returned").length;
  return (
    <>
      <p className="muted small"><Link className="back" to={`/v/${d.villageId}/rounds`}>‹ 卫生评比</Link></p>
      <section className="card">
        <h1>{r.title}卫生评比 <span className="tag">{ROUND_STATUS_LABELS[r.status]}</span></h1>
        <p className="muted">{formatTime(r.starts_at).slice(0, 10)} 至 {formatTime(r.ends_at - 1).slice(0, 10)} · 已评 {scored}/{d.table.length} 户{returned ? ` · 退回重评 ${returned} 户` : ""}</p>
        <ChecklistFacts checklist={r.checklist} />
        {d.created ? <FormOk message="评比已建好。检查分工无误后点“开始评比”。" /> : null}
        <FormOk message={result?.ok} />
        <FormError message={topError} />
        {r.status === "draft" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="round.open" />
            <button type="submit" className="primary block" disabled={busy}>开始评比</button>
          </Form>
        ) : null}
        {r.status === "open" ? (
          <>
            <p>公布后，每户按档次生成一条积分申报（检查员为申报人，你为审核人），进入公示；同时生成本月红黑榜贴上公示栏。{d.scoredByMe ? <strong> 你给本轮评过分，不能由你公布，请另一位村委委员公布。</strong> : null}</p>
            <Form method="post">
              <input type="hidden" name="intent" value="round.publish" />
              <button type="submit" className="primary block" disabled={busy} data-testid="publish">公布评比结果</button>
            </Form>
          </>
        ) : null}
        {r.status === "published" ? (
          <p>已于 {formatTime(r.published_at ?? 0)} 公布。<Link to={`/v/${d.villageId}/rounds/${r.id}/poster`}>红黑榜海报（A3）</Link> · <Link to={`/v/${d.villageId}/review`}>审核申报</Link></p>
        ) : null}
      </section>

      {r.status === "published" ? (
        <section className="card">
          <h2>复查申请（{d.requests.length}）</h2>
          {d.requests.length === 0 ? <p className="muted">没有复查申请。公布后 7 天内户主可以申请复查。</p> : null}
          {d.requests.map((q) => {
            const err = rowError("request.decline", q.id) ?? rowError("request.accept", q.id) ?? rowError("request.apply", q.id);
            const rescored = q.status === "accepted" && q.inspection_status !== "returned";
            return (
              <div className="round-row" key={q.id} data-testid={`request-${q.id}`}>
                <div className="head">
                  <strong>{q.number}号户 {q.head ?? ""}</strong>
                  <span className="tag">{REQUEST_STATUS_LABELS[q.status]}</span>
                </div>
                <div className="muted">{q.requester}：{q.reason}</div>
                {q.decision_note ? <div className="muted">答复：{q.decision_note}</div> : null}
                {q.status === "accepted" ? <div className="muted">{rescored ? `复查结果：${q.total ?? "-"} 分 ${q.tier ?? "未检查"}` : "等检查员重新评分"}</div> : null}
                <FormError message={err?._form} />
                {q.status === "open" ? (
                  <div className="actions-row">
                    <Form method="post">
                      <input type="hidden" name="intent" value="request.accept" />
                      <input type="hidden" name="requestId" value={q.id} />
                      <button type="submit" className="primary" disabled={busy}>同意复查</button>
                    </Form>
                    <details open={!!err?.note}>
                      <summary>不同意</summary>
                      <Form method="post" noValidate>
                        <input type="hidden" name="intent" value="request.decline" />
                        <input type="hidden" name="requestId" value={q.id} />
                        <label htmlFor={`n-${q.id}`}>不同意的理由</label>
                        <input id={`n-${q.id}`} name="note" maxLength={SANITATION_MAX.declineNote} autoComplete="off" aria-invalid={err?.note ? true : undefined} aria-describedby={err?.note ? `n-${q.id}-err` : undefined} />
                        {err?.note ? <p className="field-error" id={`n-${q.id}-err`}>{err.note}</p> : null}
                        <button type="submit" className="secondary block" disabled={busy}>答复不同意</button>
                      </Form>
                    </details>
                  </div>
                ) : null}
                {rescored ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="request.apply" />
                    <input type="hidden" name="requestId" value={q.id} />
                    <button type="submit" className="primary block" disabled={busy}>按复查结果改分</button>
                  </Form>
                ) : null}
              </div>
            );
          })}
        </section>
      ) : null}

      <section className="card">
        <h2>各户评分</h2>
        {d.table.length === 0 ? <p className="muted">还没有分配网格。</p> : null}
        {d.table.map((t) => {
          const err = rowError("inspection.return", t.household_id);
          return (
            <div className="round-row" key={t.household_id} data-testid={`row-${t.household_id}`}>
              <div className="head">
                <span><strong>{t.number}号户 {t.head ?? ""}</strong> <span className="muted small">{t.grid}</span></span>
                <span className="total">{t.status === "scored" ? `${t.total} 分 ${t.tier}` : <InspectionTag status={t.status} />}</span>
              </div>
              {t.status ? (
                <div className="muted small">
                  {t.scores ? r.checklist.items.map((it, k) => `${it.name} ${t.scores![k]}`).join(" · ") : null}
                  {t.absent_reason ? `未检查：${t.absent_reason}` : null}
                  {t.returned_reason ? ` · 退回：${t.returned_reason}` : null}
                  {t.note ? ` · ${t.note}` : null}
                  {" · "}检查员 {t.inspector} · {formatTime(t.saved_at ?? 0).slice(5)}
                  {t.claim_label ? <> · 申报<Link to={`/v/${d.villageId}/review/${t.claim_id}`}>{t.claim_label}</Link></> : null}
                </div>
              ) : null}
              {t.photos.length ? (
                <div className="current-photos">
                  {t.photos.map((p) => (
                    <a key={p} href={`/v/${d.villageId}/rounds/${r.id}/photos/${p}`}><img src={`/v/${d.villageId}/rounds/${r.id}/photos/${p}`} alt={`${t.number}号户检查照片`} /></a>
                  ))}
                </div>
              ) : null}
              <FormError message={err?._form} />
              {r.status === "open" && (t.status === "scored" || t.status === "absent") && t.household_id === d.myHousehold ? (
                <p className="muted small">这是你家，退回重评请由另一位村委委员处理</p>
              ) : null}
              {r.status === "open" && (t.status === "scored" || t.status === "absent") && t.household_id !== d.myHousehold ? (
                <details open={!!err}>
                  <summary>退回重评</summary>
                  <Form method="post" noValidate>
                    <input type="hidden" name="intent" value="inspection.return" />
                    <input type="hidden" name="householdId" value={t.household_id} />
                    <label htmlFor={`r-${t.household_id}`}>退回原因</label>
                    <input id={`r-${t.household_id}`} name="reason" maxLength={SANITATION_MAX.returnReason} autoComplete="off" aria-invalid={err?.reason ? true : undefined} aria-describedby={err?.reason ? `r-${t.household_id}-err` : undefined} />
                    {err?.reason ? <p className="field-error" id={`r-${t.household_id}-err`}>{err.reason}</p> : null}
                    <button type="submit" className="secondary block" disabled={busy}>退回给检查员</button>
                  </Form>
                </details>
              ) : null}
            </div>
          );
        })}
      </section>

      {r.status !== "published" ? (
        <section className="card">
          <h2>检查分工</h2>
          <Form method="post">
            <input type="hidden" name="intent" value="round.assign" />
            <AssignChecks grids={d.grids} inspectors={d.inspectors} checked={d.assigned} error={failed?.intent === "round.assign" ? failed.errors.assign ?? failed.errors._form : undefined} />
            <button type="submit" className="secondary block" disabled={busy}>保存分工</button>
          </Form>
        </section>
      ) : null}
    </>
  );
}
