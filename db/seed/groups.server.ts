// 网格 + 联户长 in the demo (issue 18): each grid split into household groups of 12–15 households in
// house order, each led by a villager of the group who has a login; every grid's 网格员 is the
// village's inspector. In 桃源村 a new demo login, 13900000007, leads a group that has an elderly
// household without any phone login (the one a 联户长 files claims and posts errands for).
// Deterministic (no random draws): both engines seed the same.
import { now } from "../../app/platform/clock.server";
import { unitOfWork } from "../../app/platform/database.server";
import { insertUser } from "../../app/people/users.server";
import type { SeedHousehold, SeedVillage } from "./history.server";

export const DEMO_GROUP_LEADER_PHONE = "13900000007";
const GROUP_MAX = 15;
const ELDERLY = 65;

/** The grid's households in groups of at most GROUP_MAX, as even as can be. */
function chunks(households: SeedHousehold[]): SeedHousehold[][] {
  const k = Math.max(1, Math.ceil(households.length / GROUP_MAX));
  const size = Math.ceil(households.length / k);
  const out: SeedHousehold[][] = [];
  for (let i = 0; i < households.length; i += size) out.push(households.slice(i, i + size));
  return out;
}

const noLogin = (h: SeedHousehold) => h.logins.length === 0 && !h.demoLogin;

/** The demo leader's group and the member who gets the login: a group with an elderly household without any login, and another household without a login where a grown member has no phone. */
function pickDemoLeader(groups: SeedHousehold[][]): { group: number; household: SeedHousehold; memberIndex: number } | null {
  for (const [gi, g] of groups.entries()) {
    if (!g.some((h) => noLogin(h) && h.members[0].p.age >= ELDERLY)) continue;
    for (const h of g) {
      if (!noLogin(h) || h.pin !== null || h.members[0].p.age >= ELDERLY) continue;
      const k = h.members.findIndex((m, i) => i > 0 && m.p.phone === null && m.p.age >= 25 && m.p.age < 60);
      if (k > 0) return { group: gi, household: h, memberIndex: k };
    }
  }
  return null;
}

export async function seedDemoGroups(villages: SeedVillage[], passwordHash: string, logins: { phone: string; role: string; village: string | null }[]): Promise<void> {
  await unitOfWork(async (tx) => {
    for (const [vi, v] of villages.entries()) {
      await tx.updateTable("grids").set({ worker_user_id: v.inspector }).where("village_id", "=", v.id).execute();
      const groups = v.gridIds.flatMap((gridId, gi) => chunks(v.households.filter((h) => h.gridIndex === gi)).map((hs) => ({ gridId, hs })));
      const demo = vi === 0 ? pickDemoLeader(groups.map((g) => g.hs)) : null;
      if (vi === 0 && !demo) throw new Error("演示村找不到合适的联户长人选");
      for (const [n, g] of groups.entries()) {
        let leader: number | null = null;
        if (demo && demo.group === n) {
          const m = demo.household.members[demo.memberIndex];
          await tx.updateTable("members").set({ phone: DEMO_GROUP_LEADER_PHONE }).where("id", "=", m.id).execute();
          m.p.phone = DEMO_GROUP_LEADER_PHONE;
          leader = await insertUser({ phone: DEMO_GROUP_LEADER_PHONE, passwordHash, displayName: m.p.name, memberId: m.id, mustChangePassword: false, roles: [{ role: "villager", villageId: v.id }] });
          logins.push({ phone: DEMO_GROUP_LEADER_PHONE, role: "villager", village: v.name });
        } else {
          // A head with a login, not one of the fixed demo logins (their menus stay as they were).
          leader = g.hs.find((h) => !h.demoLogin && h.logins.some((l) => l.head))?.logins.find((l) => l.head)?.userId ?? null;
        }
        const { id } = await tx
          .insertInto("household_groups")
          .values({ village_id: v.id, grid_id: g.gridId, name: `${n + 1}号联户`, leader_user_id: leader, created_at: now() })
          .returning("id")
          .executeTakeFirstOrThrow();
        await tx.updateTable("households").set({ group_id: id }).where("id", "in", g.hs.map((h) => h.id)).execute();
      }
    }
  });
  logins.sort((a, b) => a.phone.localeCompare(b.phone));
}

