// Nominations (提名): villagers and committee members nominate a household or a person with a
// reason while the nomination window is open; the committee accepts (a nomination stands only
// then), rejects with a note, or merges duplicates, until voting opens. Every write is audited.
import { z } from "zod";
import type { CampaignKind, Database, NominationStatus } from "../../db/schema";
import { fail, formIdSchema, notFound, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { nomineeLabel, TEXT_LIMITS } from "./labels";
import { campaignIn, categoryOf, type CampaignRow } from "./campaigns.server";
import { householdOfUser } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { containsText } from "~/platform/search.server";
import { headNameOf } from "~/people/households.server";
import type { Role } from "~/platform/roles";
import { textSchema } from "~/platform/validation.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export const nominateSchema = z.object({
  categoryId: formIdSchema,
  nomineeId: z.string({ error: "请先搜索，再选择要提名的人或户" }).regex(/^\d{1,12}$/, "请先搜索，再选择要提名的人或户").transform(Number),
  reason: textSchema("提名理由", TEXT_LIMITS.nominationReason, true, true),
});
export type NominateFields = z.infer<typeof nominateSchema>;

export interface Nominator {
  userId: number;
  role: Role; // 'committee' from the committee's page, the villager's own role otherwise
}

// ---- searching for a nominee ------------------------------------------------------------

export interface NomineeChoice {
  id: number; // a household id (household category) or a member id (member category)
  label: string;
  sub: string;
}

