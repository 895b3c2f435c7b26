import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/bulk/bulk.css";
import { BulkChooseForm, BulkPreviewCard } from "~/bulk/bulk-form";
import { awardRules, gridsOf } from "~/bulk/bulk.server";
import { fileFromForm, previewFromForm } from "~/bulk/forms.server";
import { chinaToday } from "~/claims/forms.server";
import { idParam, requireRole } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "新建批量发放 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

const COMMITTEE = ["committee"] as const;
const ECHO = ["ruleId", "mode", "gridId", "codes", "date", "quantity", "note"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, COMMITTEE, villageId);
  return { villageId, rules: await awardRules(villageId), grids: await gridsOf(villageId), today: chinaToday() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, COMMITTEE, villageId);
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "preview") {
    const out = await previewFromForm(villageId, form);
    if (out.ok) return { step: "preview" as const, preview: out.preview, key: out.key, values: out.values, errors: null, echo: null };
    return data({ step: "choose" as const, preview: null, key: null, values: null, errors: out.errors, echo: echoValues(formToObject(form), ECHO) }, { status: out.status });
  }
  if (intent === "file") {
    const out = await fileFromForm(villageId, { userId: access.viewer.userId, role: access.role }, form);
    if (out.ok) throw redirect(`/v/${villageId}/bulk/${out.batchId}`);
    const errors = { _form: out.errors._form ?? `${Object.values(out.errors)[0] ?? "请求有误"}，请重新预览` };
    return data({ step: "choose" as const, preview: null, key: null, values: null, errors, echo: null }, { status: out.status });
  }
  return data({ step: "choose" as const, preview: null, key: null, values: null, errors: { _form: "请求有误，请刷新页面后再试" }, echo: null }, { status: 400 });
}

export default function NewBulk() {
  const options = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <>
      <section className="card narrow">
        <p className="bulk-back"><Link to={`/v/${options.villageId}/bulk`}>‹ 批量发放</Link></p>
        <h1>新建批量发放</h1>
        <p className="muted small elder-hide">选一条加分细则和要发的户，先预览合计，确认后每户登记一条申报（记在户主名下）。</p>
        {result?.step === "preview" ? null : (
          <BulkChooseForm {...options} errors={result?.errors ?? undefined} values={result?.echo ?? undefined} busy={busy} />
        )}
      </section>
      {result?.step === "preview" && result.preview ? (
        <BulkPreviewCard villageId={options.villageId} preview={result.preview} keyValue={result.key} values={result.values} busy={busy} />
      ) : null}
    </>
  );
}
