// 定岗认责 posts: the village committee defines posts (duties, a monthly allowance, how many may hold
// one); villagers apply or the committee appoints; each month the holder's 网格员 or a committee
// member confirms the duty was done (or not, with a reason). A confirmation files one claim through
// claims.server.ts (source kind "post", id = the month's record), reviewed and put in 公示 like any
// other: this module never moves points.
//
// A post owns one rule, "定岗：<name>", created with it in the same unit of work: points per time =
// the allowance, capped at one allowance a member a month (caps count points). Editing the post edits the rule; ending it retires
// the rule. Guards: the unique keys of 0022 (one open holding per member and post, one record per
// holding and month) stop double taps and two confirmers at once; the seat count is checked inside
// the unit of work that writes (SQLite's one writer; PostgreSQL's serialisable retry).
import { z } from "zod";
import type { PostHoldingStatus } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { ClaimError, fileClaimBatch } from "~/claims/claims.server";
import { gridWorkerOf } from "~/groups/groups.server";
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { fail, formIdSchema, isUniqueViolation, type Outcome, type StaffActor } from "~/platform/forms.server";
import { containsText } from "~/platform/search.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { formatMonth } from "~/platform/format";
import { insertRule, setRuleActive, updateRule } from "~/rules/rules.server";
import { confirmableMonths, POST_LIMITS, POST_RULE_PREFIX } from "./labels";

/** A refusal raised inside a unit of work (so everything it wrote rolls back), turned into an Outcome outside. */
class PostRefusal extends Error {
  constructor(readonly field: string, message: string, readonly status = 400) {
    super(message);
  }
}

async function refusalsAsOutcome<T extends object>(fn: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PostRefusal) return fail(e.field, e.message, e.status);
    if (e instanceof ClaimError) return fail("_form", e.message, e.status);
    throw e;
  }
}

// ---- form schemas ------------------------------------------------------------------------------------

const BAD = "请求有误，请刷新页面后再试";

function wholeNumber(label: string, max: number) {
  const message = `${label}应为 1 到 ${max} 的整数`;
  return z
    .string({ error: `请填写${label}` })
    .transform(normalizeDigits)
    .pipe(z.string().min(1, `请填写${label}`).regex(/^\d{1,6}$/, message))
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, message);
}

/** An optional field a form may leave out altogether (a page from before it, a hand-made post). */
function optionalText(schema: ReturnType<typeof textSchema>) {
  return z.string().optional().transform((s) => s ?? "").pipe(schema);
}

export const postFieldsSchema = z.object({
  name: textSchema("岗位名称", POST_LIMITS.name),
  duties: optionalText(textSchema("岗位职责", POST_LIMITS.duties, false, true)),
  allowance: wholeNumber("每月积分", POST_LIMITS.allowanceMax),
  seats: wholeNumber("人数上限", POST_LIMITS.seatsMax),
});
export type PostInput = z.infer<typeof postFieldsSchema>;

const reasonSchema = textSchema("原因", POST_LIMITS.reason);
const monthSchema = z.string({ error: BAD }).regex(/^\d{4}-(0[1-9]|1[0-2])$/, "请从列表中选择月份");

/** The committee page's posts. */
export const committeeIntent = z.discriminatedUnion(
  "intent",
  [
    postFieldsSchema.extend({ intent: z.literal("post.create") }),
    postFieldsSchema.extend({ intent: z.literal("post.update"), postId: formIdSchema }),
    z.object({ intent: z.literal("post.end"), postId: formIdSchema }),
    z.object({ intent: z.literal("post.reopen"), postId: formIdSchema }),
    z.object({ intent: z.literal("holding.accept"), holdingId: formIdSchema }),
    z.object({ intent: z.literal("holding.refuse"), holdingId: formIdSchema, reason: reasonSchema }),
    z.object({ intent: z.literal("holding.end"), holdingId: formIdSchema, reason: reasonSchema }),
    z.object({ intent: z.literal("holding.appoint"), postId: z.string({ error: "请选择岗位" }).regex(/^\d{1,12}$/, "请选择岗位").transform(Number), memberId: formIdSchema }),
  ],
  { error: BAD },
);

