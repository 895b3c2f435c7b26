// Rule labels shared by server and browser (no server code here).
import type { RuleCategory, RuleUnit } from "../../db/schema";

export const RULE_CATEGORIES: Record<RuleCategory, string> = {
  volunteer: "志愿服务",
  sanitation: "环境卫生",
  family: "家庭美德",
  village_rules: "村规民约",
  other: "其他",
};
export const RULE_UNITS: Record<RuleUnit, string> = { time: "每次", hour: "每小时" };
