import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/activities/activities.css";
import { StatusTag, timeRange } from "~/activities/activity";
import { villagerListPage } from "~/activities/signups.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "志愿活动 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return villagerListPage(request);
}

type Item = ReturnType<typeof useLoaderData<typeof loader>>["upcoming"][number];

function ActivityItem({ a, at }: { a: Item; at: number }) {
  const active = a.mine.filter((s) => s.status === "active");
  return (
    <li data-activity={a.id}>
      <Link to={`/activities/${a.id}`}>
        <span className="title">
          {a.title} <StatusTag a={a} at={at} />
        </span>
        <span className="sub">{timeRange(a.starts_at, a.ends_at)}</span>
        <span className="sub">
          {a.place} · 报名 {a.signed_up}/{a.capacity}
        </span>
        {a.status === "cancelled" && active.length ? <span className="sub">取消原因：{a.cancel_reason}</span> : null}
        {active.length ? (
          <span className="mine">
            {a.status === "cancelled" ? "我家报过名：" : "我家已报名："}
            {active.map((s) => `${s.member_name}${s.attended ? "（已签到）" : ""}`).join("、")}
          </span>
        ) : null}
      </Link>
    </li>
  );
}

export default function Activities() {
  const { upcoming, past, at } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>志愿活动</h1>
      <section className="card">
        <h2>近期活动</h2>
        {upcoming.length === 0 ? <p className="muted">近期没有活动，村里发起后会出现在这里</p> : null}
        <ul className="activity-list" data-testid="upcoming">
          {upcoming.map((a) => (
            <ActivityItem key={a.id} a={a} at={at} />
          ))}
        </ul>
      </section>
      {past.length ? (
        <section className="card">
          <h2>我家参加过的</h2>
          <ul className="activity-list">
            {past.map((a) => (
              <ActivityItem key={a.id} a={a} at={at} />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
