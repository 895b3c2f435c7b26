// Rule labels and input limits shared by server and browser (no server code here): the server's
// schema and the rule form both read these.
import type { RuleCategory, RuleUnit } from "../../db/schema";

export const RULE_CATEGORIES: Record<RuleCategory, string> = {
  volunteer: "志愿服务",
  sanitation: "环境卫生",
  family: "家庭美德",
  village_rules: "村规民约",
  other: "其他",
};
export const RULE_UNITS: Record<RuleUnit, string> = { time: "每次", hour: "每小时" };

/** The six caps of a rule, in the order the form and the rules list show them. */
export const CAP_FIELDS = ["member_day", "member_month", "member_year", "household_day", "household_month", "household_year"] as const;
export type CapField = (typeof CAP_FIELDS)[number];
export const CAP_LABELS: Record<CapField, string> = {
  member_day: "每人每天", member_month: "每人每月", member_year: "每人每年",
  household_day: "每户每天", household_month: "每户每月", household_year: "每户每年",
};

export const RULE_LIMITS = {
  name: 40,
  /** Points: up to 4 digits, a minus sign for a deduction ("-9999"). */
  pointsDigits: 4,
  /** A cap: up to 6 digits (1 to 999999). */
  capDigits: 6,
} as const;

/** The village's review settings: 公示 days 0 to NOTICE_DAYS_MAX, and how many committee approvals. */
export const NOTICE_DAYS_MAX = 30;
export const APPROVALS_CHOICES = ["1", "2"] as const;
