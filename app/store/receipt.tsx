// The receipt both sides see after a confirm: number, time, items, points, balance after.
// One order of words everywhere: the keeper confirms, then hands the goods over.
import type { ReactNode } from "react";
import { formatTime } from "~/platform/format";
import type { OrderView } from "./checkout.server";

type ReceiptOrder = Pick<OrderView, "no" | "status" | "channel" | "store" | "closedAt" | "household" | "member" | "keeper" | "items" | "total" | "balanceAfter" | "voidReason">;

/**
 * `fresh`: the keeper has just confirmed, so the receipt says what to do now (hand the goods over);
 * an old order looked up later only says it was confirmed. `next` (the way to the next villager)
 * goes right under that line, above the details, so it is on the first screen of a phone.
 */
export function Receipt({ order, side, replay, fresh, next }: { order: ReceiptOrder; side: "villager" | "keeper"; replay?: boolean; fresh?: boolean; next?: ReactNode }) {
  const voided = order.status === "voided";
  const done = side === "villager" ? "店主已确认，请领取商品" : fresh ? "已确认，请把商品交给村民" : "已确认兑换";
  return (
    <section className="receipt" data-testid="receipt">
      <h2>{voided ? "兑换单（已作废）" : "兑换成功"}</h2>
      {voided ? <p className="warn">已作废：{order.voidReason}。积分已退回，商品已退回库存。</p> : <p className="ok">✓ {done.split("，").map((part, i) => (i ? <span key={i}>，<span className="nowrap">{part}</span></span> : part))}</p>}
      {replay ? <p className="muted small">这张单子刚才已经确认过，没有重复扣分。</p> : null}
      {next}
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
