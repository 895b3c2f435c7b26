// A small village for sanitation tests: grid 一 with households A (the first inspector lives there),
// B (the second committee member lives there), C and D; grid 二 with household E. Inspector 2 also
// sits on the committee (to test that whoever scored cannot publish). In the test's database.
import { createHousehold } from "~/people/households.server";
import { insertRule, type RuleInput } from "~/rules/rules.server";
import { unitOfWork } from "~/platform/database.server";
import { insertUser } from "~/people/users.server";
import { createVillage, ensureGrid, ensureTownship } from "~/people/villages.server";
import type { Role } from "~/platform/roles";
import { saveChecklist } from "~/sanitation/checklists.server";
import { createRound, openRound, roundIn } from "~/sanitation/rounds.server";
import { saveScores, markAbsent } from "~/sanitation/inspections.server";
import { sqlOn } from "../support/sql";

let seq = 0;

async function user(villageId: number, name: string, roles: Role[], memberId: number | null): Promise<number> {
  seq++;
  return insertUser({
    phone: `1370000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: name, memberId, mustChangePassword: false,
    roles: roles.map((role) => ({ role, villageId })),
  });
}

const rule = (over: Partial<RuleInput> & { name: string }): RuleInput => ({
  category: "sanitation", points: 5, unit: "time", evidenceRequired: false, caps: {}, ...over,
});

export async function sanitationVillage(code: string) {
  const t = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId: t, name: `${code}村`, code });
  const g1 = await ensureGrid(villageId, "一网格");
  const g2 = await ensureGrid(villageId, "二网格");
  const hh = (number: string, grid: number, head: string) => createHousehold({ villageId, gridId: grid, number, address: `${number}号`, members: [{ name: head, relation: "户主" }] });
  const [A, B, C, D] = [await hh("001", g1, "甲"), await hh("002", g1, "乙"), await hh("003", g1, "丙"), await hh("004", g1, "丁")];
  const E = await hh("005", g2, "戊");
  const rules = await unitOfWork(async () => ({
    excellent: await insertRule(villageId, rule({ name: "环境卫生评比·优秀", points: 10, caps: { household_month: 10 } })),
    good: await insertRule(villageId, rule({ name: "环境卫生评比·良好", points: 5, caps: { household_month: 5 } })),
    pass: await insertRule(villageId, rule({ name: "环境卫生评比·合格", points: 2, caps: { household_month: 2 } })),
    dirty: await insertRule(villageId, rule({ name: "乱堆乱放", category: "village_rules", points: -5, evidenceRequired: true })),
  }));
  const inspector1 = await user(villageId, "检查员一", ["inspector"], A.memberIds[0]);
  const inspector2 = await user(villageId, "检查员二", ["inspector", "committee"], null);
  const committee1 = await user(villageId, "村委甲", ["committee"], null);
  const committee2 = await user(villageId, "村委乙", ["committee"], B.memberIds[0]);
  const admin = await user(villageId, "管理员", ["village_admin"], null);
  const headC = await user(villageId, "丙", ["villager", "household_head"], C.memberIds[0]);
  const headE = await user(villageId, "戊", ["villager", "household_head"], E.memberIds[0]);
  return {
    villageId, g1, g2, rules, inspector1, inspector2, committee1, committee2, admin, headC, headE,
    A: A.householdId, B: B.householdId, C: C.householdId, D: D.householdId, E: E.householdId,
  };
}

export type SanitationVillage = Awaited<ReturnType<typeof sanitationVillage>>;

/** The checklist form as the admin page posts it: 庭院整洁 50 + 垃圾分类 50; 优秀 ≥ 90 (+10), 良好 ≥ 75 (+5), 合格 ≥ 60 (+2), 不合格 (−5). */
export function checklistForm(v: SanitationVillage): Record<string, string> {
  return {
    name: "卫生检查表", item0Name: "庭院整洁", item0Max: "50", item1Name: "垃圾分类", item1Max: "50",
    tier0Name: "优秀", tier0Min: "90", tier0Rule: String(v.rules.excellent),
    tier1Name: "良好", tier1Min: "75", tier1Rule: String(v.rules.good),
    tier2Name: "合格", tier2Min: "60", tier2Rule: String(v.rules.pass),
    tier3Name: "不合格", tier3Min: "0", tier3Rule: String(v.rules.dirty),
  };
}

/** A round of November 2026 over both grids: inspector 1 and 2 on grid 一, inspector 2 on grid 二; opened. */
export async function openNovemberRound(v: SanitationVillage, dates = { startsOn: "2026-11-01", endsOn: "2026-11-30" }): Promise<number> {
  const made = await saveChecklist({ userId: v.admin, role: "village_admin", villageId: v.villageId }, v.villageId, null, checklistForm(v));
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  const committee = { userId: v.committee1, role: "committee", villageId: v.villageId };
  const round = await createRound(committee, v.villageId, { title: "2026年11月", checklistId: String(made.id), ...dates }, [
    `${v.g1}-${v.inspector1}`, `${v.g1}-${v.inspector2}`, `${v.g2}-${v.inspector2}`,
  ]);
  if (!round.ok) throw new Error(JSON.stringify(round.errors));
  const opened = await openRound(committee, v.villageId, round.roundId);
  if (!opened.ok) throw new Error(JSON.stringify(opened.errors));
  return round.roundId;
}

export async function score(v: SanitationVillage, inspector: number, roundId: number, householdId: number, scores: [number, number], extra: Record<string, string> = {}) {
  const raw = { s0: String(scores[0]), s1: String(scores[1]), note: "", ...extra };
  const form = new FormData();
  for (const [k, val] of Object.entries(raw)) form.append(k, val);
  return await saveScores({ userId: inspector, role: "inspector" }, await roundIn(v.villageId, roundId), householdId, form, raw);
}

export async function absent(v: SanitationVillage, inspector: number, roundId: number, householdId: number, reason: string, version = "0") {
  return await markAbsent({ userId: inspector, role: "inspector" }, await roundIn(v.villageId, roundId), householdId, { reason, version });
}

/** `select count(*) as n …` on the test's database. */
export const count = async (sql: string, ...args: unknown[]) => (await sqlOn().get<{ n: number }>(sql, ...args))!.n;
