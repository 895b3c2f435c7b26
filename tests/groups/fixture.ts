// A small village for 联户 tests: two grids, two groups in grid 1 (A with households 1–2, B with
// household 3), a household 4 in grid 2 with no group; a 联户长 for each group (villagers living in
// households 1 and 3), a committee pair, an inspector, and a positive and a negative rule.
import { createHousehold } from "~/people/households.server";
import { insertRule, type RuleInput } from "~/rules/rules.server";
import { unitOfWork } from "~/platform/database.server";
import { insertUser } from "~/people/users.server";
import { addGrid, createVillage, ensureTownship } from "~/people/villages.server";
import type { Role } from "~/platform/roles";
import { sqlOn } from "../support/sql";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1370${String(process.pid % 1000).padStart(3, "0")}${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

const rule = (over: Partial<RuleInput> & { name: string }): RuleInput => ({ category: "volunteer", points: 5, unit: "time", evidenceRequired: false, caps: {}, ...over });

export async function groupVillage(code: string) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const grid1 = await unitOfWork(() => addGrid(villageId, "一网格"));
  const grid2 = await unitOfWork(() => addGrid(villageId, "二网格"));
  const h = async (gridId: number, number: string, members: { name: string; relation: string; phone?: string | null }[]) =>
    createHousehold({ villageId, gridId, number, address: `${number}号院`, members });
  const h1 = await h(grid1, "001", [{ name: "张一", relation: "户主", phone: "13600000001" }, { name: "李一", relation: "配偶" }]);
  const h2 = await h(grid1, "002", [{ name: "赵老汉", relation: "户主" }]);
  const h3 = await h(grid1, "003", [{ name: "王三", relation: "户主" }]);
  const h4 = await h(grid2, "004", [{ name: "孙四", relation: "户主" }]);
  const rules = await unitOfWork(async () => ({
    sweep: await insertRule(villageId, rule({ name: "清扫公共道路", points: 5 })),
    litter: await insertRule(villageId, rule({ name: "乱扔垃圾", category: "village_rules", points: -5 })),
  }));
  const leaderA = await user(villageId, "张一", ["villager", "household_head"], h1.memberIds[0]);
  const leaderB = await user(villageId, "王三", ["villager", "household_head"], h3.memberIds[0]);
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], null);
  const inspector = await user(villageId, "检查员", ["inspector"], null);
  const at = Date.now();
  const q = sqlOn();
  await q.run("insert into household_groups (village_id, grid_id, name, leader_user_id, created_at) values (?, ?, ?, ?, ?)", villageId, grid1, "1号联户", leaderA, at);
  await q.run("insert into household_groups (village_id, grid_id, name, leader_user_id, created_at) values (?, ?, ?, ?, ?)", villageId, grid1, "2号联户", leaderB, at);
  const groupA = (await q.value<number>("select id from household_groups where village_id = ? and name = ?", villageId, "1号联户"))!;
  const groupB = (await q.value<number>("select id from household_groups where village_id = ? and name = ?", villageId, "2号联户"))!;
  await q.run("update households set group_id = ? where id in (?, ?)", groupA, h1.householdId, h2.householdId);
  await q.run("update households set group_id = ? where id = ?", groupB, h3.householdId);
  return {
    villageId, grid1, grid2, groupA, groupB, rules, leaderA, leaderB, committee1, committee2, inspector,
    h1: h1.householdId, h2: h2.householdId, h3: h3.householdId, h4: h4.householdId,
    m1: h1.memberIds[0], m1b: h1.memberIds[1], m2: h2.memberIds[0], m3: h3.memberIds[0], m4: h4.memberIds[0],
  };
}

export type GroupVillage = Awaited<ReturnType<typeof groupVillage>>;
