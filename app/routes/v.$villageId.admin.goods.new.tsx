import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { GoodForm } from "~/store/good-form";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf, formIdSchema } from "~/platform/forms.server";
import { createGood, readGoodForm } from "~/store/goods.server";
import { villageStores } from "~/store/access.server";
import { fieldErrors, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "新增商品 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  return { stores: (await villageStores(villageId, false)).map((s) => ({ id: s.id, name: s.name })) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const { fields, parsed, photo, photoError } = await readGoodForm(await readForm(request));
  const store = formIdSchema.safeParse(fields.storeId);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);
  if (!store.success) errors.storeId = "请从列表中选择本村的超市";
  if (photoError) errors.photo = photoError;
  const values = { ...fields, active: fields.active === "on" };
  if (!parsed.success || !store.success || photoError) return data({ errors, values }, { status: 400 });
  const out = await createGood(actorOf(access), villageId, store.data, parsed.data, photo);
  if (!out.ok) return data({ errors: out.errors, values }, { status: out.status ?? 400 });
  throw redirect(`/v/${villageId}/admin/goods/${out.goodId}?created=1`);
}

export default function NewGood() {
  const { stores } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (stores.length === 0) return <section className="card"><p>还没有超市，请先在“超市与店主”里新增超市。</p><Link to="../../stores">去新增超市 ›</Link></section>;
  return (
    <>
      <p><Link to=".." className="back">‹ 商品</Link></p>
      <h2>新增商品</h2>
      <GoodForm values={result?.values ?? { storeId: String(stores[0].id) }} errors={result?.errors ?? {}} stores={stores} busy={busy} submit="新增商品" />
    </>
  );
}
