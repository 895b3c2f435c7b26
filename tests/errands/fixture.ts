// A village for 代跑 tests: a grid with its 网格员 (inspector, no household), a household group led
// by a villager (the 联户长, household L), household E (elderly, no login) in that group and grid,
// household H (helped, with a login), two volunteers' households V1 and V2, two committee members,
// and the errand rule chosen. Viewers are loaded as the access helper loads them.
import { createHousehold } from "~/people/households.server";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureGrid, ensureTownship } from "~/people/villages.server";
import { insertRule } from "~/rules/rules.server";
import { leadsAnyGroup } from "~/groups/groups.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import type { Viewer } from "~/platform/access.server";
import type { Role } from "~/platform/roles";
import { now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1360${String(process.pid % 1000).padStart(3, "0")}${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

export async function errandVillage(code: string, opts: { rule?: boolean } = {}) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const gridId = await ensureGrid(villageId, "一网格");
  const hh = (number: string, names: string[]) =>
    createHousehold({ villageId, gridId, number, address: `${code}${number}号`, members: names.map((name, i) => ({ name, relation: i === 0 ? "户主" : "子女" })) });
  const L = await hh("001", ["联户长老李"]);
  const E = await hh("002", ["独居王奶奶"]);
  const H = await hh("003", ["被帮户主", "被帮儿子"]);
  const V1 = await hh("004", ["志愿者甲"]);
  const V2 = await hh("005", ["志愿者乙"]);
  const C2 = await hh("006", ["村委乙"]);
  const ruleId = await insertRule(villageId, { category: "volunteer", name: "红色代跑", points: 3, unit: "time", evidenceRequired: false, caps: {} });
  const hourRule = await insertRule(villageId, { category: "volunteer", name: "志愿服务（小时）", points: 2, unit: "hour", evidenceRequired: false, caps: {} });
  const leader = await user(villageId, "联户长老李", ["household_head"], L.memberIds[0]);
  const helped = await user(villageId, "被帮户主", ["household_head"], H.memberIds[0]);
  const helped2 = await user(villageId, "被帮儿子", ["villager"], H.memberIds[1]);
  const vol1 = await user(villageId, "志愿者甲", ["household_head"], V1.memberIds[0]);
  const vol2 = await user(villageId, "志愿者乙", ["household_head"], V2.memberIds[0]);
  const worker = await user(villageId, "网格员", ["inspector"], null);
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], C2.memberIds[0]);
  await unitOfWork(async (tx) => {
    const at = now();
    const { id: groupId } = await tx.insertInto("household_groups").values({ village_id: villageId, grid_id: gridId, name: "一联户", leader_user_id: leader, created_at: at }).returning("id").executeTakeFirstOrThrow();
    await tx.updateTable("households").set({ group_id: groupId }).where("id", "in", [L.householdId, E.householdId, H.householdId]).execute();
    await tx.updateTable("grids").set({ worker_user_id: worker }).where("id", "=", gridId).execute();
    if (opts.rule !== false) await tx.updateTable("villages").set({ errand_rule_id: ruleId }).where("id", "=", villageId).execute();
  });
  return {
    villageId, gridId, ruleId, hourRule, leader, helped, helped2, vol1, vol2, worker, committee1, committee2,
    hL: L.householdId, hE: E.householdId, hH: H.householdId, hV1: V1.householdId, hV2: V2.householdId, memberV1: V1.memberIds[0],
  };
}

export type ErrandVillage = Awaited<ReturnType<typeof errandVillage>>;

export async function setApprovals(villageId: number, noticeDays: number, approvals: number): Promise<void> {
  await sqlOn().run("update villages set notice_days = ?, approvals_needed = ? where id = ?", noticeDays, approvals, villageId);
}

/** A viewer as access.server's loader builds it (roles, member, household). */
export async function viewer(userId: number): Promise<Viewer> {
  const u = await db()
    .selectFrom("users as u")
    .leftJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .select(["u.id", "u.display_name", "u.phone", "u.member_id", "m.household_id", "m.village_id"])
    .where("u.id", "=", userId)
    .executeTakeFirstOrThrow();
  const roles = await db().selectFrom("user_roles").select(["role", "village_id as villageId"]).where("user_id", "=", userId).orderBy("id").execute();
  const member = u.household_id !== null;
  return {
    userId, sessionId: "t", displayName: u.display_name, phone: u.phone, memberId: member ? u.member_id : null, householdId: u.household_id,
    homeVillageId: member ? u.village_id : (roles[0]?.villageId ?? null), roles: roles as Viewer["roles"], mustChangePassword: false, elderMode: false,
    leadsGroup: await leadsAnyGroup(userId),
  };
}

export const DAY = 86_400_000;