/** The villager page's one post. */
export const applySchema = z.object({
  intent: z.literal("apply", { error: BAD }),
  postId: formIdSchema,
  note: optionalText(textSchema("申请说明", POST_LIMITS.note, false)),
});

/** The confirm page's posts: done, or not done with a reason. */
export const confirmIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("done"), holdingId: formIdSchema, month: monthSchema }),
    z.object({ intent: z.literal("not_done"), holdingId: formIdSchema, month: monthSchema, reason: reasonSchema }),
  ],
  { error: BAD },
);

// ---- reads -------------------------------------------------------------------------------------------

export interface PostView {
  id: number;
  name: string;
  duties: string;
  allowance: number;
  seats: number;
  active: number;
  ruleId: number;
  holders: number;
  waiting: number;
}

/** The village's posts with how many hold each and how many applications wait: active first. */
export async function villagePosts(villageId: number, activeOnly = false): Promise<PostView[]> {
  let q = db()
    .selectFrom("posts as p")
    .select((eb) => [
      "p.id", "p.name", "p.duties", "p.allowance", "p.seats", "p.active", "p.rule_id as ruleId",
      eb.selectFrom("post_holdings as h").select(eb.fn.countAll<number>().as("n")).whereRef("h.post_id", "=", "p.id").where("h.status", "=", constant("active")).as("holders"),
      eb.selectFrom("post_holdings as h").select(eb.fn.countAll<number>().as("n")).whereRef("h.post_id", "=", "p.id").where("h.status", "=", constant("applied")).as("waiting"),
    ])
    .where("p.village_id", "=", villageId);
  if (activeOnly) q = q.where("p.active", "=", constant(1));
  const rows = await q.orderBy("p.active", "desc").orderBy("p.id").execute();
  return rows.map((r) => ({ ...r, holders: Number(r.holders ?? 0), waiting: Number(r.waiting ?? 0) }));
}

export interface HoldingView {
  id: number;
  postId: number;
  post: string;
  memberId: number;
  member: string;
  household: string;
  status: PostHoldingStatus;
  note: string;
  reason: string | null;
  startMonth: string | null;
  endMonth: string | null;
  createdAt: number;
}

function holdingsQuery() {
  return db()
    .selectFrom("post_holdings as h")
    .innerJoin("posts as p", "p.id", "h.post_id")
    .innerJoin("members as m", "m.id", "h.member_id")
    .innerJoin("households as hh", "hh.id", "m.household_id")
    .select([
      "h.id", "h.post_id as postId", "p.name as post", "h.member_id as memberId", "m.name as member", "hh.number as household",
      "h.status", "h.note", "h.reason", "h.start_month as startMonth", "h.end_month as endMonth", "h.created_at as createdAt",
    ]);
}

/** The committee's lists: applications waiting, current holders, and the latest ended or refused (history). */
export async function villageHoldings(villageId: number): Promise<{ applied: HoldingView[]; active: HoldingView[]; past: HoldingView[] }> {
  const [applied, active, past] = await Promise.all([
    holdingsQuery().where("h.village_id", "=", villageId).where("h.status", "=", constant("applied")).orderBy("h.id").limit(200).execute(),
    holdingsQuery().where("h.village_id", "=", villageId).where("h.status", "=", constant("active")).orderBy("p.id").orderBy("h.id").limit(500).execute(),
    holdingsQuery().where("h.village_id", "=", villageId).where("h.status", "in", [constant("ended"), constant("refused")]).orderBy("h.updated_at", "desc").orderBy("h.id", "desc").limit(30).execute(),
  ]);
  return { applied, active, past };
}

export interface MonthRecord {
  holdingId: number;
  month: string;
  done: number;
  reason: string | null;
  claimId: number | null;
  claimStatus: string | null;
}

