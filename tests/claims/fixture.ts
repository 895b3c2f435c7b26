// A small village for claim tests: two households, a villager, an inspector, two committee members
// (one of whom lives in household B), and a few rules, inside the test's own database.
import { createHousehold } from "~/people/households.server";
import { insertRule, type RuleInput } from "~/rules/rules.server";
import { unitOfWork } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import type { Role } from "~/platform/roles";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1380000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

const rule = (over: Partial<RuleInput> & { name: string }): RuleInput => ({
  category: "volunteer", points: 5, unit: "time", evidenceRequired: false, caps: {}, ...over,
});

export async function claimVillage(code: string) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const a = await createHousehold({ villageId, gridId: null, number: "001", address: "", members: [{ name: "张三", relation: "户主" }, { name: "李梅", relation: "配偶" }] });
  const b = await createHousehold({ villageId, gridId: null, number: "002", address: "", members: [{ name: "王五", relation: "户主" }] });
  const rules = await unitOfWork(async () => ({
    sweep: await insertRule(villageId, rule({ name: "清扫公共道路", points: 5 })),
    hours: await insertRule(villageId, rule({ name: "志愿服务（小时）", points: 2, unit: "hour" })),
    capped: await insertRule(villageId, rule({ name: "帮扶孤寡老人", points: 10, caps: { member_month: 20 } })),
    photo: await insertRule(villageId, rule({ name: "美丽庭院", category: "sanitation", points: 8, evidenceRequired: true })),
    litter: await insertRule(villageId, rule({ name: "乱扔垃圾", category: "village_rules", points: -5, evidenceRequired: true })),
  }));
  const villager = await user(villageId, "张三", ["household_head"], a.memberIds[0]);
  const inspector = await user(villageId, "网格员", ["inspector"], null);
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], b.memberIds[0]);
  return {
    villageId, rules, householdA: a.householdId, householdB: b.householdId, memberA: a.memberIds[0], memberA2: a.memberIds[1],
    memberB: b.memberIds[0], villager, inspector, committee1, committee2,
  };
}

export type ClaimVillage = Awaited<ReturnType<typeof claimVillage>>;

export async function setVillage(villageId: number, noticeDays: number, approvals: number): Promise<void> {
  await sqlOn().run("update villages set notice_days = ?, approvals_needed = ? where id = ?", noticeDays, approvals, villageId);
}
