import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import storeStyles from "~/store/store.css";
import keeperStyles from "~/store/keeper.css";
import { idParam, requireRole } from "~/platform/access.server";
import { shellShouldRevalidate } from "~/platform/revalidate";
import { villageOr404 } from "~/people/village-admin.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storeStyles }, { rel: "stylesheet", href: keeperStyles }];
export const meta: MetaFunction = () => [{ title: "店务 · 积分超市" }];

export const shouldRevalidate = shellShouldRevalidate;

// Each page below checks its own roles; this layout only needs one of them.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ["store_keeper", "committee", "village_admin", "township_admin"], villageId);
  const roles = access.viewer.roles.filter((r) => r.villageId === villageId || r.role === "township_admin").map((r) => r.role);
  return { village: { id: villageId, name: (await villageOr404(villageId)).name }, roles };
}

export default function StoreLayout() {
  const { village, roles } = useLoaderData<typeof loader>();
  const base = `/v/${village.id}/store`;
  const keeper = roles.includes("store_keeper");
  const admin = roles.includes("village_admin") || roles.includes("township_admin");
  const tabs = [
    ...(keeper ? [{ to: `${base}/scan`, label: "扫码核销" }, { to: `${base}/counter`, label: "柜台兑换" }] : []),
    { to: `${base}/orders`, label: "兑换单" },
    ...(keeper || admin ? [{ to: `${base}/day`, label: "日结" }, { to: `${base}/stock`, label: "库存" }, { to: `${base}/cards`, label: "户卡" }] : []),
    { to: `${base}/settlement`, label: "月结算" },
  ];
  return (
    <>
      <nav className="tabs no-print" aria-label="店务">
        {tabs.map((t) => (
          <NavLink key={t.to} to={t.to} prefetch="none">{t.label}</NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}
