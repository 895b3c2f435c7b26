// Honour campaigns (评选) as the committee creates and reads them. Nominations live in
// nominations.server.ts, voters and ballots in voters.server.ts and ballots.server.ts, counting, ties
// and confirming in results.server.ts. See docs/decisions/0020…0022.
import { z } from "zod";
import type { Campaign, CampaignKind } from "../../db/schema";
import { findGrant, forbidden, notFound, requireRole, type Access } from "~/platform/access.server";
import { chinaTimeSchema } from "~/activities/activities.server";
import { fail, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { KIND_CHOICES, KIND_LABELS, MAX_CATEGORIES, MAX_QUORUM, MAX_WINNERS, stateOf, TEXT_LIMITS, VOTER_CHOICES, VOTER_LABELS, type CampaignState } from "./labels";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { notPostAllowance } from "~/rules/rules.server";

const DAY = 86_400_000;
/** Nomination opening to voting closing: one campaign is at most a season, not a year. */
const MAX_SPAN_MS = 120 * DAY;

// ---- the create form ------------------------------------------------------------

const WINNERS_MESSAGE = `评选名额应为 1 到 ${MAX_WINNERS} 的整数`;
const winnersSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(z.string().regex(new RegExp(`^\\d{1,${TEXT_LIMITS.winnersDigits}}$`), WINNERS_MESSAGE).transform(Number))
  .pipe(z.number().int().min(1, WINNERS_MESSAGE).max(MAX_WINNERS, WINNERS_MESSAGE));
const QUORUM_MESSAGE = `最低投票率应为 0 到 ${MAX_QUORUM} 的整数`;
const KINDS = KIND_CHOICES.map((k) => k.value);

const categoryFields = Object.fromEntries(
  Array.from({ length: MAX_CATEGORIES }, (_, k) => k + 1).flatMap((i) => [
    [`cat${i}Name`, z.string().optional().transform((s) => s ?? "").pipe(textSchema("类别名称", TEXT_LIMITS.categoryName, false))],
    [`cat${i}Kind`, z.string().optional()],
    [`cat${i}Winners`, z.string().optional()],
    [`cat${i}Rule`, z.string().optional()],
  ]),
) as Record<string, z.ZodType<string, string | undefined>>;

export interface CategoryInput {
  /** The form row (1…4) it came from, for placing a message next to it. */
  row: number;
  name: string;
  kind: CampaignKind;
  winners: number;
  ruleId: number;
}

export const campaignFieldsSchema = z
  .object({
    title: textSchema("评选名称", TEXT_LIMITS.title),
    description: z.string().optional().transform((s) => s ?? "").pipe(textSchema("评选说明", TEXT_LIMITS.description, false, true)),
    nominateFrom: chinaTimeSchema("提名开始时间"),
    nominateUntil: chinaTimeSchema("提名截止时间"),
    voteFrom: chinaTimeSchema("投票开始时间"),
    voteUntil: chinaTimeSchema("投票截止时间"),
    voters: z.enum(VOTER_CHOICES.map((v) => v.value), { error: "请选择由谁投票" }),
    quorum: z
      .string({ error: "请填写最低投票率" })
      .transform(normalizeDigits)
      .pipe(z.string().min(1, "请填写最低投票率").regex(new RegExp(`^\\d{1,${TEXT_LIMITS.quorumDigits}}$`), QUORUM_MESSAGE).transform(Number))
      .pipe(z.number().int().max(MAX_QUORUM, QUORUM_MESSAGE)),
    ...categoryFields,
  })
  .transform((f, ctx) => {
    // The category cells are built in a loop, so their keys are not in the inferred type.
    const cell = (k: string) => (f as unknown as Record<string, string | undefined>)[k];
    const categories: CategoryInput[] = [];
    for (let i = 1; i <= MAX_CATEGORIES; i++) {
      const name = cell(`cat${i}Name`) ?? "";
      if (!name) continue; // a row left empty is not a category
      const kind = KINDS.find((k) => k === cell(`cat${i}Kind`));
      if (!kind) ctx.addIssue({ code: "custom", path: [`cat${i}Kind`], message: "请选择评家庭还是评个人" });
      const winners = winnersSchema.safeParse(cell(`cat${i}Winners`));
      if (!winners.success) ctx.addIssue({ code: "custom", path: [`cat${i}Winners`], message: winners.error.issues[0]?.message ?? "评选名额应为 1 到 20 的整数" });
      const rule = formIdSchema.safeParse(cell(`cat${i}Rule`));
      if (!rule.success) ctx.addIssue({ code: "custom", path: [`cat${i}Rule`], message: "请从列表中选择奖励积分的细则" });
      if (categories.some((c) => c.name === name)) ctx.addIssue({ code: "custom", path: [`cat${i}Name`], message: "类别名称重复了" });
      if (winners.success && rule.success && kind) categories.push({ row: i, name, kind, winners: winners.data, ruleId: rule.data });
    }
    if (categories.length === 0 && !Object.keys(f).some((k) => /^cat\dName$/.test(k) && cell(k))) ctx.addIssue({ code: "custom", path: ["cat1Name"], message: "请至少填写一个评选类别，如“好婆婆”" });
    if (f.nominateUntil <= f.nominateFrom) ctx.addIssue({ code: "custom", path: ["nominateUntil"], message: "提名截止要晚于提名开始" });
    if (f.voteFrom < f.nominateUntil) ctx.addIssue({ code: "custom", path: ["voteFrom"], message: "投票开始不能早于提名截止" });
    if (f.voteUntil <= f.voteFrom) ctx.addIssue({ code: "custom", path: ["voteUntil"], message: "投票截止要晚于投票开始" });
    else if (f.voteUntil - f.nominateFrom > MAX_SPAN_MS) ctx.addIssue({ code: "custom", path: ["voteUntil"], message: "从提名开始到投票截止最长 120 天" });
    return {
      title: f.title, description: f.description, nominateFrom: f.nominateFrom, nominateUntil: f.nominateUntil, voteFrom: f.voteFrom,
      voteUntil: f.voteUntil, voters: f.voters, quorum: f.quorum, categories,
    };
  });
export type CampaignFields = z.output<typeof campaignFieldsSchema>;

// ---- choices on the form ----------------------------------------------------------

/** Rules that can pay an honour: active, awarding points. The family ones (好婆婆…) first. */
export function awardRules(villageId: number) {
  return db()
    .selectFrom("rules")
    .select(["id", "name", "points"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where("points", ">", 0)
    .where("unit", "=", "time")
    .where(notPostAllowance)
    .orderBy((eb) => eb.case().when("category", "=", "family").then(eb.lit(0)).else(eb.lit(1)).end())
    .orderBy("name")
    .execute();
}
export type AwardRule = Awaited<ReturnType<typeof awardRules>>[number];

/** The form's first rows: the usual honours, each with the rule of the same name when the catalogue has one. */
export async function defaultCategories(villageId: number): Promise<{ name: string; kind: CampaignKind; winners: string; ruleId: string }[]> {
  const rules = await awardRules(villageId);
  const ruleFor = (name: string) => String(rules.find((r) => r.name === name)?.id ?? "");
  return [
    { name: "好婆婆", kind: "member", winners: "3", ruleId: ruleFor("好婆婆") },
    { name: "好媳妇", kind: "member", winners: "3", ruleId: ruleFor("好媳妇") },
    { name: "文明家庭", kind: "household", winners: "5", ruleId: ruleFor("文明家庭") },
  ];
}

// ---- reading ---------------------------------------------------------------------------

export type CampaignRow = Campaign & { state: CampaignState };

export function withState<C extends Campaign>(c: C, at = now()): C & { state: CampaignState } {
  return { ...c, state: stateOf(c, at) };
}

/** The campaign of this village, or a 404 (another village's id is not a hint that it exists). */
export async function campaignIn(villageId: number, campaignId: number): Promise<CampaignRow> {
  const c = await db().selectFrom("campaigns").selectAll().where("id", "=", campaignId).where("village_id", "=", villageId).executeTakeFirst();
  return c ? withState(c) : notFound();
}

/** The campaign's categories in form order, with the paying rule and who recorded a tie decision. */
export function categoriesOf(campaignId: number) {
  return db()
    .selectFrom("campaign_categories as c")
    .innerJoin("rules as r", "r.id", "c.rule_id")
    .leftJoin("users as u", "u.id", "c.tie_by")
    .selectAll("c")
    .select(["r.name as rule_name", "r.points as rule_points", "u.display_name as tie_by_name"])
    .where("c.campaign_id", "=", campaignId)
    .orderBy("c.position")
    .execute();
}
export type CategoryRow = Awaited<ReturnType<typeof categoriesOf>>[number];

export async function categoryOf(campaignId: number, categoryId: number): Promise<CategoryRow | null> {
  return (await categoriesOf(campaignId)).find((c) => c.id === categoryId) ?? null;
}

/** The village's campaigns, newest first. No counts of votes here, ever: see campaign-results. */
export async function listCampaigns(villageId: number) {
  // One statement: the newest 100 campaigns (with their live nominations counted), joined to their
  // categories, one row per category; the names are joined here (string aggregation is spelled
  // differently on each engine).
  const rows = await db()
    .selectFrom((eb) =>
      eb
        .selectFrom("campaigns as c")
        .selectAll("c")
        .select((e) =>
          e
            .selectFrom("campaign_nominations as n")
            .select((n) => n.fn.countAll<number>().as("n"))
            .whereRef("n.campaign_id", "=", "c.id")
            .where("n.status", "in", ["proposed", "accepted"])
            .as("nominations"),
        )
        .where("c.village_id", "=", villageId)
        .orderBy("c.nominate_from", "desc")
        .orderBy("c.id", "desc")
        .limit(100)
        .as("c"),
    )
    .leftJoin("campaign_categories as k", "k.campaign_id", "c.id")
    .selectAll("c")
    .select("k.name as category")
    .orderBy("c.nominate_from", "desc")
    .orderBy("c.id", "desc")
    .orderBy("k.position")
    .execute();
  const at = now();
  const out: (CampaignRow & { categories: string; nominations: number })[] = [];
  let names: string[] = [];
  for (const { category, nominations, ...c } of rows) {
    if (out[out.length - 1]?.id !== c.id) {
      names = [];
      out.push({ ...withState(c, at), categories: "", nominations: nominations ?? 0 });
    }
    if (category !== null) names.push(category);
    out[out.length - 1].categories = names.join("、");
  }
  return out;
}

// ---- who may do what -----------------------------------------------------------------

/** The committee runs campaigns; the township admin may read them. A login with both acts as committee. */
export async function campaignStaff(request: Request, villageId: number): Promise<Access> {
  const access = await requireRole(request, ["committee", "township_admin"], villageId);
  if (access.role !== "committee" && findGrant(access.viewer, ["committee"], villageId)) return { ...access, role: "committee" };
  return access;
}

export function requireCommittee(access: Access): void {
  if (access.role !== "committee") throw forbidden("只有村委委员可以办理评选");
}

// ---- writing --------------------------------------------------------------------------

/** Creates the campaign with its categories, one unit of work, audited. */
export async function createCampaign(actor: StaffActor & { userId: number }, villageId: number, f: CampaignFields): Promise<Outcome<{ campaignId: number }>> {
  const rules = await awardRules(villageId);
  const at = now();
  for (const c of f.categories) {
    if (!rules.some((r) => r.id === c.ruleId)) return fail(`cat${c.row}Rule`, "请从列表中选择本村奖励积分的细则");
  }
  if (f.nominateUntil <= at) return fail("nominateUntil", "提名截止时间已经过了，请选一个以后的时间");
  return unitOfWork(async (tx) => {
    const { id: campaignId } = await tx
      .insertInto("campaigns")
      .values({
        village_id: villageId, title: f.title, description: f.description, nominate_from: f.nominateFrom, nominate_until: f.nominateUntil,
        vote_from: f.voteFrom, vote_until: f.voteUntil, voters: f.voters, quorum: f.quorum, created_by: actor.userId, created_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (f.categories.length) {
      await tx
        .insertInto("campaign_categories")
        .values(f.categories.map((c, i) => ({ campaign_id: campaignId, village_id: villageId, position: i + 1, name: c.name, kind: c.kind, winners: c.winners, rule_id: c.ruleId })))
        .execute();
    }
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "campaign.create", targetType: "campaign", targetId: campaignId,
      // Readable as the audit page shows it: times in China time, categories in words.
      after: {
        title: f.title, nominate: `${formatTime(f.nominateFrom)} 至 ${formatTime(f.nominateUntil)}`, vote: `${formatTime(f.voteFrom)} 至 ${formatTime(f.voteUntil)}`,
        voters: VOTER_LABELS[f.voters], quorum: f.quorum,
        categories: f.categories.map((c) => `${c.name}（${KIND_LABELS[c.kind]} ${c.winners} 个，细则 #${c.ruleId}）`),
      },
    });
    return { ok: true as const, campaignId };
  });
}
