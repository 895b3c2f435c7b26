import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/activities/activities.css";
import { ActivityForm } from "~/activities/activity";
import { idParam } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { activityFieldsSchema, activityStaff, createActivity, defaultActivityTimes, organiserChoices, requireCommittee, ruleChoices, toLocalInput } from "~/activities/activities.server";
import { now } from "~/platform/clock.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { teamChoices } from "~/teams/teams.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "发起活动 · 积分超市" }];

const FIELDS = ["title", "description", "place", "startsAt", "endsAt", "deadline", "capacity", "organiserId", "ruleId", "teamId"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await activityStaff(request, villageId);
  requireCommittee(access);
  const { start, end, deadline } = defaultActivityTimes(now());
  const [organisers, rules, teams] = await Promise.all([organiserChoices(villageId), ruleChoices(villageId), teamChoices(villageId)]);
  const defaults: Record<string, string> = {
    startsAt: toLocalInput(start),
    endsAt: toLocalInput(end),
    deadline: toLocalInput(deadline),
    capacity: "20",
    organiserId: String(access.viewer.userId),
  };
  return { villageId, organisers, rules, teams, defaults };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await activityStaff(request, villageId);
  requireCommittee(access);
  const form = formToObject(await readForm(request));
  const values = echoValues(form, FIELDS);
  const parsed = activityFieldsSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const out = await createActivity({ ...actorOf(access), userId: access.viewer.userId }, villageId, parsed.data);
  if (!out.ok) return data({ errors: out.errors, values }, { status: out.status ?? 400 });
  return redirect(`/v/${villageId}/activities/${out.activityId}?created=1`);
}

export default function NewActivity() {
  const { villageId, organisers, rules, teams, defaults } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card">
      <p className="muted small">
        <Link className="back" to={`/v/${villageId}/activities`}>‹ 活动列表</Link>
      </p>
      <h1>发起志愿活动</h1>
      <ActivityForm values={result?.values ?? defaults} errors={result?.errors ?? {}} organisers={organisers} rules={rules} teams={teams} submit="发布活动" busy={busy} />
    </section>
  );
}
