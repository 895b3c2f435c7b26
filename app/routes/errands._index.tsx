// 代跑: open needs of my village to take (big buttons), the needs I posted (or posted for my
// household), and the errands my household ran: the household's 代跑 records both ways.
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import errandStyles from "~/errands/errands.css";
import { ErrandList } from "~/errands/errand-list";
import { errandRuleOf, myErrands, openNeeds, postableHouseholds } from "~/errands/errands.server";
import { forbidden, requireViewer } from "~/platform/access.server";

export const meta: MetaFunction = () => [{ title: "代跑 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: errandStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  const postable = await postableHouseholds(viewer);
  // A grid worker without a household of their own posts and confirms here too.
  const villageId = viewer.homeVillageId ?? postable[0]?.villageId ?? null;
  if (villageId === null || (viewer.householdId === null && postable.length === 0)) throw forbidden("你的账号没有关联农户，无法使用代跑");
  const rule = await errandRuleOf(villageId);
  const [open, mine] = await Promise.all([viewer.householdId === null ? Promise.resolve([]) : openNeeds(villageId, viewer.householdId), myErrands(viewer.userId, viewer.householdId)]);
  return { rule: rule && rule.active ? { name: rule.name, points: rule.points } : null, canTake: viewer.householdId !== null, canPost: postable.length > 0, open, ...mine };
}

export default function Errands() {
  const { rule, canTake, canPost, open, posted, taken } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="card">
        <h1>代跑</h1>
        <p className="muted">
          帮乡亲跑腿：买农资、买药、陪老人看病。{rule ? <>办好后由被帮助的人确认，按“{rule.name}”申报 {rule.points} 分，审核公示后入账。</> : "本村还没有开通代跑积分。"}
        </p>
        {canPost && rule ? <Link to="/errands/new" className="button errand-new-link">我要找人代跑</Link> : null}
      </section>
      {canTake ? (
        <section className="card">
          <h2>等人接的需求（{open.length}）</h2>
          <ErrandList errands={open} empty="现在没有等人接的需求。" />
        </section>
      ) : null}
      <section className="card">
        <h2>我发布的 / 帮我家的</h2>
        <ErrandList errands={posted} empty="还没有。" showVolunteer />
      </section>
      {canTake ? (
        <section className="card">
          <h2>我家接的代跑</h2>
          <ErrandList errands={taken} empty="还没有接过代跑。" showVolunteer />
        </section>
      ) : null}
    </>
  );
}
