import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import styles from "~/activities/activities.css";
import { idParam } from "~/platform/access.server";
import { qrPageData } from "~/activities/manage.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `签到二维码 · ${data?.activity.title ?? ""}` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return qrPageData(request, idParam(params.villageId), idParam(params.activityId));
}

export default function CheckinQr() {
  const { villageId, activity, qr, attendees } = useLoaderData<typeof loader>();
  const revalidator = useRevalidator();
  const msLeft = qr?.msLeft ?? 0;
  // With JavaScript: fetch the next code right after the window turns (no full reload).
  useEffect(() => {
    if (!qr) return;
    const timer = setTimeout(() => revalidator.revalidate(), msLeft + 300);
    return () => clearTimeout(timer);
  }, [qr?.url]); // eslint-disable-line react-hooks/exhaustive-deps
  const back = `/v/${villageId}/activities/${activity.id}`;
  return (
    <section className="card qr-wrap">
      {/* Without JavaScript the page reloads itself when the code changes. */}
      {qr ? (
        <noscript>
          <meta httpEquiv="refresh" content={String(Math.ceil(msLeft / 1000) + 1)} />
        </noscript>
      ) : null}
      <h1>{activity.title}</h1>
      {qr ? (
        <>
          <p>请到场的村民用手机相机扫码签到</p>
          <img src={qr.dataUrl} alt="签到二维码" data-checkin-url={qr.url} data-testid="checkin-qr" width={320} height={320} />
          <p className="muted">二维码每 30 秒自动更换，截图转发无效</p>
        </>
      ) : (
        <p className="warn">活动{activity.status === "cancelled" ? "已取消" : "已结束"}，不能再签到。</p>
      )}
      <p className="countdown" data-testid="attended-count">
        已签到 {attendees.length} 人 · 报名 {activity.signed_up}/{activity.capacity}
      </p>
      <ul className="roster" style={{ textAlign: "left" }} data-testid="qr-attendees">
        {attendees.slice(0, 8).map((r) => (
          <li key={r.member_id}>
            <span className="who">{r.name}</span> <span className="muted">（{r.household_number}号户）{r.method === "scan" ? "扫码" : "手工登记"}</span>
          </li>
        ))}
      </ul>
      <p>
        <Link to={back}>‹ 返回活动，手工登记没有手机的村民</Link>
      </p>
    </section>
  );
}