/** A member's holdings (every status) and their last twelve months' records. */
export async function memberPosts(memberId: number): Promise<{ holdings: HoldingView[]; months: MonthRecord[] }> {
  const holdings = await holdingsQuery().where("h.member_id", "=", memberId).orderBy("h.id", "desc").limit(50).execute();
  const oldest = confirmableMonths(chinaMonth(now())).at(-1)!;
  const months = holdings.length
    ? await db()
        .selectFrom("post_months as pm")
        .leftJoin("claims as c", "c.id", "pm.claim_id")
        .select(["pm.holding_id as holdingId", "pm.month", "pm.done", "pm.reason", "pm.claim_id as claimId", "c.status as claimStatus"])
        .where("pm.holding_id", "in", holdings.map((h) => h.id))
        .where("pm.month", ">=", oldest)
        .orderBy("pm.month", "desc")
        .execute()
    : [];
  return { holdings, months };
}

/** Members of the village matching a name or 户号, for the committee's appoint form. */
export async function findMembers(villageId: number, q: string) {
  if (!q) return [];
  return db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .select(["m.id", "m.name", "h.number as household"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", constant(1))
    .where((eb) => eb.or([containsText(eb.ref("m.name"), q), containsText(eb.ref("h.number"), q)]))
    .orderBy("h.number")
    .orderBy("m.id")
    .limit(20)
    .execute();
}

export interface ConfirmRow {
  holdingId: number;
  post: string;
  allowance: number;
  member: string;
  household: string;
  grid: string | null;
  startMonth: string;
  record: { done: number; reason: string | null; claimId: number | null } | null;
}

export const CONFIRM_PAGE_SIZE = 50;

/**
 * The holdings whose duty for `month` may be confirmed: held that month (began by it, not ended
 * before it) of an active post; only those in `grids` when given (a 网格员's own grids).
 */
export async function confirmList(villageId: number, month: string, grids: number[] | null, page: number): Promise<{ rows: ConfirmRow[]; more: boolean }> {
  if (grids && grids.length === 0) return { rows: [], more: false };
  let q = db()
    .selectFrom("post_holdings as h")
    .innerJoin("posts as p", "p.id", "h.post_id")
    .innerJoin("members as m", "m.id", "h.member_id")
    .innerJoin("households as hh", "hh.id", "m.household_id")
    .leftJoin("grids as g", "g.id", "hh.grid_id")
    .leftJoin("post_months as pm", (j) => j.onRef("pm.holding_id", "=", "h.id").on("pm.month", "=", month))
    .select([
      "h.id as holdingId", "p.name as post", "p.allowance", "m.name as member", "hh.number as household", "g.name as grid", "h.start_month as startMonth",
      "pm.done", "pm.reason", "pm.claim_id as claimId", "pm.id as recordId",
    ])
    .where("h.village_id", "=", villageId)
    .where("p.active", "=", constant(1))
    .where("h.status", "in", [constant("active"), constant("ended")])
    .where("h.start_month", "<=", month)
    .where((eb) => eb.or([eb("h.end_month", "is", null), eb("h.end_month", ">=", month)]));
  if (grids) q = q.where("hh.grid_id", "in", grids);
  const rows = await q
    .orderBy((eb) => eb.case().when("pm.id", "is", null).then(0).else(1).end())
    .orderBy("hh.number")
    .orderBy("h.id")
    .limit(CONFIRM_PAGE_SIZE + 1)
    .offset((page - 1) * CONFIRM_PAGE_SIZE)
    .execute();
  return {
    more: rows.length > CONFIRM_PAGE_SIZE,
    rows: rows.slice(0, CONFIRM_PAGE_SIZE).map((r) => ({
      holdingId: r.holdingId, post: r.post, allowance: r.allowance, member: r.member, household: r.household, grid: r.grid, startMonth: r.startMonth!,
      record: r.recordId === null ? null : { done: r.done!, reason: r.reason, claimId: r.claimId },
    })),
  };
}

// ---- the committee's writes ----------------------------------------------------------------------------

async function postOf(villageId: number, postId: number) {
  const post = await db().selectFrom("posts").selectAll().where("id", "=", postId).where("village_id", "=", villageId).executeTakeFirst();
  if (!post) throw new PostRefusal("_form", "找不到这个岗位，请刷新页面后再试", 404);
  return post;
}

/** Caps count points: a member-month cap of one allowance is "once a member a month". */
function ruleOfPost(p: PostInput) {
  return { category: "volunteer" as const, name: `${POST_RULE_PREFIX}${p.name}`, points: p.allowance, unit: "time" as const, evidenceRequired: false, caps: { member_month: p.allowance } };
}

const POST_NAME_TAKEN = "本村已经有这个岗位";
const RULE_NAME_TAKEN = (name: string) => `积分细则里已经有在用的“${POST_RULE_PREFIX}${name}”，请换个岗位名称，或先在积分细则里停用那一条`;

function nameTaken(e: unknown, name: string): Outcome<never> | null {
  if (isUniqueViolation(e, "posts.name")) return fail("name", POST_NAME_TAKEN);
  if (isUniqueViolation(e, "rules.")) return fail("name", RULE_NAME_TAKEN(name));
  return null;
}

export async function createPost(actor: StaffActor, villageId: number, input: PostInput): Promise<Outcome<{ postId: number }>> {
  try {
    return await refusalsAsOutcome(() =>
      unitOfWork(async (tx) => {
        const same = await tx.selectFrom("posts").select("id").where("village_id", "=", villageId).where("name", "=", input.name).executeTakeFirst();
        if (same) throw new PostRefusal("name", POST_NAME_TAKEN);
        const ruleId = await insertRule(villageId, ruleOfPost(input));
        const at = now();
        const { id } = await tx
          .insertInto("posts")
          .values({ village_id: villageId, name: input.name, duties: input.duties, allowance: input.allowance, seats: input.seats, rule_id: ruleId, active: 1, created_by: actor.userId, created_at: at, updated_at: at })
          .returning("id")
          .executeTakeFirstOrThrow();
        await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "post.create", targetType: "post", targetId: id, after: { ...input, ruleId } });
        return { ok: true as const, postId: id };
      }),
    );
  } catch (e) {
    const taken = nameTaken(e, input.name);
    if (taken) return taken;
    throw e;
  }
}

