// Counter checkout for villagers without phones: the keeper scans or types the household card,
// builds the cart, the villager types the household PIN on the keeper's device, and the sale is
// confirmed in one unit of work (order, stock, ledger debit).
import { checkoutAttempt, CheckoutError, counterSaleInUnit, orderView, precheckCounterSale, type CartLine, type Keeper, type OrderView, type Receipt, type Result } from "./checkout.server";
import { db, lockVillageStore, unitOfWork } from "~/platform/database.server";
import { redeem } from "~/ledger/ledger.server";
import { checkPin } from "./pin.server";
import { normalizeDigits } from "~/platform/validation.server";

/** A household of the keeper's village by its 户号 (what is printed on the card). */
export function householdByNumber(villageId: number, number: string) {
  return db().selectFrom("households").select(["id", "number"]).where("village_id", "=", villageId).where("number", "=", number).executeTakeFirst();
}

/** The household the counter serves, with the members who may be named as the one redeeming. */
export async function counterHousehold(villageId: number, householdId: number) {
  const h = await db().selectFrom("households").select(["id", "number", "address"]).where("id", "=", householdId).where("village_id", "=", villageId).executeTakeFirst();
  if (!h) return null;
  const members = await db()
    .selectFrom("members")
    .select(["id", "name", "relation", "can_redeem", "is_head"])
    .where("household_id", "=", householdId)
    // A literal, as everywhere members are filtered by flag: SQLite weighs the partial index
    // members_one_head (is_head = 1 and active = 1) against it (see `constant` in platform/database.server.ts).
    .where((eb) => eb("active", "=", eb.lit(1)))
    .orderBy("is_head", "desc")
    .orderBy("id")
    .execute();
  return { ...h, members };
}

export type CounterHousehold = NonNullable<Awaited<ReturnType<typeof counterHousehold>>>;

export interface CounterInput {
  householdId: number;
  memberId: number | null;
  storeId: number;
  lines: CartLine[];
  pin: string;
  nonce: string;
}

async function receiptOf(orderId: number): Promise<OrderView> {
  const order = await orderView(orderId);
  if (!order) throw new Error(`counter order ${orderId} not found`);
  return order;
}

/** Checks the cart, then the PIN (counted, lockable), then sells in one unit of work (which checks again). A replayed nonce returns the same receipt. */
export async function counterCheckout(keeper: Keeper, input: CounterInput): Promise<Result<Receipt>> {
  const pre = await precheckCounterSale(keeper, input);
  if (!pre.ok) return pre;
  if (pre.existing !== null) return { ok: true, order: await receiptOf(pre.existing), created: false };
  const pin = await checkPin(input.householdId, normalizeDigits(input.pin));
  if (!pin.ok) return { ok: false, code: pin.code, field: "pin", message: pin.message };
  return checkoutAttempt(async () => {
    const sale = await unitOfWork(async () => {
      await lockVillageStore(keeper.villageId);
      return counterSaleInUnit(keeper, input, async (o) =>
        (await redeem({
          householdId: input.householdId, storeAccountId: o.storeAccountId, amount: o.total, idemKey: `order:${o.orderId}:counter`,
          actor: { userId: keeper.userId, role: keeper.role }, memberId: input.memberId, cause: { kind: "order", id: o.orderId }, memo: o.memo,
        })).txnId,
      );
    }, { perVillage: true });
    return { order: await receiptOf(sale.orderId), created: sale.created };
  });
}

export { CheckoutError };
