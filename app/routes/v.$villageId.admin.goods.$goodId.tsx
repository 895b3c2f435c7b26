import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { GoodForm } from "~/store/good-form";
import { Movements, StockForms } from "~/store/stock-forms";
import { idParam, notFound, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { goodOf, readGoodForm, updateGood } from "~/store/goods.server";
import { movementsOf } from "~/store/stock.server";
import { stockAction } from "~/store/stock-page.server";
import { photoUrl } from "~/store/storefront.server";
import { yuan } from "~/store/format";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "商品 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  const good = await goodOf(villageId, idParam(params.goodId));
  if (!good) notFound();
  return { good: { ...good, photo: photoUrl(good) }, movements: await movementsOf(good.id), created: new URL(request.url).searchParams.get("created") === "1" };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const goodId = idParam(params.goodId);
  if (!(await goodOf(villageId, goodId))) notFound();
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "stock.restock" || intent === "stock.correct") return stockAction(access, villageId, formToObject(form), { goodId });
  if (intent !== "good.save") return data({ intent: "", errors: { _form: "请求有误，请刷新页面后再试" } as Record<string, string>, ok: null }, { status: 400 });
  const { fields, parsed, photo, photoError } = await readGoodForm(form);
  const errors: Record<string, string> = parsed.success ? {} : fieldErrors(parsed.error);
  if (photoError) errors.photo = photoError;
  if (!parsed.success || photoError) return data({ intent: "good.save", errors, ok: null, values: { ...fields, active: fields.active === "on" } }, { status: 400 });
  const out = await updateGood(actorOf(access), villageId, goodId, parsed.data, photo);
  if (!out.ok) return data({ intent: "good.save", errors: out.errors, ok: null, values: { ...fields, active: fields.active === "on" } }, { status: out.status ?? 400 });
  return { intent: "good.save", errors: {} as Record<string, string>, ok: "已保存" };
}

export default function GoodPage() {
  const { good, movements, created } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>() as { intent: string; errors: Record<string, string>; ok: string | null; values?: Record<string, string | boolean> } | undefined;
  const busy = useNavigation().state !== "idle";
  const saving = reply?.intent === "good.save";
  const current = {
    name: good.name, category: good.category, unit: good.unit, price: String(good.price), cost: yuan(good.cost_fen),
    monthlyLimit: good.monthly_limit === null ? "" : String(good.monthly_limit), lowStock: String(good.low_stock), active: good.active === 1,
  };
  return (
    <>
      <p><Link to=".." className="back">‹ 商品</Link></p>
      <h2>{good.name} <span className="muted small">{good.store} · 库存 {good.stock}{good.unit}</span></h2>
      {created ? <FormOk message="已新增。可以在下面入库。" /> : null}
      {reply && !saving && !reply.intent.startsWith("stock.") ? <FormError message={reply.errors._form} /> : null}
      {good.photo ? <img src={good.photo} alt={good.name} width={160} height={160} style={{ borderRadius: 8 }} /> : null}
      {saving && reply?.ok ? <FormOk message={reply.ok} /> : null}
      <GoodForm key={saving && reply?.ok ? "saved" : "form"} values={saving && reply?.values ? (reply.values as never) : current} errors={saving ? reply!.errors : {}} busy={busy} submit="保存" />
      {reply?.intent.startsWith("stock.") ? <><FormOk message={reply.ok} /><FormError message={reply.errors._form} /></> : null}
      <StockForms goodId={good.id} unit={good.unit} stock={good.stock} reply={reply?.intent.startsWith("stock.") ? reply : undefined} busy={busy} />
      <section className="card"><h3>库存变动</h3><Movements rows={movements} /></section>
    </>
  );
}
