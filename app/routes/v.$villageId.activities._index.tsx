import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/activities/activities.css";
import { StatusTag, timeRange } from "~/activities/activity";
import { idParam } from "~/platform/access.server";
import { activityStaff, listActivities } from "~/activities/activities.server";
import { now } from "~/platform/clock.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "活动管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await activityStaff(request, villageId);
  const mineOnly = access.role === "inspector";
  return {
    villageId,
    canCreate: access.role === "committee",
    mineOnly,
    at: now(),
    activities: (await listActivities(villageId, mineOnly ? { organiserUserId: access.viewer.userId } : {})).map((a) => ({
      id: a.id, title: a.title, place: a.place, starts_at: a.starts_at, ends_at: a.ends_at, signup_deadline: a.signup_deadline,
      status: a.status, signed_up: a.signed_up, capacity: a.capacity, attended: a.attended, organiser_name: a.organiser_name,
    })),
  };
}

export default function StaffActivities() {
  const { villageId, canCreate, mineOnly, at, activities } = useLoaderData<typeof loader>();
  return (
    <>
      <div className="toolbar">
        <h1 style={{ margin: 0 }}>{mineOnly ? "我组织的活动" : "志愿活动管理"}</h1>
        {canCreate ? (
          <Link className="button" to={`/v/${villageId}/activities/new`}>发起活动</Link>
        ) : null}
      </div>
      <section className="card">
        {activities.length === 0 ? <p className="muted">{mineOnly ? "你还没有组织的活动。村委发起活动时可以指定你做组织者。" : "还没有活动。点右上角的“发起活动”发起第一个。"}</p> : null}
        <ul className="activity-list">
          {activities.map((a) => (
            <li key={a.id}>
              <Link to={`/v/${villageId}/activities/${a.id}`}>
                <span className="title">
                  {a.title} <StatusTag a={a} at={at} />
                </span>
                <span className="sub">{timeRange(a.starts_at, a.ends_at)} · {a.place}</span>
                <span className="sub">
                  报名 {a.signed_up}/{a.capacity} · 签到 {a.attended} · 组织者 {a.organiser_name}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
