// 积分排行: order by the year's score, tied scores sharing a place, places within a grid, names masked
// or full by the village's setting, the poster's cut, and paging — against sums worked out here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { createHousehold } from "~/people/households.server";
import { award, deduct } from "~/ledger/ledger.server";
import { createVillage, ensureGrid, ensureTownship } from "~/people/villages.server";
import { posterRows, rankingRows } from "~/printables/rankings.server";
import { maskName, POSTER_PLACES, POSTER_ROWS_MAX, RANKING_PAGE_SIZE } from "~/printables/labels";

const actor = { userId: null, role: "system" };
const q = sqlOn();
let villageId = 0;
let east = 0;
let west = 0;
const hh: Record<string, number> = {};
let n = 0;
const key = () => `rk-${n++}`;

// 户号 → head, grid, 2026 score (awards less deductions); 2025's score must not count.
const HOUSEHOLDS: [string, string | null, "east" | "west" | null, number][] = [
  ["001", "刘建兵", "east", 20],
  ["002", "王五", "east", 35],
  ["003", "欧阳小明", "west", 20],
  ["004", "赵六", "west", 20],
  ["005", "钱七", "east", 0],
  ["006", "孙八", null, -5],
  ["007", null, "west", 12], // no active head
  ["008", "周九", "east", 35],
];

beforeAll(async () => {
  clockControl.set(Date.UTC(2025, 5, 1, 2));
  villageId = await createVillage({ townshipId: await ensureTownship("测试镇"), name: "排行村", code: "RK" });
  east = await ensureGrid(villageId, "东组");
  west = await ensureGrid(villageId, "西组");
  for (const [number, head, grid] of HOUSEHOLDS) {
    const gridId = grid === "east" ? east : grid === "west" ? west : null;
    const members = head ? [{ name: head, relation: "户主" }] : [{ name: "某人", relation: "子女" }];
    hh[number] = (await createHousehold({ villageId, gridId, number, address: "", members })).householdId;
  }
  // 2025: 005 was first; that is last year's ranking.
  await award({ householdId: hh["005"], amount: 99, idemKey: key(), actor, memo: "去年" });
  clockControl.set(Date.UTC(2026, 3, 1, 2));
  for (const [number, , , score] of HOUSEHOLDS) {
    if (score > 0) {
      await award({ householdId: hh[number], amount: score + 10, idemKey: key(), actor, memo: "得分" });
      await deduct({ householdId: hh[number], amount: 10, idemKey: key(), actor, memo: "扣分" });
    } else if (score < 0) await deduct({ householdId: hh[number], amount: -score, idemKey: key(), actor, memo: "扣分" });
  }
  clockControl.set(Date.UTC(2026, 5, 1, 2));
}, 120_000);
afterAll(() => clockControl.reset());

const rows = async (o: { gridId?: number | null; fullNames?: boolean; page?: number; mine?: number | null; year?: number } = {}) =>
  rankingRows(villageId, { year: o.year ?? 2026, gridId: o.gridId ?? null, fullNames: o.fullNames ?? false, page: o.page ?? 1, mine: o.mine ?? null });

describe("maskName", () => {
  it("keeps the first and last character and masks the middle; two characters keep the first", () => {
    expect(maskName("刘建兵")).toBe("刘*兵");
    expect(maskName("王五")).toBe("王*");
    expect(maskName("欧阳小明")).toBe("欧**明");
    expect(maskName("李")).toBe("李*");
    expect(maskName("  刘建兵 ")).toBe("刘*兵");
    expect(maskName("")).toBe("");
    // A character outside the BMP is one character, never half of one.
    expect(maskName("𠀋建𠀋")).toBe("𠀋*𠀋");
    expect(maskName("王𠀋")).toBe("王*");
  });
});

