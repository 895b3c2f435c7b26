// Honour campaigns (评选) as the committee creates and reads them. Nominations live in
// campaigns/nominations.server.ts, voters and ballots in campaign-voters / campaign-ballots, counting,
// ties and confirming in campaign-results.server.ts. See docs/decisions/0020…0022.
import { z } from "zod";
import type { Campaign, CampaignCategory, CampaignKind } from "../../db/schema";
import { findGrant, forbidden, notFound, requireRole, type Access } from "~/platform/access.server";
import { chinaTimeSchema } from "~/activities/activities.server";
import { fail, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { KIND_CHOICES, KIND_LABELS, MAX_CATEGORIES, MAX_QUORUM, MAX_WINNERS, stateOf, TEXT_LIMITS, VOTER_CHOICES, VOTER_LABELS, type CampaignState } from "./labels";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { normalizeDigits, textSchema } from "~/platform/validation.server";

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

export interface AwardRule {
  id: number;
  name: string;
  points: number;
}

/** Rules that can pay an honour: active, awarding points. The family ones (好婆婆…) first. */
export function awardRules(villageId: number): AwardRule[] {
  return stmt(
    `select id, name, points from rules where village_id = ? and active = 1 and points > 0 and unit = 'time'
     order by category <> 'family', name`,
  ).all(villageId) as AwardRule[];
}

/** The form's first rows: the usual honours, each with the rule of the same name when the catalogue has one. */
export function defaultCategories(villageId: number): { name: string; kind: CampaignKind; winners: string; ruleId: string }[] {
  const rules = awardRules(villageId);
  const ruleFor = (name: string) => String(rules.find((r) => r.name === name)?.id ?? "");
  return [
    { name: "好婆婆", kind: "member", winners: "3", ruleId: ruleFor("好婆婆") },
    { name: "好媳妇", kind: "member", winners: "3", ruleId: ruleFor("好媳妇") },
    { name: "文明家庭", kind: "household", winners: "5", ruleId: ruleFor("文明家庭") },
  ];
}

// ---- reading ---------------------------------------------------------------------------

export type CampaignRow = Campaign & { state: CampaignState };

export function withState(c: Campaign, at = now()): CampaignRow {
  return { ...c, state: stateOf(c, at) };
}

/** The campaign of this village, or a 404 (another village's id is not a hint that it exists). */
export function campaignIn(villageId: number, campaignId: number): CampaignRow {
  const c = stmt("select * from campaigns where id = ? and village_id = ?").get(campaignId, villageId) as Campaign | undefined;
  return c ? withState(c) : notFound();
}

export type CategoryRow = CampaignCategory & { rule_name: string; rule_points: number };

export function categoriesOf(campaignId: number): CategoryRow[] {
  return stmt(
    `select c.*, r.name as rule_name, r.points as rule_points from campaign_categories c join rules r on r.id = c.rule_id
     where c.campaign_id = ? order by c.position`,
  ).all(campaignId) as CategoryRow[];
}

export function categoryOf(campaignId: number, categoryId: number): CategoryRow | null {
  return categoriesOf(campaignId).find((c) => c.id === categoryId) ?? null;
}

/** The village's campaigns, newest first. No counts of votes here, ever: see campaign-results. */
export function listCampaigns(villageId: number): (CampaignRow & { categories: string; nominations: number })[] {
  const rows = stmt(
    `select c.*, (select group_concat(name, '、') from (select name from campaign_categories k where k.campaign_id = c.id order by position)) as categories,
            (select count(*) from campaign_nominations n where n.campaign_id = c.id and n.status in ('proposed', 'accepted')) as nominations
     from campaigns c where c.village_id = ? order by c.nominate_from desc, c.id desc limit 100`,
  ).all(villageId) as (Campaign & { categories: string; nominations: number })[];
  const at = now();
  return rows.map((r) => ({ ...r, state: stateOf(r, at) }));
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

/** Creates the campaign with its categories, one transaction, audited. */
export function createCampaign(actor: StaffActor & { userId: number }, villageId: number, f: CampaignFields): Outcome<{ campaignId: number }> {
  const rules = awardRules(villageId);
  const at = now();
  for (const c of f.categories) {
    if (!rules.some((r) => r.id === c.ruleId)) return fail(`cat${c.row}Rule`, "请从列表中选择本村奖励积分的细则");
  }
  if (f.nominateUntil <= at) return fail("nominateUntil", "提名截止时间已经过了，请选一个以后的时间");
  return transact(() => {
    const campaignId = Number(
      stmt(
        `insert into campaigns (village_id, title, description, nominate_from, nominate_until, vote_from, vote_until, voters, quorum, created_by, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(villageId, f.title, f.description, f.nominateFrom, f.nominateUntil, f.voteFrom, f.voteUntil, f.voters, f.quorum, actor.userId, at).lastInsertRowid,
    );
    f.categories.forEach((c, i) => {
      stmt("insert into campaign_categories (campaign_id, village_id, position, name, kind, winners, rule_id) values (?, ?, ?, ?, ?, ?, ?)").run(
        campaignId, villageId, i + 1, c.name, c.kind, c.winners, c.ruleId,
      );
    });
    audit({
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

