// The villages' monthly summary (0012) is what the township's dashboard reads instead of the
// entries: every posting must keep it exact, and the migration must rebuild the same from a ledger.
import { describe, expect, it } from "vitest";
import { award, deduct, redeem, reverse } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { fill } from "../../db/migrations/0012_ledger_months";
import { sqlOn } from "../support/sql";
import { failedChecks, seedVillage, SYSTEM } from "./helpers";

const actor = SYSTEM;

async function rule(villageId: number, category: string): Promise<number> {
  return (await sqlOn().get<{ id: number }>(
    "insert into rules (village_id, category, name, points, unit, created_at, updated_at) values (?, ?, ?, 10, 'time', 0, 0) returning id",
    villageId, category, `规则${category}`,
  ))!.id;
}

function summary(villageId: number) {
  return sqlOn().all<{ month: string; kind: string; category: string; reversal: number; points: number; txns: number }>(
    "select month, kind, category, reversal, points, txns from ledger_months where village_id = ? order by month, kind, category, reversal",
    villageId,
  );
}

describe("the villages' monthly summary", () => {
  it("keeps issued by category, deducted, redeemed and reversed per China month, and each household's last award", async () => {
    const v = await seedVillage("VM", 3);
    const [h1, h2, h3] = v.householdIds;
    const volunteer = await rule(v.villageId, "volunteer");
    const villageRules = await rule(v.villageId, "village_rules");
    const clock = clockControl;
    try {
      // 2026-10-31 23:30 China time is still October; 00:30 the next day is November.
      const october = Date.UTC(2026, 9, 31, 15, 30);
      clock.set(october);
      const first = await award({ householdId: h1, amount: 50, idemKey: "vm-a1", actor, ruleId: volunteer, memo: "志愿服务" });
      await award({ householdId: h2, amount: 7, idemKey: "vm-a2", actor, memo: "无规则" });
      clock.set(october + 3600_000);
      await award({ householdId: h1, amount: 30, idemKey: "vm-a3", actor, ruleId: volunteer, memo: "志愿服务" });
      await deduct({ householdId: h2, amount: 5, idemKey: "vm-d1", actor, ruleId: villageRules, memo: "违规" });
      await redeem({ householdId: h1, storeAccountId: v.storeAccountId, amount: 20, idemKey: "vm-r1", actor, memo: "兑换" });
      await reverse({ txnId: first.txnId, idemKey: "vm-x1", actor, memo: "录错" });
      // A replay moves nothing and must not count twice.
      await award({ householdId: h1, amount: 30, idemKey: "vm-a3", actor, ruleId: volunteer, memo: "志愿服务" });
    } finally {
      clock.reset();
    }
    expect(await summary(v.villageId)).toEqual([
      { month: "2026-10", kind: "award", category: "", reversal: 0, points: 7, txns: 1 },
      { month: "2026-10", kind: "award", category: "volunteer", reversal: 0, points: 50, txns: 1 },
      { month: "2026-11", kind: "award", category: "volunteer", reversal: 0, points: 30, txns: 1 },
      { month: "2026-11", kind: "award", category: "volunteer", reversal: 1, points: -50, txns: 1 },
      { month: "2026-11", kind: "deduction", category: "village_rules", reversal: 0, points: -5, txns: 1 },
      { month: "2026-11", kind: "redemption", category: "", reversal: 0, points: -20, txns: 1 },
    ]);
    const earned = await sqlOn().all<{ household_id: number; last_earned_at: number | null }>(
      "select household_id, last_earned_at from accounts where village_id = ? and kind = 'household' order by household_id", v.villageId,
    );
    expect(earned).toEqual([
      { household_id: h1, last_earned_at: Date.UTC(2026, 9, 31, 16, 30) },
      { household_id: h2, last_earned_at: Date.UTC(2026, 9, 31, 15, 30) },
      { household_id: h3, last_earned_at: null },
    ]);
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);

    // The migration's fill, from the entries alone, arrives at the same figures.
    const before = await summary(v.villageId);
    await sqlOn().run("delete from ledger_months");
    await sqlOn().run("update accounts set last_earned_at = null");
    await fill(engine().writer);
    expect(await summary(v.villageId)).toEqual(before);
    expect(await sqlOn().all("select household_id, last_earned_at from accounts where village_id = ? and kind = 'household' order by household_id", v.villageId)).toEqual(earned);

    // check:ledger names a summary that no longer agrees with the entries.
    await sqlOn().run("update ledger_months set points = points + 1 where village_id = ? and kind = 'redemption'", v.villageId);
    expect(failedChecks(await checkLedger(engine().writer)).map((c) => c.name)).toEqual(["村月度汇总（按类别的发放、扣减、兑换、冲正）等于分录之和"]);
  });
});
