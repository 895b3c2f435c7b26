import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { SelectField } from "~/ui/form-parts";
import { Field, FormError } from "~/ui/field";
import { idParam, requireRole } from "~/platform/access.server";
import { SPACED_INPUT_LIMITS, TEXT_LIMITS } from "~/people/limits";
import { actorOf, echoValues } from "~/platform/forms.server";
import { createHouseholdByAdmin, newHouseholdSchema } from "~/people/household-admin.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { listGrids } from "~/people/villages.server";

export const meta: MetaFunction = () => [{ title: "新增住户 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["village_admin", "township_admin"], villageId);
  return { villageId, grids: await listGrids(villageId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ["village_admin", "township_admin"], villageId);
  const form = formToObject(await readForm(request));
  const values = echoValues(form, ["number", "gridId", "address", "headName", "headPhone"]);
  const parsed = newHouseholdSchema.safeParse(form);
  if (!parsed.success) return data({ errors: fieldErrors(parsed.error), values }, { status: 400 });
  const out = await createHouseholdByAdmin(actorOf(access), villageId, parsed.data);
  if (!out.ok) return data({ errors: out.errors, values }, { status: out.status ?? 400 });
  return redirect(`/v/${villageId}/admin/households/${out.householdId}?created=1`);
}

export default function NewHousehold() {
  const { villageId, grids } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Record<string, string | undefined> = result?.errors ?? {};
  const v = result?.values;
  const busy = useNavigation().state === "submitting";
  return (
    <section className="card">
      <p className="muted small">
        <Link className="back" to={`/v/${villageId}/admin`}>‹ 住户列表</Link>
      </p>
      <h2>新增住户</h2>
      <Form method="post" noValidate>
        <FormError message={errors._form} />
        <Field label="户号" name="number" defaultValue={v?.number} error={errors.number} maxLength={TEXT_LIMITS.householdNumber} autoComplete="off" hint="如 001、2-15，本村内不能重复" />
        <SelectField
          label="网格"
          name="gridId"
          defaultValue={v?.gridId ?? ""}
          error={errors.gridId}
          options={[{ value: "", label: "暂不分网格" }, ...grids.map((g) => ({ value: String(g.id), label: g.name }))]}
        />
        <Field label="门牌地址（可不填）" name="address" defaultValue={v?.address} error={errors.address} maxLength={TEXT_LIMITS.address} autoComplete="off" />
        <Field label="户主姓名" name="headName" defaultValue={v?.headName} error={errors.headName} maxLength={TEXT_LIMITS.personName} autoComplete="off" />
        <Field label="户主手机号（可不填）" name="headPhone" type="tel" inputMode="numeric" defaultValue={v?.headPhone} error={errors.headPhone} maxLength={SPACED_INPUT_LIMITS.phone} autoComplete="off" hint="只是联系电话；开通登录在住户页操作" />
        <button type="submit" className="primary block" disabled={busy}>{busy ? "正在保存……" : "保存住户"}</button>
      </Form>
    </section>
  );
}
