import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/sanitation/sanitation.css";
import { FormError, FormOk } from "~/ui/field";
import { FilePicker } from "~/ui/pickers";
import { InspectionTag } from "~/sanitation/sanitation";
import { idParam } from "~/platform/access.server";
import { lastDayLabel, SANITATION_MAX, tierRange } from "~/sanitation/labels";
import { scoreHouseholdAction, scoreHouseholdPage, type Reply } from "~/sanitation/pages.server";
import { useKeepOffline, useOfflineScoring } from "~/sanitation/offline-scoring";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.household.number ?? ""}号户 · 卫生检查 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return scoreHouseholdPage(request, idParam(params.villageId), idParam(params.roundId), idParam(params.householdId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const out = await scoreHouseholdAction(request, idParam(params.villageId), idParam(params.roundId), idParam(params.householdId));
  if (out instanceof Response) return out;
  return data(out.reply, { status: out.status });
}

export default function ScoreHousehold() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const h = d.household;
  const i = d.inspection;
  const base = `/v/${d.villageId}/rounds/${d.round.id}/score`;
  const scoreErr: Record<string, string | undefined> = result?.intent === "score" ? result.errors : {};
  const absentErr: Record<string, string | undefined> = result?.intent === "absent" ? result.errors : {};
  const values: Record<string, string> | null = result && !result.ok ? result.values : null;
  // After the last day only a household sent back (退回重评) can be scored.
  const canSave = (d.round.status === "open" && (!d.ended || i?.status === "returned")) || d.reopened;
  const label = `${h.number}号户 ${h.head ?? ""}`.trim();
  const offline = useOfflineScoring(d.villageId, d.round.id, null);
  const keep = useKeepOffline(d.villageId, d.round.id, h.id, label, d.round.checklist);
  const current = (k: number) => values?.[`s${k}`] ?? String(i?.scores?.[k] ?? d.round.checklist.items[k].max);
  return (
    <>
      <p className="muted small"><Link className="back" to={base} reloadDocument={!offline.online}>‹ 农户列表（已评 {d.done}/{d.total}）</Link></p>
      {!offline.online ? <p className="offline-now" role="status">现在没有网络。保存的评分先存在手机上，有网后自动发送。</p> : null}
      {offline.waiting > 0 ? <p><Link to={base} reloadDocument={!offline.online} className="kept kept-waiting kept-link">还有 {offline.waiting} 户待发送，去农户列表看</Link></p> : null}
      <section className="card">
        <FormOk message={d.saved} />
        <h1 data-testid="household-title">{h.number}号户 {h.head ?? ""}</h1>
        <p className="muted">{h.address}{h.grid ? ` · ${h.grid}` : ""} · <InspectionTag status={i?.status ?? null} />{i?.status === "scored" ? ` ${i.total} 分 ${i.tier}（${d.inspector}）` : ""}</p>
        {i?.returned_reason && i.status === "returned" ? <p className="conflict">退回重评：{i.returned_reason}</p> : null}
        {i?.status === "absent" ? <p className="muted">上次未检查：{i.absent_reason}</p> : null}
        <FormError message={keep.error} />
        <FormError message={scoreErr._form ?? absentErr._form ?? (result && !["score", "absent"].includes(result.intent) ? result.errors._form : null)} />
        {d.conflict ? <p className="conflict" role="alert">{d.conflict}</p> : null}
        {!canSave ? <p className="conflict">{d.round.status === "published" ? "评比已公布，不能再改分" : d.ended ? `这轮评比 ${lastDayLabel(d.round.ends_at)} 已结束，不能再评分；需要改分请村委退回重评` : "评比还没开始"}</p> : null}
      </section>
      {canSave && !d.conflict ? (
        <>
          <section className="card">
            {/* keyed by household: the next household's form must not keep the previous one's typed values */}
            <Form method="post" encType="multipart/form-data" noValidate key={h.id} onSubmit={keep.onSubmit}>
              <input type="hidden" name="intent" value="score" />
              <p className="muted small">{d.round.checklist.tiers.map((_, k) => tierRange(d.round.checklist.tiers, k)).join("，")}</p>
              <input type="hidden" name="version" value={i?.version ?? 0} />
              {d.round.checklist.items.map((it, k) => (
                <div className="score-item" key={k}>
                  <label htmlFor={`f-s${k}`}>{it.name}<span className="muted">满分 {it.max}</span></label>
                  <input
                    id={`f-s${k}`} name={`s${k}`} inputMode="numeric" pattern="[0-9]*" maxLength={SANITATION_MAX.scoreDigits} defaultValue={current(k)} autoComplete="off"
                    aria-invalid={scoreErr[`s${k}`] ? true : undefined} aria-describedby={scoreErr[`s${k}`] ? `f-s${k}-err` : undefined}
                  />
                  {scoreErr[`s${k}`] ? <p className="field-error" id={`f-s${k}-err`}>{scoreErr[`s${k}`]}</p> : null}
                </div>
              ))}
              <div>
                <label htmlFor="f-note">备注（可不填）</label>
                <textarea id="f-note" name="note" rows={2} maxLength={SANITATION_MAX.scoreNote} defaultValue={values?.note ?? i?.note ?? ""} aria-invalid={scoreErr.note ? true : undefined} aria-describedby={scoreErr.note ? "f-note-err" : undefined} />
                {scoreErr.note ? <p className="field-error" id="f-note-err">{scoreErr.note}</p> : null}
              </div>
              <FilePicker label="照片（最多 3 张，可不拍）" name="photos" accept="image/jpeg,image/png,image/webp" capture="environment" multiple button="拍照或选照片" error={scoreErr.photos}>
                {d.photos.length ? (
                  <div className="current-photos">
                    {d.photos.map((p) => <img key={p} src={`/v/${d.villageId}/rounds/${d.round.id}/photos/${p}`} alt="已拍的照片" />)}
                    <p className="muted small">重新选照片会替换这几张</p>
                  </div>
                ) : null}
              </FilePicker>
              <div className="save-bar">
                <button type="submit" className="primary" disabled={busy} data-testid="save-next">{busy ? "正在保存……" : "保存，下一户"}</button>
              </div>
            </Form>
          </section>
          <section className="card" key={`absent-${h.id}`}>
            <details open={!!absentErr.reason}>
              <summary>家里没人？标记未检查</summary>
              <Form method="post" noValidate key={h.id} onSubmit={keep.onSubmit}>
                <input type="hidden" name="intent" value="absent" />
                <input type="hidden" name="version" value={i?.version ?? 0} />
                <label htmlFor="f-reason">未检查原因</label>
                <input id="f-reason" name="reason" maxLength={SANITATION_MAX.absentReason} autoComplete="off" placeholder="如 家里没人，外出打工" defaultValue={values?.reason ?? ""} aria-invalid={absentErr.reason ? true : undefined} aria-describedby={absentErr.reason ? "f-reason-err" : undefined} />
                {absentErr.reason ? <p className="field-error" id="f-reason-err">{absentErr.reason}</p> : null}
                <button type="submit" className="secondary block" disabled={busy}>标记未检查，下一户</button>
              </Form>
            </details>
          </section>
        </>
      ) : null}
    </>
  );
}
