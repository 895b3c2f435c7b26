// Phone checkout end to end through the server functions: order + hold, lookup, atomic confirm,
// every refusal of a code, price changes, monthly limits, voids, the counter PIN.
import { afterEach, describe, expect, it } from "vitest";
import { checkLedger } from "~/ledger/check.server";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import {
  cancelOrder, confirmOrder, createOrder, expireOrders, lookupOrderByCode, monthTakenQuery, orderView, refreshOrder, type Result,
} from "~/store/checkout.server";
import { counterCheckout } from "~/store/counter.server";
import { goodOf, updateGood } from "~/store/goods.server";
import { householdBalance } from "~/ledger/ledger.server";
import { voidOrder } from "~/store/order-void.server";
import { checkPin, pinState, setPin } from "~/store/pin.server";
import { statementPage } from "~/ledger/statement.server";
import { raw, firstRead, headOf, planOf, stockOf, storeFixture, type StoreFixture } from "./fixture";
import { onPostgres } from "../support/sql";
import { appTables } from "../support/sweep";

afterEach(() => clockControl.reset());

let nonce = 0;
async function order(f: StoreFixture, h: number, lines: [string, number][]) {
  return await createOrder({
    householdId: f.householdIds[h], memberId: await headOf(f.householdIds[h]), userId: f.villagerUserId, storeId: f.storeId,
    lines: lines.map(([name, qty]) => ({ goodId: f.goods[name], qty })), nonce: `n${++nonce}`,
  });
}
function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r as T;
}
function refused<T>(r: Result<T>) {
  if (r.ok) throw new Error("expected a refusal");
  return r;
}
const codeOf = async (orderId: number) => (await raw().value<string>("select code from orders where id = ?", orderId))!;
const ledgerOk = async () => expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);

