// Read-only views of claims: a household's claims, the review queue, one claim in detail, the 公示栏.
import type { ExpressionBuilder } from "kysely";
import { z } from "zod";
import type { ClaimTable, HouseholdTable } from "../../db/schema";
import { CLAIM_STATUS_LABELS } from "./labels";
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { latestEntries } from "~/ledger/statement.server";
import { householdOfUser } from "./claims.server";

const DAY_MS = 86_400_000;

/** A claim as every list shows it: one statement with its rule, member, household, filer and photo count. */
function claimList() {
  return db()
    .selectFrom("claims as c")
    .innerJoin("rules as r", "r.id", "c.rule_id")
    .innerJoin("members as m", "m.id", "c.member_id")
    .innerJoin("households as h", "h.id", "c.household_id")
    .innerJoin("users as u", "u.id", "c.filer_user_id")
    .select((eb) => [
      "c.id", "c.status", "r.name as rule", "r.unit", "m.name as member", "h.number as household", "c.points", "c.quantity",
      "c.occurred_at", "c.note", "c.reason", "c.notice_until", "c.credited_at", "c.created_at", "c.household_id", "c.filer_user_id",
      "u.display_name as filer", "c.source_kind", "c.source_id",
      eb.selectFrom("claim_photos as p").select(eb.fn.countAll<number>().as("n")).whereRef("p.claim_id", "=", "c.id").as("photos"),
    ]);
}

type ListedRow = Awaited<ReturnType<ReturnType<typeof claimList>["execute"]>>[number];

function labelled<T extends ListedRow>(rows: T[]) {
  return rows.map((r) => ({ ...r, photos: r.photos ?? 0, status_label: CLAIM_STATUS_LABELS[r.status] }));
}

/** One claim as the lists show it (the pages' components take their props from this type). */
export type ClaimListRow = ReturnType<typeof labelled<ListedRow>>[number];

/** A household's claims, newest first by the day the thing was done (the date each row shows). */
export async function householdClaims(householdId: number, limit = 100): Promise<ClaimListRow[]> {
  return labelled(
    await claimList().where("c.household_id", "=", householdId).orderBy("c.occurred_at", "desc").orderBy("c.id", "desc").limit(limit).execute(),
  );
}

// ---- who may decide ----------------------------------------------------------

export interface Reviewer {
  userId: number;
  /** The household the reviewer lives in (null for staff who do not live in the village). */
  householdId: number | null;
}

export async function reviewerOf(userId: number): Promise<Reviewer> {
  return { userId, householdId: await householdOfUser(userId) };
}

/**
 * Why this reviewer cannot approve or reject a pending claim, or null when they can. The same
 * maker-checker rules claims.server.ts enforces on every decision; here they only shape the page.
 */
export function reviewBlock(c: { filer_user_id: number; household_id: number }, approvedBy: number[], me: Reviewer): string | null {
  if (c.household_id === me.householdId) return "本户申报，需其他委员审核";
  if (c.filer_user_id === me.userId) return "本人提交，需其他委员审核";
  if (approvedBy.includes(me.userId)) return "你已通过，还需其他委员审核";
  return null;
}

// ---- review queue -----------------------------------------------------------

const optionalId = z
  .string()
  .nullish()
  .transform((s) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null));

export const queueFilterSchema = z.object({ rule: optionalId, grid: optionalId, filer: optionalId });
export type QueueFilter = z.infer<typeof queueFilterSchema>;

export const REVIEW_PAGE_SIZE = 50;

type QueueTables = { c: ClaimTable; h: HouseholdTable };

/** The queue's filter, for the count and the page alike (both join the claim's household as h). */
function queueWhere(villageId: number, f: QueueFilter) {
  return (eb: ExpressionBuilder<QueueTables, keyof QueueTables>) => {
    const parts = [eb("c.village_id", "=", villageId), eb("c.status", "=", constant("pending"))];
    if (f.rule !== null) parts.push(eb("c.rule_id", "=", f.rule));
    if (f.grid !== null) parts.push(eb("h.grid_id", "=", f.grid));
    if (f.filer !== null) parts.push(eb("c.filer_user_id", "=", f.filer));
    return eb.and(parts);
  };
}

