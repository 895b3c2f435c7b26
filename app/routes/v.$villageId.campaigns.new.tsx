import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import adminStyles from "~/people/admin.css";
import styles from "~/campaigns/campaigns.css";
import { CampaignForm } from "~/campaigns/campaign";
import { idParam } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { toLocalInput } from "~/activities/activities.server";
import { awardRules, campaignFieldsSchema, campaignStaff, createCampaign, defaultCategories, requireCommittee } from "~/campaigns/campaigns.server";
import { MAX_CATEGORIES } from "~/campaigns/labels";
import { now } from "~/platform/clock.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }, { rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "发起评选 · 积分超市" }];

const DAY = 86_400_000;
const CATEGORY_KEYS = Array.from({ length: MAX_CATEGORIES }, (_, k) => k + 1).flatMap((i) => [`cat${i}Name`, `cat${i}Kind`, `cat${i}Winners`, `cat${i}Rule`]);
const FIELDS = ["title", "description", "nominateFrom", "nominateUntil", "voteFrom", "voteUntil", "voters", "quorum", ...CATEGORY_KEYS];

/** Nominations open from this hour for a week, then a day for the committee's review, then three days of voting. */
function defaultWindows(at: number) {
  const from = Math.floor(at / 3600_000) * 3600_000;
  return { nominateFrom: from, nominateUntil: from + 7 * DAY, voteFrom: from + 8 * DAY, voteUntil: from + 11 * DAY };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  requireCommittee(await campaignStaff(request, villageId));
  const w = defaultWindows(now());
  const values: Record<string, string> = {
    nominateFrom: toLocalInput(w.nominateFrom), nominateUntil: toLocalInput(w.nominateUntil), voteFrom: toLocalInput(w.voteFrom),
    voteUntil: toLocalInput(w.voteUntil), voters: "representatives", quorum: "50",
  };
  (await defaultCategories(villageId)).forEach((c, k) => {
    Object.assign(values, { [`cat${k + 1}Name`]: c.name, [`cat${k + 1}Kind`]: c.kind, [`cat${k + 1}Winners`]: c.winners, [`cat${k + 1}Rule`]: c.ruleId });
  });
  return { villageId, rules: await awardRules(villageId), values };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await campaignStaff(request, villageId);
  requireCommittee(access);
  const form = formToObject(await readForm(request));
  const values = echoValues(form, FIELDS);
  const parsed = campaignFieldsSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const out = await createCampaign({ ...actorOf(access), userId: access.viewer.userId }, villageId, parsed.data);
  if (!out.ok) return data({ errors: out.errors, values }, { status: out.status ?? 400 });
  return redirect(`/v/${villageId}/campaigns/${out.campaignId}?created=1`);
}

export default function NewCampaign() {
  const { villageId, rules, values } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card">
      <p className="muted small">
        <Link className="back" to={`/v/${villageId}/campaigns`}>‹ 评选管理</Link>
      </p>
      <h1>发起评选</h1>
      <CampaignForm values={result?.values ?? values} errors={result?.errors ?? {}} rules={rules} rows={MAX_CATEGORIES} busy={busy} />
    </section>
  );
}
