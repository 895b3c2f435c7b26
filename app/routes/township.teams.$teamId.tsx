import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/teams/teams.css";
import { idParam } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";
import { manageTeam, manageTeamPage } from "~/teams/pages.server";
import { ManageTeam } from "~/teams/manage-view";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.team.name ?? "队伍"} · 志愿队伍 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  return manageTeamPage(request, { township: true } as const, idParam(params.teamId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const where = { township: true } as const;
  const teamId = idParam(params.teamId);
  const form = formToObject(await readForm(request));
  const reply = await manageTeam(request, where, teamId, form);
  return data({ ...reply, values: echoValues(form, ["name", "description"]) }, { status: reply.status });
}

export default function TownshipTeam() {
  return <ManageTeam d={useLoaderData<typeof loader>()} result={useActionData<typeof action>()} busy={useNavigation().state === "submitting"} />;
}
