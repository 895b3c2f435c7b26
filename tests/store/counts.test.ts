// The keeper's 扫码核销 tile counts the codes a keeper could scan now: a confirmed, cancelled or
// expired code (expired by the clock, before the sweep marks it) is not waiting; each village counts
// its own. A keeper's counter jobs come first on the home page.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl, now } from "~/platform/clock.server";
import { navFor } from "~/platform/nav";
import { workTiles } from "~/platform/work-tiles.server";
import { cancelOrder, confirmOrder, createOrder, ORDER_TTL_MS } from "~/store/checkout.server";
import { liveCodeCount } from "~/store/counts.server";
import { codeOf, raw, storeFixture, type StoreFixture } from "./fixture";

afterEach(() => clockControl.reset());

const count = async (text: string, ...args: unknown[]) => Number((await raw().get<{ n: number }>(text, ...args))!.n);

describe("扫码核销: codes waiting at the counter", () => {
  const SOAP = { name: "香皂", price: 8, stock: 10 };
  let nonce = 0;
  const code = (f: StoreFixture, h: number) =>
    createOrder({ householdId: f.householdIds[h], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["香皂"], qty: 1 }], nonce: `wt${++nonce}` });
  const orderId = (r: Awaited<ReturnType<typeof code>>) => {
    if (!r.ok) throw new Error(r.message);
    return r.orderId;
  };

  it("counts live codes only: a confirmed, cancelled or expired one stops counting", async () => {
    const f = await storeFixture("wt3", { households: 3, points: [100, 100, 100], goods: [SOAP] });
    const g = await storeFixture("wt4", { households: 1, points: [100], goods: [SOAP] });
    expect(await liveCodeCount(f.keeper.userId, f.villageId)).toBe(0);
    const a = orderId(await code(f, 0));
    const b = orderId(await code(f, 1));
    orderId(await code(f, 2));
    orderId(await code(g, 0));
    expect(await liveCodeCount(f.keeper.userId, f.villageId)).toBe(3);
    expect(await confirmOrder(f.keeper, a, await codeOf(a))).toMatchObject({ ok: true });
    expect(await cancelOrder(f.householdIds[1], b)).toMatchObject({ ok: true });
    expect(await liveCodeCount(f.keeper.userId, f.villageId)).toBe(1);
    expect(await liveCodeCount(g.keeper.userId, g.villageId)).toBe(1);
    // Past its 10 minutes a code is not waiting any more, even before the sweep marks it expired.
    clockControl.set(now() + ORDER_TTL_MS + 1);
    expect(await liveCodeCount(f.keeper.userId, f.villageId)).toBe(0);
    expect(await count("select count(*) as n from orders where store_id = ? and status = 'pending'", f.storeId)).toBe(1);
  });

  it("a keeper's home puts 扫码核销 and 柜台兑换 first, 扫码核销 with its count", async () => {
    const f = await storeFixture("wt5", { households: 1, points: [100], goods: [SOAP] });
    orderId(await code(f, 0));
    const items = navFor([{ role: "store_keeper", villageId: f.villageId }], false);
    const tiles = await workTiles(items.filter((n) => n.work), f.keeper.userId);
    expect(tiles.map((t) => [t.label, t.counter])).toEqual([["扫码核销", true], ["柜台兑换", true], ["店务", false]]);
    expect(tiles[0].waits).toEqual({ n: 1, kind: "codes" });
    expect(tiles[1]).toMatchObject({ to: `/v/${f.villageId}/store/counter`, waits: null });
  });
});

