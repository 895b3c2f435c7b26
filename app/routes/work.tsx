import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireViewer } from "~/platform/access.server";
import { navFor } from "~/platform/nav";
import { ROLE_LABELS } from "~/platform/roles";

export const meta: MetaFunction = () => [{ title: "工作 · 积分超市" }];

// The jobs of a viewer who also has a household: the menu bar shows them as one 工作 entry.
export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const jobs = navFor(viewer.roles, viewer.householdId !== null).filter((n) => n.work);
  const roles = [...new Set(viewer.roles.map((r) => ROLE_LABELS[r.role]))];
  return { jobs, roles };
}

export default function Work() {
  const { jobs, roles } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>工作</h1>
      <p className="muted">你的角色：{roles.join("、") || "无"}</p>
      {jobs.length ? (
        <div className="actions">
          {jobs.map((j) => (
            <Link key={j.to} to={j.to}>{j.label}</Link>
          ))}
        </div>
      ) : (
        <p className="card">你没有工作人员角色。需要审核、扫码核销等工作的，请联系村管理员开通。</p>
      )}
    </>
  );
}