/** Name, duties, allowance, seats; the rule follows (claims already filed keep their points). */
export async function updatePost(actor: StaffActor, villageId: number, postId: number, input: PostInput): Promise<Outcome> {
  try {
    return await refusalsAsOutcome(() =>
      unitOfWork(async (tx): Promise<Outcome> => {
        const before = await postOf(villageId, postId);
        const same = await tx.selectFrom("posts").select("id").where("village_id", "=", villageId).where("name", "=", input.name).where("id", "<>", postId).executeTakeFirst();
        if (same) throw new PostRefusal("name", POST_NAME_TAKEN);
        const rule = await updateRule(actor, villageId, before.rule_id, ruleOfPost(input), { ofPost: true });
        if (!rule.ok) throw new PostRefusal("name", rule.errors.name ? RULE_NAME_TAKEN(input.name) : (Object.values(rule.errors)[0] ?? BAD));
        await tx.updateTable("posts").set({ name: input.name, duties: input.duties, allowance: input.allowance, seats: input.seats, updated_at: now() }).where("id", "=", postId).execute();
        await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "post.update", targetType: "post", targetId: postId, before, after: input });
        return { ok: true };
      }),
    );
  } catch (e) {
    const taken = nameTaken(e, input.name);
    if (taken) return taken;
    throw e;
  }
}

/**
 * Ends a post (its rule is retired, open applications are refused, holders are ended this month) or
 * brings it back (its rule in use again; holders are appointed anew). History is kept either way.
 */
