import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ClaimForm } from "~/claims/claim-form";
import { requireHousehold, requireRole } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { claimFormOptions, fileClaimFromForm } from "~/claims/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "申报积分 · 积分超市" }];

const VILLAGER = ["household_head", "villager"] as const;

async function filer(request: Request) {
  const viewer = await requireHousehold(request);
  const access = await requireRole(request, VILLAGER, viewer.homeVillageId);
  return { viewer, role: access.role };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await filer(request);
  return await claimFormOptions(viewer.homeVillageId, viewer.householdId);
}

export async function action({ request }: ActionFunctionArgs) {
  const { viewer, role } = await filer(request);
  const form = await readForm(request);
  const out = await fileClaimFromForm(viewer.homeVillageId, { userId: viewer.userId, role }, form);
  if (out.ok) return redirect("/claims?filed=1");
  return data({ errors: out.errors, values: echoValues(formToObject(form), ["memberId", "ruleId", "date", "quantity", "note"]) }, { status: out.status });
}

export default function NewClaim() {
  const options = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card narrow">
      <p className="muted small"><Link to="/claims" className="back">‹ 我的申报</Link></p>
      <h1>申报积分</h1>
      <p className="muted">为本户成员申报。村委审核通过后会公示，公示期满没有异议就自动入账。</p>
      <ClaimForm {...options} showHousehold={false} errors={result?.errors} values={result?.values} busy={busy} formKey="claim" />
    </section>
  );
}
