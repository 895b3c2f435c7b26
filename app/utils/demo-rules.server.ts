// The demo villages' rules catalogue (积分细则): what a village's 积分制 actually lists.
import type { RuleCategory, RuleUnit } from "../../db/schema";
import { insertRule, type CapField } from "./rules.server";

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

/** Inside the seed's transaction. Returns rule ids by name. */
export function seedDemoRules(villageId: number): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [category, name, points, unit, evidenceRequired, caps] of RULES) {
    ids.set(name, insertRule(villageId, { category, name, points, unit, evidenceRequired, caps: caps ?? {} }));
  }
  return ids;
}
