// A code that was issued is honoured: a live pending order holds its goods, so new codes and counter
// sales may use only the stock those orders leave. Expired (by the clock, before any sweep),
// cancelled and replaced orders hold nothing; 换一个新码 keeps the goods for the same household.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { cancelOrder, confirmOrder, createOrder, refreshOrder, type Result } from "~/store/checkout.server";
import { counterCheckout } from "~/store/counter.server";
import { engine } from "~/platform/database.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { setPin } from "~/store/pin.server";
import { heldQuery, heldQty } from "~/store/stock.server";
import { storefront } from "~/store/storefront.server";
import { failedChecks } from "../ledger/helpers";
import { raw, codeOf, firstRead, headOf, planOf, stockOf, storeFixture, type StoreFixture } from "./fixture";
import { runRace } from "./race";
import { onPostgres } from "../support/sql";

afterEach(() => clockControl.reset());

const SOAP = { name: "香皂", price: 8, stock: 3 };
let nonce = 0;
function code(f: StoreFixture, h: number, qty = 1) {
  return createOrder({ householdId: f.householdIds[h], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["香皂"], qty }], nonce: `h${++nonce}` });
}
function ok<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
  return r as T;
}
const ledgerOk = async () => expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);

describe("stock held by pending codes", () => {
  it("10 households ask for codes for 3 bars of soap: 3 codes are issued, 7 are told why, and all 3 codes are honoured", async () => {
    const f = await storeFixture("hd1", { households: 10, points: Array(10).fill(100), goods: [SOAP] });
    const made: Result<{ orderId: number }>[] = [];
    for (let h = 0; h < 10; h++) made.push(await code(f, h));
    const issued = made.filter((r) => r.ok).map((r) => ok(r).orderId);
    expect(issued).toHaveLength(3);
    for (const r of made.filter((x) => !x.ok)) {
      expect(r).toMatchObject({ ok: false, code: "stock", field: `qty.${f.goods["香皂"]}`, message: "香皂库存不足：还剩 3 袋，其中 3 袋已被别人的兑换码预留" });
    }
    // The refused households hold no points either.
    for (let h = 3; h < 10; h++) expect((await householdBalance(f.householdIds[h])).held).toBe(0);
    // Every household that got a code gets the goods at the counter, though nothing is left to promise.
    for (const id of issued) expect(await confirmOrder(f.keeper, id, await codeOf(id))).toMatchObject({ ok: true, created: true });
    expect(await stockOf(f.goods["香皂"])).toBe(0);
    expect(await heldQty(f.storeId, f.goods["香皂"])).toBe(0);
    await ledgerOk();
  });

  it("an expired code stops holding at its expiry, before the scheduler marks it; a cancelled one at once", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("hd2", { households: 4, points: Array(4).fill(100), goods: [SOAP] });
    const a = ok(await code(f, 0, 2));
    clockControl.advance(5 * 60_000);
    const b = ok(await code(f, 1, 1));
    expect((await code(f, 2)).ok).toBe(false);
    // a expires (10 minutes after it was made); nobody has swept it yet.
    clockControl.advance(5 * 60_000);
    expect(await raw().get("select status from orders where id = ?", a.orderId)).toEqual({ status: "pending" });
    const c = ok(await code(f, 2, 2));
    expect((await code(f, 3)).ok).toBe(false);
    ok(await cancelOrder(f.householdIds[1], b.orderId));
    const d = ok(await code(f, 3, 1));
    for (const id of [c.orderId, d.orderId]) expect((await confirmOrder(f.keeper, id, await codeOf(id))).ok).toBe(true);
    expect(await stockOf(f.goods["香皂"])).toBe(0);
    await ledgerOk();
  });

  it("换一个新码 keeps the goods for the same household, and the old code's hold does not block it", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("hd3", { households: 3, points: [100, 100, 100], goods: [{ ...SOAP, stock: 2 }] });
    const a = ok(await code(f, 0, 2));
    expect(await code(f, 1)).toMatchObject({ ok: false, code: "stock" });
    const fresh = ok(await refreshOrder(f.householdIds[0], a.orderId, f.villagerUserId, null));
    expect(await heldQty(f.storeId, f.goods["香皂"])).toBe(2);
    expect(await code(f, 1)).toMatchObject({ ok: false, code: "stock" });
    // The household's own second code meets its own hold: the message says whose code holds the soap.
    expect(await code(f, 0)).toMatchObject({ ok: false, message: "香皂库存不足：还剩 2 袋，其中 2 袋已被本户的兑换码预留" });
    // A code refreshed after it expired gets the goods only if nobody took them meanwhile.
    clockControl.advance(10 * 60_000 + 1);
    const other = ok(await code(f, 1, 1));
    expect(await refreshOrder(f.householdIds[0], fresh.orderId, f.villagerUserId, null)).toMatchObject({ ok: false, code: "stock", message: "香皂库存不足：还剩 2 袋，其中 1 袋已被别人的兑换码预留" });
    expect(await raw().get("select status from orders where id = ?", fresh.orderId)).toEqual({ status: "pending" }); // the refused refresh changed nothing
    expect((await confirmOrder(f.keeper, other.orderId, await codeOf(other.orderId))).ok).toBe(true);
    await ledgerOk();
  });

  it("a counter sale cannot take what a code holds, and is refused before the PIN is asked", async () => {
    const f = await storeFixture("hd4", { households: 3, points: [100, 100, 100], goods: [SOAP] });
    const h = f.householdIds[2];
    await setPin({ userId: f.villagerUserId, role: "household_head", villageId: f.villageId }, h, f.villageId, "135790");
    const head = await headOf(h);
    const sale = (qty: number, pin: string, n: string) =>
      counterCheckout(f.keeper, { householdId: h, memberId: head, storeId: f.storeId, lines: [{ goodId: f.goods["香皂"], qty }], pin, nonce: n });
    const a = ok(await code(f, 0, 2));
    expect(await sale(2, "135790", "c1")).toMatchObject({ ok: false, code: "stock", message: "香皂库存不足：还剩 3 袋，其中 2 袋已被别人的兑换码预留" });
    expect(await sale(2, "000001", "c2")).toMatchObject({ ok: false, code: "stock" }); // not a PIN try
    expect(await raw().get("select failures from household_pins where household_id = ?", h)).toEqual({ failures: 0 });
    expect(ok(await sale(1, "135790", "c3")).created).toBe(true);
    expect(await sale(1, "135790", "c4")).toMatchObject({ ok: false, code: "stock" });
    expect(ok(await confirmOrder(f.keeper, a.orderId, await codeOf(a.orderId))).created).toBe(true);
    expect(await stockOf(f.goods["香皂"])).toBe(0);
    await ledgerOk();
  });

  it("the storefront promises only what codes leave", async () => {
    const f = await storeFixture("hd5", { households: 3, points: [100, 100, 100], goods: [SOAP] });
    ok(await code(f, 0, 2));
    const shelf = async (i: number) => (await storefront(f.householdIds[i], f.villageId, null, null)).goods.find((g) => g.id === f.goods["香皂"])!;
    expect(await shelf(1)).toMatchObject({ stock: 3, available: 1, canTake: 1 });
    ok(await code(f, 1, 1));
    expect(await shelf(2)).toMatchObject({ stock: 3, available: 0, canTake: 0 });
  });

  it("sums the hold from the store's live pending orders, not from every sale of the good", async () => {
    await storeFixture("hdplan");
    const plan = await planOf(heldQuery(1, 1, 0));
    expect(firstRead(plan)).toMatch(
      onPostgres()
        ? /^Index (Only )?Scan using orders_pending_store on orders o\b/
        : /^SEARCH o USING (COVERING )?INDEX orders_pending_store \(store_id=\? AND expires_at>\?\)/,
    );
    // PostgreSQL: both bounds are the index's own condition, not a filter on the rows it returns.
    if (onPostgres()) expect(plan.join("\n")).toMatch(/Index Cond: \(\(store_id = .*\) AND \(expires_at > .*\)\)/);
    expect(plan.join("\n")).not.toContain("order_items_good");
  });

  it("households racing from 4 processes for 3 bars: exactly 3 codes, all honoured, stock never negative", async () => {
    const N = 16;
    const f = await storeFixture("hd6", { households: N, points: Array(N).fill(500), goods: [SOAP] });
    const startAt = Date.now() + 2500;
    const reports = await runRace(
      Array.from({ length: 4 }, (_, w) => ({
        mode: "create" as const, startAt, households: f.householdIds.filter((_, i) => i % 4 === w), goodId: f.goods["香皂"], storeId: f.storeId,
        villagerUserId: f.villagerUserId, tag: `hd6w${w}`,
      })),
    );
    const issued = reports.flatMap((r) => r.ok);
    expect(issued).toHaveLength(3);
    const refused = reports.flatMap((r) => r.refused);
    expect(refused).toHaveLength(N - 3);
    for (const r of refused) expect(r).toEqual({ code: "stock", message: "香皂库存不足：还剩 3 袋，其中 3 袋已被别人的兑换码预留" });
    expect(await raw().get("select count(*) as n from orders where status = 'pending' and store_id = ?", f.storeId)).toEqual({ n: 3 });
    for (const id of issued) expect(await confirmOrder(f.keeper, id, await codeOf(id))).toMatchObject({ ok: true, created: true });
    expect(await stockOf(f.goods["香皂"])).toBe(0);
    expect(await raw().get("select count(*) as n from stock_movements where good_id = ? and stock_after < 0", f.goods["香皂"])).toEqual({ n: 0 });
    expect(await raw().get("select count(*) as n from goods g where stock <> (select coalesce(sum(delta), 0) from stock_movements s where s.good_id = g.id)")).toEqual({ n: 0 });
    await ledgerOk();
  });
});
