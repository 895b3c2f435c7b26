// A small village for campaign tests: households whose heads have logins (household 0 also has a
// daughter-in-law with her own login and a grandmother without one), two committee members without
// a household, representatives, and the family rules that pay honours; a campaign through the
// campaign module.
import { createCampaign, type CampaignFields, type CategoryInput } from "~/campaigns/campaigns.server";
import { clockControl, now } from "~/platform/clock.server";
import { createHousehold } from "~/people/households.server";
import { insertRule } from "~/rules/rules.server";
import type { Role } from "~/platform/roles";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureTownship } from "~/people/villages.server";
import { sqlOn } from "../support/sql";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1360000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

export interface Home {
  householdId: number;
  head: number; // member id
  headUser: number;
}

export async function campaignVillage(code: string, households = 6) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const homes: Home[] = [];
  let daughterInLaw = { member: 0, user: 0 };
  let grandmother = 0;
  for (let i = 0; i < households; i++) {
    const members = i === 0
      ? [{ name: `户主${i}`, relation: "户主" }, { name: "儿媳甲", relation: "儿媳" }, { name: "奶奶甲", relation: "父母" }]
      : [{ name: `户主${i}`, relation: "户主" }];
    const h = await createHousehold({ villageId, gridId: null, number: String(i + 1).padStart(3, "0"), address: "", members });
    const headUser = await user(villageId, `户主${i}`, ["villager", "household_head"], h.memberIds[0]);
    homes.push({ householdId: h.householdId, head: h.memberIds[0], headUser });
    if (i === 0) {
      daughterInLaw = { member: h.memberIds[1], user: await user(villageId, "儿媳甲", ["villager"], h.memberIds[1]) };
      grandmother = h.memberIds[2];
    }
  }
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], null);
  const rules = {
    popo: await insertRule(villageId, { category: "family", name: "好婆婆", points: 20, unit: "time", evidenceRequired: true, caps: { member_year: 20 } }),
    family: await insertRule(villageId, { category: "family", name: "文明家庭", points: 30, unit: "time", evidenceRequired: false, caps: { household_year: 30 } }),
  };
  return { villageId, homes, daughterInLaw, grandmother, committee1, committee2, rules };
}

export type CampaignVillage = Awaited<ReturnType<typeof campaignVillage>>;

/** Marks representatives straight in the table, as the roster would (tests set up state with raw SQL). */
export async function markRepresentatives(memberIds: number[]): Promise<void> {
  for (const id of memberIds) await sqlOn().run("update members set is_representative = 1 where id = ?", id);
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/**
 * A campaign created at `at` (default now): nominations from then for a day, voting the day after.
 * Categories: 好婆婆 (member, 1 winner) and 文明家庭 (household, 2 winners) unless given.
 */
export async function newCampaign(v: CampaignVillage, over: Partial<CampaignFields> & { startsIn?: number } = {}): Promise<number> {
  const start = now() + (over.startsIn ?? 0);
  const categories: CategoryInput[] = over.categories ?? [
    { row: 1, name: "好婆婆", kind: "member", winners: 1, ruleId: v.rules.popo },
    { row: 2, name: "文明家庭", kind: "household", winners: 2, ruleId: v.rules.family },
  ];
  const fields: CampaignFields = {
    title: "年度评选", description: "", nominateFrom: start, nominateUntil: start + DAY, voteFrom: start + DAY, voteUntil: start + 2 * DAY,
    voters: "representatives", quorum: 50, ...over, categories,
  };
  const out = await createCampaign({ userId: v.committee1, role: "committee", villageId: v.villageId }, v.villageId, fields);
  if (!out.ok) throw new Error(JSON.stringify(out.errors));
  return out.campaignId;
}

/** fn over xs one after another (ids come out in order, as the campaign's own calls would). */
export async function inOrder<T, R>(xs: readonly T[], fn: (x: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const [i, x] of xs.entries()) out.push(await fn(x, i));
  return out;
}

/** Moves the injectable clock to an absolute time. */
export function at(ms: number): void {
  clockControl.set(ms);
}
