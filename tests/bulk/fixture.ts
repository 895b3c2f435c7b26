// A village for bulk-award tests: two grids, households with heads (one household without), two
// committee members (the second lives in household 001), a monthly base-points rule with a household
// cap, a plain award rule, a deduction rule, and a retired rule.
import { createHousehold } from "~/people/households.server";
import { addGrid } from "~/people/villages.server";
import { insertRule, type RuleInput } from "~/rules/rules.server";
import { unitOfWork } from "~/platform/database.server";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import { sqlOn } from "../support/sql";
import type { Role } from "~/platform/roles";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1370${String(process.pid % 1000).padStart(3, "0")}${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

const rule = (over: Partial<RuleInput> & { name: string }): RuleInput => ({
  category: "other", points: 5, unit: "time", evidenceRequired: false, caps: {}, ...over,
});

/** `perGrid` households in each of two grids (户号 A001…, B001…), plus 户号 X001 without a head and no grid. */
export async function bulkVillage(code: string, perGrid = 3) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const east = await unitOfWork(() => addGrid(villageId, "东片"));
  const west = await unitOfWork(() => addGrid(villageId, "西片"));
  const households: { id: number; number: string; head: number; grid: number }[] = [];
  for (const [grid, prefix] of [[east, "A"], [west, "B"]] as const) {
    for (let i = 1; i <= perGrid; i++) {
      const number = `${prefix}${String(i).padStart(3, "0")}`;
      const h = await createHousehold({ villageId, gridId: grid, number, address: "", members: [{ name: `户主${number}`, relation: "户主" }, { name: `家人${number}`, relation: "子女" }] });
      households.push({ id: h.householdId, number, head: h.memberIds[0], grid });
    }
  }
  const headless = await createHousehold({ villageId, gridId: null, number: "X001", address: "", members: [{ name: "某人", relation: "子女" }] });
  const rules = await unitOfWork(async () => ({
    base: await insertRule(villageId, rule({ name: "每月基础分", points: 100, caps: { household_month: 100 } })),
    clean: await insertRule(villageId, rule({ name: "全村大扫除", category: "volunteer", points: 10, evidenceRequired: true })),
    hours: await insertRule(villageId, rule({ name: "志愿服务（小时）", category: "volunteer", points: 2, unit: "hour" })),
    litter: await insertRule(villageId, rule({ name: "乱扔垃圾", category: "village_rules", points: -5 })),
    retired: await insertRule(villageId, rule({ name: "旧细则", points: 3 })),
  }));
  await sqlOn().run("update rules set active = 0 where id = ?", rules.retired);
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], households[0].head);
  const inspector = await user(villageId, "网格员", ["inspector"], null);
  return { villageId, east, west, households, headless: headless.householdId, rules, committee1, committee2, inspector };
}

export type BulkVillage = Awaited<ReturnType<typeof bulkVillage>>;