/**
 * The pending claims matching the filter, the longest waiting first (by when they were filed), a
 * page at a time (50 fit one approve-many form). Each row says whether this reviewer may decide it.
 */
export async function reviewQueue(villageId: number, f: QueueFilter, page: number, me: Reviewer) {
  const { n: total } = await db()
    .selectFrom("claims as c")
    .innerJoin("households as h", "h.id", "c.household_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(queueWhere(villageId, f))
    .executeTakeFirstOrThrow();
  const pages = Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = await claimList()
    .where(queueWhere(villageId, f))
    .orderBy("c.created_at")
    .orderBy("c.id")
    .limit(REVIEW_PAGE_SIZE)
    .offset((current - 1) * REVIEW_PAGE_SIZE)
    .execute();
  const approvals = rows.length
    ? await db()
        .selectFrom("claim_approvals as a")
        .innerJoin("users as u", "u.id", "a.user_id")
        .select(["a.claim_id", "a.user_id", "u.display_name as name"])
        .where("a.claim_id", "in", rows.map((r) => r.id))
        .execute()
    : [];
  const rules = await db()
    .selectFrom("claims as c")
    .innerJoin("rules as r", "r.id", "c.rule_id")
    .select(["r.id", "r.name"])
    .distinct()
    .where("c.village_id", "=", villageId)
    .where("c.status", "=", constant("pending"))
    .orderBy("r.name")
    .execute();
  const grids = await db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("name").execute();
  const filers = await db()
    .selectFrom("claims as c")
    .innerJoin("users as u", "u.id", "c.filer_user_id")
    .select(["u.id", "u.display_name as name"])
    .distinct()
    .where("c.village_id", "=", villageId)
    .where("c.status", "=", constant("pending"))
    .orderBy("u.display_name")
    .execute();
  const village = await db().selectFrom("villages").select("approvals_needed").where("id", "=", villageId).executeTakeFirstOrThrow();
  const at = now();
  return {
    rows: labelled(rows).map((r) => {
      const given = approvals.filter((a) => a.claim_id === r.id);
      return {
        ...r, approvedBy: given.map((a) => a.name), waitingDays: Math.max(0, Math.floor((at - r.created_at) / DAY_MS)),
        blocked: reviewBlock(r, given.map((a) => a.user_id), me),
      };
    }),
    options: { rules, grids, filers }, approvalsNeeded: village.approvals_needed, total, page: current, pages,
  };
}

/**
 * The claim this reviewer should open next: the longest waiting pending claim they may decide (not
 * their household's, not filed by them, not approved by them already), or null when none is left.
 */
export async function nextToReview(villageId: number, me: Reviewer): Promise<number | null> {
  let q = db()
    .selectFrom("claims as c")
    .select("c.id")
    .where("c.village_id", "=", villageId)
    .where("c.status", "=", constant("pending"))
    .where("c.filer_user_id", "<>", me.userId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("claim_approvals as a").select("a.id").whereRef("a.claim_id", "=", "c.id").where("a.user_id", "=", me.userId))));
  if (me.householdId !== null) q = q.where("c.household_id", "<>", me.householdId);
  const row = await q.orderBy("c.created_at").orderBy("c.id").limit(1).executeTakeFirst();
  return row?.id ?? null;
}

// ---- one claim ----------------------------------------------------------------

export async function claimDetail(villageId: number, claimId: number, me: Reviewer) {
  const row = await claimList()
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .select("g.name as grid")
    .where("c.id", "=", claimId)
    .where("c.village_id", "=", villageId)
    .executeTakeFirst();
  if (!row) return null;
  const [claim] = labelled([row]);
  const photos = await db().selectFrom("claim_photos").select("key").where("claim_id", "=", claimId).orderBy("id").execute();
  const approvals = await db()
    .selectFrom("claim_approvals as a")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["a.user_id", "u.display_name as name", "a.created_at as at"])
    .where("a.claim_id", "=", claimId)
    .orderBy("a.id")
    .execute();
  const objections = await db()
    .selectFrom("objections as o")
    .innerJoin("users as u", "u.id", "o.objector_user_id")
    .select(["o.id", "o.reason", "o.status", "o.resolution", "o.created_at as at", "o.objector_user_id", "u.display_name as objector"])
    .where("o.claim_id", "=", claimId)
    .orderBy("o.id")
    .execute();
  const recentClaims = (await householdClaims(row.household_id, 8)).filter((c) => c.id !== claimId);
  const blocked = claim.status === "pending" ? reviewBlock(row, approvals.map((a) => a.user_id), me) : null;
  return {
    claim, grid: row.grid, filerUserId: row.filer_user_id, photos, approvals: approvals.map(({ name, at }) => ({ name, at })), objections, recentClaims,
    recentEntries: await latestEntries(row.household_id, 8), blocked,
  };
}

