// The demo villages' rules catalogue (积分细则): what a village's 积分制 actually lists.
import { firstStaff } from "./staff.server";
import type { RuleCategory, RuleUnit } from "../schema";
import { approveClaim, fileClaimBatch, householdOfUser, objectToClaim, resolveObjection } from "../../app/claims/claims.server";
import { checkPhotos, storePhotos } from "../../app/claims/photos.server";
import { now } from "../../app/platform/clock.server";
import { householdBalance } from "../../app/ledger/ledger.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { insertRule, type CapField } from "../../app/rules/rules.server";

type Spec = [RuleCategory, string, number, RuleUnit, boolean, Partial<Record<CapField, number>>?];

const RULES: Spec[] = [
  ["volunteer", "参加志愿服务（按小时）", 2, "hour", false, { member_day: 16, member_month: 60 }],
  ["volunteer", "清扫村道", 3, "time", false, { member_day: 3 }],
  ["volunteer", "义务植树", 5, "time", false, { member_month: 20 }],
  ["volunteer", "帮扶孤寡老人", 5, "time", false, { member_month: 20 }],
  ["volunteer", "参加防汛抗旱", 10, "time", false],
  ["volunteer", "参加村民议事会", 2, "time", false, { household_month: 4 }],
  ["volunteer", "无偿献血", 20, "time", true, { member_year: 40 }],
  ["volunteer", "见义勇为", 50, "time", true],
  ["sanitation", "门前三包达标", 3, "time", false, { household_month: 12 }],
  ["sanitation", "垃圾分类投放正确", 1, "time", false, { household_day: 1, household_month: 20 }],
  ["sanitation", "美丽庭院", 10, "time", true, { household_year: 40 }],
  ["sanitation", "环境卫生评比·优秀", 10, "time", false, { household_month: 10 }],
  ["sanitation", "环境卫生评比·良好", 5, "time", false, { household_month: 5 }],
  ["sanitation", "环境卫生评比·合格", 2, "time", false, { household_month: 2 }],
  ["family", "好婆婆", 20, "time", true, { member_year: 20 }],
  ["family", "好媳妇", 20, "time", true, { member_year: 20 }],
  ["family", "文明家庭", 30, "time", false, { household_year: 30 }],
  ["family", "孝老爱亲事迹", 10, "time", true, { member_year: 30 }],
  ["family", "子女考上大学", 10, "time", true, { member_year: 10 }],
  ["village_rules", "乱扔垃圾", -5, "time", true],
  ["village_rules", "乱堆乱放柴草杂物", -5, "time", true],
  ["village_rules", "焚烧秸秆", -20, "time", true],
  ["village_rules", "占道晾晒", -3, "time", true],
  ["village_rules", "红白事大操大办", -20, "time", true],
  ["village_rules", "散养家禽污染道路", -5, "time", true],
  ["other", "移风易俗·婚事新办", 10, "time", true, { household_year: 10 }],
  ["other", "安装国家反诈中心APP", 2, "time", false, { member_year: 2 }],
  ["other", "参加农业技能培训", 3, "time", false, { member_month: 6 }],
];

/** Inside the seed's unit of work. Returns rule ids by name. */
export async function seedDemoRules(villageId: number): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const [category, name, points, unit, evidenceRequired, caps] of RULES) {
    ids.set(name, await insertRule(villageId, { category, name, points, unit, evidenceRequired, caps: caps ?? {} }));
  }
  return ids;
}

/**
 * A few claims in flight, so the review queue and the notice board are not empty on a fresh demo:
 * villagers' own claims waiting for review, and some approved ones in 公示 (no points move: they
 * credit when their 公示 ends, through the scheduler like any other).
 */