/** Households (by 户号 or any member's name) or members (by name or 户号) of the village, at most 20. */
export async function findNominees(villageId: number, kind: CampaignKind, q: string): Promise<NomineeChoice[]> {
  const term = q.trim().slice(0, TEXT_LIMITS.search);
  if (!term) return [];
  if (kind === "household") {
    const rows = await db()
      .selectFrom("households as h")
      .select((eb) => ["h.id", "h.number", "h.address", headNameOf(eb.ref("h.id")).as("head")])
      .where("h.village_id", "=", villageId)
      .where((eb) =>
        eb.or([
          containsText(eb.ref("h.number"), term),
          eb.exists(eb.selectFrom("members as m").select("m.id").whereRef("m.household_id", "=", "h.id").where("m.active", "=", constant(1)).where((s) => containsText(s.ref("m.name"), term))),
        ]),
      )
      .orderBy("h.number")
      .limit(20)
      .execute();
    return rows.map((r) => ({ id: r.id, label: nomineeLabel({ household_number: r.number, person: r.head, member_id: null }), sub: r.address }));
  }
  const rows = await db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .select(["m.id", "m.name", "m.relation", "h.number"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", constant(1))
    .where((eb) => eb.or([containsText(eb.ref("m.name"), term), containsText(eb.ref("h.number"), term)]))
    .orderBy("h.number")
    .orderBy("m.id")
    .limit(20)
    .execute();
  return rows.map((r) => ({ id: r.id, label: nomineeLabel({ household_number: r.number, person: r.name, member_id: r.id }), sub: r.relation }));
}

// ---- nominating -----------------------------------------------------------------------------

async function nomineeOf(villageId: number, kind: CampaignKind, id: number): Promise<{ householdId: number; memberId: number | null } | null> {
  if (kind === "household") {
    const h = await db().selectFrom("households").select("id").where("id", "=", id).where("village_id", "=", villageId).executeTakeFirst();
    return h ? { householdId: h.id, memberId: null } : null;
  }
  const m = await db().selectFrom("members").select(["id", "household_id"]).where("id", "=", id).where("village_id", "=", villageId).where("active", "=", constant(1)).executeTakeFirst();
  return m ? { householdId: m.household_id, memberId: m.id } : null;
}

/** Files one nomination while the window is open. */
export function nominate(by: Nominator, villageId: number, campaignId: number, f: NominateFields): Promise<Outcome<{ nominationId: number; label: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ nominationId: number; label: string }>> => {
    const c = await campaignIn(villageId, campaignId);
    if (c.state !== "nominating") return fail("_form", c.state === "draft" ? "提名还没有开始" : "提名已经截止了");
    const cat = await categoryOf(campaignId, f.categoryId);
    if (!cat) return fail("_form", "请从本次评选的类别中选择");
    const who = await nomineeOf(villageId, cat.kind, f.nomineeId);
    if (!who) return fail("nomineeId", cat.kind === "household" ? "请从搜索结果中选择本村的一户" : "请从搜索结果中选择本村的一位村民");
    // The same expression as the unique index campaign_nominations_once, which it can use.
    const dup = await tx
      .selectFrom("campaign_nominations")
      .select("id")
      .where("category_id", "=", cat.id)
      .where("household_id", "=", who.householdId)
      .where((eb) => eb(eb.fn.coalesce("member_id", eb.lit(0)), "=", who.memberId ?? 0))
      .where("nominated_by", "=", by.userId)
      .executeTakeFirst();
    if (dup) return fail("nomineeId", `你已经在“${cat.name}”里提名过这${cat.kind === "household" ? "户" : "位"}了`);
    const at = now();
    const { id: nominationId } = await tx
      .insertInto("campaign_nominations")
      .values({
        campaign_id: campaignId, category_id: cat.id, village_id: villageId, household_id: who.householdId, member_id: who.memberId, reason: f.reason,
        nominated_by: by.userId, nominator_role: by.role, status: "proposed", created_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({
      actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nominate", targetType: "campaign", targetId: campaignId,
      after: { nomination: nominationId, category: cat.name, household_id: who.householdId, member_id: who.memberId, reason: f.reason },
    });
    return { ok: true, nominationId, label: await labelOf(nominationId) };
  });
}

// ---- reading ------------------------------------------------------------------------------------

/** Nominations with the nominee's 户号 and name (the person, or the household's head) and who nominated. */
function nominations() {
  return db()
    .selectFrom("campaign_nominations as n")
    .innerJoin("households as h", "h.id", "n.household_id")
    .leftJoin("members as m", "m.id", "n.member_id")
    .innerJoin("users as u", "u.id", "n.nominated_by")
    .select((eb) => [
      "n.id", "n.category_id", "n.household_id", "n.member_id", "h.number as household_number",
      eb.fn.coalesce("m.name", headNameOf(eb.ref("n.household_id"))).as("person"),
      "n.reason", "n.status", "n.merged_into", "n.nominated_by", "u.display_name as nominator", "n.decision_note", "n.created_at",
    ]);
}

type NominationRaw = Awaited<ReturnType<ReturnType<typeof nominations>["executeTakeFirstOrThrow"]>>;
export type NominationRow = NominationRaw & { label: string };

function labelled(row: NominationRaw): NominationRow {
  return { ...row, label: nomineeLabel(row) };
}

async function labelOf(nominationId: number): Promise<string> {
  return labelled(await nominations().where("n.id", "=", nominationId).executeTakeFirstOrThrow()).label;
}

/** Every nomination of the campaign, for the committee (with who nominated). */
export async function nominationsOf(campaignId: number): Promise<NominationRow[]> {
  const rows = await nominations()
    .where("n.campaign_id", "=", campaignId)
    .orderBy("n.category_id")
    .orderBy("n.household_id")
    .orderBy((eb) => eb.fn.coalesce("n.member_id", eb.lit(0)))
    .orderBy("n.id")
    .execute();
  return rows.map(labelled);
}

/** What a villager may see of nominations: their own. */
export async function myNominations(campaignId: number, userId: number): Promise<NominationRow[]> {
  return (await nominations().where("n.campaign_id", "=", campaignId).where("n.nominated_by", "=", userId).orderBy("n.id").execute()).map(labelled);
}

export interface Candidate {
  id: number;
  category_id: number;
  household_id: number;
  member_id: number | null;
  label: string;
  reasons: string[];
  /** Every accepted nomination of this nominee: one, unless two were accepted before duplicates were merged on accept. */
  ids: number[];
}

/** Who a nomination is for: the person in a member category, the household in a household category. */
export function nomineeKey(n: { category_id: number; household_id: number; member_id: number | null }): string {
  return n.member_id === null ? `${n.category_id}:h${n.household_id}` : `${n.category_id}:m${n.member_id}`;
}

/**
 * The standing candidates: accepted nominations, one per nominee, with the reasons of the duplicates
 * merged into them. Never a vote count.
 */
export async function candidatesOf(campaignId: number): Promise<Candidate[]> {
  const rows = await nominationsOf(campaignId);
  const byNominee = new Map<string, Candidate>();
  for (const r of rows.filter((x) => x.status === "accepted")) {
    const reasons = [r, ...rows.filter((x) => x.merged_into === r.id)].map((x) => x.reason);
    const same = byNominee.get(nomineeKey(r));
    if (same) {
      same.ids.push(r.id);
      same.reasons.push(...reasons);
    } else {
      byNominee.set(nomineeKey(r), { id: r.id, category_id: r.category_id, household_id: r.household_id, member_id: r.member_id, label: r.label, reasons, ids: [r.id] });
    }
  }
  return [...byNominee.values()];
}

// ---- the committee's decisions -----------------------------------------------------------------

export interface Decider {
  userId: number;
  role: Role;
}

export const decideSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("nomination.accept"), nominationId: formIdSchema }),
    z.object({ intent: z.literal("nomination.reject"), nominationId: formIdSchema, note: textSchema("不采纳的理由", TEXT_LIMITS.rejectNote) }),
    z.object({ intent: z.literal("nomination.merge"), nominationId: formIdSchema, intoId: formIdSchema }),
  ],
  { error: BAD_REQUEST },
);

async function nominationIn(campaignId: number, id: number): Promise<NominationRow> {
  const row = await nominations().where("n.id", "=", id).where("n.campaign_id", "=", campaignId).executeTakeFirst();
  return row ? labelled(row) : notFound();
}

