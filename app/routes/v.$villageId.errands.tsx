// 代跑 for the grid worker and the committee: needs nobody took within a day (a grid worker sees
// their grids', the committee the village's), then every need, newest first, a page at a time.
// The untaken list is computed here on each visit; the scheduler also sends each one to the grid
// worker's 消息 once (errands.server.ts noteUntakenErrands).
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import errandStyles from "~/errands/errands.css";
import { ErrandList } from "~/errands/errand-list";
import { errandRuleOf, villageErrands } from "~/errands/errands.server";
import { gridsWorkedBy } from "~/groups/groups.server";
import { idParam, requireRole } from "~/platform/access.server";
import { pageSchema } from "~/platform/validation.server";
import { Pager } from "~/ui/pager";

export const meta: MetaFunction = () => [{ title: "代跑需求 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: errandStyles }];

const STAFF = ["committee", "inspector", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, STAFF, villageId);
  const page = pageSchema.parse(new URL(request.url).searchParams.get("page"));
  const grids = access.role === "inspector" ? await gridsWorkedBy(access.viewer.userId, villageId) : null;
  const rule = await errandRuleOf(villageId);
  return { villageId, page, gridScoped: grids !== null, rule: rule?.name ?? null, ...(await villageErrands(villageId, grids, page)) };
}

export default function VillageErrands() {
  const { villageId, page, pages, gridScoped, rule, untaken, all } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="card">
        <h1>代跑需求</h1>
        <p className="muted">
          {gridScoped ? "你负责的网格里的代跑需求。" : "全村的代跑需求。"}
          {rule ? `完成后按“${rule}”申报积分。` : "本村还没有选代跑用的积分细则（村务管理 › 审核与公示设置）。"}
        </p>
        <h2>一天没人接的（{untaken.length}）</h2>
        <ErrandList errands={untaken} empty="没有一天没人接的需求。" />
      </section>
      <section className="card">
        <h2>全部需求</h2>
        <ErrandList errands={all} empty="还没有代跑需求。" showVolunteer />
        <Pager page={page} pages={pages} link={(p) => `/v/${villageId}/errands?page=${p}`} />
      </section>
    </>
  );
}
