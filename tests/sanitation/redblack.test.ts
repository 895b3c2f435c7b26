// The 红黑榜 of a round: the top and bottom households by total with tier and score (the issue's
// words), never the same household on both lists, frozen at publishing; the notice board shows the
// board of the latest round by its dates, not by when it happened to be published.
import { afterAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { createHousehold } from "~/people/households.server";
import { BOARD_SIZE, latestRedBlack, roundRedBlack } from "~/sanitation/redblack.server";
import { publishRound } from "~/sanitation/publish.server";
import { createRound, openRound, roundIn } from "~/sanitation/rounds.server";
import { openNovemberRound, sanitationVillage, score } from "./fixture";

const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8);
const publisher = (v: { committee1: number }) => ({ userId: v.committee1, role: "committee" as const });
const rows = (list: { number: string; total: number; tier: string }[]) => list.map((r) => [r.number, r.total, r.tier]);

afterAll(() => clockControl.reset());

describe("the 红黑榜", () => {
  it("lists the 10 best and the 10 worst totals with tier and score, even when nobody is 不合格", async () => {
    clockControl.set(china(2026, 11, 10));
    const v = await sanitationVillage("RB");
    // 24 more households in grid 一, 006 to 029; with C, D and E every total from 60 to 86 but one.
    const extra: number[] = [];
    for (let i = 0; i < 24; i++) {
      const h = await createHousehold({
        villageId: v.villageId, gridId: v.g1, number: String(i + 6).padStart(3, "0"), address: "", members: [{ name: `户主${i + 6}`, relation: "户主" }],
      });
      extra.push(h.householdId);
    }
    const roundId = await openNovemberRound(v);
    const totals = new Map<number, number>();
    for (const [i, h] of [v.C, v.D, v.E, ...extra].entries()) {
      const total = 60 + i; // 60 (合格) to 86 (良好): no 优秀, no 不合格
      totals.set(h, total);
      expect(await score(v, v.inspector2, roundId, h, [Math.min(total, 50), total - Math.min(total, 50)])).toMatchObject({ ok: true });
    }
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true, claims: 27 });
    const board = (await roundRedBlack(v.villageId, roundId))!;
    expect(BOARD_SIZE).toBe(10);
    expect(board.red.map((r) => r.total)).toEqual([86, 85, 84, 83, 82, 81, 80, 79, 78, 77]);
    expect(board.black.map((r) => r.total)).toEqual([60, 61, 62, 63, 64, 65, 66, 67, 68, 69]);
    expect(board.red.every((r) => r.tier === "良好")).toBe(true);
    expect(rows(board.black.slice(0, 2))).toEqual([["003", 60, "合格"], ["004", 61, "合格"]]);
    for (const r of [...board.red, ...board.black]) expect(r.total).toBe(totals.get(r.householdId));
    expect(board).toMatchObject({ scored: 27, absent: 0 });
  });

  it("splits a small round between the lists, so no household is on both", async () => {
    clockControl.set(china(2026, 11, 10));
    const v = await sanitationVillage("RBS");
    const roundId = await openNovemberRound(v);
    await score(v, v.inspector2, roundId, v.C, [45, 45]); // 90 优秀
    await score(v, v.inspector2, roundId, v.D, [40, 35]); // 75 良好
    await score(v, v.inspector2, roundId, v.E, [35, 35]); // 70 合格
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true });
    const board = (await roundRedBlack(v.villageId, roundId))!;
    expect(rows(board.red)).toEqual([["003", 90, "优秀"], ["004", 75, "良好"]]);
    expect(rows(board.black)).toEqual([["005", 70, "合格"]]);
  });

  it("on the notice board: the latest round by its dates, whatever order the rounds were published in", async () => {
    clockControl.set(china(2026, 10, 10));
    const v = await sanitationVillage("RBL");
    const october = await openNovemberRound(v, { startsOn: "2026-10-01", endsOn: "2026-10-31" });
    await score(v, v.inspector2, october, v.C, [30, 30]);
    clockControl.set(china(2026, 11, 10));
    const committee = { userId: v.committee1, role: "committee", villageId: v.villageId };
    const made = await createRound(committee, v.villageId, { title: "2026年11月", checklistId: String((await roundIn(v.villageId, october)).checklist_id), startsOn: "2026-11-01", endsOn: "2026-11-30" }, [`${v.g1}-${v.inspector2}`]);
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    await openRound(committee, v.villageId, made.roundId);
    await score(v, v.inspector2, made.roundId, v.C, [45, 45]);
    expect(await publishRound(publisher(v), v.villageId, made.roundId)).toMatchObject({ ok: true });
    clockControl.set(china(2026, 11, 12)); // October is published late, after November
    expect(await publishRound(publisher(v), v.villageId, october)).toMatchObject({ ok: true });
    expect(await latestRedBlack(v.villageId)).toMatchObject({ roundId: made.roundId, red: [{ total: 90 }] });
  });
});
