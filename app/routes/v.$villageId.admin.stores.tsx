import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Check } from "~/ui/form-parts";
import { Field, FormError, FormOk } from "~/ui/field";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { createStore, setKeepers, storeIntentSchema, storesWithKeepers, updateStore } from "~/store/admin.server";
import { TEXT_LIMITS } from "~/store/labels";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "超市与店主 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  return { stores: await storesWithKeepers(villageId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const raw = await readForm(request);
  const fields = formToObject(raw);
  const form = { ...fields, keepers: raw.getAll("keepers").map(String) };
  const parsed = storeIntentSchema.safeParse(form);
  const storeId = /^\d{1,12}$/.test(fields.storeId ?? "") ? Number(fields.storeId) : null;
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.storeId || errors.keepers) errors._form = errors.intent ?? errors.storeId ?? errors.keepers;
    return data({ intent: fields.intent ?? "", storeId, errors, ok: null }, { status: 400 });
  }
  const i = parsed.data;
  const actor = actorOf(access);
  const out =
    i.intent === "store.create" ? await createStore(actor, villageId, i.name)
    : i.intent === "store.update" ? await updateStore(actor, villageId, i.storeId, i.name, i.active)
    : await setKeepers(actor, villageId, i.storeId, i.keepers);
  if (!out.ok) return data({ intent: i.intent, storeId, errors: out.errors, ok: null }, { status: out.status ?? 400 });
  return { intent: i.intent, storeId, errors: {} as Record<string, string>, ok: "已保存" };
}

export default function Stores() {
  const { stores } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const mine = (intent: string, id: number | null) => (r && r.intent === intent && r.storeId === id ? r : undefined);
  const known = r && (r.intent === "store.create" || stores.some((s) => s.id === r.storeId));
  return (
    <>
      {r && !known ? <FormError message={r.errors._form ?? "请求有误，请刷新页面后再试"} /> : null}
      {stores.map((s) => {
        const u = mine("store.update", s.id);
        const k = mine("store.keepers", s.id);
        return (
          <section className="card" key={s.id}>
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="store.update" />
              <input type="hidden" name="storeId" value={s.id} />
              <FormOk message={u?.ok} />
              <FormError message={u?.errors._form} />
              <Field label="超市名称" name="name" id={`s${s.id}-name`} defaultValue={s.name} maxLength={TEXT_LIMITS.storeName} error={u?.errors.name} />
              <Check name="active" label="营业中" defaultChecked={s.active === 1} />
              <button type="submit" className="secondary" disabled={busy}>保存</button>
            </Form>
            <Form method="post" noValidate>
              <input type="hidden" name="intent" value="store.keepers" />
              <input type="hidden" name="storeId" value={s.id} />
              <fieldset className="checks">
                <legend>店主（在“账号与角色”里给人加上“店主”角色后出现在这里；都不选则本村店主都能在这里核销）</legend>
                {s.keepers.length === 0 ? <p className="muted">本村还没有店主账号</p> : null}
                {s.keepers.map((x) => <Check key={x.id} name="keepers" value={String(x.id)} label={`${x.name} ${x.phone}`} defaultChecked={x.assigned} />)}
              </fieldset>
              <FormOk message={k?.ok} />
              <FormError message={k?.errors._form ?? k?.errors.keepers} />
              <button type="submit" className="secondary" disabled={busy}>保存店主</button>
            </Form>
          </section>
        );
      })}
      <section className="card">
        <h2>新增超市</h2>
        <Form method="post" noValidate key={mine("store.create", null)?.ok ?? "new"}>
          <input type="hidden" name="intent" value="store.create" />
          <Field label="超市名称" name="name" id="new-store-name" maxLength={TEXT_LIMITS.storeName} error={mine("store.create", null)?.errors.name} />
          <FormOk message={mine("store.create", null)?.ok} />
          <button type="submit" className="primary" disabled={busy}>新增</button>
        </Form>
      </section>
    </>
  );
}
