import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import homeStyles from "~/ui/home.css";
import { WorkTiles } from "~/ui/work-tiles";
import { requireViewer } from "~/platform/access.server";
import { navFor } from "~/platform/nav";
import { ROLE_LABELS } from "~/platform/roles";
import { workTiles } from "~/platform/work-tiles.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: homeStyles }];
export const meta: MetaFunction = () => [{ title: "工作 · 积分超市" }];

// The jobs of a viewer who also has a household (the menu bar shows them as one 工作 entry), each
// with what waits behind it; a keeper's counter first.
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const tiles = await workTiles(navFor(viewer.roles, viewer.householdId !== null).filter((n) => n.work), viewer.userId);
  const roles = [...new Set(viewer.roles.map((r) => ROLE_LABELS[r.role]))];
  return { tiles, roles };
}

export default function Work() {
  const { tiles, roles } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>工作</h1>
      <p className="muted">你的角色：{roles.join("、") || "无"}</p>
      {tiles.length ? (
        <WorkTiles tiles={tiles} />
      ) : (
        <p className="card">你没有工作人员角色。需要审核、扫码核销等工作的，请联系村管理员开通。</p>
      )}
    </>
  );
}
