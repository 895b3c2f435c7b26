import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/activities/activities.css";
import { idParam } from "~/platform/access.server";
import { checkinPage } from "~/activities/checkin.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "活动签到 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { body, status } = await checkinPage(request, idParam(params.villageId), idParam(params.activityId));
  return data(body, { status });
}

export default function Checkin() {
  const r = useLoaderData<typeof loader>();
  return (
    <section className="card narrow" data-testid="checkin-result">
      <h1>活动签到</h1>
      {r.ok ? (
        <>
          <p className="big-ok" role="status">{r.already ? "你已经签到过了" : "签到成功"}</p>
          <p>
            {r.memberName}，{r.title}
            {r.already ? "的签到已记录，不用重复扫码。" : "已为你记录到场。活动结束后由组织者统一申报积分。"}
          </p>
        </>
      ) : (
        <>
          <p className="big-no" role="alert">签到没有成功</p>
          <p>{r.message}</p>
        </>
      )}
      <p>
        <Link to="/activities">查看我的志愿活动 ›</Link>
      </p>
    </section>
  );
}