describe("phone checkout", () => {
  it("confirms only with the villager's code: an order id with no code, a wrong or another order's code moves nothing", async () => {
    const f = await storeFixture("p0");
    const h = f.householdIds[0];
    const { orderId } = ok(await order(f, 0, [["大米", 1]]));
    const other = ok(await order(f, 1, [["牙膏", 1]]));
    const before = await householdBalance(h);
    for (const presented of ["", "00000000", await codeOf(other.orderId), `JFDH:${"A".repeat(22)}`]) {
      expect(refused(await confirmOrder(f.keeper, orderId, presented))).toMatchObject({ code: "not_found", message: "找不到这次兑换，请重新扫码" });
    }
    expect(await householdBalance(h)).toEqual(before);
    expect(await stockOf(f.goods["大米"])).toBe(10);
    expect((await orderView(orderId))!.status).toBe("pending");
    // The 8 digits as typed (full-width, with a space) and the QR payload both work.
    const typed = (await codeOf(orderId)).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(ok(await confirmOrder(f.keeper, orderId, `${typed.slice(0, 4)} ${typed.slice(4)}`)).created).toBe(true);
    await ledgerOk();
  });

  it("holds the points, confirms once, moves stock and points atomically, and replays return the same receipt", async () => {
    const f = await storeFixture("p1");
    const h = f.householdIds[0];
    const { orderId } = ok(await order(f, 0, [["大米", 1], ["牙膏", 2]]));
    expect(await householdBalance(h)).toMatchObject({ balance: 100, held: 74, spendable: 26 });
    const view = (await orderView(orderId))!;
    expect(view.code).toMatch(/^\d{8}$/);
    expect(view.qrPayload).toMatch(/^JFDH:/);
    const byCode = ok(await lookupOrderByCode(f.keeper, view.code!, { typed: true }));
    const byQr = ok(await lookupOrderByCode(f.keeper, view.qrPayload!, { typed: false }));
    expect(byCode.scanned).toMatchObject({ kind: "order", order: { id: orderId, total: 74 } });
    expect(byQr.scanned).toMatchObject({ kind: "order", order: { id: orderId } });

    const first = ok(await confirmOrder(f.keeper, orderId, await codeOf(orderId)));
    expect(first.created).toBe(true);
    expect(first.order).toMatchObject({ status: "confirmed", balanceAfter: 26, total: 74 });
    const again = ok(await confirmOrder(f.keeper, orderId, await codeOf(orderId)));
    expect(again.created).toBe(false);
    expect(await householdBalance(h)).toMatchObject({ balance: 26, held: 0 });
    expect(await stockOf(f.goods["大米"])).toBe(9);
    expect(await stockOf(f.goods["牙膏"])).toBe(18);
    expect(await raw().get("select count(*) as n from ledger_transactions where cause_kind = 'order' and cause_id = ?", orderId)).toEqual({ n: 1 });
    expect(await raw().all("select actor_role, actor_user_id from audit_log where action = 'order.confirm' and target_id = ?", String(orderId))).toEqual([
      { actor_role: "store_keeper", actor_user_id: f.keeper.userId },
    ]);
    expect((await statementPage(h, null, 1)).rows[0]).toMatchObject({ kind: "redemption", amount: -74 });
    // The same nonce (double tap on 生成兑换码) is the same order.
    const again2 = await createOrder({ householdId: h, memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["大米"], qty: 1 }], nonce: `n${nonce}` });
    expect(ok(again2)).toMatchObject({ orderId, created: false });
    await ledgerOk();
  });

  it("refuses what the household cannot afford, goods out of stock and goods of another store", async () => {
    const f = await storeFixture("p2", { points: [60, 100, 0], goods: [{ name: "大米", price: 50, stock: 1 }, { name: "食用油", price: 80, stock: 0 }] });
    expect(refused(await order(f, 0, [["大米", 2]])).message).toMatch(/库存不足，只剩 1 件/);
    expect(refused(await order(f, 0, [["食用油", 1]])).message).toBe("食用油已兑完");
    // Asked while the bag is still free (a live code now holds what it takes, see holds.test.ts).
    expect(refused(await order(f, 2, [["大米", 1]])).message).toMatch(/可用积分不足/);
    ok(await order(f, 0, [["大米", 1]]));
    expect(refused(await order(f, 0, [])).message).toBe("请至少选一件商品");
    const other = await storeFixture("p2b");
    const r = await createOrder({ householdId: f.householdIds[1], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: other.goods["大米"], qty: 1 }], nonce: "x-store" });
    expect(refused(r).message).toMatch(/商品不存在/);
  });

  it("keeps the price of the moment the order was made", async () => {
    const f = await storeFixture("p3");
    const { orderId } = ok(await order(f, 0, [["大米", 1]]));
    const g = (await goodOf(f.villageId, f.goods["大米"]))!;
    const changed = await updateGood({ userId: f.keeper.userId, role: "village_admin", villageId: f.villageId }, f.villageId, g.id, {
      name: g.name, category: "粮油", unit: "袋", price: 70, cost: 100, monthlyLimit: null, lowStock: 2, active: true,
    }, null);
    expect(changed.ok).toBe(true);
    const r = ok(await confirmOrder(f.keeper, orderId, await codeOf(orderId)));
    expect(r.order.total).toBe(50);
    expect(r.order.items[0].price).toBe(50);
    expect((await householdBalance(f.householdIds[0])).balance).toBe(50);
    const next = ok(await order(f, 1, [["大米", 1]]));
    expect((await orderView(next.orderId))!.total).toBe(70);
  });

  it("reads the monthly limit from the household's own orders, not from every sale of the good", async () => {
    await storeFixture("plan");
    const plan = await planOf(monthTakenQuery(1, 1, 0));
    expect(firstRead(plan)).toMatch(onPostgres() ? /^Index (Only )?Scan using orders_household on orders o\b/ : /^SEARCH o USING INDEX orders_household/);
    expect(plan.join("\n")).not.toContain("order_items_good");
  });

  it("enforces the monthly limit per household, counting live pending orders, and starts again next month", async () => {
    clockControl.set(Date.UTC(2026, 9, 20, 4)); // 20 Oct, China time noon
    const f = await storeFixture("p4", { points: [500, 500, 0] });
    const a = ok(await order(f, 0, [["牙膏", 1]]));
    ok(await confirmOrder(f.keeper, a.orderId, await codeOf(a.orderId)));
    ok(await order(f, 0, [["牙膏", 1]])); // pending, counts
    expect(refused(await order(f, 0, [["牙膏", 1]])).message).toBe("牙膏本月已兑满（每户每月限 2袋）");
    expect(refused(await order(f, 1, [["牙膏", 3]])).message).toBe("牙膏每户每月限兑 2袋，本月还能兑 2袋");
    ok(await order(f, 1, [["牙膏", 2]])); // another household has its own limit
    clockControl.set(Date.UTC(2026, 10, 1, 1)); // 1 Nov 09:00 China time
    ok(await order(f, 0, [["牙膏", 2]]));
  });
});

