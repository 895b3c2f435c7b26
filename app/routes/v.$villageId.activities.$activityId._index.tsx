import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/activities/activities.css";
import { Tag } from "~/ui/form-parts";
import { ActivityForm, Cancelled, Facts, StatusTag, TextArea } from "~/activities/activity";
import { TEXT_LIMITS } from "~/activities/labels";
import { FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { manageActivity, manageActivityPage } from "~/activities/manage.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.activity.title ?? "活动"} · 活动管理 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const activityId = idParam(params.activityId);
  const url = new URL(request.url);
  return manageActivityPage(request, villageId, activityId, { q: url.searchParams.get("q"), created: url.searchParams.get("created") === "1" });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const activityId = idParam(params.activityId);
  const form = formToObject(await readForm(request));
  const reply = await manageActivity(request, villageId, activityId, form);
  return data({ ...reply, values: echoValues(form, ["title", "description", "place", "startsAt", "endsAt", "deadline", "capacity", "organiserId", "ruleId", "teamId", "reason", "hours"]) }, { status: reply.status });
}

export default function ManageActivity() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const a = d.activity;
  const errs = (intent: string): Record<string, string | undefined> => (result && !result.ok && result.intent === intent ? result.errors : {});
  const memberErr = (intent: string, memberId: number) => (result && !result.ok && result.intent === intent && result.memberId === memberId ? result.errors : {});
  const isOpen = a.status === "open";
  // A form-level error whose form is not on the page (an unknown intent, or the activity is no longer open) shows on top.
  const shownBelow = ["attend.add", "attend.remove", "attend.hours"].concat(isOpen ? ["activity.close", "activity.update", "activity.cancel"] : []);
  const stray = result && !result.ok && !shownBelow.includes(result.intent);
  return (
    <>
      <p className="muted small">
        <Link className="back" to={`/v/${d.villageId}/activities`}>‹ 活动列表</Link>
      </p>
      <section className="card">
        <h1>
          {a.title} <StatusTag a={a} at={d.at} />
        </h1>
        {d.created ? <FormOk message="活动已发布，村民现在可以报名了" /> : null}
        {result?.ok ? <FormOk message={result.ok} /> : null}
        {stray ? <FormError message={result.errors._form ?? "请求有误，请刷新页面后再试"} /> : null}
        <Cancelled a={a} />
        {a.description ? <p>{a.description}</p> : null}
        <Facts a={a} />
        {a.status === "closed" ? (
          <p className="form-ok">
            活动已结束，{d.claims} 条积分申报已提交审核。
            {d.canEdit && d.claims > 0 ? <Link to={`/v/${d.villageId}/review`}> 去审核 ›</Link> : null}
          </p>
        ) : null}
        {isOpen && d.canRun ? (
          <p>
            <Link className="button" to={`/v/${d.villageId}/activities/${a.id}/qr`} data-testid="show-qr">出示签到二维码</Link>
          </p>
        ) : null}
      </section>

      <section className="card">
        <h2>签到情况（{a.attended} 人已签到）</h2>
        <FormError message={errs("attend.add")._form ?? errs("attend.remove")._form ?? errs("attend.hours")._form} />
        {d.roster.length === 0 ? <p className="muted">还没有人报名或签到</p> : null}
        <ul className="roster" data-testid="roster">
          {d.roster.map((r) => {
            const hourErr = memberErr("attend.hours", r.member_id).hours;
            return (
              <li key={r.member_id} data-member={r.member_id}>
                <span className="who">{r.name}</span> <span className="muted">（{r.household_number}号户 · {r.relation}）</span>{" "}
                {r.signed_up ? <Tag>已报名</Tag> : <Tag tone="warn">未报名</Tag>}
                {r.attended ? (
                  <Tag tone="ok">{r.method === "scan" ? "扫码签到" : "手工登记"} {r.checked_in_at ? formatTime(r.checked_in_at).slice(11) : ""}</Tag>
                ) : (
                  <Tag>未签到</Tag>
                )}
                {d.hourly && r.attended ? <span className="muted"> · {r.hours ?? d.defaultHours} 小时{r.hours ? "" : "（按活动时长）"}</span> : null}
                {isOpen && d.canRun ? (
                  <div className="actions-row">
                    {r.attended ? (
                      <>
                        {d.hourly ? (
                          <Form method="post" noValidate>
                            <input type="hidden" name="intent" value="attend.hours" />
                            <input type="hidden" name="memberId" value={r.member_id} />
                            <div>
                              <label htmlFor={`h${r.member_id}`} className="sr-only">{r.name}的服务小时数</label>
                              <input id={`h${r.member_id}`} name="hours" inputMode="decimal" defaultValue={String(r.hours ?? d.defaultHours)} maxLength={TEXT_LIMITS.hours} aria-invalid={hourErr ? true : undefined} aria-describedby={hourErr ? `h${r.member_id}-err` : undefined} />
                              {hourErr ? <p className="field-error" id={`h${r.member_id}-err`}>{hourErr}</p> : null}
                            </div>
                            <button type="submit" className="secondary" disabled={busy}>记小时</button>
                          </Form>
                        ) : null}
                        <Form method="post">
                          <input type="hidden" name="intent" value="attend.remove" />
                          <input type="hidden" name="memberId" value={r.member_id} />
                          <button type="submit" className="secondary" disabled={busy}>撤销签到</button>
                        </Form>
                      </>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="intent" value="attend.add" />
                        <input type="hidden" name="memberId" value={r.member_id} />
                        <button type="submit" className="primary" disabled={busy}>登记到场</button>
                      </Form>
                    )}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      </section>

      {isOpen && d.canRun ? (
        <section className="card">
          <h2>登记没报名的村民</h2>
          <Form method="get" className="search">
            <label htmlFor="q" className="sr-only">姓名、户号或手机号</label>
            <input id="q" name="q" defaultValue={d.q} placeholder="姓名、户号或手机号" maxLength={TEXT_LIMITS.search} />
            <button type="submit" className="secondary">查找</button>
          </Form>
          {d.q && d.found.length === 0 ? <p className="muted">没有找到</p> : null}
          <ul className="roster">
            {d.found.map((m) => (
              <li key={m.id}>
                <span className="who">{m.name}</span> <span className="muted">（{m.household_number}号户 · {m.relation}）</span>
                <Form method="post">
                  <input type="hidden" name="intent" value="attend.add" />
                  <input type="hidden" name="memberId" value={m.id} />
                  <button type="submit" className="primary" disabled={busy}>登记到场</button>
                </Form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {isOpen && d.canRun ? (
        <section className="card">
          <h2>结束活动</h2>
          <p>
            结束后，{a.attended} 位到场村民每人生成一条积分申报（{d.hourly ? `按小时计，每小时 ${a.rule_points} 分` : `每人 ${a.rule_points} 分`}），
            经村委审核、公示后入账。结束后不能再改考勤。
          </p>
          <FormError message={errs("activity.close")._form} />
          <Form method="post">
            <input type="hidden" name="intent" value="activity.close" />
            <button type="submit" className="primary block" disabled={busy || !d.started}>{d.started ? "结束活动并提交积分申报" : "活动开始后才能结束"}</button>
          </Form>
        </section>
      ) : null}

      {isOpen && d.canEdit ? (
        <>
          <section className="card">
            <h2>修改活动</h2>
            <ActivityForm
              intent="activity.update"
              values={result && !result.ok && result.intent === "activity.update" ? result.values : d.form}
              errors={errs("activity.update")}
              organisers={d.organisers}
              rules={d.rules}
              teams={d.teams}
              submit="保存修改"
              busy={busy}
            />
          </section>
          <section className="card">
            <h2>取消活动</h2>
            <p className="muted">已报名的村民会在自己的活动页面看到“已取消”和原因。</p>
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="activity.cancel" />
              <FormError message={errs("activity.cancel")._form} />
              <TextArea label="取消原因" name="reason" error={errs("activity.cancel").reason} maxLength={TEXT_LIMITS.cancelReason} rows={2} defaultValue={result && !result.ok && result.intent === "activity.cancel" ? result.values.reason : undefined} />
              <button type="submit" className="secondary block" disabled={busy}>取消活动</button>
            </Form>
          </section>
        </>
      ) : null}
    </>
  );
}
