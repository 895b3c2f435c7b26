import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/activities/activities.css";
import { Cancelled, Facts, StatusTag } from "~/activities/activity";
import { FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { villagerActivityPage, villagerSignupAction } from "~/activities/signups.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.activity.title ?? "志愿活动"} · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return villagerActivityPage(request, idParam(params.activityId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const activityId = idParam(params.activityId);
  const reply = await villagerSignupAction(request, activityId, formToObject(await readForm(request)));
  return data(reply, { status: reply.status });
}

export default function ActivityPage() {
  const { activity: a, members, at } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const full = a.signed_up >= a.capacity;
  return (
    <section className="card">
      <p className="muted small">
        <Link className="back" to="/activities">‹ 志愿活动</Link>
      </p>
      <h1>
        {a.title} <StatusTag a={a} at={at} />
      </h1>
      <Cancelled a={a} />
      <FormOk message={result?.ok} />
      <FormError message={result?.error} />
      {a.description ? <p>{a.description}</p> : null}
      <Facts a={a} />
      <h2>我家成员</h2>
      {a.canSignUp ? (
        <p className="muted">报名截止前可以报名或取消。{full ? "名额已满。" : `还剩 ${a.capacity - a.signed_up} 个名额。`}</p>
      ) : a.status === "open" ? (
        <p className="muted">报名已截止（{formatTime(a.signup_deadline)}）。</p>
      ) : null}
      <ul className="roster" data-testid="household-signups">
        {members.map((m) => {
          const s = a.mine.find((x) => x.member_id === m.id);
          const active = s?.status === "active";
          return (
            <li key={m.id} className="member-row">
              <div>
                <span className="who">{m.name}</span> <span className="muted">（{m.relation}）</span>
                <br />
                {active ? (a.status === "cancelled" ? <span className="muted">报过名，活动已取消</span> : <strong>{s!.attended ? "已签到" : "已报名"}</strong>) : <span className="muted">未报名</span>}
              </div>
              {a.canSignUp ? (
                <Form method="post">
                  <input type="hidden" name="intent" value={active ? "signup.cancel" : "signup"} />
                  <input type="hidden" name="memberId" value={m.id} />
                  {active ? (
                    <button type="submit" className="secondary" disabled={busy}>取消报名</button>
                  ) : (
                    <button type="submit" className="primary" disabled={busy || full}>报名</button>
                  )}
                </Form>
              ) : null}
            </li>
          );
        })}
      </ul>
      {a.status === "open" ? <p className="muted">活动当天，请用手机相机扫组织者出示的二维码签到；没有手机的家人由组织者登记。</p> : null}
    </section>
  );
}
