import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, NavLink, Outlet, useLoaderData, useLocation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import { idParam, requireRole } from "~/platform/access.server";
import { villageOr404 } from "~/people/village-admin.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.village.name ?? ""}村务管理 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ["village_admin", "township_admin"], villageId);
  const village = await villageOr404(villageId);
  return { village: { id: village.id, name: village.name, code: village.code }, township: access.role === "township_admin" };
}

export default function VillageAdmin() {
  const { village, township } = useLoaderData<typeof loader>();
  const { pathname } = useLocation();
  const base = `/v/${village.id}/admin`;
  const tabs = [
    { to: base, label: "住户", active: pathname === base || pathname === `${base}/` || pathname.startsWith(`${base}/households`) },
    { to: `${base}/users`, label: "账号与角色" },
    { to: `${base}/grids`, label: "网格" },
    { to: `${base}/groups`, label: "联户", active: pathname.startsWith(`${base}/groups`) },
    { to: `${base}/goods`, label: "商品与库存", active: pathname.startsWith(`${base}/goods`) },
    { to: `${base}/stores`, label: "超市与店主" },
    { to: `${base}/import`, label: "导入花名册" },
    { to: `${base}/rules`, label: "积分细则" },
    { to: `${base}/settings`, label: "审核与公示" },
    { to: `${base}/audit`, label: "操作记录" },
  ];
  return (
    <>
      <div className="admin-head">
        {township ? (
          <p className="muted small">
            <Link to="/township" className="back">‹ 乡镇管理</Link>
          </p>
        ) : null}
        <h1>{village.name} · 村务管理</h1>
      </div>
      <nav className="tabs" aria-label="村务管理">
        {tabs.map((t) =>
          "active" in t ? (
            <Link key={t.to} to={t.to} className={t.active ? "active" : undefined} aria-current={t.active ? "page" : undefined}>
              {t.label}
            </Link>
          ) : (
            <NavLink key={t.to} to={t.to} prefetch="none">
              {t.label}
            </NavLink>
          ),
        )}
      </nav>
      <Outlet />
    </>
  );
}