// ---- the 公示栏 -----------------------------------------------------------------

/** "round:3" → "2026年11月卫生评比": what the 公示栏 calls a batch of claims filed together; one statement per kind present. */
async function sourceTitles(villageId: number, rows: { source_kind: string | null; source_id: number | null }[]): Promise<Record<string, string>> {
  const idsOf = (kind: string) => [...new Set(rows.filter((r) => r.source_kind === kind && r.source_id !== null).map((r) => r.source_id!))];
  const out: Record<string, string> = {};
  const put = (kind: string, found: { id: number; title: string }[], label: (t: string) => string) => {
    for (const f of found) out[`${kind}:${f.id}`] = label(f.title);
  };
  const rounds = idsOf("round");
  if (rounds.length) {
    const found = await db().selectFrom("sanitation_rounds").select(["id", "title"]).where("id", "in", rounds).where("village_id", "=", villageId).execute();
    put("round", found, (t) => (t.includes("评比") ? t : `${t}卫生评比`));
  }
  const activities = idsOf("activity");
  if (activities.length) {
    const found = await db().selectFrom("activities").select(["id", "title"]).where("id", "in", activities).where("village_id", "=", villageId).execute();
    put("activity", found, (t) => `志愿活动：${t}`);
  }
  const campaigns = idsOf("campaign");
  if (campaigns.length) {
    const found = await db().selectFrom("campaigns").select(["id", "title"]).where("id", "in", campaigns).where("village_id", "=", villageId).execute();
    put("campaign", found, (t) => `评选：${t}`);
  }
  return out;
}

export async function noticeBoard(villageId: number, viewerUserId: number) {
  const at = now();
  const since = at - 30 * DAY_MS;
  const inNotice = labelled(
    await claimList().where("c.village_id", "=", villageId).where("c.status", "in", ["notice", "objected"]).orderBy("c.notice_until").orderBy("c.id").execute(),
  ).map((c) => ({ ...c, daysLeft: Math.max(0, Math.ceil(((c.notice_until ?? at) - at) / DAY_MS)) }));
  const mine = new Set(
    (await db().selectFrom("objections").select("claim_id").where("village_id", "=", villageId).where("objector_user_id", "=", viewerUserId).execute()).map((r) => r.claim_id),
  );
  const credited = labelled(
    await claimList()
      .where("c.village_id", "=", villageId)
      .where("c.status", "=", "credited")
      .where("c.credited_at", ">=", since)
      .orderBy("c.credited_at", "desc")
      .limit(200)
      .execute(),
  );
  const resolved = await db()
    .selectFrom("objections as o")
    .innerJoin("claims as c", "c.id", "o.claim_id")
    .innerJoin("rules as r", "r.id", "c.rule_id")
    .innerJoin("members as m", "m.id", "c.member_id")
    .innerJoin("households as h", "h.id", "c.household_id")
    .select(["o.id", "o.status", "o.reason", "o.resolution", "o.resolved_at", "r.name as rule", "m.name as member", "h.number as household"])
    .where("o.village_id", "=", villageId)
    .where("o.status", "<>", "open")
    .where("o.resolved_at", ">=", since)
    .orderBy("o.resolved_at", "desc")
    .limit(100)
    .execute();
  const village = await db().selectFrom("villages").select(["name", "notice_days"]).where("id", "=", villageId).executeTakeFirstOrThrow();
  return {
    village, now: at, sources: await sourceTitles(villageId, [...inNotice, ...credited]),
    inNotice: inNotice.map((c) => ({ ...c, objectedByMe: mine.has(c.id) })),
    awards: credited.filter((c) => c.points > 0),
    deductions: credited.filter((c) => c.points < 0),
    resolved,
  };
}
