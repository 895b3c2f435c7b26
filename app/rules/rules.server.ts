// The village's rules catalogue (积分细则): kept by the village admin. A rule is retired, never
// deleted: claims and ledger entries keep pointing at it.
import type { ExpressionBuilder } from "kysely";
import { z } from "zod";
import type { Database, Rule, RuleCategory, RuleUnit } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { fail, formIdSchema, isUniqueViolation, type Outcome, type StaffActor } from "~/platform/forms.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { RANKING_NAME_CHOICES, type RankingNames } from "~/printables/labels";
import { APPEAL_DAYS_DEFAULT, APPEAL_DAYS_MAX } from "~/appeals/labels";
import { expirySettingsColumns, expirySettingsFields, expirySettingsUpdate, type ExpirySettings } from "~/expiry/settings.server";
import { flagSettingsColumns, flagSettingsFields, flagSettingsUpdate, type FlagSettings } from "~/flags/settings.server";
import { groupSettingsColumns, groupSettingsFields, groupSettingsOf, groupSettingsUpdate, type GroupSettings } from "~/groups/settings.server";
import { APPROVALS_CHOICES, CAP_FIELDS, NOTICE_DAYS_MAX, RULE_CATEGORIES, RULE_LIMITS, RULE_UNITS, type CapField } from "./labels";

export { CAP_FIELDS, RULE_CATEGORIES, RULE_UNITS, type CapField } from "./labels";

export interface RuleInput {
  category: RuleCategory;
  name: string;
  points: number;
  unit: RuleUnit;
  evidenceRequired: boolean;
  caps: Partial<Record<CapField, number | null>>;
}


// ---- form schema ----------------------------------------------------------

const CAP_MESSAGE = `上限应为 1 到 ${10 ** RULE_LIMITS.capDigits - 1} 的整数，不限请留空`;
const POINTS_MAX = 10 ** RULE_LIMITS.pointsDigits - 1;

const capSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(z.union([z.literal(""), z.string().regex(new RegExp(`^\\d{1,${RULE_LIMITS.capDigits}}$`), CAP_MESSAGE)]))
  .transform((s) => (s === "" ? null : Number(s)))
  .refine((n) => n === null || n > 0, CAP_MESSAGE);

