import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/teams/teams.css";
import { villagerTeamsPage } from "~/teams/pages.server";
import { PeriodForm, TeamList } from "~/teams/team-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "志愿队伍 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return villagerTeamsPage(request);
}

export default function Teams() {
  const d = useLoaderData<typeof loader>();
  return (
    <>
      <h1>志愿队伍</h1>
      <section className="card">
        <p className="muted small elder-hide">村里和乡镇的志愿服务队。想参加哪个队，请找村委或队长。</p>
        <PeriodForm periods={d.periods} period={d.period} />
        <TeamList teams={d.teams} mine={d.mine} href={(t) => `/teams/${t.id}?period=${d.period.key}`} empty="村里还没有志愿队伍" />
      </section>
    </>
  );
}
