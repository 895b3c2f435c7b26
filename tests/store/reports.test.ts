// Stock movements, day close and monthly settlement, from the same confirmed and voided orders.
import { afterEach, describe, expect, it } from "vitest";
import { confirmOrder, createOrder } from "~/store/checkout.server";
import { clockControl } from "~/platform/clock.server";
import { changeStock, goodOf, updateGood } from "~/store/goods.server";
import { voidOrder } from "~/store/order-void.server";
import { closeDay, dayReport, monthReport, settleMonth, settlementCsv } from "~/store/reports.server";
import { raw, stockOf, storeFixture, codeOf } from "./fixture";

afterEach(() => clockControl.reset());

describe("stock", () => {
  it("changes only through append-only movements and never goes negative", async () => {
    const f = await storeFixture("s1");
    const admin = { userId: f.keeper.userId, role: "village_admin", villageId: f.villageId };
    const rice = f.goods["大米"];
    expect(await changeStock(admin, f.villageId, rice, { intent: "stock.restock", qty: 5, source: "乡贤捐赠", note: "王老板捐" })).toMatchObject({ ok: true, stock: 15 });
    expect(await changeStock(admin, f.villageId, rice, { intent: "stock.correct", count: 12, note: "盘点少 3 袋" })).toMatchObject({ ok: true, stock: 12 });
    const moves = await raw().all("select kind, delta, stock_after, source from stock_movements where good_id = ? order by id", rice);
    expect(moves).toEqual([
      { kind: "restock", delta: 10, stock_after: 10, source: "村集体" },
      { kind: "restock", delta: 5, stock_after: 15, source: "乡贤捐赠" },
      { kind: "correction", delta: -3, stock_after: 12, source: null },
    ]);
    // SQLite says "CHECK constraint failed", PostgreSQL "violates check constraint"; the trigger's message is the same on both.
    await expect(raw().run("update goods set stock = -1 where id = ?", rice)).rejects.toThrow(/CHECK constraint failed|violates check constraint/);
    await expect(raw().run("update stock_movements set delta = 1")).rejects.toThrow(/stock_movements is append-only/);
    await expect(raw().run("delete from stock_movements")).rejects.toThrow(/stock_movements is append-only/);
    expect(await stockOf(rice)).toBe(12);
    expect(await raw().all("select kind, delta, stock_after, source from stock_movements where good_id = ? order by id", rice)).toEqual(moves);
    expect(await raw().get("select count(*) as n from audit_log where action in ('stock.restock', 'stock.correct') and target_id = ?", String(rice))).toEqual({ n: 3 });
  });
});

describe("day close and settlement", () => {
  it("count confirmed orders at their own cost, leave voided ones out, and settle a finished month once", async () => {
    clockControl.set(Date.UTC(2026, 9, 15, 2)); // 15 Oct, 10:00 China time
    const f = await storeFixture("r1", { points: [1000, 1000, 0] });
    const committee = f.committee;
    const sell = async (h: number, name: string, qty: number, nonce: string) => {
      const o = await createOrder({ householdId: f.householdIds[h], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods[name], qty }], nonce });
      if (!o.ok) throw new Error(o.message);
      const c = await confirmOrder(f.keeper, o.orderId, await codeOf(o.orderId));
      if (!c.ok) throw new Error(c.message);
      return o.orderId;
    };
    await sell(0, "大米", 2, "a"); // 2 × 50 points, cost 1.00 yuan each
    const voided = await sell(1, "大米", 1, "b");
    const g = (await goodOf(f.villageId, f.goods["牙膏"]))!;
    await sell(1, "牙膏", 1, "c"); // 12 points, cost 1.00
    await updateGood({ userId: f.keeper.userId, role: "village_admin", villageId: f.villageId }, f.villageId, g.id, {
      name: g.name, category: "洗护", unit: "支", price: 15, cost: 250, monthlyLimit: 2, lowStock: 2, active: true,
    }, null);
    await sell(0, "牙膏", 1, "d"); // 15 points, cost 2.50
    expect((await voidOrder({ userId: f.keeper.userId, role: "store_keeper", villageId: f.villageId }, voided, "拿错了")).ok).toBe(true);

    const day = await dayReport(f.storeId, "2026-10-15");
    expect(day).toMatchObject({ orders: 3, points: 127, counter: 0 });
    expect(day.voids.map((v) => v.id)).toEqual([voided]);
    expect(day.items.map((i) => [i.name, i.qty])).toEqual([["大米", 2], ["牙膏", 2]]);
    expect(day.stock.find((s) => s.id === f.goods["大米"])!.stock).toBe(8);
    expect(await closeDay({ ...committee, userId: f.keeper.userId, role: "store_keeper" }, f.storeId, "2026-10-15")).toEqual({ ok: true });
    expect((await closeDay({ ...committee, userId: f.keeper.userId, role: "store_keeper" }, f.storeId, "2099-01-01")).ok).toBe(false);

    const month = await monthReport(f.storeId, "2026-10");
    expect(month.total).toEqual({ qty: 4, points: 127, cost_fen: 200 + 100 + 250 });
    expect(await settleMonth(committee, f.storeId, "2026-10")).toMatchObject({ ok: false, errors: { _form: "这个月还没过完，月底之后才能结算" } });
    clockControl.set(Date.UTC(2026, 10, 2, 2));
    expect(await settleMonth(committee, f.storeId, "2026-10")).toEqual({ ok: true });
    expect(await settleMonth(committee, f.storeId, "2026-10")).toMatchObject({ ok: false, errors: { _form: "这个月已经结算过了" } });
    expect(await raw().get("select points, cost_fen from settlements where store_id = ?", f.storeId)).toEqual({ points: 127, cost_fen: 550 });

    const csv = settlementCsv("=超市", await monthReport(f.storeId, "2026-10"));
    expect(csv.startsWith("\uFEFF超市,月份,商品,单位,数量,积分,成本（元）\r\n")).toBe(true);
    expect(csv).toContain("'=超市,2026-10,大米,袋,2,100,2.00\r\n");
    expect(csv).toContain("合计,,4,127,5.50");
    expect(await stockOf(f.goods["大米"])).toBe(8);
  });
});
