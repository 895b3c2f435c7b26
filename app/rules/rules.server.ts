// The village's rules catalogue (积分细则): kept by the village admin. A rule is retired, never
// deleted: claims and ledger entries keep pointing at it.
import { z } from "zod";
import type { Rule, RuleCategory, RuleUnit } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { fail, formIdSchema, isUniqueViolation, type Outcome, type StaffActor } from "~/platform/forms.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { RULE_CATEGORIES } from "./labels";

export { RULE_CATEGORIES, RULE_UNITS } from "./labels";
export const CAP_FIELDS = ["member_day", "member_month", "member_year", "household_day", "household_month", "household_year"] as const;
export type CapField = (typeof CAP_FIELDS)[number];

export interface RuleInput {
  category: RuleCategory;
  name: string;
  points: number;
  unit: RuleUnit;
  evidenceRequired: boolean;
  caps: Partial<Record<CapField, number | null>>;
}


// ---- form schema ----------------------------------------------------------

const capSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(z.union([z.literal(""), z.string().regex(/^\d{1,6}$/, "上限应为 1 到 999999 的整数，不限请留空")]))
  .transform((s) => (s === "" ? null : Number(s)))
  .refine((n) => n === null || n > 0, "上限应为 1 到 999999 的整数，不限请留空");

export const ruleFieldsSchema = z.object({
  category: z.enum(Object.keys(RULE_CATEGORIES) as [RuleCategory, ...RuleCategory[]], { error: "请选择类别" }),
  name: textSchema("细则名称", 40),
  points: z
    .string({ error: "请填写分值" })
    .transform(normalizeDigits)
    .pipe(z.string().regex(/^-?\d{1,4}$/, "分值应为 -9999 到 9999 的整数，扣分填负数"))
    .transform(Number)
    .refine((n) => n !== 0, "分值不能为 0"),
  unit: z.enum(["time", "hour"], { error: "请选择计分单位" }),
  evidence: z.enum(["", "0", "1"], { error: "请选择是否需要照片" }).optional(),
  member_day: capSchema,
  member_month: capSchema,
  member_year: capSchema,
  household_day: capSchema,
  household_month: capSchema,
  household_year: capSchema,
});

/** Form values to a rule. By default deductions need evidence photos and awards do not; "0"/"1" overrides. */
export function ruleFromForm(f: z.infer<typeof ruleFieldsSchema>): RuleInput {
  const evidenceRequired = f.evidence === undefined || f.evidence === "" ? f.points < 0 : f.evidence === "1";
  return { category: f.category, name: f.name, points: f.points, unit: f.unit, evidenceRequired, caps: Object.fromEntries(CAP_FIELDS.map((c) => [c, f[c]])) };
}

// ---- reads ---------------------------------------------------------------

export function villageRules(villageId: number, activeOnly = false): Rule[] {
  return stmt(`select * from rules where village_id = ? ${activeOnly ? "and active = 1" : ""} order by active desc,
    case category when 'volunteer' then 1 when 'sanitation' then 2 when 'family' then 3 when 'village_rules' then 4 else 5 end, points desc, id`).all(villageId) as Rule[];
}

export function ruleInVillage(villageId: number, ruleId: number): Rule | undefined {
  return stmt("select * from rules where id = ? and village_id = ?").get(ruleId, villageId) as Rule | undefined;
}

// ---- writes --------------------------------------------------------------

