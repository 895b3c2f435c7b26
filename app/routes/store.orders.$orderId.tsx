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
  // ?cancel=1 is the one question 取消兑换 asks first (a page of its own: it works without scripts).
  const askCancel = new URL(request.url).searchParams.get("cancel") === "1";
  return { order, qr, serverNow: now(), spendable: (await householdBalance(viewer.householdId)).spendable, askCancel };
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
    throw redirect(`/store/orders/${orderId}`); // the page now says it is cancelled
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

/**
 * Without scripts the page cannot ask whether the keeper confirmed: while the code waits it reloads
 * itself. The address is spelled out: after 生成兑换码 the page's URL keeps the store's #shelf, and a
 * refresh to the same URL with a fragment would only scroll, never reload.
 */
const NOSCRIPT_REFRESH_S = 10;
const noscriptWait = (orderId: number) =>
  `<meta http-equiv="refresh" content="${NOSCRIPT_REFRESH_S};url=/store/orders/${orderId}">` +
  `<p class="muted small" data-testid="noscript-refresh">本页每 ${NOSCRIPT_REFRESH_S} 秒自动刷新一次，店主扫码核销后这里就会显示结果；也可以点“刷新”。</p>`;

export default function OrderPage() {
  const { order, qr, serverNow, spendable, askCancel } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const pending = order.status === "pending";
  const left = useCountdown(pending ? order.expiresAt : null, serverNow);
  const revalidator = useRevalidator();
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);
  // While the code is shown, ask the server every 3 s whether the keeper has confirmed it.
  useEffect(() => {
    if (!pending) return;
    const t = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, 3000);
    return () => clearInterval(t);
  }, [pending, revalidator]);
  const expired = order.status === "expired" || (pending && left === 0);
  const waiting = pending && !expired;
  const here = `/store/orders/${order.id}`;
  return (
    <>
      <FormError message={result?.error} />
      {waiting && askCancel ? (
        <section className="card" data-testid="cancel-confirm">
          <h1>取消这次兑换？</h1>
          <p>取消后这个兑换码就不能用了，冻结的 <strong>{order.total}</strong> 分马上退回。</p>
          <Lines order={order} />
          <Form method="post" replace>
            <input type="hidden" name="intent" value="cancel" />
            <button type="submit" className="primary block" disabled={busy}>确定取消兑换</button>
          </Form>
          <Link className="button secondary block" to={here} replace>不取消，继续出示兑换码</Link>
        </section>
      ) : null}
      {waiting && !askCancel ? (
        <section className="card" data-testid="code-card">
          <h1>兑换码</h1>
          <p className="muted small">请把这个码给店主扫一扫。</p>
          {qr ? <img className="qr" src={qr} alt="兑换二维码" width={320} height={320} /> : null}
          <p className="code" data-testid="order-code" data-code={order.code!}>{order.code!.slice(0, 4)} {order.code!.slice(4)}</p>
          <p className={`countdown${left !== null && left < 60_000 ? " late" : ""}`} aria-live="polite">
            {left === null ? `${formatTime(order.expiresAt!).slice(11)} 前有效` : `还剩 ${Math.floor(left / 60_000)}:${String(Math.floor((left % 60_000) / 1000)).padStart(2, "0")}`}
          </p>
          <Lines order={order} />
          {/* The household's balance already has this order's points taken off: say so in plain figures. */}
          <div className="hold" data-testid="order-hold">
            <p>这次兑换冻结 <strong data-testid="order-held">{order.total}</strong> 分</p>
            <p>冻结后还可用 <strong data-testid="order-left">{spendable}</strong> 分</p>
            <p className="muted small">店主扫码核销时才真正扣除；取消或过期，冻结的分全部退回。</p>
          </div>
          {live ? <p className="muted small">店主扫码核销后，本页会自动显示结果。</p> : null}
          <noscript dangerouslySetInnerHTML={{ __html: noscriptWait(order.id) }} />
          <div className="row code-actions">
            <Link className="button secondary" to={here} replace>刷新</Link>
            <Form method="post"><input type="hidden" name="intent" value="refresh" /><button type="submit" className="secondary" disabled={busy}>换一个新码</button></Form>
            <Link className="button secondary" to={`${here}?cancel=1`}>取消兑换</Link>
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
      {order.status === "cancelled" ? (
        <section className="card" data-testid="order-cancelled">
          <h1>已取消兑换</h1>
          <p role="status">这次兑换已取消，兑换码已作废，冻结的 {order.total} 分已经退回。</p>
          <Lines order={order} />
          <p>现在可用积分 <strong className="big-total">{spendable}</strong> 分</p>
          <Link className="button block" to="/store">回到超市</Link>
        </section>
      ) : null}
      {order.status === "replaced" ? (
        <section className="card">
          <h1>这个码已换成新码</h1>
          {order.replacedBy ? <p><Link to={`/store/orders/${order.replacedBy}`}>查看新码 ›</Link></p> : null}
        </section>
      ) : null}
      {waiting ? (
        <p><Link className="pad" to="/store">回到超市</Link></p>
      ) : order.status !== "cancelled" ? (
        <p className="muted">现在可用积分 {spendable} 分 · <Link className="pad" to="/store">回到超市</Link></p>
      ) : null}
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
