import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import groupStyles from "~/groups/groups.css";
import { forbidden, requireViewer } from "~/platform/access.server";
import { leaderGroups } from "~/groups/leader.server";
import { NO_PHONE } from "~/groups/labels";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: groupStyles }];

export const meta: MetaFunction = () => [{ title: "我的联户 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const groups = await leaderGroups(viewer.userId);
  if (groups.length === 0) throw forbidden("你没有权限查看：这一页是联户长的，你还没有被村里设为联户长");
  return { groups };
}

export default function MyGroup() {
  const { groups } = useLoaderData<typeof loader>();
  return (
    <>
      {groups.map((g) => (
        <section className="card" key={g.id} data-testid={`group-${g.id}`}>
          <h1>我的联户 · {g.name}</h1>
          <p className="group-summary muted">
            <span>{g.village}{g.grid ? ` · ${g.grid}` : ""}</span>
            <span>{g.households.length} 户</span>
          </p>
          <p className="muted small elder-hide">点一户可以看成员和申报记录，替他们申报积分。没有手机的住户，有事先找联户长。</p>
          {g.households.length === 0 ? <p className="muted">村里还没有把住户分到这个联户</p> : null}
          <ul className="group-households">
            {g.households.map((h) => (
              <li key={h.id} data-testid={`household-${h.id}`}>
                <Link className="item" to={`/group/h/${h.id}`}>
                  <span className="main">
                    <span className="title">{h.head ?? `${h.number}号户`}</span>
                    <span className="sub"><span className="seg">{h.number}号户</span> · <span className="seg">{h.address || "无门牌"}</span> · <span className="seg">{h.members} 人</span></span>
                    <span className="sub">{h.phone ?? <span className="no-phone">{NO_PHONE}</span>}</span>
                  </span>
                  {h.balance !== null ? <span className="points" data-testid="balance">{h.balance} 分</span> : <span className="go">›</span>}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </>
  );
}
