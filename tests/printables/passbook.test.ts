// 积分存折: every line's balance against an independent sum of the household's entries, the balance
// carried from the year before, paging through a long year, and a grid's sheets (its households only).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { createHousehold } from "~/people/households.server";
import { award, deduct, openStoreAccount, redeem, reverse } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { villagerMemo } from "~/ledger/statement.server";
import { createVillage, ensureGrid, ensureTownship } from "~/people/villages.server";
import { gridPassbook, passbookSheets, type PassbookSheet } from "~/printables/passbook.server";
import { GRID_BATCH, PASSBOOK_PAGE_ENTRIES } from "~/printables/labels";

const actor = { userId: null, role: "system" };
const q = sqlOn();
// China time is UTC+8: 2025-12-31 23:30 there is still 2025; 2026-01-01 00:10 is 2026.
const LAST_OF_2025 = Date.UTC(2025, 11, 31, 15, 30);
const FIRST_OF_2026 = Date.UTC(2025, 11, 31, 16, 10);
const yearStart = (y: number) => Date.UTC(y, 0, 1) - 8 * 3_600_000; // worked out here, not by the app's clock module

let villageId = 0;
let grid1 = 0;
let grid2 = 0;
const hh: Record<string, number> = {};
let storeAccount = 0;
let n = 0;
const key = () => `pb-${n++}`;
const at = (ms: number) => clockControl.set(ms);

beforeAll(async () => {
  at(Date.UTC(2025, 2, 1, 2));
  villageId = await createVillage({ townshipId: await ensureTownship("测试镇"), name: "存折村", code: "PB" });
  grid1 = await ensureGrid(villageId, "一组");
  grid2 = await ensureGrid(villageId, "二组");
  const house = async (number: string, gridId: number | null, head: string) =>
    (hh[number] = (await createHousehold({ villageId, gridId, number, address: `幸福路${number}号`, members: [{ name: head, relation: "户主" }, { name: `${head}妻`, relation: "配偶" }] })).householdId);
  await house("001", grid1, "刘建兵");
  await house("002", grid1, "王五");
  await house("003", grid2, "赵六");
  await house("004", null, "钱七");
  await house("005", grid1, "孙八"); // no entries at all
  const storeId = (await q.get<{ id: number }>("insert into stores (village_id, name, created_at) values (?, '存折村超市', 0) returning id", villageId))!.id;
  storeAccount = await openStoreAccount(villageId, storeId);

  // 2025: 001 ends the year at 30 - 5 - 10 = 15; 002 at 7; 003 and 004 earn once.
  at(Date.UTC(2025, 5, 1, 2));
  const first = await award({ householdId: hh["001"], amount: 30, idemKey: key(), actor, memo: "最美家庭（申报 #12）" });
  await deduct({ householdId: hh["001"], amount: 5, idemKey: key(), actor, memo: "乱扔垃圾" });
  await award({ householdId: hh["002"], amount: 7, idemKey: key(), actor, memo: "清扫道路" });
  await award({ householdId: hh["003"], amount: 4, idemKey: key(), actor, memo: "清扫道路" });
  await award({ householdId: hh["004"], amount: 9, idemKey: key(), actor, memo: "清扫道路" });
  at(LAST_OF_2025);
  await redeem({ householdId: hh["001"], storeAccountId: storeAccount, amount: 10, idemKey: key(), actor, memo: "兑换 单据 #77" });

  // 2026: several entries at one instant (ordered by id), a reversal of a 2025 award, a redemption.
  at(FIRST_OF_2026);
  for (let i = 0; i < 3; i++) await award({ householdId: hh["001"], amount: 2 + i, idemKey: key(), actor, memo: `元旦志愿 ${i}` });
  at(Date.UTC(2026, 2, 8, 1));
  await deduct({ householdId: hh["001"], amount: 3, idemKey: key(), actor, memo: "占道堆放" });
  at(Date.UTC(2026, 6, 1, 1));
  await award({ householdId: hh["001"], amount: 40, idemKey: key(), actor, memo: "美丽庭院（申报 #31）" });
  await reverse({ txnId: first.txnId, idemKey: key(), actor, memo: "去年录错" });
  await redeem({ householdId: hh["001"], storeAccountId: storeAccount, amount: 12, idemKey: key(), actor, memo: "兑换 洗衣粉" });
  await award({ householdId: hh["003"], amount: 6, idemKey: key(), actor, memo: "清扫道路" });
  // 002: a long year, over two screen pages, some entries sharing an instant.
  for (let i = 0; i < PASSBOOK_PAGE_ENTRIES * 2 + 37; i++) {
    if (i % 3 === 0) at(Date.UTC(2026, 3, 1, 2) + i * 60_000);
    if (i % 10 === 9) await deduct({ householdId: hh["002"], amount: 1, idemKey: key(), actor, memo: `扣分 ${i}` });
    else await award({ householdId: hh["002"], amount: 1 + (i % 4), idemKey: key(), actor, memo: `积分 ${i}` });
  }
  // 2027: must not show in 2026's passbook.
  at(Date.UTC(2027, 0, 5, 2));
  await award({ householdId: hh["001"], amount: 8, idemKey: key(), actor, memo: "新年" });
  at(Date.UTC(2027, 1, 1, 2));
}, 180_000);
afterAll(() => clockControl.reset());

