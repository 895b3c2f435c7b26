import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/teams/teams.css";
import { Tag } from "~/ui/form-parts";
import { Pager } from "~/ui/pager";
import { echoValues } from "~/platform/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";
import { createTownshipTeam, townshipTeamsPage } from "~/teams/pages.server";
import { PeriodForm, TeamForm } from "~/teams/team-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "志愿队伍 · 乡镇 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return townshipTeamsPage(request);
}

export async function action({ request }: ActionFunctionArgs) {
  const form = formToObject(await readForm(request));
  const out = await createTownshipTeam(request, form);
  if (!out.ok) return data({ errors: out.errors, values: echoValues(form, ["name", "description"]) }, { status: out.status ?? 400 });
  return redirect(`/township/teams/${out.teamId}`);
}

export default function TownshipTeams() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const href = (t: { id: number; village_id: number | null }) =>
    `${t.village_id === null ? "/township/teams" : `/v/${t.village_id}/teams`}/${t.id}?period=${d.period.key}`;
  return (
    <>
      <p className="row back"><Link to="/township">‹ 乡镇管理</Link></p>
      <h1>志愿队伍</h1>
      <section className="card">
        <PeriodForm periods={d.periods} period={d.period} />
        <p data-testid="township-team-totals">
          {d.period.label}：{d.teams} 支队伍，{d.activities} 次活动，共服务 <b>{Math.round(d.hours * 10) / 10}</b> 小时
        </p>
        {d.rows.length === 0 ? <p className="muted">还没有志愿队伍</p> : (
          <div className="table-wrap">
            <table className="teams-table" data-testid="teams-table">
              <thead>
                <tr><th>队伍</th><th className="num">队员</th><th className="num">活动</th><th className="num">小时</th></tr>
              </thead>
              <tbody>
                {d.rows.map((t) => (
                  <tr key={t.id} data-team={t.id}>
                    <td>
                      <Link to={href(t)}>{t.name}</Link>
                      <span className="owner">{t.village_id === null ? <Tag tone="ok">乡镇</Tag> : t.village_name}</span>
                    </td>
                    <td className="num">{t.members}</td>
                    <td className="num">{t.activities}</td>
                    <td className="num" data-testid="team-hours">{Math.round(t.hours * 10) / 10}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={d.page} pages={d.pages} link={(p) => `/township/teams?period=${d.period.key}&page=${p}`} />
      </section>
      <section className="card">
        <h2>新建乡镇队伍</h2>
        <p className="muted small">乡镇队伍可以从全乡镇各村的村民中选队员；村级队伍由各村村委新建。</p>
        <TeamForm values={result?.values ?? {}} errors={result?.errors ?? {}} submit="新建队伍" busy={busy} />
      </section>
    </>
  );
}
