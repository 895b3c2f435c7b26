// The statement pages and totals a villager reads, against a plain query over the entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { createHousehold } from "~/people/households.server";
import { award, deduct, reverse } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { householdHome, statementPage } from "~/ledger/statement.server";
import { createVillage, ensureTownship } from "~/people/villages.server";

let householdId: number;
const actor = { userId: null, role: "system" };
// China time: 2026-09-30 23:30 is still September; 2026-10-01 00:10 is October.
const SEP_LAST = Date.UTC(2026, 8, 30, 15, 30);
const OCT_FIRST = Date.UTC(2026, 8, 30, 16, 10);

beforeAll(async () => {
  const v = await createVillage({ townshipId: await ensureTownship("测试镇"), name: "明细村", code: "ST" });
  householdId = (await createHousehold({ villageId: v, gridId: null, number: "001", address: "", members: [{ name: "周明", relation: "户主" }] })).householdId;
  // 23 entries in August, 17 around the September/October boundary, 9 in November.
  let n = 0;
  const at = (ms: number) => clockControl.set(ms);
  for (let i = 0; i < 23; i++, n++) (at(Date.UTC(2026, 7, 2, 2, i)), await award({ householdId, amount: 5, idemKey: `st-${n}`, actor, memo: `八月 ${i}` }));
  for (let i = 0; i < 8; i++, n++) (at(SEP_LAST + i * 1000), await award({ householdId, amount: 3, idemKey: `st-${n}`, actor, memo: `九月 ${i}` }));
  for (let i = 0; i < 9; i++, n++) (at(OCT_FIRST + i * 1000), await award({ householdId, amount: 2, idemKey: `st-${n}`, actor, memo: `十月 ${i}` }));
  at(Date.UTC(2026, 10, 5, 2));
  for (let i = 0; i < 8; i++, n++) await deduct({ householdId, amount: 1, idemKey: `st-${n}`, actor, memo: `十一月扣分 ${i}` });
  const first = (await sqlOn().get<{ id: number }>("select id from ledger_transactions where idem_key = 'st-0'"))!;
  await reverse({ txnId: first.id, idemKey: "st-rev", actor, memo: "八月第一条录错" });
  clockControl.set(Date.UTC(2026, 10, 20, 2));
});
afterAll(() => clockControl.reset());

async function naive(month: string | null) {
  const q = sqlOn();
  const account = (await q.get<{ id: number }>("select id from accounts where household_id = ?", householdId))!.id;
  const rows = await q.all<{ id: number; amount: number; created_at: number }>(
    "select e.id, e.amount, e.created_at from ledger_entries e where e.account_id = ? order by e.created_at desc, e.id desc",
    account,
  );
  // The China-time month (UTC+8, no daylight saving), worked out here rather than by the app's clock module.
  const monthOf = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 7);
  return rows.filter((r) => month === null || monthOf(r.created_at) === month);
}

describe("statement", () => {
  it("offers the months that have entries (and the current one) in the month filter, newest first", async () => {
    expect((await statementPage(householdId, null, 1)).months).toEqual(["2026-11", "2026-10", "2026-09", "2026-08"]);
    clockControl.set(Date.UTC(2027, 0, 3, 2));
    expect((await statementPage(householdId, "2026-09", 1)).months).toEqual(["2027-01", "2026-11", "2026-10", "2026-09", "2026-08"]);
    clockControl.set(Date.UTC(2026, 10, 20, 2));
  });

  it("pages through every entry exactly once, newest first, across month boundaries", async () => {
    for (const month of [null, "2026-08", "2026-09", "2026-10", "2026-11", "2026-07"]) {
      const expected = await naive(month);
      const first = await statementPage(householdId, month, 1);
      expect(first.total, String(month)).toBe(expected.length);
      expect(first.totals).toEqual({
        income: expected.filter((r) => r.amount > 0).reduce((n, r) => n + r.amount, 0),
        spent: expected.filter((r) => r.amount < 0).reduce((n, r) => n - r.amount, 0),
      });
      const seen: number[] = [];
      for (let p = 1; p <= first.pages; p++) seen.push(...(await statementPage(householdId, month, p)).rows.map((r) => r.id));
      expect(seen, String(month)).toEqual(expected.map((r) => r.id));
    }
  });

  it("clamps a page past the end to the last page and marks reversed entries", async () => {
    const s = await statementPage(householdId, null, 999);
    expect(s.page).toBe(s.pages);
    const august = await statementPage(householdId, "2026-08", 2);
    expect(august.rows.find((r) => r.memo === "八月 0")?.reversed).toBe(1);
    expect((await statementPage(householdId, "2026-11", 1)).rows[0]).toMatchObject({ kind: "reversal", memo: "八月第一条录错", amount: -5 });
  });

  it("shows the latest entries on the home page and the ledger stays consistent", async () => {
    const home = await householdHome(householdId);
    expect(home.entries.map((e) => e.id)).toEqual((await naive(null)).slice(0, 8).map((r) => r.id));
    expect(home.balance).toMatchObject({ balance: 23 * 5 - 5 + 8 * 3 + 9 * 2 - 8, score: 23 * 5 - 5 + 8 * 3 + 9 * 2 - 8 });
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
  });
});
