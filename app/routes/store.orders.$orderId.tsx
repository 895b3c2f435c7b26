import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect, useState } from "react";
import { FormError } from "~/ui/field";
import { Receipt } from "~/store/receipt";
import storeStyles from "~/store/store.css";
import { idParam, notFound, requireHousehold } from "~/platform/access.server";
import { cancelOrder, householdOrder, refreshOrder } from "~/store/checkout.server";
import { now } from "~/platform/clock.server";
import { formatTime } from "~/platform/format";
import { householdBalance } from "~/ledger/ledger.server";
import { orderIntentSchema, qrDataUrl } from "~/store/storefront.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storeStyles }];
export const meta: MetaFunction = () => [{ title: "兑换码 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  const order = await householdOrder(viewer.householdId, idParam(params.orderId));
  if (!order) notFound();
  const qr = order.qrPayload ? await qrDataUrl(order.qrPayload) : null;
  return { order, qr, serverNow: now(), spendable: (await householdBalance(viewer.householdId)).spendable };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireHousehold(request);
  const orderId = idParam(params.orderId);
  if (!(await householdOrder(viewer.householdId, orderId))) notFound();
  const parsed = orderIntentSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return data({ error: "请求有误，请刷新页面后再试" }, { status: 400 });
  if (parsed.data.intent === "cancel") {
    const out = await cancelOrder(viewer.householdId, orderId);
    if (!out.ok) return data({ error: out.message }, { status: 400 });
    throw redirect("/store");
  }
  const out = await refreshOrder(viewer.householdId, orderId, viewer.userId, viewer.memberId);
  if (!out.ok) return data({ error: out.message }, { status: 400 });
  throw redirect(`/store/orders/${out.orderId}`);
}

function useCountdown(expiresAt: number | null, serverNow: number): number | null {
  const [left, setLeft] = useState<number | null>(null);
  useEffect(() => {
    if (!expiresAt) return;
    const skew = Date.now() - serverNow; // the phone's clock may be wrong; count from the server's
    const tick = () => setLeft(Math.max(0, expiresAt - (Date.now() - skew)));
    tick();
    const t = setInterval(tick, 1000);
    return () => clearInterval(t);
  }, [expiresAt, serverNow]);
  return left;
}

export default function OrderPage() {
  const { order, qr, serverNow, spendable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const pending = order.status === "pending";
  const left = useCountdown(pending ? order.expiresAt : null, serverNow);
  const revalidator = useRevalidator();
  // While the code is shown, ask the server every 3 s whether the keeper has confirmed it.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, 3000);
    return () => clearInterval(t);
  }, [pending, revalidator]);
  const expired = order.status === "expired" || (pending && left === 0);
  return (
    <>
      <FormError message={result?.error} />
      {pending && !expired ? (
        <section className="card" data-testid="code-card">
          <h1>兑换码</h1>
          <p className="muted small">请把这个码给店主扫一扫。扫码核销后才会扣积分。</p>
          {qr ? <img className="qr" src={qr} alt="兑换二维码" width={320} height={320} /> : null}
          <p className="code" data-testid="order-code" data-code={order.code!}>{order.code!.slice(0, 4)} {order.code!.slice(4)}</p>
          <p className={`countdown${left !== null && left < 60_000 ? " late" : ""}`} aria-live="polite">
            {left === null ? `${formatTime(order.expiresAt!).slice(11)} 前有效` : `还剩 ${Math.floor(left / 60_000)}:${String(Math.floor((left % 60_000) / 1000)).padStart(2, "0")}`}
          </p>
          <Lines order={order} />
          <div className="row">
            <Form method="post"><input type="hidden" name="intent" value="refresh" /><button type="submit" className="secondary" disabled={busy}>换一个新码</button></Form>
            <Form method="post"><input type="hidden" name="intent" value="cancel" /><button type="submit" className="secondary" disabled={busy}>取消兑换</button></Form>
          </div>
          <p className="muted small">没有网也没关系：店主可以输入上面的 8 位数字。</p>
        </section>
      ) : null}
      {expired ? (
        <section className="card">
          <h1>兑换码已过期</h1>
          <p>兑换码只在 10 分钟内有效，冻结的积分已退回。</p>
          <Lines order={order} />
          <Form method="post"><input type="hidden" name="intent" value="refresh" /><button type="submit" className="primary block" disabled={busy}>重新生成兑换码</button></Form>
        </section>
      ) : null}
      {order.status === "confirmed" || order.status === "voided" ? <Receipt order={order} side="villager" /> : null}
      {order.status === "cancelled" || order.status === "replaced" ? (
        <section className="card">
          <h1>{order.status === "cancelled" ? "已取消" : "这个码已换成新码"}</h1>
          {order.replacedBy ? <p><Link to={`/store/orders/${order.replacedBy}`}>查看新码 ›</Link></p> : null}
        </section>
      ) : null}
      <p className="muted">可用积分：{spendable} 分 · <Link className="pad" to="/store">回到超市</Link></p>
    </>
  );
}

function Lines({ order }: { order: { items: { goodId: number; name: string; qty: number; unit: string; price: number }[]; total: number } }) {
  return (
    <table className="lines">
      <tbody>
        {order.items.map((i) => (
          <tr key={i.goodId}><td>{i.name}</td><td>×{i.qty}{i.unit}</td><td>{i.price * i.qty} 分</td></tr>
        ))}
        <tr><th>合计</th><th /><th className="big-total">{order.total} 分</th></tr>
      </tbody>
    </table>
  );
}
