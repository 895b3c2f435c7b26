// A villager's statement speaks of what was done and when, never of internal numbers: a claim's
// credit and its revocation are worded from the claim itself, at display time.
import { afterEach, describe, expect, it } from "vitest";
import { approveClaim, creditDueClaims, fileClaimBatch, revokeClaim } from "~/claims/claims.server";
import { claimVillage, setVillage } from "../claims/fixture";
import { clockControl } from "~/platform/clock.server";
import { award } from "~/ledger/ledger.server";
import { householdHome, latestEntries, statementPage, villagerMemo } from "~/ledger/statement.server";

afterEach(() => clockControl.reset());

// 2026-11-30 08:00 China time.
const DONE_AT = Date.UTC(2026, 10, 30, 0);

describe("villagerMemo", () => {
  it("swaps a claim's number for the day the thing was done", () => {
    expect(villagerMemo("最美家庭（申报 #267）", { rule: "最美家庭", at: DONE_AT })).toBe("最美家庭（2026年11月30日）");
    expect(villagerMemo("最美家庭（申报 #267）", null)).toBe("最美家庭");
    // China time, not the server's: 23:30 UTC on the 29th is already the 30th in China.
    expect(villagerMemo("清扫村道（申报 #5）", { rule: "清扫村道", at: Date.UTC(2026, 10, 29, 23, 30) })).toBe("清扫村道（2026年11月30日）");
  });

  it("names a revoked claim by its rule and day, keeping the reason", () => {
    expect(villagerMemo("撤销申报 #267：录错了户", { rule: "最美家庭", at: DONE_AT })).toBe("撤销申报“最美家庭”（2026年11月30日）：录错了户");
    expect(villagerMemo("撤销申报 #267：录错了户", { rule: null, at: null })).toBe("撤销申报：录错了户");
  });

  it("drops any other internal number and leaves other memos alone", () => {
    expect(villagerMemo("补记积分（单据 #12）")).toBe("补记积分");
    expect(villagerMemo("调整 #12 的积分")).toBe("调整的积分");
    expect(villagerMemo("积分超市兑换 No.000123：牙膏×2")).toBe("积分超市兑换 No.000123：牙膏×2");
    expect(villagerMemo("3#楼门前清扫")).toBe("3#楼门前清扫");
    expect(villagerMemo("环境卫生评比·良好（2026年6月）")).toBe("环境卫生评比·良好（2026年6月）");
  });
});

describe("the statement of a household with claims", () => {
  it("shows no #number on the statement, the home page or the latest entries", async () => {
    const v = await claimVillage("SW");
    await setVillage(v.villageId, 0, 1); // credited at approval
    clockControl.set(DONE_AT + 3_600_000);
    const [id] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.villager, role: "household_head" },
      items: [{ memberId: v.memberA, ruleId: v.rules.sweep, occurredAt: DONE_AT, quantity: 1, note: "" }],
    });
    expect(await approveClaim(v.villageId, id, { userId: v.committee1, role: "committee" })).toBe("credited");
    await creditDueClaims();
    await revokeClaim(v.villageId, id, { userId: v.committee1, role: "committee" }, "重复登记");
    await award({ householdId: v.householdA, amount: 2, idemKey: `sw-${v.villageId}`, actor: { userId: null, role: "system" }, memo: "环境卫生评比·良好（2026年11月）" });
    const rows = (await statementPage(v.householdA, null, 1)).rows;
    expect(rows.map((r) => r.memo)).toEqual([
      "环境卫生评比·良好（2026年11月）",
      "撤销申报“清扫公共道路”（2026年11月30日）：重复登记",
      "清扫公共道路（2026年11月30日）",
    ]);
    for (const memo of [...rows, ...(await latestEntries(v.householdA)), ...(await householdHome(v.householdA)).entries].map((r) => r.memo)) {
      expect(memo).not.toMatch(/#\d/);
    }
  });
});