/** Every entry of the household, in the statement's order, with the balance after it: summed here. */
async function independent(householdId: number) {
  const account = (await q.get<{ id: number; balance: number }>("select id, balance from accounts where household_id = ?", householdId))!;
  const rows = await q.all<{ id: number; amount: number; created_at: number }>(
    "select id, amount, created_at from ledger_entries where account_id = ? order by created_at, id",
    account.id,
  );
  let balance = 0;
  return { account, rows: rows.map((r) => ({ ...r, after: (balance += r.amount) })) };
}

async function allPages(householdId: number, year: number): Promise<PassbookSheet[]> {
  const [first] = await passbookSheets([householdId], year, 1);
  const out = [first];
  for (let p = 2; p <= first.pages; p++) out.push((await passbookSheets([householdId], year, p))[0]);
  return out;
}

describe("积分存折", () => {
  it("shows after every entry the balance the ledger held then, from the balance carried from the year before", async () => {
    for (const number of ["001", "002", "003", "004"]) {
      const { account, rows } = await independent(hh[number]);
      for (const year of [2025, 2026, 2027]) {
        const before = rows.filter((r) => r.created_at < yearStart(year));
        const inYear = rows.filter((r) => r.created_at >= yearStart(year) && r.created_at < yearStart(year + 1));
        const opening = before.reduce((s, r) => s + r.amount, 0);
        const sheets = await allPages(hh[number], year);
        const lines = sheets.flatMap((s) => s.lines);
        expect(lines.map((l) => l.id), `${number} ${year}`).toEqual(inYear.map((r) => r.id));
        expect(lines.map((l) => l.balance), `${number} ${year}`).toEqual(inYear.map((r) => r.after));
        expect(lines.map((l) => l.amount)).toEqual(inYear.map((r) => r.amount));
        const s = sheets[0];
        expect(s.opening, `${number} ${year} opening`).toBe(opening);
        expect(s.carried).toBe(opening);
        expect(s.income).toBe(inYear.filter((r) => r.amount > 0).reduce((t, r) => t + r.amount, 0));
        expect(s.spent).toBe(inYear.filter((r) => r.amount < 0).reduce((t, r) => t - r.amount, 0));
        expect(s.closing).toBe(opening + inYear.reduce((t, r) => t + r.amount, 0));
        expect(s.entries).toBe(inYear.length);
      }
      // The last year's closing balance is the account's balance now.
      expect((await passbookSheets([hh[number]], 2027, 1))[0].closing).toBe(account.balance);
    }
  });

  it("carries 2025's year-end balance into 2026 across the China-time new year", async () => {
    const [y2025] = await passbookSheets([hh["001"]], 2025, 1);
    const [y2026] = await passbookSheets([hh["001"]], 2026, 1);
    expect(y2025.closing).toBe(30 - 5 - 10);
    expect(y2026.opening).toBe(15);
    // The redemption at 23:30 on 31 December (China time) is 2025's last line, not 2026's first.
    expect(y2025.lines.at(-1)).toMatchObject({ amount: -10, balance: 15, day: "12-31" });
    expect(y2026.lines[0]).toMatchObject({ amount: 2, balance: 17, day: "01-01" });
    // Three entries at one instant: in id order, each with its own balance.
    expect(y2026.lines.slice(0, 3).map((l) => l.balance)).toEqual([17, 20, 24]);
  });

  it("words each line as the villager's statement does, and marks what was reversed", async () => {
    const [y2025] = await passbookSheets([hh["001"]], 2025, 1);
    const [y2026] = await passbookSheets([hh["001"]], 2026, 1);
    expect(y2025.lines[0].memo).toBe(villagerMemo("最美家庭（申报 #12）"));
    expect(y2025.lines[0].memo).toBe("最美家庭");
    expect(y2025.lines[0].reversed).toBe(true);
    expect(y2025.lines.at(-1)!.memo).toBe("兑换 单据");
    expect(y2026.lines.find((l) => l.amount === 40)!.memo).toBe("美丽庭院");
    expect(y2026.lines.find((l) => l.memo === "去年录错")).toMatchObject({ amount: -30, reversed: false });
  });

  it("pages a long year in SQL: every entry once, each page carried on from the one before", async () => {
    const sheets = await allPages(hh["002"], 2026);
    expect(sheets.length).toBe(3);
    expect(sheets.map((s) => s.lines.length)).toEqual([PASSBOOK_PAGE_ENTRIES, PASSBOOK_PAGE_ENTRIES, 37]);
    for (let p = 1; p < sheets.length; p++) expect(sheets[p].carried, `page ${p + 1}`).toBe(sheets[p - 1].lines.at(-1)!.balance);
    expect(sheets.every((s) => s.pages === 3 && s.entries === PASSBOOK_PAGE_ENTRIES * 2 + 37)).toBe(true);
    // A page past the end is the last page.
    expect((await passbookSheets([hh["002"]], 2026, 99))[0]).toMatchObject({ page: 3, carried: sheets[2].carried });
  });

  it("shows a household with no entries at its carried balance, and the head, grid and address on every sheet", async () => {
    const [none] = await passbookSheets([hh["005"]], 2026, 1);
    expect(none).toMatchObject({ number: "005", head: "孙八", grid: "一组", address: "幸福路005号", village: "存折村", township: "测试镇", opening: 0, closing: 0, entries: 0, lines: [] });
  });

  it("prints a grid as one sheet per household of that grid, and no other", async () => {
    const one = (await gridPassbook(villageId, grid1, 2026, 1))!;
    expect(one.sheets.map((s) => s.number)).toEqual(["001", "002", "005"]);
    expect(one).toMatchObject({ batch: 1, batches: 1, grid: { id: grid1, name: "一组", households: 3 } });
    // Whole sheets: 002's long year is not paged inside a grid print.
    expect(one.sheets[1].lines.length).toBe(PASSBOOK_PAGE_ENTRIES * 2 + 37);
    expect((await gridPassbook(villageId, grid2, 2026, 1))!.sheets.map((s) => s.number)).toEqual(["003"]);
    // Grid 0: the households without a grid.
    expect((await gridPassbook(villageId, 0, 2026, 1))!.sheets.map((s) => s.number)).toEqual(["004"]);
    // Each sheet matches the household's own passbook.
    for (const s of one.sheets) expect(s).toEqual((await passbookSheets([s.householdId], 2026, null))[0]);
    // A grid of another village is not this village's.
    const other = await createVillage({ townshipId: await ensureTownship("测试镇"), name: "别村", code: "PBX" });
    const otherGrid = await ensureGrid(other, "一组");
    expect(await gridPassbook(villageId, otherGrid, 2026, 1)).toBeNull();
    expect(await gridPassbook(other, otherGrid, 2026, 1)).toBeNull(); // no households there
  });

  it("prints a big grid in batches of GRID_BATCH households by 户号", async () => {
    const big = await ensureGrid(villageId, "三组");
    const numbers = Array.from({ length: GRID_BATCH + 3 }, (_, i) => `3${String(i).padStart(2, "0")}`);
    for (const number of numbers) await createHousehold({ villageId, gridId: big, number, address: "", members: [{ name: "某人", relation: "户主" }] });
    const first = (await gridPassbook(villageId, big, 2026, 1))!;
    const second = (await gridPassbook(villageId, big, 2026, 2))!;
    expect(first.batches).toBe(2);
    expect([...first.sheets, ...second.sheets].map((s) => s.number)).toEqual(numbers);
    expect((await gridPassbook(villageId, big, 2026, 7))!.batch).toBe(2);
  });

  it("leaves the ledger consistent", async () => {
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
  });
});
