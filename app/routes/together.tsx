import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import homeStyles from "~/ui/home.css";
import { WorkTiles } from "~/ui/work-tiles";
import { requireViewer } from "~/platform/access.server";
import { navFor } from "~/platform/nav";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: homeStyles }];
export const meta: MetaFunction = () => [{ title: "志愿互助 · 积分超市" }];

// 志愿互助: the village's shared work a household takes part in, behind one entry of the menu bar.
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const items = navFor(viewer.roles, viewer.householdId !== null, { leadsGroup: viewer.leadsGroup }).filter((n) => n.together);
  return { tiles: items.map((n) => ({ to: n.to, label: n.label, counter: false, hint: n.hint ?? null, waits: null })) };
}

export default function Together() {
  const { tiles } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>志愿互助</h1>
      {tiles.length ? <WorkTiles tiles={tiles} /> : <p className="card">你还没有登记在本村的农户里，请联系村管理员。</p>}
    </>
  );
}
