import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/teams/teams.css";
import { idParam } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";
import { createVillageTeam, villageTeamsPage } from "~/teams/pages.server";
import { PeriodForm, TeamForm, TeamList } from "~/teams/team-parts";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "志愿队伍 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return villageTeamsPage(request, idParam(params.villageId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const form = formToObject(await readForm(request));
  const out = await createVillageTeam(request, villageId, form);
  if (!out.ok) return data({ errors: out.errors, values: echoValues(form, ["name", "description"]) }, { status: out.status ?? 400 });
  return redirect(`/v/${villageId}/teams/${out.teamId}`);
}

export default function VillageTeams() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <h1>志愿队伍</h1>
      <section className="card">
        <p className="muted small">本村的队伍和乡镇的队伍。乡镇队伍由乡镇管理员管理。</p>
        <PeriodForm periods={d.periods} period={d.period} />
        <TeamList
          teams={d.teams}
          href={(t) => (t.village_id === null ? `/teams/${t.id}?period=${d.period.key}` : `/v/${d.villageId}/teams/${t.id}?period=${d.period.key}`)}
          empty="还没有志愿队伍"
        />
      </section>
      {d.canManage ? (
        <section className="card">
          <h2>新建村级队伍</h2>
          <TeamForm values={result?.values ?? {}} errors={result?.errors ?? {}} submit="新建队伍" busy={busy} />
        </section>
      ) : null}
    </>
  );
}