export const ruleFieldsSchema = z.object({
  category: z.enum(Object.keys(RULE_CATEGORIES) as [RuleCategory, ...RuleCategory[]], { error: "请选择类别" }),
  name: textSchema("细则名称", RULE_LIMITS.name),
  points: z
    .string({ error: "请填写分值" })
    .transform(normalizeDigits)
    .pipe(z.string().regex(new RegExp(`^-?\\d{1,${RULE_LIMITS.pointsDigits}}$`), `分值应为 -${POINTS_MAX} 到 ${POINTS_MAX} 的整数，扣分填负数`))
    .transform(Number)
    .refine((n) => n !== 0, "分值不能为 0"),
  unit: z.enum(Object.keys(RULE_UNITS) as [RuleUnit, ...RuleUnit[]], { error: "请选择计分单位" }),
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

/**
 * The catalogue as the admin page lists it: in use first, by category, the biggest awards first; a
 * post's allowance names its post (定岗, issue 18).
 */
export async function villageRules(villageId: number, activeOnly = false) {
  let q = db()
    .selectFrom("rules")
    .selectAll()
    .select((eb) => eb.selectFrom("posts").select("posts.name").whereRef("posts.rule_id", "=", "rules.id").as("post_name"))
    .where("village_id", "=", villageId);
  if (activeOnly) q = q.where("active", "=", constant(1));
  return q
    .orderBy("active", "desc")
    .orderBy((eb) =>
      eb.case("category").when("volunteer").then(1).when("sanitation").then(2).when("family").then(3).when("village_rules").then(4).else(5).end(),
    )
    .orderBy("points", "desc")
    .orderBy("id")
    .execute();
}

/**
 * For a list of rules to file, award or pay by: leaves out a post's allowance (定岗, issue 18), which
 * only the month's confirmation files. Claims refuses it from anywhere else; a list offering it would
 * lead a villager or the committee straight into that refusal.
 */
export function notPostAllowance(eb: ExpressionBuilder<Database, "rules">) {
  return eb.not(postAllowance(eb));
}

/** Whether the rule is a post's allowance (one post per rule: 0022's unique key). */
export function postAllowance(eb: ExpressionBuilder<Database, "rules">) {
  return eb.exists(eb.selectFrom("posts").select("posts.id").whereRef("posts.rule_id", "=", "rules.id"));
}

export async function ruleInVillage(villageId: number, ruleId: number): Promise<Rule | undefined> {
  return db().selectFrom("rules").selectAll().where("id", "=", ruleId).where("village_id", "=", villageId).executeTakeFirst();
}

/** Who changes a rule: the admin's catalogue page, or a post keeping its own allowance in step (posts.server.ts). */
export interface RuleChangeBy {
  ofPost?: boolean;
}

/**
 * A post's allowance changes only with its post: edited or retired on the catalogue page, the rule
 * and the post (its allowance, whether it is open) would no longer agree.
 */
async function postAllowanceRefusal(ruleId: number, by: RuleChangeBy): Promise<Outcome | null> {
  if (by.ofPost) return null;
  const post = await db().selectFrom("posts").select("name").where("rule_id", "=", ruleId).executeTakeFirst();
  return post ? fail("_form", `这是岗位“${post.name}”的补贴，请由村委在定岗管理里修改或停用这个岗位，细则会随之改变`) : null;
}

// ---- writes --------------------------------------------------------------

function capColumns(caps: RuleInput["caps"]) {
  return {
    cap_member_day: caps.member_day ?? null, cap_member_month: caps.member_month ?? null, cap_member_year: caps.member_year ?? null,
    cap_household_day: caps.household_day ?? null, cap_household_month: caps.household_month ?? null, cap_household_year: caps.household_year ?? null,
  };
}

/** In its own unit of work, or the caller's. Used by the admin page and the demo seed. */
export async function insertRule(villageId: number, r: RuleInput): Promise<number> {
  const at = now();
  const { id } = await unitOfWork((tx) =>
    tx
      .insertInto("rules")
      .values({
        village_id: villageId, category: r.category, name: r.name, points: r.points, unit: r.unit,
        evidence_required: r.evidenceRequired ? 1 : 0, active: 1, created_at: at, updated_at: at, ...capColumns(r.caps),
      })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return id;
}

const NAME_TAKEN = "已经有同名的在用细则";

export async function createRule(actor: StaffActor, villageId: number, r: RuleInput): Promise<Outcome<{ ruleId: number }>> {
  try {
    return await unitOfWork(async () => {
      const ruleId = await insertRule(villageId, r);
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "rule.create", targetType: "rule", targetId: ruleId, after: r });
      return { ok: true as const, ruleId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("name", NAME_TAKEN);
    throw e;
  }
}

/** Changes apply to claims filed from now on; a filed claim keeps the points it was filed with. */
export async function updateRule(actor: StaffActor, villageId: number, ruleId: number, r: RuleInput, by: RuleChangeBy = {}): Promise<Outcome> {
  try {
    return await unitOfWork(async (tx): Promise<Outcome> => {
      const before = await ruleInVillage(villageId, ruleId);
      if (!before) return fail("_form", "找不到这条细则", 404);
      const refused = await postAllowanceRefusal(ruleId, by);
      if (refused) return refused;
      // Open activities and rounds price their claims by the rule when they close: turning an award
      // into a deduction would fine the people who volunteered.
      if (Math.sign(r.points) !== Math.sign(before.points)) {
        return fail("points", before.points > 0 ? "加分细则不能改成扣分。请停用这条，另建一条扣分细则" : "扣分细则不能改成加分。请停用这条，另建一条加分细则");
      }
      await tx
        .updateTable("rules")
        .set({ category: r.category, name: r.name, points: r.points, unit: r.unit, evidence_required: r.evidenceRequired ? 1 : 0, updated_at: now(), ...capColumns(r.caps) })
        .where("id", "=", ruleId)
        .execute();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "rule.update", targetType: "rule", targetId: ruleId, before, after: r });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("name", NAME_TAKEN);
    throw e;
  }
}

/** Retire (停用) or bring back; never delete. */
export async function setRuleActive(actor: StaffActor, villageId: number, ruleId: number, active: boolean, by: RuleChangeBy = {}): Promise<Outcome> {
  try {
    return await unitOfWork(async (tx): Promise<Outcome> => {
      if (!(await ruleInVillage(villageId, ruleId))) return fail("_form", "找不到这条细则", 404);
      const refused = await postAllowanceRefusal(ruleId, by);
      if (refused) return refused;
      await tx.updateTable("rules").set({ active: active ? 1 : 0, updated_at: now() }).where("id", "=", ruleId).execute();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: active ? "rule.activate" : "rule.retire", targetType: "rule", targetId: ruleId });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "rules")) return fail("_form", "已经有同名的在用细则，请先改名再启用");
    throw e;
  }
}

// ---- village settings --------------------------------------------------------

const APPEAL_DAYS_MESSAGE = `申诉天数应为 0 到 ${APPEAL_DAYS_MAX} 的整数`;

export const settingsSchema = z.object({
  noticeDays: z
    .string({ error: "请填写公示天数" })
    .transform(normalizeDigits)
    .pipe(z.string().regex(/^\d{1,2}$/, `公示天数应为 0 到 ${NOTICE_DAYS_MAX} 的整数`))
    .transform(Number)
    .refine((n) => n <= NOTICE_DAYS_MAX, `公示天数应为 0 到 ${NOTICE_DAYS_MAX} 的整数`),
  approvalsNeeded: z.enum(APPROVALS_CHOICES, { error: "请选择需要几位村委审核" }).transform(Number),
  // 积分排行: heads' names in full or masked (villages.ranking_full_names, 0013).
  rankingNames: z.enum(RANKING_NAME_CHOICES.map((c) => c.value) as [RankingNames, ...RankingNames[]], { error: "请选择积分排行上姓名怎样显示" }),
  // 积分清零: never, year end, or N months after earning (0015).
  ...expirySettingsFields,
  // 申诉: days after credit a household may appeal (0018); missing (a page from before) keeps the village's.
  appealDays: z
    .string()
    .optional()
    .transform((s) => (s === undefined ? undefined : normalizeDigits(s)))
    .pipe(z.union([z.undefined(), z.string().min(1, "请填写申诉天数").regex(/^\d{1,3}$/, APPEAL_DAYS_MESSAGE)]))
    .transform((s) => (s === undefined ? null : Number(s)))
    .refine((n) => n === null || n <= APPEAL_DAYS_MAX, APPEAL_DAYS_MESSAGE),
  // 流动红旗: how many flags a round hands out, village-wide or per grid (0024); missing keeps the village's.
  ...flagSettingsFields,
  // 联户长可见积分余额 (0020); missing keeps the village's.
  ...groupSettingsFields,
});

export interface VillageSettings extends ExpirySettings, FlagSettings, GroupSettings {
  noticeDays: number;
  approvalsNeeded: number;
  rankingNames: RankingNames;
  /** Days after credit that an award or deduction may be appealed; 0 = no appeals; null (a form without the field) = unchanged. */
  appealDays: number | null;
}

export async function villageSettings(villageId: number): Promise<VillageSettings> {
  const { fullNames, leaderBalancesFlag, ...rest } = await db()
    .selectFrom("villages")
    .select(["notice_days as noticeDays", "approvals_needed as approvalsNeeded", "ranking_full_names as fullNames", "appeal_days as appealDays", ...expirySettingsColumns, ...flagSettingsColumns, ...groupSettingsColumns])
    .where("id", "=", villageId)
    .executeTakeFirstOrThrow();
  return { ...rest, ...groupSettingsOf({ leaderBalancesFlag }), rankingNames: fullNames === 1 ? "full" : "masked" };
}

/** Applies to claims approved from now on; a claim already in 公示 keeps its end date. */
export async function updateVillageSettings(actor: StaffActor, villageId: number, s: VillageSettings): Promise<Outcome> {
  return unitOfWork(async (tx) => {
    const before = await villageSettings(villageId);
    await tx
      .updateTable("villages")
      .set({ notice_days: s.noticeDays, approvals_needed: s.approvalsNeeded, ranking_full_names: s.rankingNames === "full" ? 1 : 0, appeal_days: s.appealDays ?? before.appealDays ?? APPEAL_DAYS_DEFAULT, ...expirySettingsUpdate(before, s, now()), ...flagSettingsUpdate(before, s), ...groupSettingsUpdate(before, s) })
      .where("id", "=", villageId)
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "village.settings", targetType: "village", targetId: villageId, before, after: s });
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