describe("checkouts that share one commit (group commit)", () => {
  it("creates and confirms sent at once: exactly the affordable orders and the stock there is, each order confirmed once", async () => {
    const f = await storeFixture("g1", { points: [120, 500, 500], goods: [{ name: "大米", price: 50, stock: 10 }, { name: "食用油", price: 80, stock: 2 }] });
    const h = f.householdIds[0];
    // Five 50-point orders at once against 120 points: two fit, and the rest are refused, not half-made.
    const made = await Promise.all(Array.from({ length: 5 }, () => order(f, 0, [["大米", 1]])));
    expect(made.filter((r) => r.ok)).toHaveLength(2);
    expect(made.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(["balance", "balance", "balance"]);
    expect(await householdBalance(h)).toMatchObject({ balance: 120, held: 100, spendable: 20 });
    // The same order confirmed ten times at once: one receipt made, nine replays of it.
    const orderId = ok(made.find((r) => r.ok)!).orderId;
    const code = await codeOf(orderId);
    const confirms = await Promise.all(Array.from({ length: 10 }, () => confirmOrder(f.keeper, orderId, code)));
    expect(confirms.map((r) => ok(r).created).filter(Boolean)).toHaveLength(1);
    expect(await raw().get("select count(*) as n from ledger_transactions where cause_kind = 'order' and cause_id = ?", orderId)).toEqual({ n: 1 });
    // Three codes asked at once for the last two bottles of oil: a code holds its bottle, so the third
    // is refused when it is asked for, not at the counter; the two issued are confirmed at once.
    expect(refused(await order(f, 0, [["食用油", 1]])).code).toBe("balance"); // 20 points left to spend
    const asked = await Promise.all([1, 2, 1].map((i) => order(f, i, [["食用油", 1]])));
    expect(asked.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(["stock"]);
    const racers = asked.filter((r) => r.ok).map((r) => ok(r).orderId);
    expect(racers).toHaveLength(2);
    const codes = await Promise.all(racers.map(codeOf));
    const race = await Promise.all(racers.map((id, i) => confirmOrder(f.keeper, id, codes[i])));
    expect(race.filter((r) => r.ok)).toHaveLength(2);
    expect(await stockOf(f.goods["食用油"])).toBe(0);
    await ledgerOk();
  });
});

describe("codes that cannot be used", () => {
  it("used, expired, cancelled, replaced, another village's, a random guess and malformed payloads each get their own message", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("c1", { points: [500, 500, 500] });
    const other = await storeFixture("c1b", { points: [500, 0, 0] });
    const msg = async (raw: string, typed = true) => refused(await lookupOrderByCode(f.keeper, raw, { typed }));

    const used = ok(await order(f, 0, [["大米", 1]]));
    const usedCode = await codeOf(used.orderId);
    const usedQr = (await orderView(used.orderId))!.qrPayload!;
    ok(await confirmOrder(f.keeper, used.orderId, await codeOf(used.orderId)));
    expect(await msg(usedCode)).toMatchObject({ code: "used" });
    expect((await msg(usedQr, false)).message).toMatch(/已经用过了/);

    const cancelled = ok(await order(f, 1, [["大米", 1]]));
    const cancelledCode = await codeOf(cancelled.orderId);
    ok(await cancelOrder(f.householdIds[1], cancelled.orderId));
    expect((await householdBalance(f.householdIds[1])).held).toBe(0);
    expect(await msg(cancelledCode)).toMatchObject({ code: "cancelled", message: "村民已取消这次兑换，请让村民重新生成兑换码" });
    expect(refused(await confirmOrder(f.keeper, cancelled.orderId, await codeOf(cancelled.orderId))).code).toBe("cancelled");
    // A late 换一个新码 after 取消兑换 neither revives the order nor holds points again.
    expect(refused(await refreshOrder(f.householdIds[1], cancelled.orderId, f.villagerUserId, null)).code).toBe("cancelled");
    expect((await householdBalance(f.householdIds[1])).held).toBe(0);

    const old = ok(await order(f, 2, [["大米", 1]]));
    const oldCode = await codeOf(old.orderId);
    const fresh = ok(await refreshOrder(f.householdIds[2], old.orderId, f.villagerUserId, null));
    expect(fresh.orderId).not.toBe(old.orderId);
    expect(ok(await refreshOrder(f.householdIds[2], old.orderId, f.villagerUserId, null)).orderId).toBe(fresh.orderId); // double tap
    expect((await msg(oldCode)).code).toBe("replaced");
    expect((await householdBalance(f.householdIds[2])).held).toBe(50); // only the fresh order holds

    const expiring = ok(await order(f, 0, [["大米", 1]]));
    const expCode = await codeOf(expiring.orderId);
    clockControl.advance(10 * 60_000 + 1);
    expect((await orderView(expiring.orderId))!.status).toBe("expired");
    expect((await msg(expCode)).code).toBe("expired");
    expect(refused(await confirmOrder(f.keeper, expiring.orderId, await codeOf(expiring.orderId))).code).toBe("expired");
    expect(await raw().get("select status from orders where id = ?", expiring.orderId)).toEqual({ status: "expired" });
    // The scheduler's sweep releases every other expired order and its hold without anyone acting.
    expect(await expireOrders()).toBeGreaterThanOrEqual(1);
    expect(await raw().get("select status from orders where id = ?", fresh.orderId)).toEqual({ status: "expired" });
    expect(await raw().get("select count(*) as n from holds where village_id = ? and status = 'active'", f.villageId)).toEqual({ n: 0 });

    const foreign = ok(await order(other, 0, [["大米", 1]]));
    expect(await msg(await codeOf(foreign.orderId))).toMatchObject({ code: "foreign", message: "这是其他村的兑换码，本店不能核销" });
    expect((await msg((await orderView(foreign.orderId))!.qrPayload!, false)).code).toBe("foreign");
    expect(refused(await confirmOrder(f.keeper, foreign.orderId, await codeOf(foreign.orderId))).code).toBe("not_found");

    let guess = "00000000";
    while (await raw().get("select 1 from orders where code = ?", guess)) guess = String(Number(guess) + 1).padStart(8, "0");
    expect(await msg(guess)).toMatchObject({ code: "not_found", message: "没有这个兑换码，请核对 8 位数字" });
    for (const bad of ["hello", "http://example.com/x", "JFDH:short", "JFDH:" + "a".repeat(40), "<script>", "", "JFHK:abc"]) {
      expect((await msg(bad, false)).code, bad).toBe("malformed");
    }
    expect((await msg("1234567")).message).toBe("兑换码是 8 位数字，请核对后重新输入");
    expect((await msg("１２３４５６７８")).code).not.toBe("malformed"); // full-width digits are read as digits
    expect(await raw().get("select count(*) as n from orders where village_id = ? and status = 'confirmed'", f.villageId)).toEqual({ n: 1 });
    await ledgerOk();
  });

  it("limits typed lookups that find nothing, per keeper", async () => {
    const f = await storeFixture("c2");
    const other = { ...f.keeper, userId: f.committee.userId };
    for (let i = 0; i < 10; i++) expect(refused(await lookupOrderByCode(f.keeper, String(90000000 + i), { typed: true })).code).toBe("not_found");
    expect(refused(await lookupOrderByCode(f.keeper, "90000099", { typed: true })).code).toBe("throttled");
    const o = ok(await order(f, 0, [["大米", 1]]));
    expect(refused(await lookupOrderByCode(f.keeper, await codeOf(o.orderId), { typed: true })).code).toBe("throttled");
    // Scanning is blocked too (every path that takes a code, see code-guess.test.ts); another keeper is not affected.
    expect(refused(await lookupOrderByCode(f.keeper, (await orderView(o.orderId))!.qrPayload!, { typed: false })).code).toBe("throttled");
    expect(ok(await lookupOrderByCode(other, await codeOf(o.orderId), { typed: true })).scanned.kind).toBe("order");
    clockControl.advance(10 * 60_000 + 1);
    expect(refused(await lookupOrderByCode(f.keeper, "90000099", { typed: true })).code).toBe("not_found");
  });

  it("counts typed codes that exist but cannot be used (used, cancelled, another village's) like misses", async () => {
    const f = await storeFixture("c3");
    const foreign = await storeFixture("c3b");
    const keeper2 = { ...f.keeper, userId: f.committee.userId };
    const used = ok(await order(f, 0, [["大米", 1]]));
    ok(await confirmOrder(f.keeper, used.orderId, await codeOf(used.orderId)));
    const abroad = ok(await order(foreign, 0, [["大米", 1]]));
    for (let i = 0; i < 5; i++) expect(refused(await lookupOrderByCode(keeper2, await codeOf(used.orderId), { typed: true })).code).toBe("used");
    for (let i = 0; i < 5; i++) expect(refused(await lookupOrderByCode(keeper2, await codeOf(abroad.orderId), { typed: true })).code).toBe("foreign");
    expect(refused(await lookupOrderByCode(keeper2, await codeOf(abroad.orderId), { typed: true })).code).toBe("throttled");
    // The camera reading the same used code is not a guess and is not counted.
    expect(refused(await lookupOrderByCode(f.keeper, (await orderView(used.orderId))!.qrPayload ?? `JFDH:${await raw().value<string>("select token from orders where id = ?", used.orderId)}`, { typed: false })).code).toBe("used");
    expect(ok(await lookupOrderByCode(f.keeper, await codeOf(ok(await order(f, 1, [["牙膏", 1]])).orderId), { typed: true })).scanned.kind).toBe("order");
  });
});

describe("voids", () => {
  it("keeper the same day, committee later; reversal and stock back, shown on the statement, once", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2)); // 10:00 China time
    const f = await storeFixture("v1", { points: [500, 500, 0] });
    const a = ok(await order(f, 0, [["大米", 2]]));
    ok(await confirmOrder(f.keeper, a.orderId, await codeOf(a.orderId)));
    expect(await stockOf(f.goods["大米"])).toBe(8);
    const keeper = { userId: f.keeper.userId, role: "store_keeper" as const, villageId: f.villageId };
    expect(ok(await voidOrder(keeper, a.orderId, "村民退回")).created).toBe(true);
    expect(ok(await voidOrder(keeper, a.orderId, "村民退回")).created).toBe(false);
    expect(await stockOf(f.goods["大米"])).toBe(10);
    expect((await householdBalance(f.householdIds[0])).balance).toBe(500);
    const rows = (await statementPage(f.householdIds[0], null, 1)).rows;
    expect(rows[0]).toMatchObject({ kind: "reversal", amount: 100 });
    expect(rows[0].memo).toContain("作废兑换单");
    expect(rows[1]).toMatchObject({ kind: "redemption", reversed: 1 });

    const b = ok(await order(f, 1, [["大米", 1]]));
    ok(await confirmOrder(f.keeper, b.orderId, await codeOf(b.orderId)));
    clockControl.advance(15 * 3600_000); // next day, 01:00 China time
    expect(refused(await voidOrder(keeper, b.orderId, "晚了")).message).toBe("店主只能作废当天的兑换单，之前的请村委委员作废");
    expect(ok(await voidOrder(f.committee, b.orderId, "核对后作废")).created).toBe(true);
    const pending = ok(await order(f, 1, [["大米", 1]]));
    expect(refused(await voidOrder(f.committee, pending.orderId, "x")).code).toBe("void_rule");
    expect(await raw().get("select count(*) as n from audit_log where action = 'order.void'")).toEqual({ n: 2 });
    await ledgerOk();
  });
});