/** Inside a transaction. Used by the admin page and the demo seed. */
export function insertRule(villageId: number, r: RuleInput): number {
  const at = now();
  return Number(
    stmt(
      `insert into rules (village_id, category, name, points, unit, evidence_required, active, created_at, updated_at,
        ${CAP_FIELDS.map((c) => `cap_${c}`).join(", ")}) values (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(villageId, r.category, r.name, r.points, r.unit, r.evidenceRequired ? 1 : 0, at, at, ...CAP_FIELDS.map((c) => r.caps[c] ?? null))
      .lastInsertRowid,
  );
}

const NAME_TAKEN = "已经有同名的在用细则";

export function createRule(actor: StaffActor, villageId: number, r: RuleInput): Outcome<{ ruleId: number }> {
  try {
    return transact(() => {
      const ruleId = insertRule(villageId, r);
      audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "rule.create", targetType: "rule", targetId: ruleId, after: r });
      return { ok: true as const, ruleId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("name", NAME_TAKEN);
    throw e;
  }
}

/** Changes apply to claims filed from now on; a filed claim keeps the points it was filed with. */
export function updateRule(actor: StaffActor, villageId: number, ruleId: number, r: RuleInput): Outcome {
  const before = ruleInVillage(villageId, ruleId);
  if (!before) return fail("_form", "找不到这条细则", 404);
  // Open activities and rounds price their claims by the rule when they close: turning an award
  // into a deduction would fine the people who volunteered.
  if (Math.sign(r.points) !== Math.sign(before.points)) {
    return fail("points", before.points > 0 ? "加分细则不能改成扣分。请停用这条，另建一条扣分细则" : "扣分细则不能改成加分。请停用这条，另建一条加分细则");
  }
  try {
    return transact(() => {
      stmt(
        `update rules set category = ?, name = ?, points = ?, unit = ?, evidence_required = ?, updated_at = ?,
          ${CAP_FIELDS.map((c) => `cap_${c} = ?`).join(", ")} where id = ?`,
      ).run(r.category, r.name, r.points, r.unit, r.evidenceRequired ? 1 : 0, now(), ...CAP_FIELDS.map((c) => r.caps[c] ?? null), ruleId);
      audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "rule.update", targetType: "rule", targetId: ruleId, before, after: r });
      return { ok: true as const };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("name", NAME_TAKEN);
    throw e;
  }
}

/** Retire (停用) or bring back; never delete. */
export function setRuleActive(actor: StaffActor, villageId: number, ruleId: number, active: boolean): Outcome {
  const before = ruleInVillage(villageId, ruleId);
  if (!before) return fail("_form", "找不到这条细则", 404);
  try {
    return transact(() => {
      stmt("update rules set active = ?, updated_at = ? where id = ?").run(active ? 1 : 0, now(), ruleId);
      audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: active ? "rule.activate" : "rule.retire", targetType: "rule", targetId: ruleId });
      return { ok: true as const };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("_form", "已经有同名的在用细则，请先改名再启用");
    throw e;
  }
}

// ---- village settings --------------------------------------------------------

export const settingsSchema = z.object({
  noticeDays: z
    .string({ error: "请填写公示天数" })
    .transform(normalizeDigits)
    .pipe(z.string().regex(/^\d{1,2}$/, "公示天数应为 0 到 30 的整数"))
    .transform(Number)
    .refine((n) => n <= 30, "公示天数应为 0 到 30 的整数"),
  approvalsNeeded: z.enum(["1", "2"], { error: "请选择需要几位村委审核" }).transform(Number),
});

export function villageSettings(villageId: number): { noticeDays: number; approvalsNeeded: number } {
  return stmt("select notice_days as noticeDays, approvals_needed as approvalsNeeded from villages where id = ?").get(villageId) as {
    noticeDays: number;
    approvalsNeeded: number;
  };
}

/** Applies to claims approved from now on; a claim already in 公示 keeps its end date. */
export function updateVillageSettings(actor: StaffActor, villageId: number, s: { noticeDays: number; approvalsNeeded: number }): Outcome {
  return transact(() => {
    const before = villageSettings(villageId);
    stmt("update villages set notice_days = ?, approvals_needed = ? where id = ?").run(s.noticeDays, s.approvalsNeeded, villageId);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "village.settings", targetType: "village", targetId: villageId, before, after: s });
    return { ok: true as const };
  });
}

export const rulesPageIntent = z.discriminatedUnion(
  "intent",
  [
    ruleFieldsSchema.extend({ intent: z.literal("rule.create") }),
    ruleFieldsSchema.extend({ intent: z.literal("rule.update"), ruleId: formIdSchema }),
    z.object({ intent: z.literal("rule.retire"), ruleId: formIdSchema }),
    z.object({ intent: z.literal("rule.activate"), ruleId: formIdSchema }),
  ],
  { error: "请求有误，请刷新页面后再试" },
);
