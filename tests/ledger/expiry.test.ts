// Expiry (积分清零 / 过期) is the ledger's: a transaction of its own kind that takes only spendable
// points, oldest first, once per household and period, and that the committee can reverse.
import { describe, expect, it } from "vitest";
import { award, deduct, expire, expiringAmount, placeHold, redeem, reverse } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { clockControl, now } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { failedChecks, seedVillage, SYSTEM } from "./helpers";

const actor = SYSTEM;
const DAY = 86_400_000;
/** China-time midnight starting the given month (month 1-12). */
const chinaMonthStart = (y: number, m: number) => Date.UTC(y, m - 1, 1) - 8 * 3600_000;

const balanceOf = async (accountId: number) => (await sqlOn().get<{ balance: number }>("select balance from accounts where id = ?", accountId))!.balance;
const scoreOf = async (accountId: number, year: number) =>
  (await sqlOn().get<{ score: number }>("select score from account_scores where account_id = ? and year = ?", accountId, year))?.score ?? 0;

describe("expiry", () => {
  it("at year end takes every spendable point, never held ones, and leaves the year's score", async () => {
    const v = await seedVillage("EX1", 2);
    const [h1, h2] = v.householdIds;
    const [a1, a2] = v.householdAccountIds;
    try {
      clockControl.set(chinaMonthStart(2026, 6));
      await award({ householdId: h1, amount: 100, idemKey: "ex1-a1", actor, memo: "奖励" });
      await award({ householdId: h2, amount: 40, idemKey: "ex1-a2", actor, memo: "奖励" });
      await redeem({ householdId: h2, storeAccountId: v.storeAccountId, amount: 40, idemKey: "ex1-r2", actor, memo: "兑换" });
      clockControl.set(chinaMonthStart(2027, 1) + 60_000);
      // A checkout open across midnight: its 30 points stay held.
      await placeHold({ householdId: h1, amount: 30, expiresAt: now() + 600_000, idemKey: "ex1-h1", actor });
      expect(await expiringAmount(h1, null)).toBe(70);
      const posted = await expire({ householdId: h1, period: "2026", keepEarnedSince: null, actor, memo: "2026年积分年底清零" });
      expect(posted?.created).toBe(true);
      expect(await balanceOf(a1)).toBe(30);
      expect(await scoreOf(a1, 2026)).toBe(100);
      // Nothing spendable: nothing written.
      expect(await expire({ householdId: h2, period: "2026", keepEarnedSince: null, actor, memo: "2026年积分年底清零" })).toBeNull();
      expect(await balanceOf(a2)).toBe(0);
      const txn = await sqlOn().get<{ kind: string; cause_kind: string }>("select kind, cause_kind from ledger_transactions where id = ?", posted!.txnId);
      expect(txn).toEqual({ kind: "expiry", cause_kind: "expiry" });
      const month = await sqlOn().get<{ points: number; txns: number }>(
        "select points, txns from ledger_months where village_id = ? and kind = 'expiry' and reversal = 0", v.villageId,
      );
      expect(month).toEqual({ points: -70, txns: 1 });
    } finally {
      clockControl.reset();
    }
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });

  it("after N months keeps what was earned since, spends the oldest first, and runs once per period", async () => {
    const v = await seedVillage("EX2", 1);
    const [h] = v.householdIds;
    const [a] = v.householdAccountIds;
    try {
      clockControl.set(chinaMonthStart(2026, 1) + DAY);
      const old = await award({ householdId: h, amount: 100, idemKey: "ex2-a1", actor, memo: "一月" });
      clockControl.set(chinaMonthStart(2026, 2) + DAY);
      await award({ householdId: h, amount: 50, idemKey: "ex2-a2", actor, memo: "二月" });
      const wrong = await award({ householdId: h, amount: 20, idemKey: "ex2-a3", actor, memo: "二月录错" });
      await reverse({ txnId: wrong.txnId, idemKey: "ex2-x3", actor, memo: "录错" });
      // Spent 60 in March: out of January's 100 (oldest first), so January has 40 left.
      clockControl.set(chinaMonthStart(2026, 3) + DAY);
      await redeem({ householdId: h, storeAccountId: v.storeAccountId, amount: 60, idemKey: "ex2-r1", actor, memo: "兑换" });
      await deduct({ householdId: h, amount: 5, idemKey: "ex2-d1", actor, memo: "扣分" });
      // 12 months after earning: at 2027-02-01 what was earned before 2026-02-01 expires.
      clockControl.set(chinaMonthStart(2027, 2) + 60_000);
      const since = chinaMonthStart(2026, 2);
      expect(await expiringAmount(h, since)).toBe(35);
      const runs = await Promise.all([
        expire({ householdId: h, period: "2027-02", keepEarnedSince: since, actor, memo: "积分满12个月过期" }),
        expire({ householdId: h, period: "2027-02", keepEarnedSince: since, actor, memo: "积分满12个月过期" }),
      ]);
      expect(runs.map((r) => r?.txnId)).toEqual([runs[0]!.txnId, runs[0]!.txnId]);
      expect(runs.filter((r) => r?.created)).toHaveLength(1);
      expect(await balanceOf(a)).toBe(50);
      // Again later in the period (a restart, a second process): the same answer, nothing moved.
      const again = await expire({ householdId: h, period: "2027-02", keepEarnedSince: since, actor, memo: "积分满12个月过期" });
      expect(again).toEqual({ txnId: runs[0]!.txnId, created: false });
      // The committee reverses it with a reason: the points come back and stay (the period is done).
      await reverse({ txnId: runs[0]!.txnId, idemKey: "ex2-undo", actor, memo: "村委撤销过期：外出务工未能兑换" });
      expect(await balanceOf(a)).toBe(85);
      expect(await expire({ householdId: h, period: "2027-02", keepEarnedSince: since, actor, memo: "积分满12个月过期" })).toEqual({ txnId: runs[0]!.txnId, created: false });
      expect(await balanceOf(a)).toBe(85);
      expect(old.created).toBe(true);
    } finally {
      clockControl.reset();
    }
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });

  it("takes held points out of the oldest first: neither they nor the recent ones expire", async () => {
    const v = await seedVillage("EX3", 1);
    const [h] = v.householdIds;
    const [a] = v.householdAccountIds;
    try {
      clockControl.set(chinaMonthStart(2026, 1) + DAY);
      await award({ householdId: h, amount: 100, idemKey: "ex3-old", actor, memo: "旧积分" });
      clockControl.set(chinaMonthStart(2026, 6) + DAY);
      await award({ householdId: h, amount: 10, idemKey: "ex3-new", actor, memo: "新积分" });
      clockControl.set(chinaMonthStart(2027, 2) + 60_000);
      await placeHold({ householdId: h, amount: 20, expiresAt: now() + 600_000, idemKey: "ex3-hold", actor });
      // 100 old less the 20 a checkout is about to spend; the 10 earned in June stay.
      expect(await expire({ householdId: h, period: "2027-02", keepEarnedSince: chinaMonthStart(2026, 2), actor, memo: "积分满12个月过期" })).not.toBeNull();
      expect(await balanceOf(a)).toBe(30);
    } finally {
      clockControl.reset();
    }
  });
});