describe("counter checkout with the household PIN", () => {
  it("locks after 5 wrong PINs, unlocks after 15 minutes, never stores the PIN in plain", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("k1", { points: [300, 0, 0] });
    const h = f.householdIds[0];
    const head = await headOf(h);
    const sale = (pin: string, n: string) =>
      counterCheckout(f.keeper, { householdId: h, memberId: head, storeId: f.storeId, lines: [{ goodId: f.goods["大米"], qty: 1 }], pin, nonce: n });
    expect(refused(await sale("135790", "s0")).code).toBe("no_pin");
    await setPin({ userId: f.villagerUserId, role: "household_head", villageId: f.villageId }, h, f.villageId, "135790");
    for (let i = 1; i <= 4; i++) expect(refused(await sale("000001", `w${i}`))).toMatchObject({ code: "pin", message: `兑换密码不对，还可以再试 ${5 - i} 次` });
    expect(refused(await sale("000001", "w5")).code).toBe("locked");
    expect((await pinState(h)).lockedUntil).not.toBeNull();
    expect(refused(await sale("135790", "r1")).code).toBe("locked"); // even the right PIN while locked
    expect((await householdBalance(h)).balance).toBe(300);
    clockControl.advance(15 * 60_000 + 1);
    expect((await pinState(h)).lockedUntil).toBeNull();
    const done = ok(await sale("135790", "r2"));
    expect(done).toMatchObject({ created: true, order: { status: "confirmed", channel: "counter", total: 50, balanceAfter: 250 } });
    expect(ok(await sale("135790", "r2"))).toMatchObject({ created: false, order: { id: done.order.id } });
    expect((await householdBalance(h)).balance).toBe(250);
    expect(await stockOf(f.goods["大米"])).toBe(9);
    // Concurrent guesses cannot get more than 5 compares in before the lock.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => checkPin(h, String(200000 + i))));
    expect(results.filter((r) => !r.ok && r.code === "pin").length).toBeLessThanOrEqual(4);
    expect((await pinState(h)).lockedUntil).not.toBeNull();
    // No table holds the PIN in plain.
    for (const t of await appTables(engine())) {
      const rows = JSON.stringify(await raw().all(`select * from "${t}"`), (_k, v) => (Buffer.isBuffer(v) ? "" : v));
      expect(rows.includes("135790"), t).toBe(false);
    }
    expect(await raw().value<string>("select pin_hash from household_pins where household_id = ?", h)).toMatch(/^\$2[aby]\$1\d\$/);
    await ledgerOk();
  });

  it("refuses a cart that cannot be sold before the PIN is checked, so it uses up no try and reveals nothing", async () => {
    const f = await storeFixture("k2", { points: [30, 0, 0] });
    const h = f.householdIds[0];
    await setPin({ userId: f.villagerUserId, role: "household_head", villageId: f.villageId }, h, f.villageId, "135790");
    const head = await headOf(h);
    const sale = (lines: { goodId: number; qty: number }[], pin: string, n: string) =>
      counterCheckout(f.keeper, { householdId: h, memberId: head, storeId: f.storeId, lines, pin, nonce: n });
    for (const [i, lines] of [[], [{ goodId: f.goods["大米"], qty: 1 }], [{ goodId: f.goods["大米"], qty: 99 }]].entries()) {
      // wrong and right PINs alike: the cart is refused first (empty / balance 30 < 50 / stock)
      expect(refused(await sale(lines, "000001", `x${i}`)).code).not.toMatch(/^(pin|locked)$/);
      expect(refused(await sale(lines, "135790", `y${i}`)).code).not.toMatch(/^(pin|locked)$/);
    }
    expect((await pinState(h)).lockedUntil).toBeNull();
    expect(refused(await sale([{ goodId: f.goods["牙膏"], qty: 1 }], "000001", "z1"))).toMatchObject({ code: "pin", message: "兑换密码不对，还可以再试 4 次" });
  });
});