export async function setPostActive(actor: StaffActor, villageId: number, postId: number, active: boolean): Promise<Outcome> {
  return refusalsAsOutcome(() =>
    unitOfWork(async (tx): Promise<Outcome> => {
      const post = await postOf(villageId, postId);
      if (post.active === (active ? 1 : 0)) throw new PostRefusal("_form", active ? "这个岗位已经在设" : "这个岗位已经撤销了");
      const rule = await setRuleActive(actor, villageId, post.rule_id, active, { ofPost: true });
      if (!rule.ok) throw new PostRefusal("_form", Object.values(rule.errors)[0] ?? BAD);
      const at = now();
      await tx.updateTable("posts").set({ active: active ? 1 : 0, updated_at: at }).where("id", "=", postId).execute();
      if (!active) {
        await tx.updateTable("post_holdings").set({ status: "refused", reason: "岗位已撤销", decided_by: actor.userId, updated_at: at }).where("post_id", "=", postId).where("status", "=", constant("applied")).execute();
        await tx
          .updateTable("post_holdings")
          .set({ status: "ended", reason: "岗位已撤销", end_month: chinaMonth(at), ended_at: at, ended_by: actor.userId, updated_at: at })
          .where("post_id", "=", postId)
          .where("status", "=", constant("active"))
          .execute();
      }
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: active ? "post.reopen" : "post.end", targetType: "post", targetId: postId });
      return { ok: true };
    }),
  );
}

async function holdingOf(villageId: number, holdingId: number) {
  const h = await db()
    .selectFrom("post_holdings as h")
    .innerJoin("members as m", "m.id", "h.member_id")
    .innerJoin("posts as p", "p.id", "h.post_id")
    .select(["h.id", "h.post_id", "h.member_id", "h.status", "h.requested_by", "h.start_month", "h.end_month", "m.household_id", "m.name as member", "p.name as post", "p.active as postActive", "p.rule_id", "p.seats"])
    .where("h.id", "=", holdingId)
    .where("h.village_id", "=", villageId)
    .executeTakeFirst();
  if (!h) throw new PostRefusal("_form", "找不到这条记录，请刷新页面后再试", 404);
  return h;
}

/** The member record of a user (null for staff living elsewhere). */
async function ownMember(userId: number): Promise<{ id: number; household_id: number } | null> {
  const row = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .select(["m.id", "m.household_id"])
    .where("u.id", "=", userId)
    .executeTakeFirst();
  return row ?? null;
}

/** Inside the unit that then makes a holder: the post must be in use and have a seat free. */
async function checkSeat(post: { id: number; name: string; seats: number; active: number }): Promise<void> {
  if (!post.active) throw new PostRefusal("_form", `岗位“${post.name}”已撤销`);
  const { n } = await db().selectFrom("post_holdings").select((eb) => eb.fn.countAll<number>().as("n")).where("post_id", "=", post.id).where("status", "=", constant("active")).executeTakeFirstOrThrow();
  if (Number(n) >= post.seats) throw new PostRefusal("_form", `岗位“${post.name}”已满（最多 ${post.seats} 人），请先让一位卸任或修改人数上限`);
}

const ALREADY = "这位村民已经申请或担任这个岗位";

export async function decideApplication(actor: StaffActor, villageId: number, holdingId: number, accept: boolean, reason = ""): Promise<Outcome> {
  return refusalsAsOutcome(() =>
    unitOfWork(async (tx): Promise<Outcome> => {
      const h = await holdingOf(villageId, holdingId);
      if (h.status !== "applied") throw new PostRefusal("_form", "这份申请已经处理过了");
      // Maker-checker: a committee member's own application is decided by another member.
      const mine = await ownMember(actor.userId);
      if (h.requested_by === actor.userId || mine?.id === h.member_id) throw new PostRefusal("_form", "不能处理自己的岗位申请，请由另一位村委委员处理");
      const at = now();
      if (accept) {
        await checkSeat({ id: h.post_id, name: h.post, seats: h.seats, active: h.postActive });
        await tx.updateTable("post_holdings").set({ status: "active", decided_by: actor.userId, start_month: chinaMonth(at), started_at: at, updated_at: at }).where("id", "=", holdingId).execute();
      } else {
        await tx.updateTable("post_holdings").set({ status: "refused", decided_by: actor.userId, reason, updated_at: at }).where("id", "=", holdingId).execute();
      }
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: accept ? "post.accept" : "post.refuse", targetType: "post_holding", targetId: holdingId, after: { postId: h.post_id, memberId: h.member_id, reason } });
      return { ok: true };
    }),
  );
}

