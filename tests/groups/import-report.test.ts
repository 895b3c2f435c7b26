// The grid → group → household structure in the roster import (a 联户 column) and in the village
// report (households and points per grid and per group, summed in SQL).
import { describe, expect, it } from "vitest";
import { importRoster, ROSTER_SAMPLE_CSV, type ImportResult } from "~/people/roster.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import { groupFigures } from "~/groups/figures.server";
import { approveClaim, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { groupVillage } from "./fixture";

const utf8 = (s: string) => new TextEncoder().encode(s);
const actor = { userId: null, role: "village_admin" };
const HEADER = "户号,网格,联户,门牌地址,姓名,与户主关系,手机号";

let seq = 0;
async function newVillage(): Promise<number> {
  seq += 1;
  return createVillage({ townshipId: await ensureTownship("测试镇"), name: `联户导入${seq}村`, code: `GI${seq}` });
}

const counts = async () => {
  const n = async (t: string) => Number(await sqlOn().value(`select count(*) from ${t}`));
  return { households: await n("households"), members: await n("members"), grids: await n("grids"), groups: await n("household_groups"), audit: await n("audit_log") };
};

function failure(r: ImportResult) {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

describe("roster import with 联户", () => {
  it("puts households into the grid's group of that name, creating the groups that are missing", async () => {
    const v = await newVillage();
    const sample = await importRoster(v, actor, utf8(ROSTER_SAMPLE_CSV));
    expect(sample.ok && sample.newGroups).toEqual(["1号联户", "2号联户"]);
    // A second file: an existing group of the grid is reused, a new one created, an empty cell leaves the household out of any group.
    const r = await importRoster(v, actor, utf8(`${HEADER}\n3001,第一网格,1号联户,,甲,户主,\n3002,第一网格,3号联户,,乙,户主,\n3003,第一网格,,,丙,户主,\n`));
    expect(r.ok && r.newGroups).toEqual(["3号联户"]);
    const rows = await sqlOn().all<{ number: string; grp: string | null; grid: string | null }>(
      `select h.number, g.name as grp, r.name as grid from households h left join household_groups g on g.id = h.group_id
       left join grids r on r.id = g.grid_id where h.village_id = ? order by h.number`,
      v,
    );
    expect(rows).toEqual([
      { number: "1001", grp: "1号联户", grid: "第一网格" },
      { number: "1002", grp: "1号联户", grid: "第一网格" },
      { number: "2001", grp: "2号联户", grid: "第二网格" },
      { number: "3001", grp: "1号联户", grid: "第一网格" },
      { number: "3002", grp: "3号联户", grid: "第一网格" },
      { number: "3003", grp: null, grid: null },
    ]);
  });

  it("refuses bad 联户 values row by row in Chinese and writes nothing", async () => {
    const v = await newVillage();
    expect((await importRoster(v, actor, utf8(ROSTER_SAMPLE_CSV))).ok).toBe(true);
    const before = await counts();
    const bad = failure(
      await importRoster(
        v,
        actor,
        utf8(
          `${HEADER}\n` +
            "4001,,5号联户,,甲,户主,\n" + // no grid
            "4002,第二网格,1号联户,,乙,户主,\n" + // the village's 1号联户 is in 第一网格
            "4003,第一网格,6号联户,,丙,户主,\n" +
            "4004,第二网格,6号联户,,丁,户主,\n" + // the file put 6号联户 in 第一网格
            "4005,第一网格,7号联户,,戊,户主,\n4005,第一网格,8号联户,,己,配偶,\n" + // one household, two groups
            `4006,第一网格,${"长".repeat(21)},,庚,户主,\n` +
            "4007,第一网格,<b>x</b>,,辛,户主,\n",
        ),
      ),
    );
    expect(bad.errors).toEqual([
      { row: 2, column: "联户", message: "填了联户“5号联户”，还要填它所在的网格" },
      { row: 3, column: "联户", message: "本村的联户“1号联户”在“第一网格”里，不在“第二网格”：一个联户只能在一个网格" },
      { row: 5, column: "联户", message: "第 4 行把联户“6号联户”填在“第一网格”，一个联户只能在一个网格" },
      { row: 7, column: "联户", message: "同一户的联户要一样：第 6 行填的是“7号联户”" },
      { row: 8, column: "联户", message: "联户最多 20 个字" },
      { row: 9, column: "联户", message: "联户不能包含 < 或 > 符号" },
    ]);
    expect(await counts()).toEqual(before);
  });
});

describe("village report per group", () => {
  it("counts households and sums points per group (and per grid) in SQL", async () => {
    const v = await groupVillage("GR1");
    const at = now() - 3600_000;
    const file = async (memberId: number, points: number) => {
      const [id] = await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.committee1, role: "committee" }, items: [{ memberId, ruleId: v.rules.sweep, occurredAt: at, quantity: points / 5, note: "" }] });
      await approveClaim(v.villageId, id, { userId: v.committee2, role: "committee" });
    };
    await sqlOn().run("update villages set notice_days = 0, approvals_needed = 1 where id = ?", v.villageId);
    await file(v.m1, 10); // group A
    await file(v.m2, 5); // group A
    await file(v.m3, 15); // group B
    await file(v.m4, 20); // no group (grid 2)
    const month = new Date(now() + 8 * 3600_000).toISOString().slice(0, 7);
    const rows = await groupFigures(v.villageId, { from: month, to: month });
    const by = (name: string) => rows.find((r) => r.name === name)!;
    expect(by("1号联户")).toMatchObject({ grid: "一网格", households: 2, income: 15, balance: 15 });
    expect(by("2号联户")).toMatchObject({ grid: "一网格", households: 1, income: 15, balance: 15 });
    expect(by("未分联户")).toMatchObject({ households: 1, income: 20, balance: 20 });
    expect(rows.reduce((n, r) => n + r.households, 0)).toBe(4);
  });
});
