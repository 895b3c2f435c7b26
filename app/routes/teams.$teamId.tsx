import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/teams/teams.css";
import { Tag } from "~/ui/form-parts";
import { idParam } from "~/platform/access.server";
import { teamPage } from "~/teams/pages.server";
import { levelLabel } from "~/teams/labels";
import { MemberList, MemberPager, PeriodForm, TeamActivities, TeamStats } from "~/teams/team-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.team.name ?? "队伍"} · 志愿队伍 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return teamPage(request, idParam(params.teamId));
}

export default function TeamPage() {
  const d = useLoaderData<typeof loader>();
  const t = d.team;
  const township = t.village_id === null;
  return (
    <>
      {d.back ? (
        <p className="muted small">
          <Link className="back" to={d.back}>‹ 志愿队伍</Link>
        </p>
      ) : null}
      <section className="card">
        <h1>
          {t.name} <Tag tone={township ? "ok" : undefined}>{levelLabel(t)}</Tag>
        </h1>
        {township ? null : <p className="muted small">{t.village_name}</p>}
        {t.description ? <p>{t.description}</p> : null}
        <PeriodForm periods={d.periods} period={d.period} />
        <TeamStats totals={d.totals} members={d.members.count} />
        {d.manage ? <p><Link to={d.manage}>管理这个队伍 ›</Link></p> : null}
      </section>
      <section className="card">
        <h2>队员（{d.members.count} 人）</h2>
        <MemberList members={d.members.rows} township={township} />
        <MemberPager page={d.page} pages={d.members.pages} link={(p) => `/teams/${t.id}?period=${d.period.key}&page=${p}`} />
      </section>
      <section className="card">
        <h2>队伍活动（{d.period.label}）</h2>
        <TeamActivities activities={d.activities} township={township} />
      </section>
    </>
  );
}