/** Decisions on nominations are open until voting starts: after that the ballot's candidates are fixed. */
function stillOpen(c: CampaignRow): Outcome | null {
  if (c.state === "voting" || c.state === "closed" || c.state === "confirmed") return fail("_form", "投票已经开始，候选名单不能再改");
  return null;
}

/** As for claims: a committee member does not decide on a nomination of their own household (or of one of its members). */
async function ownHousehold(by: Decider, ...rows: NominationRow[]): Promise<Outcome | null> {
  const home = await householdOfUser(by.userId);
  return home !== null && rows.some((n) => n.household_id === home) ? fail("_form", "不能处理本户的提名，请由另一位村委委员处理") : null;
}

async function setNomination(id: number, status: NominationStatus, by: Decider, extra: { note?: string; into?: number } = {}): Promise<void> {
  await db()
    .updateTable("campaign_nominations")
    .set({ status, decided_by: by.userId, decided_at: now(), decision_note: extra.note ?? null, merged_into: extra.into ?? null })
    .where("id", "=", id)
    .execute();
}

/**
 * The accepted nomination the same nominee already stands on in this category (the same household in a
 * household category, the same person in a member category), if any: a second one would be a second
 * candidate for one nominee, who could then take two places and be paid twice.
 */
async function standingTwin(n: NominationRow): Promise<NominationRow | null> {
  const row = await nominations()
    .where("n.category_id", "=", n.category_id)
    .where("n.id", "<>", n.id)
    .where("n.status", "=", "accepted")
    .where("n.household_id", "=", n.household_id)
    .where((eb) => eb(eb.fn.coalesce("n.member_id", eb.lit(0)), "=", n.member_id ?? 0))
    .orderBy("n.id")
    .limit(1)
    .executeTakeFirst();
  return row ? labelled(row) : null;
}

/** Accepts a nomination; one whose nominee already stands is merged into that candidate instead (its reason kept). */
export function acceptNomination(by: Decider, villageId: number, campaignId: number, nominationId: number): Promise<Outcome<{ label: string; mergedInto?: number }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string; mergedInto?: number }>> => {
    const c = await campaignIn(villageId, campaignId);
    const n = await nominationIn(campaignId, nominationId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.status === "accepted") return { ok: true, label: n.label };
    if (n.status === "merged") return fail("_form", "这条提名已合并到另一条，请处理合并后的那条");
    const twin = await standingTwin(n);
    if (twin) {
      await mergeInto(n, twin, by, villageId, campaignId);
      return { ok: true, label: n.label, mergedInto: twin.id };
    }
    await setNomination(n.id, "accepted", by);
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_accept", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "accepted" } });
    return { ok: true, label: n.label };
  });
}

export function rejectNomination(by: Decider, villageId: number, campaignId: number, nominationId: number, note: string): Promise<Outcome<{ label: string }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string }>> => {
    const c = await campaignIn(villageId, campaignId);
    const n = await nominationIn(campaignId, nominationId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.status === "merged") return fail("_form", "这条提名已合并到另一条，请处理合并后的那条");
    await setNomination(n.id, "rejected", by, { note });
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_reject", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "rejected", note } });
    return { ok: true, label: n.label };
  });
}

/** Merges a duplicate (same category, same nominee) into another nomination; the kept one stands if either did. */
export function mergeNomination(by: Decider, villageId: number, campaignId: number, nominationId: number, intoId: number): Promise<Outcome<{ label: string }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string }>> => {
    const c = await campaignIn(villageId, campaignId);
    const n = await nominationIn(campaignId, nominationId);
    const into = await nominationIn(campaignId, intoId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n, into));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.id === into.id) return fail("_form", "不能合并到自己");
    if (n.category_id !== into.category_id || n.household_id !== into.household_id || n.member_id !== into.member_id) {
      return fail("_form", "只能合并同一类别里提名同一人（户）的重复提名");
    }
    const live = (s: NominationStatus) => s === "proposed" || s === "accepted";
    if (!live(n.status) || !live(into.status)) return fail("_form", "只能合并待审核或已确定的提名");
    await mergeInto(n, into, by, villageId, campaignId);
    return { ok: true, label: into.label };
  });
}

/** Inside the caller's unit of work: `n` becomes part of `into`, which stands if either did. */
async function mergeInto(n: NominationRow, into: NominationRow, by: Decider, villageId: number, campaignId: number): Promise<void> {
  await setNomination(n.id, "merged", by, { into: into.id });
  // Nominations merged into the one merged away follow it, so none points at a merged row.
  await db().updateTable("campaign_nominations").set({ merged_into: into.id }).where("merged_into", "=", n.id).execute();
  if (n.status === "accepted" && into.status !== "accepted") await setNomination(into.id, "accepted", by);
  await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_merge", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "merged", into: into.id } });
}
