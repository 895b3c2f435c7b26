// The bar that stays at the bottom of the store while the villager scrolls the goods: points chosen,
// what would be left, the refusal of the last 生成兑换码 (or why it cannot be asked yet), and the
// button. The message sits right above the button, so it is on screen whenever the button is.
import type { CartSum } from "./cart";

export function CartBar({
  spendable, sum, live, error, disabledReason, busy,
}: {
  spendable: number;
  sum: CartSum;
  /** The page runs scripts: the sum follows every tap. Without them it would show a stale 0. */
  live: boolean;
  /** The server's refusal of the last 生成兑换码, until the villager changes the cart. */
  error: string | null;
  /** Why the button is off whatever the cart holds (the head has not allowed this member). */
  disabledReason: string | null;
  busy: boolean;
}) {
  const reason = disabledReason ?? (live ? sum.refusal : null);
  const off = busy || reason !== null || (live && sum.empty);
  const describedBy = error ? "cart-error" : reason ? "cart-reason" : live && sum.empty ? "cart-hint" : undefined;
  return (
    <div className="cart-bar" data-testid="cart-bar">
      {live ? (
        <p className="cart-sum" aria-live="polite">
          <span>已选 <strong data-testid="cart-total">{sum.total}</strong> 分</span>
          {sum.left >= 0 ? (
            <span>兑后还剩 <strong data-testid="cart-left">{sum.left}</strong> 分</span>
          ) : (
            <span className="short">还差 <strong data-testid="cart-short">{-sum.left}</strong> 分</span>
          )}
        </p>
      ) : (
        <p className="cart-sum"><span>可用积分 <strong>{spendable}</strong> 分</span></p>
      )}
      {error ? (
        <p className="form-error" role="alert" id="cart-error" data-testid="cart-error">{error}</p>
      ) : reason ? (
        <p className="cart-reason" id="cart-reason" data-testid="cart-reason">{reason}</p>
      ) : live && sum.empty ? (
        <p className="cart-hint muted" id="cart-hint">点商品下面的 + 选数量</p>
      ) : null}
      <button type="submit" className="primary block" disabled={off} aria-describedby={describedBy}>生成兑换码</button>
    </div>
  );
}
