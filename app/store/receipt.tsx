// The receipt both sides see after a confirm: number, time, items, points, balance after.
import { formatTime } from "~/platform/format";
import type { OrderView } from "./checkout.server";

type ReceiptOrder = Pick<OrderView, "no" | "status" | "channel" | "store" | "closedAt" | "household" | "member" | "keeper" | "items" | "total" | "balanceAfter" | "voidReason">;

export function Receipt({ order, side, replay }: { order: ReceiptOrder; side: "villager" | "keeper"; replay?: boolean }) {
  const voided = order.status === "voided";
  return (
    <section className="receipt" data-testid="receipt">
      <h2>{voided ? "兑换单（已作废）" : "兑换成功"}</h2>
      {voided ? <p className="warn">已作废：{order.voidReason}。积分已退回，商品已退回库存。</p> : <p className="ok">✓ 已核销，{side === "villager" ? "请领取商品" : "请把商品交给村民"}</p>}
      {replay ? <p className="muted small">这张单子刚才已经确认过，没有重复扣分。</p> : null}
      <p>
        单号 <strong data-testid="receipt-no">{order.no}</strong><br />
        时间 {order.closedAt ? formatTime(order.closedAt) : ""}<br />
        {order.store} · {order.channel === "counter" ? "柜台兑换" : "扫码兑换"}<br />
        {order.household.number}号户{order.household.head ? `（户主 ${order.household.head}）` : ""}{order.member ? ` · ${order.member}` : ""}
        {order.keeper ? <><br />店主 {order.keeper}</> : null}
      </p>
      <table className="lines">
        <tbody>
          {order.items.map((i) => (
            <tr key={i.goodId}><td>{i.name}</td><td>×{i.qty}{i.unit}</td><td>{i.price * i.qty} 分</td></tr>
          ))}
          <tr><th>合计</th><th /><th className="big-total" data-testid="receipt-total">{order.total} 分</th></tr>
        </tbody>
      </table>
      {order.balanceAfter !== null ? <p>兑换后余额 <strong data-testid="receipt-balance">{order.balanceAfter}</strong> 分</p> : null}
    </section>
  );
}