export async function seedDemoClaims(villageId: number): Promise<void> {
  const committee = await firstStaff(villageId, "committee");
  const inspector = await firstStaff(villageId, "inspector");
  if (!committee || !inspector) return;
  const committeeHousehold = await householdOfUser(committee);
  const villagers = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", "m.id", "u.member_id")
    .innerJoin("user_roles as r", (j) => j.onRef("r.user_id", "=", "u.id").on("r.role", "=", "household_head").on("r.village_id", "=", villageId))
    .select(["u.id as user_id", "m.id as member_id", "m.household_id"])
    .orderBy("u.id")
    .limit(12)
    .execute();
  const rule = await ruleIds(villageId);
  const day = 86_400_000;
  const plan: [string, number, string][] = [
    ["清扫村道", 1, "清扫村口到小学的路段"],
    ["参加志愿服务（按小时）", 3, "协助村卫生室老年人体检登记"],
    ["帮扶孤寡老人", 1, "帮五保户挑水、打扫院子"],
    ["门前三包达标", 1, "门前无杂物，绿化带整洁"],
    ["义务植树", 1, "村东河堤植树"],
    ["参加村民议事会", 1, "讨论修路集资方案"],
    ["安装国家反诈中心APP", 1, "在村委会志愿者帮助下安装"],
    ["参加农业技能培训", 1, "果树修剪培训"],
  ];
  const inFlight = villagers.slice(0, 8);
  await unitOfWork(async () => {
    for (const [i, v] of inFlight.entries()) {
      const [name, quantity, note] = plan[i % plan.length];
      const [id] = await fileClaimBatch({
        villageId, filer: { userId: v.user_id, role: "household_head" },
        items: [{ memberId: v.member_id, ruleId: rule(name), occurredAt: now() - (i + 1) * day, quantity, note }],
      });
      // Half go straight into 公示 (approved by the committee, never its own household's).
      if (i % 2 === 0 && v.household_id !== committeeHousehold) await approveClaim(villageId, id, { userId: committee, role: "committee" });
    }
  });
  await seedObjectedClaims(villageId, villagers.slice(8), committee, inspector, committeeHousehold);
}

/** The village's rule ids by name, read once; a name the catalogue lacks is a bug in the seed. */
async function ruleIds(villageId: number): Promise<(name: string) => number> {
  const rows = await db().selectFrom("rules").select(["id", "name"]).where("village_id", "=", villageId).orderBy("id").execute();
  const ids = new Map<string, number>();
  for (const r of rows) if (!ids.has(r.name)) ids.set(r.name, r.id);
  return (name) => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`演示细则不存在：${name}`);
    return id;
  };
}

// A 1×1 PNG: the demo's evidence photo, checked and cleaned like any upload (checkPhotos).
const DEMO_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/**
 * A deduction in 公示 (filed by the inspector with a photo) and an objection already dismissed, so
 * the notice board shows both. Nothing is credited here: the demo ledger keeps only its year of
 * history (the scheduler credits these when their 公示 ends, like any other claim).
 */
async function seedObjectedClaims(villageId: number, villagers: { user_id: number; member_id: number; household_id: number }[], committee: number, inspector: number, committeeHousehold: number | null): Promise<void> {
  const others = villagers.filter((v) => v.household_id !== committeeHousehold);
  if (others.length < 2) return;
  const rule = await ruleIds(villageId);
  const checked = await checkPhotos([new File([new Uint8Array(DEMO_PNG)], "photo.png", { type: "image/png" })]);
  if (!checked.ok) throw new Error(`演示照片无法处理：${checked.message}`);
  const photos = storePhotos(villageId, checked.photos);
  // The deduction falls on a household that can pay it once its 公示 ends: the demo leaves none below zero.
  let fined = others[0];
  for (const v of others) {
    if (v !== others[1] && (await householdBalance(v.household_id)).spendable >= 10) {
      fined = v;
      break;
    }
  }
  await unitOfWork(async () => {
    const file = async (filer: number, role: "household_head" | "inspector", v: (typeof others)[number], name: string, note: string, withPhoto: boolean) =>
      (await fileClaimBatch({
        villageId, filer: { userId: filer, role },
        items: [{ memberId: v.member_id, ruleId: rule(name), occurredAt: now() - 2 * 86_400_000, quantity: 1, note, photos: withPhoto ? photos : [] }],
      }))[0];
    const deduction = await file(inspector, "inspector", fined, "乱堆乱放柴草杂物", "柴草堆占用村道，劝说两次未清理", true);
    const planted = await file(others[1].user_id, "household_head", others[1], "义务植树", "村西河堤补种柳树", false);
    for (const id of [deduction, planted]) await approveClaim(villageId, id, { userId: committee, role: "committee" });
    const objection = await objectToClaim(villageId, planted, others[0].user_id, "那天下雨，好像没有植树");
    await resolveObjection(villageId, objection, { userId: committee, role: "committee" }, "dismiss", "经查看现场，新栽柳树 12 棵，属实");
  });
}
