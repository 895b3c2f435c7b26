import { describe, expect, it } from "vitest";
import { createHousehold } from "~/people/households.server";
import { award, deduct, householdBalance, placeHold, convertHold, reverse, redeem, openStoreAccount, LedgerError } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";

describe("ledger basics", () => {
  it("awards, holds, converts, reverses and stays balanced", async () => {
    const t = await ensureTownship("测试镇");
    const v = await createVillage({ townshipId: t, name: "一村", code: "V1" });
    const { householdId } = await createHousehold({ villageId: v, gridId: null, number: "001", address: "", members: [{ name: "张三", relation: "户主" }] });
    const store = (await sqlOn().get<{ id: number }>("insert into stores (village_id, name, created_at) values (?, '超市', 0) returning id", v))!.id;
    const storeAcc = await openStoreAccount(v, store);
    const actor = { userId: null, role: "system" };
    const a = await award({ householdId, amount: 50, idemKey: "a1", actor, memo: "志愿服务" });
    expect(await award({ householdId, amount: 50, idemKey: "a1", actor, memo: "志愿服务" })).toEqual({ txnId: a.txnId, created: false });
    await expect(award({ householdId, amount: 51, idemKey: "a1", actor, memo: "志愿服务" })).rejects.toThrow(LedgerError);
    const hold = await placeHold({ householdId, amount: 30, expiresAt: Date.now() + 60_000, idemKey: "h1", actor });
    expect(await householdBalance(householdId)).toMatchObject({ balance: 50, held: 30, spendable: 20, score: 50 });
    await expect(placeHold({ householdId, amount: 21, expiresAt: Date.now() + 60_000, idemKey: "h2", actor })).rejects.toThrow(/可用积分不足/);
    await convertHold({ holdId: hold.holdId, storeAccountId: storeAcc, idemKey: "c1", actor, memo: "兑换" });
    expect(await householdBalance(householdId)).toMatchObject({ balance: 20, held: 0, spendable: 20, score: 50 });
    await deduct({ householdId, amount: 40, idemKey: "d1", actor, memo: "违规" });
    expect(await householdBalance(householdId)).toMatchObject({ balance: -20, score: 10 });
    await reverse({ txnId: a.txnId, idemKey: "r1", actor, memo: "录错" });
    expect(await householdBalance(householdId)).toMatchObject({ balance: -70, score: -40 });
    await expect(reverse({ txnId: a.txnId, idemKey: "r2", actor, memo: "录错" })).rejects.toThrow(/冲正过/);
    const results = await checkLedger(engine().writer);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    await expect(sqlOn().run("update ledger_entries set amount = 1")).rejects.toThrow(/append-only/);
  });
});

describe("ledger requests", () => {
  it("treats a retry across New Year (China time) as the same request", async () => {
    const { clockControl } = await import("~/platform/clock.server");
    const t = await ensureTownship("测试镇");
    const v = await createVillage({ townshipId: t, name: "跨年村", code: "NY" });
    const { householdId } = await createHousehold({ villageId: v, gridId: null, number: "001", address: "", members: [{ name: "李四", relation: "户主" }] });
    const actor = { userId: null, role: "system" };
    clockControl.set(Date.UTC(2026, 11, 31, 15, 59, 59, 500)); // 23:59:59.5 on 31 Dec in China
    try {
      const first = await award({ householdId, amount: 5, idemKey: "ny-tap", actor, memo: "志愿服务" });
      clockControl.advance(1000);
      expect(await award({ householdId, amount: 5, idemKey: "ny-tap", actor, memo: "志愿服务" })).toEqual({ txnId: first.txnId, created: false });
      expect((await householdBalance(householdId, 2026)).score).toBe(5);
      expect((await householdBalance(householdId, 2027)).score).toBe(0);
    } finally {
      clockControl.reset();
    }
  });

  it("only credits redemptions to a store account of the same village", async () => {
    const t = await ensureTownship("测试镇");
    const v = await createVillage({ townshipId: t, name: "兑换村", code: "RD" });
    const a = (await createHousehold({ villageId: v, gridId: null, number: "001", address: "", members: [{ name: "甲", relation: "户主" }] })).householdId;
    const b = (await createHousehold({ villageId: v, gridId: null, number: "002", address: "", members: [{ name: "乙", relation: "户主" }] })).householdId;
    const actor = { userId: null, role: "system" };
    await award({ householdId: a, amount: 20, idemKey: "rd-a", actor, memo: "奖励" });
    const bAccount = (await sqlOn().get<{ id: number }>("select id from accounts where household_id = ?", b))!.id;
    await expect(redeem({ householdId: a, storeAccountId: bAccount, amount: 5, idemKey: "rd-x", actor, memo: "兑换" })).rejects.toThrow(/超市/);
    expect((await householdBalance(b)).balance).toBe(0);
  });
});
