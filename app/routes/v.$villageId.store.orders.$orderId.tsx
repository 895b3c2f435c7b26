import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { Receipt } from "~/store/receipt";
import { findGrant, idParam, notFound, requireRole } from "~/platform/access.server";
import { maySeeOrder, mayVoid, orderView, voidOrder, voidSchema } from "~/store/order-void.server";
import { storesOfKeeper } from "~/store/access.server";
import { TEXT_LIMITS } from "~/store/labels";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "兑换单 · 积分超市" }];

const VIEW = ["store_keeper", "committee", "village_admin", "township_admin"] as const;

async function load(villageId: number, orderId: number) {
  const order = await orderView(orderId);
  if (!order || order.villageId !== villageId || (order.status !== "confirmed" && order.status !== "voided")) notFound();
  return order;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, VIEW, villageId);
  const order = await load(villageId, idParam(params.orderId));
  if (!(await maySeeOrder(access.viewer, villageId, order.storeId))) notFound();
  const voidAs = (["committee", "store_keeper"] as const).find((r) => findGrant(access.viewer, [r], villageId) && mayVoid(r, order.closedAt)) ?? null;
  return { order, canVoid: order.status === "confirmed" && voidAs !== null, lateForKeeper: !!findGrant(access.viewer, ["store_keeper"], villageId) && !voidAs };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ["store_keeper", "committee"], villageId);
  const order = await load(villageId, idParam(params.orderId));
  const parsed = voidSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return data({ error: fieldErrors(parsed.error).reason ?? "请填写作废原因", field: "reason", ok: null }, { status: 400 });
  // A committee member who is also a keeper voids as committee (allowed any day).
  const role = findGrant(access.viewer, ["committee"], villageId) ? "committee" : "store_keeper";
  const storeIds = role === "store_keeper" ? (await storesOfKeeper(access.viewer.userId, villageId, role)).map((s) => s.id) : undefined;
  const out = await voidOrder({ userId: access.viewer.userId, role, villageId, storeIds }, order.id, parsed.data.reason);
  if (!out.ok) return data({ error: out.message, field: "_form", ok: null }, { status: 400 });
  return { error: null, field: null, ok: "已作废：积分已退回这户，商品已退回库存" };
}

export default function OrderDetail() {
  const { order, canVoid, lateForKeeper } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <p><Link to="..">‹ 兑换单</Link></p>
      <FormOk message={result?.ok} />
      {result?.field === "_form" ? <FormError message={result.error} /> : null}
      <Receipt order={order} side="keeper" />
      {canVoid ? (
        <section className="card">
          <h2>作废这张单</h2>
          <p className="muted small">村民退回商品或录错时使用。作废会把积分退回这户、商品退回库存，并记在积分明细里。</p>
          <Form method="post" noValidate>
            <label htmlFor="reason">作废原因</label>
            <input id="reason" name="reason" maxLength={TEXT_LIMITS.voidReason} autoComplete="off" aria-invalid={result?.field === "reason" ? true : undefined} aria-describedby={result?.field === "reason" ? "reason-err" : undefined} />
            {result?.field === "reason" ? <p className="field-error" id="reason-err">{result.error}</p> : null}
            <button type="submit" className="primary block" disabled={busy}>确认作废</button>
          </Form>
        </section>
      ) : lateForKeeper && order.status === "confirmed" ? <p className="muted">店主只能作废当天的兑换单；需要作废请找村委委员。</p> : null}
    </>
  );
}