describe("积分排行", () => {
  it("orders the village by the year's score from account_scores, tied scores sharing a place", async () => {
    const r = await rows();
    // Scores summed here from the ledger's score deltas of 2026.
    const scores = await q.all<{ household_id: number; score: number }>(
      "select a.household_id, coalesce(sum(e.score_delta), 0) as score from accounts a left join ledger_entries e on e.account_id = a.id and e.score_year = 2026 where a.village_id = ? and a.kind = 'household' group by a.household_id",
      villageId,
    );
    const byHousehold = new Map(scores.map((s) => [s.household_id, Number(s.score)]));
    expect(r.rows.map((x) => x.score)).toEqual(r.rows.map((x) => byHousehold.get(x.householdId)));
    expect(r.rows.map((x) => [x.place, x.score])).toEqual([
      [1, 35], [1, 35], [3, 20], [3, 20], [3, 20], [6, 12], [7, 0], [8, -5],
    ]);
    // Within a tie, by 户号.
    expect(r.rows.slice(0, 5).map((x) => x.name)).toEqual(["王*", "周*", "刘*兵", "欧**明", "赵*"]);
    expect(r.rows[5].name).toBe("007号户");
    expect(r.total).toBe(HOUSEHOLDS.length);
    // Last year's ranking is another one.
    expect((await rows({ year: 2025 })).rows[0]).toMatchObject({ place: 1, score: 99, name: "钱*" });
  });

  it("ranks a grid among its own households only", async () => {
    const e = await rows({ gridId: east });
    expect(e.rows.map((x) => [x.place, x.name, x.score])).toEqual([[1, "王*", 35], [1, "周*", 35], [3, "刘*兵", 20], [4, "钱*", 0]]);
    expect(e.rows.every((x) => x.grid === "东组")).toBe(true);
    const w = await rows({ gridId: west, fullNames: true });
    expect(w.rows.map((x) => [x.place, x.name])).toEqual([[1, "欧阳小明"], [1, "赵六"], [3, "007号户"]]);
    expect(w.total).toBe(3);
  });

  it("shows full names only when the village chose them", async () => {
    const full = await rows({ fullNames: true });
    expect(full.rows.slice(0, 5).map((x) => x.name)).toEqual(["王五", "周九", "刘建兵", "欧阳小明", "赵六"]);
    const masked = await rows({ fullNames: false });
    for (const x of masked.rows) for (const [, head] of HOUSEHOLDS) if (head && head.length > 1) expect(x.name).not.toBe(head);
  });

  it("gives the viewer's household its place, tied or not, and marks it", async () => {
    expect((await rows({ mine: hh["004"] })).mine).toEqual({ place: 3, score: 20 });
    expect((await rows({ mine: hh["008"] })).mine).toEqual({ place: 1, score: 35 });
    expect((await rows({ mine: hh["006"] })).mine).toEqual({ place: 8, score: -5 });
    expect((await rows({ mine: hh["001"], gridId: east })).mine).toEqual({ place: 3, score: 20 });
    // Not in the grid asked for: no place there.
    expect((await rows({ mine: hh["004"], gridId: east })).mine).toBeNull();
    const marked = (await rows({ mine: hh["004"] })).rows.filter((x) => x.mine);
    expect(marked.map((x) => x.householdId)).toEqual([hh["004"]]);
  });

  it("puts on the poster the places up to POSTER_PLACES with a score above 0", async () => {
    const p = await posterRows(villageId, { year: 2026, gridId: null, fullNames: false });
    expect(p.rows.map((x) => x.score)).toEqual([35, 35, 20, 20, 20, 12]);
    expect(p.more).toBe(false);
    expect(p.rows.every((x) => x.place <= POSTER_PLACES)).toBe(true);
  });

  it("pages in SQL with places counted over the whole village, and cuts a poster tie that will not fit", async () => {
    clockControl.set(Date.UTC(2026, 4, 1, 2));
    // Enough households, all at 15, to fill more than a screen page and tie past the poster's room.
    const extra = RANKING_PAGE_SIZE + 5;
    for (let i = 0; i < extra; i++) {
      const { householdId } = await createHousehold({ villageId, gridId: null, number: `9${String(i).padStart(2, "0")}`, address: "", members: [{ name: `张${i}`, relation: "户主" }] });
      await award({ householdId, amount: 15, idemKey: key(), actor, memo: "得分" });
    }
    const first = await rows();
    const second = await rows({ page: 2 });
    expect(first.pages).toBe(2);
    expect(first.rows.length).toBe(RANKING_PAGE_SIZE);
    const all = [...first.rows, ...second.rows];
    expect(all.length).toBe(HOUSEHOLDS.length + extra);
    expect(new Set(all.map((x) => x.householdId)).size).toBe(all.length);
    // 35, 35, 20 × 3, then the 55 households at 15 share place 6; 12 is place 61.
    expect(all.filter((x) => x.score === 15).every((x) => x.place === 6)).toBe(true);
    expect(all.find((x) => x.score === 12)!.place).toBe(6 + extra);
    expect(all.map((x) => x.score)).toEqual([...all.map((x) => x.score)].sort((a, b) => b - a));
    expect((await rows({ page: 99 })).page).toBe(2);
    const poster = await posterRows(villageId, { year: 2026, gridId: null, fullNames: false });
    expect(poster.rows.length).toBe(POSTER_ROWS_MAX);
    expect(poster.more).toBe(true);
    expect(poster.rows.every((x) => x.place <= 6)).toBe(true);
  });
});
