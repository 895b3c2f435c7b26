// Counter checkout for villagers without phones: the keeper scans or types the household card,
// builds the cart, the villager types the household PIN on the keeper's device, and the sale is
// confirmed in one transaction (order, stock, ledger debit).
import { z } from "zod";
import { checkoutAttempt, CheckoutError, counterSaleInTxn, orderView, precheckCounterSale, type CartLine, type Keeper, type Receipt, type Result } from "./checkout.server";
import { transact, stmt } from "~/platform/database.server";
import { redeem } from "~/ledger/ledger.server";
import { checkPin } from "./pin.server";
import { normalizeDigits } from "~/platform/validation.server";

export const cardNumberSchema = z
  .string({ error: "请输入户号或扫描户卡" })
  .transform((s) => normalizeDigits(s).trim())
  .pipe(z.string().min(1, "请输入户号或扫描户卡").max(40, "户号太长了，请核对"));

/** A household of the keeper's village by its 户号 (what is printed on the card). */
export function householdByNumber(villageId: number, number: string): { id: number; number: string } | undefined {
  return stmt("select id, number from households where village_id = ? and number = ?").get(villageId, number) as { id: number; number: string } | undefined;
}

export interface CounterHousehold {
  id: number;
  number: string;
  address: string;
  members: { id: number; name: string; relation: string; can_redeem: number; is_head: number }[];
}

export function counterHousehold(villageId: number, householdId: number): CounterHousehold | null {
  const h = stmt("select id, number, address from households where id = ? and village_id = ?").get(householdId, villageId) as
    | { id: number; number: string; address: string }
    | undefined;
  if (!h) return null;
  const members = stmt(
    "select id, name, relation, can_redeem, is_head from members where household_id = ? and active = 1 order by is_head desc, id",
  ).all(householdId) as CounterHousehold["members"];
  return { ...h, members };
}

export interface CounterInput {
  householdId: number;
  memberId: number | null;
  storeId: number;
  lines: CartLine[];
  pin: string;
  nonce: string;
}

/** Checks the cart, then the PIN (counted, lockable), then sells in one transaction (which checks again). A replayed nonce returns the same receipt. */
export async function counterCheckout(keeper: Keeper, input: CounterInput): Promise<Result<Receipt>> {
  const idemKey = `order:counter:${input.householdId}:${input.nonce}`;
  const done = stmt("select id from orders where idem_key = ?").get(idemKey) as { id: number } | undefined;
  if (done) return { ok: true, order: orderView(done.id)!, created: false };
  const pre = precheckCounterSale(keeper, input);
  if (!pre.ok) return pre;
  const pin = await checkPin(input.householdId, normalizeDigits(input.pin));
  if (!pin.ok) return { ok: false, code: pin.code, field: "pin", message: pin.message };
  return checkoutAttempt(() => {
    const sale = transact(() =>
      counterSaleInTxn(keeper, input, (o) =>
        redeem({
          householdId: input.householdId, storeAccountId: o.storeAccountId, amount: o.total, idemKey: `order:${o.orderId}:counter`,
          actor: { userId: keeper.userId, role: keeper.role }, memberId: input.memberId, cause: { kind: "order", id: o.orderId }, memo: o.memo,
        }).txnId,
      ),
    );
    return { order: orderView(sale.orderId)!, created: sale.created };
  });
}

export { CheckoutError };
