import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { ClaimForm } from "~/claims/claim-form";
import { FormOk } from "~/ui/field";
import { idParam, requireRole } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { claimFormOptions, fileClaimFromForm } from "~/claims/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "登记积分 · 积分超市" }];

const STAFF = ["committee", "inspector"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, STAFF, villageId);
  return await claimFormOptions(villageId, null);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, STAFF, villageId);
  const form = await readForm(request);
  const out = await fileClaimFromForm(villageId, { userId: access.viewer.userId, role: access.role }, form);
  if (out.ok) return data({ ok: `已登记（申报 #${out.ids[0]}），等待另一位村委审核`, stamp: out.ids[0], errors: undefined, values: undefined });
  return data({ ok: null, stamp: 0, errors: out.errors, values: echoValues(formToObject(form), ["memberId", "ruleId", "date", "quantity", "note"]) }, { status: out.status });
}

export default function StaffClaim() {
  const options = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card narrow">
      <h1>登记积分 / 扣分</h1>
      <p className="muted">为本村任一成员登记加分或扣分。扣分一般需要照片作为证据。登记后由另一位村委委员审核。</p>
      <FormOk message={result?.ok} />
      <ClaimForm {...options} showHousehold errors={result?.errors ?? undefined} values={result?.values ?? undefined} busy={busy} formKey={result?.stamp ?? 0} />
    </section>
  );
}