export async function appoint(actor: StaffActor, villageId: number, postId: number, memberId: number): Promise<Outcome<{ holdingId: number }>> {
  try {
    return await refusalsAsOutcome(() =>
      unitOfWork(async (tx) => {
        const post = await postOf(villageId, postId);
        const member = await tx.selectFrom("members").select(["id", "name"]).where("id", "=", memberId).where("village_id", "=", villageId).where("active", "=", constant(1)).executeTakeFirst();
        if (!member) throw new PostRefusal("_form", "请从搜索结果中选择本村的村民", 404);
        if ((await ownMember(actor.userId))?.id === memberId) throw new PostRefusal("_form", "不能任命自己，请由另一位村委委员任命");
        const open = await tx.selectFrom("post_holdings").select("status").where("post_id", "=", postId).where("member_id", "=", memberId).where("status", "in", [constant("applied"), constant("active")]).executeTakeFirst();
        if (open) throw new PostRefusal("_form", open.status === "applied" ? `${member.name}已经申请了这个岗位，请在“待处理的申请”里同意` : `${member.name}已经担任这个岗位`);
        await checkSeat(post);
        const at = now();
        const { id } = await tx
          .insertInto("post_holdings")
          .values({ village_id: villageId, post_id: postId, member_id: memberId, status: "active", note: "", requested_by: actor.userId, decided_by: actor.userId, start_month: chinaMonth(at), started_at: at, created_at: at, updated_at: at })
          .returning("id")
          .executeTakeFirstOrThrow();
        await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "post.appoint", targetType: "post_holding", targetId: id, after: { postId, memberId } });
        return { ok: true as const, holdingId: id };
      }),
    );
  } catch (e) {
    if (isUniqueViolation(e, "post_holdings.")) return fail("_form", ALREADY);
    throw e;
  }
}

/** 卸任: the holding ends this month (this month may still be confirmed); the record stays. */
export async function endHolding(actor: StaffActor, villageId: number, holdingId: number, reason: string): Promise<Outcome> {
  return refusalsAsOutcome(() =>
    unitOfWork(async (tx): Promise<Outcome> => {
      const h = await holdingOf(villageId, holdingId);
      if (h.status !== "active") throw new PostRefusal("_form", "这位已经不在岗了");
      const at = now();
      await tx.updateTable("post_holdings").set({ status: "ended", reason, end_month: chinaMonth(at), ended_at: at, ended_by: actor.userId, updated_at: at }).where("id", "=", holdingId).execute();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "post.end_holding", targetType: "post_holding", targetId: holdingId, after: { reason } });
      return { ok: true };
    }),
  );
}

// ---- villagers ------------------------------------------------------------------------------------------

export async function applyForPost(userId: number, memberId: number, villageId: number, postId: number, note: string): Promise<Outcome<{ holdingId: number }>> {
  try {
    return await refusalsAsOutcome(() =>
      unitOfWork(async (tx) => {
        const post = await postOf(villageId, postId);
        if (!post.active) throw new PostRefusal("_form", `岗位“${post.name}”已撤销，不能申请`);
        const open = await tx.selectFrom("post_holdings").select("status").where("post_id", "=", postId).where("member_id", "=", memberId).where("status", "in", [constant("applied"), constant("active")]).executeTakeFirst();
        if (open) throw new PostRefusal("_form", open.status === "applied" ? "你已经申请了这个岗位，请等村委处理" : "你已经担任这个岗位了");
        const at = now();
        const { id } = await tx
          .insertInto("post_holdings")
          .values({ village_id: villageId, post_id: postId, member_id: memberId, status: "applied", note, requested_by: userId, created_at: at, updated_at: at })
          .returning("id")
          .executeTakeFirstOrThrow();
        await audit({ actorUserId: userId, actorRole: "villager", villageId, action: "post.apply", targetType: "post_holding", targetId: id, after: { postId, note } });
        return { ok: true as const, holdingId: id };
      }),
    );
  } catch (e) {
    if (isUniqueViolation(e, "post_holdings.")) return fail("_form", "你已经申请了这个岗位，请等村委处理");
    throw e;
  }
}

