// A small village for activity tests: households with logins, a committee member, an organising
// inspector, and a per-time and a per-hour volunteer rule, in the test's own database.
import { createHousehold } from "~/people/households.server";
import { now } from "~/platform/clock.server";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import { createActivity, type ActivityFields } from "~/activities/activities.server";
import type { Role } from "~/platform/roles";
import { sqlOn } from "../support/sql";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1370000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

async function rule(villageId: number, name: string, points: number, unit: "time" | "hour"): Promise<number> {
  const id = await sqlOn().value<number>(
    "insert into rules (village_id, category, name, points, unit, created_at, updated_at) values (?, 'volunteer', ?, ?, ?, 0, 0) returning id",
    villageId, name, points, unit,
  );
  return Number(id);
}

export interface Villager {
  userId: number;
  memberId: number;
  householdId: number;
  villageId: number;
}

/** `households` households of one member each with a login, plus household A with a member without a phone. */
export async function activityVillage(code: string, households = 3) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const villagers: Villager[] = [];
  let elder = 0;
  for (let i = 0; i < households; i++) {
    const members = i === 0 ? [{ name: `户主${i}`, relation: "户主" }, { name: "老人甲", relation: "父母" }] : [{ name: `户主${i}`, relation: "户主" }];
    const h = await createHousehold({ villageId, gridId: null, number: String(i + 1).padStart(3, "0"), address: "", members });
    if (i === 0) elder = h.memberIds[1];
    villagers.push({ userId: await user(villageId, `户主${i}`, ["villager", "household_head"], h.memberIds[0]), memberId: h.memberIds[0], householdId: h.householdId, villageId });
  }
  const committee = await user(villageId, "村委甲", ["committee"], null);
  const organiser = await user(villageId, "网格员乙", ["inspector"], null);
  const rules = { perTime: await rule(villageId, "志愿活动（每次）", 5, "time"), perHour: await rule(villageId, "志愿服务（每小时）", 2, "hour") };
  return { villageId, villagers, elder, committee, organiser, rules };
}

export type ActivityVillage = Awaited<ReturnType<typeof activityVillage>>;

const HOUR = 3600_000;

/** An activity starting in `startsIn` ms, 3 hours long, sign-up until an hour before it starts. */
export async function newActivity(v: ActivityVillage, over: Partial<ActivityFields> & { startsIn?: number } = {}): Promise<number> {
  const starts = now() + (over.startsIn ?? 24 * HOUR);
  const fields: ActivityFields = {
    title: "清扫村道", description: "", place: "村委会", startsAt: starts, endsAt: starts + 3 * HOUR, deadline: starts - HOUR, capacity: 10,
    organiserId: v.organiser, ruleId: v.rules.perTime, ...over,
  };
  const out = await createActivity({ userId: v.committee, role: "committee", villageId: v.villageId }, v.villageId, fields);
  if (!out.ok) throw new Error(JSON.stringify(out.errors));
  return out.activityId;
}
