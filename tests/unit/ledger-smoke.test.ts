import { describe, expect, it } from "vitest";
import { createHousehold } from "~/utils/households.server";
import { award, deduct, householdBalance, placeHold, convertHold, reverse, openStoreAccount, LedgerError } from "~/utils/ledger.server";
import { checkLedger } from "~/utils/ledger-check.server";
import { createVillage, ensureTownship } from "~/utils/villages.server";
import { db } from "~/utils/db.server";

describe("ledger basics", () => {
  it("awards, holds, converts, reverses and stays balanced", () => {
    const t = ensureTownship("测试镇");
    const v = createVillage({ townshipId: t, name: "一村", code: "V1" });
    const { householdId } = createHousehold({ villageId: v, gridId: null, number: "001", address: "", members: [{ name: "张三", relation: "户主" }] });
    const store = Number(db().sqlite.prepare("insert into stores (village_id, name, created_at) values (?, '超市', 0)").run(v).lastInsertRowid);
    const storeAcc = openStoreAccount(v, store);
    const actor = { userId: null, role: "system" };
    const a = award({ householdId, amount: 50, idemKey: "a1", actor, memo: "志愿服务" });
    expect(award({ householdId, amount: 50, idemKey: "a1", actor, memo: "志愿服务" })).toEqual({ txnId: a.txnId, created: false });
    expect(() => award({ householdId, amount: 51, idemKey: "a1", actor, memo: "志愿服务" })).toThrow(LedgerError);
    const hold = placeHold({ householdId, amount: 30, expiresAt: Date.now() + 60_000, idemKey: "h1", actor });
    expect(householdBalance(householdId)).toMatchObject({ balance: 50, held: 30, spendable: 20, score: 50 });
    expect(() => placeHold({ householdId, amount: 21, expiresAt: Date.now() + 60_000, idemKey: "h2", actor })).toThrow(/可用积分不足/);
    convertHold({ holdId: hold.holdId, storeAccountId: storeAcc, idemKey: "c1", actor, memo: "兑换" });
    expect(householdBalance(householdId)).toMatchObject({ balance: 20, held: 0, spendable: 20, score: 50 });
    deduct({ householdId, amount: 40, idemKey: "d1", actor, memo: "违规" });
    expect(householdBalance(householdId)).toMatchObject({ balance: -20, score: 10 });
    reverse({ txnId: a.txnId, idemKey: "r1", actor, memo: "录错" });
    expect(householdBalance(householdId)).toMatchObject({ balance: -70, score: -40 });
    expect(() => reverse({ txnId: a.txnId, idemKey: "r2", actor, memo: "录错" })).toThrow(/冲正过/);
    const results = checkLedger(db().sqlite);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(() => db().sqlite.prepare("update ledger_entries set amount = 1").run()).toThrow(/append-only/);
  });
});