// ---- the monthly confirmation ------------------------------------------------------------------------------

export interface Confirmer {
  userId: number;
  /** "committee" confirms any holder of the village; "inspector" only those of the grids they are the 网格员 of. */
  role: "committee" | "inspector";
}

const TWICE = (month: string) => `${formatMonth(month)}已经确认过了，不能重复确认`;

/** When a confirmed month's claim says it happened: now for this month, else the month's last minute. */
function occurredIn(month: string, at: number): number {
  const [y, m] = month.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return Math.min(at, chinaMonthStart(next) - 60_000);
}

/**
 * Confirms (done) or records not done for one holding and month. A confirmation files one claim for
 * the holder, in the same unit of work as the record; the unique (holding, month) key makes the
 * second of two confirmers fail whole, claim included.
 */
export async function confirmMonth(by: Confirmer, villageId: number, holdingId: number, month: string, done: boolean, reason = ""): Promise<Outcome<{ claimId: number | null }>> {
  try {
    return await refusalsAsOutcome(() =>
      unitOfWork(async (tx) => {
        const h = await holdingOf(villageId, holdingId);
        const at = now();
        const current = chinaMonth(at);
        if (!confirmableMonths(current).includes(month)) {
          throw new PostRefusal("month", month > current ? "不能确认还没到的月份" : "只能确认最近 12 个月的履职");
        }
        if (h.status !== "active" && h.status !== "ended") throw new PostRefusal("_form", "这位村民没有担任这个岗位");
        if (!h.postActive) throw new PostRefusal("_form", `岗位“${h.post}”已撤销，不能再确认`);
        if (h.start_month === null || month < h.start_month) throw new PostRefusal("month", `${h.member}从${formatMonth(h.start_month ?? current)}起担任这个岗位，不能确认之前的月份`);
        if (h.end_month !== null && month > h.end_month) throw new PostRefusal("month", `${h.member}在${formatMonth(h.end_month)}已卸任，不能确认之后的月份`);
        const mine = await ownMember(by.userId);
        if (mine?.id === h.member_id) throw new PostRefusal("_form", "不能确认自己的岗位，请由网格员或另一位村委委员确认", 403);
        if (mine?.household_id === h.household_id) throw new PostRefusal("_form", "不能确认本户成员的岗位，请由网格员或另一位村委委员确认", 403);
        if (by.role !== "committee" && (await gridWorkerOf(h.household_id)) !== by.userId) {
          throw new PostRefusal("_form", "只有这户所在网格的网格员或村委委员可以确认", 403);
        }
        const earlier = await tx.selectFrom("post_months").select("done").where("holding_id", "=", holdingId).where("month", "=", month).executeTakeFirst();
        if (earlier) throw new PostRefusal("_form", `${TWICE(month)}（${earlier.done ? "已履职" : "未履职"}）`);
        const { id } = await tx
          .insertInto("post_months")
          .values({ village_id: villageId, holding_id: holdingId, month, done: done ? 1 : 0, reason: done ? null : reason, claim_id: null, confirmed_by: by.userId, created_at: at })
          .returning("id")
          .executeTakeFirstOrThrow();
        let claimId: number | null = null;
        if (done) {
          [claimId] = await fileClaimBatch({
            villageId,
            filer: { userId: by.userId, role: by.role },
            source: { kind: "post", id },
            items: [{ memberId: h.member_id, ruleId: h.rule_id, occurredAt: occurredIn(month, at), quantity: 1, note: `定岗：${h.post}，${formatMonth(month)}履职` }],
          });
          await tx.updateTable("post_months").set({ claim_id: claimId }).where("id", "=", id).execute();
        }
        await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: done ? "post.confirm" : "post.not_done", targetType: "post_holding", targetId: holdingId, after: { month, claimId, reason: done ? null : reason } });
        return { ok: true as const, claimId };
      }),
    );
  } catch (e) {
    if (isUniqueViolation(e, "post_months.")) return fail("_form", TWICE(month));
    throw e;
  }
}
