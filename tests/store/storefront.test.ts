// What the villager's store page reads: each recent order with its state (a live code, confirmed,
// cancelled, expired, voided; a replaced code left out), and per good how many the + may reach.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { cancelOrder, confirmOrder, createOrder, ORDER_TTL_MS, refreshOrder, type Result } from "~/store/checkout.server";
import { voidOrder } from "~/store/order-void.server";
import { recentOrders, storefront } from "~/store/storefront.server";
import { headOf, raw, storeFixture, type StoreFixture } from "./fixture";

afterEach(() => clockControl.reset());

let nonce = 0;
async function order(f: StoreFixture, lines: [string, number][]) {
  const r = await createOrder({
    householdId: f.householdIds[0], memberId: await headOf(f.householdIds[0]), userId: f.villagerUserId, storeId: f.storeId,
    lines: lines.map(([name, qty]) => ({ goodId: f.goods[name], qty })), nonce: `sf${++nonce}`,
  });
  return ok(r).orderId;
}
function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r as T;
}
const codeOf = async (orderId: number) => (await raw().value<string>("select code from orders where id = ?", orderId))!;

describe("recent orders on the store page", () => {
  it("lists each order with its state, newest first, without replaced codes; a lapsed code shows as expired", async () => {
    const start = Date.UTC(2026, 10, 10, 2);
    clockControl.set(start);
    const f = await storeFixture("sf1", { points: [1000, 0, 0] });
    const h = f.householdIds[0];
    const confirmed = await order(f, [["牙膏", 1]]);
    ok(await confirmOrder(f.keeper, confirmed, await codeOf(confirmed)));
    clockControl.advance(1000);
    const voided = await order(f, [["大米", 1]]);
    ok(await confirmOrder(f.keeper, voided, await codeOf(voided)));
    ok(await voidOrder(f.committee, voided, "拿错了商品"));
    clockControl.advance(1000);
    const cancelled = await order(f, [["大米", 1]]);
    ok(await cancelOrder(h, cancelled));
    clockControl.advance(1000);
    const replaced = await order(f, [["大米", 1]]);
    const lapsed = ok(await refreshOrder(h, replaced, f.villagerUserId, null)).orderId;
    // The code lapses; the scheduler has not marked it yet.
    clockControl.advance(ORDER_TTL_MS + 1000);
    const live = await order(f, [["牙膏", 1]]);

    const list = await recentOrders(h);
    expect(list.map((o) => [o.id, o.state])).toEqual([
      [live, "pending"],
      [lapsed, "expired"],
      [cancelled, "cancelled"],
      [voided, "voided"],
      [confirmed, "confirmed"],
    ]);
    expect(list.find((o) => o.id === lapsed)!.at).toBe(start + 3000 + ORDER_TTL_MS);
    expect(list.find((o) => o.id === live)!.total).toBe(12);
    // Another household sees none of them.
    expect(await recentOrders(f.householdIds[1])).toEqual([]);
    expect((await recentOrders(h, 2)).map((o) => o.id)).toEqual([live, lapsed]);
  });
});

describe("the shelf", () => {
  it("tells per good how far + may go (stock and monthly limit) apart from how many the points pay for", async () => {
    clockControl.set(Date.UTC(2026, 10, 12, 2));
    const f = await storeFixture("sf2", { points: [60, 0, 0], goods: [{ name: "大米", price: 50, stock: 3 }, { name: "牙膏", price: 12, stock: 20, limit: 2 }, { name: "香皂", price: 8, stock: 0 }] });
    await order(f, [["牙膏", 1]]); // holds 12 points and one of this month's two 牙膏
    const s = await storefront(f.householdIds[0], f.villageId, await headOf(f.householdIds[0]), null);
    const good = (name: string) => s.goods.find((g) => g.name === name)!;
    expect(s.balance.spendable).toBe(48);
    expect(good("大米")).toMatchObject({ available: 3, most: 3, canTake: 0 });
    expect(good("牙膏")).toMatchObject({ available: 19, limitLeft: 1, most: 1, canTake: 1 });
    expect(good("香皂")).toMatchObject({ available: 0, most: 0, canTake: 0 });
    expect(s.recent.map((o) => o.state)).toEqual(["pending"]);
  });
});
