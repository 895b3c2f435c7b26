// Nominations (提名): villagers and committee members nominate a household or a person with a
// reason while the nomination window is open; the committee accepts (a nomination stands only
// then), rejects with a note, or merges duplicates, until voting opens. Every write is audited.
import { z } from "zod";
import type { CampaignKind, NominationStatus } from "../../db/schema";
import { fail, formIdSchema, notFound, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { nomineeLabel, TEXT_LIMITS } from "./labels";
import { campaignIn, categoryOf, type CampaignRow } from "./campaigns.server";
import { householdOfUser } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt, transact, unitOfWork } from "~/platform/database.server";
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
export function findNominees(villageId: number, kind: CampaignKind, q: string): NomineeChoice[] {
  const term = q.trim().slice(0, TEXT_LIMITS.search);
  if (!term) return [];
  const like = `%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  if (kind === "household") {
    const rows = stmt(
      `select h.id, h.number, h.address, (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head
       from households h where h.village_id = ? and (h.number like ? escape '\\' or exists
         (select 1 from members m where m.household_id = h.id and m.active = 1 and m.name like ? escape '\\'))
       order by h.number limit 20`,
    ).all(villageId, like, like) as { id: number; number: string; address: string; head: string | null }[];
    return rows.map((r) => ({ id: r.id, label: nomineeLabel({ household_number: r.number, person: r.head, member_id: null }), sub: r.address }));
  }
  const rows = stmt(
    `select m.id, m.name, m.relation, h.number from members m join households h on h.id = m.household_id
     where m.village_id = ? and m.active = 1 and (m.name like ? escape '\\' or h.number like ? escape '\\') order by h.number, m.id limit 20`,
  ).all(villageId, like, like) as { id: number; name: string; relation: string; number: string }[];
  return rows.map((r) => ({ id: r.id, label: nomineeLabel({ household_number: r.number, person: r.name, member_id: r.id }), sub: r.relation }));
}

// ---- nominating -----------------------------------------------------------------------------

function nomineeOf(villageId: number, kind: CampaignKind, id: number): { householdId: number; memberId: number | null } | null {
  if (kind === "household") {
    const h = stmt("select id from households where id = ? and village_id = ?").get(id, villageId) as { id: number } | undefined;
    return h ? { householdId: h.id, memberId: null } : null;
  }
  const m = stmt("select id, household_id from members where id = ? and village_id = ? and active = 1").get(id, villageId) as { id: number; household_id: number } | undefined;
  return m ? { householdId: m.household_id, memberId: m.id } : null;
}

/** Files one nomination while the window is open. */
export function nominate(by: Nominator, villageId: number, campaignId: number, f: NominateFields): Outcome<{ nominationId: number; label: string }> {
  return transact((): Outcome<{ nominationId: number; label: string }> => {
    const c = campaignIn(villageId, campaignId);
    if (c.state !== "nominating") return fail("_form", c.state === "draft" ? "提名还没有开始" : "提名已经截止了");
    const cat = categoryOf(campaignId, f.categoryId);
    if (!cat) return fail("_form", "请从本次评选的类别中选择");
    const who = nomineeOf(villageId, cat.kind, f.nomineeId);
    if (!who) return fail("nomineeId", cat.kind === "household" ? "请从搜索结果中选择本村的一户" : "请从搜索结果中选择本村的一位村民");
    const dup = stmt(
      "select 1 from campaign_nominations where category_id = ? and household_id = ? and coalesce(member_id, 0) = ? and nominated_by = ?",
    ).get(cat.id, who.householdId, who.memberId ?? 0, by.userId);
    if (dup) return fail("nomineeId", `你已经在“${cat.name}”里提名过这${cat.kind === "household" ? "户" : "位"}了`);
    const at = now();
    const nominationId = Number(
      stmt(
        `insert into campaign_nominations (campaign_id, category_id, village_id, household_id, member_id, reason, nominated_by, nominator_role, status, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)`,
      ).run(campaignId, cat.id, villageId, who.householdId, who.memberId, f.reason, by.userId, by.role, at).lastInsertRowid,
    );
    audit({
      actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nominate", targetType: "campaign", targetId: campaignId,
      after: { nomination: nominationId, category: cat.name, household_id: who.householdId, member_id: who.memberId, reason: f.reason },
    });
    return { ok: true, nominationId, label: labelOf(nominationId) };
  });
}

// ---- reading ------------------------------------------------------------------------------------

export interface NominationRow {
  id: number;
  category_id: number;
  household_id: number;
  member_id: number | null;
  household_number: string;
  person: string | null;
  label: string;
  reason: string;
  status: NominationStatus;
  merged_into: number | null;
  nominated_by: number;
  nominator: string;
  decision_note: string | null;
  created_at: number;
}

const NOMINATION_SELECT = `select n.id, n.category_id, n.household_id, n.member_id, h.number as household_number,
    coalesce(m.name, (select name from members hm where hm.household_id = n.household_id and hm.is_head = 1 and hm.active = 1)) as person,
    n.reason, n.status, n.merged_into, n.nominated_by, u.display_name as nominator, n.decision_note, n.created_at
  from campaign_nominations n join households h on h.id = n.household_id left join members m on m.id = n.member_id
  join users u on u.id = n.nominated_by`;

function labelled(rows: Omit<NominationRow, "label">[]): NominationRow[] {
  return rows.map((r) => ({ ...r, label: nomineeLabel(r) }));
}

function labelOf(nominationId: number): string {
  return labelled([stmt(`${NOMINATION_SELECT} where n.id = ?`).get(nominationId) as Omit<NominationRow, "label">])[0].label;
}

/** Every nomination of the campaign, for the committee (with who nominated). */
export function nominationsOf(campaignId: number): NominationRow[] {
  return labelled(stmt(`${NOMINATION_SELECT} where n.campaign_id = ? order by n.category_id, n.household_id, coalesce(n.member_id, 0), n.id`).all(campaignId) as Omit<NominationRow, "label">[]);
}

/** What a villager may see of nominations: their own. */
export function myNominations(campaignId: number, userId: number): NominationRow[] {
  return labelled(stmt(`${NOMINATION_SELECT} where n.campaign_id = ? and n.nominated_by = ? order by n.id`).all(campaignId, userId) as Omit<NominationRow, "label">[]);
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
export function candidatesOf(campaignId: number): Candidate[] {
  const rows = nominationsOf(campaignId);
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

function nominationIn(campaignId: number, id: number): NominationRow {
  const row = stmt(`${NOMINATION_SELECT} where n.id = ? and n.campaign_id = ?`).get(id, campaignId) as Omit<NominationRow, "label"> | undefined;
  return row ? labelled([row])[0] : notFound();
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

function setNomination(id: number, status: NominationStatus, by: Decider, extra: { note?: string; into?: number } = {}): void {
  stmt("update campaign_nominations set status = ?, decided_by = ?, decided_at = ?, decision_note = ?, merged_into = ? where id = ?").run(
    status, by.userId, now(), extra.note ?? null, extra.into ?? null, id,
  );
}

/**
 * The accepted nomination the same nominee already stands on in this category (the same household in a
 * household category, the same person in a member category), if any: a second one would be a second
 * candidate for one nominee, who could then take two places and be paid twice.
 */
function standingTwin(n: NominationRow): NominationRow | null {
  const row = stmt(
    `${NOMINATION_SELECT} where n.category_id = ? and n.id <> ? and n.status = 'accepted' and n.household_id = ? and coalesce(n.member_id, 0) = ? order by n.id limit 1`,
  ).get(n.category_id, n.id, n.household_id, n.member_id ?? 0) as Omit<NominationRow, "label"> | undefined;
  return row ? labelled([row])[0] : null;
}

/** Accepts a nomination; one whose nominee already stands is merged into that candidate instead (its reason kept). */
export async function acceptNomination(by: Decider, villageId: number, campaignId: number, nominationId: number): Promise<Outcome<{ label: string; mergedInto?: number }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string; mergedInto?: number }>> => {
    const c = campaignIn(villageId, campaignId);
    const n = nominationIn(campaignId, nominationId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.status === "accepted") return { ok: true, label: n.label };
    if (n.status === "merged") return fail("_form", "这条提名已合并到另一条，请处理合并后的那条");
    const twin = standingTwin(n);
    if (twin) {
      mergeInto(n, twin, by, villageId, campaignId);
      return { ok: true, label: n.label, mergedInto: twin.id };
    }
    setNomination(n.id, "accepted", by);
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_accept", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "accepted" } });
    return { ok: true, label: n.label };
  });
}

export async function rejectNomination(by: Decider, villageId: number, campaignId: number, nominationId: number, note: string): Promise<Outcome<{ label: string }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string }>> => {
    const c = campaignIn(villageId, campaignId);
    const n = nominationIn(campaignId, nominationId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.status === "merged") return fail("_form", "这条提名已合并到另一条，请处理合并后的那条");
    setNomination(n.id, "rejected", by, { note });
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_reject", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "rejected", note } });
    return { ok: true, label: n.label };
  });
}

/** Merges a duplicate (same category, same nominee) into another nomination; the kept one stands if either did. */
export async function mergeNomination(by: Decider, villageId: number, campaignId: number, nominationId: number, intoId: number): Promise<Outcome<{ label: string }>> {
  return unitOfWork(async (): Promise<Outcome<{ label: string }>> => {
    const c = campaignIn(villageId, campaignId);
    const n = nominationIn(campaignId, nominationId);
    const into = nominationIn(campaignId, intoId);
    const refused = stillOpen(c) ?? (await ownHousehold(by, n, into));
    if (refused) return refused as Outcome<{ label: string }>;
    if (n.id === into.id) return fail("_form", "不能合并到自己");
    if (n.category_id !== into.category_id || n.household_id !== into.household_id || n.member_id !== into.member_id) {
      return fail("_form", "只能合并同一类别里提名同一人（户）的重复提名");
    }
    const live = (s: NominationStatus) => s === "proposed" || s === "accepted";
    if (!live(n.status) || !live(into.status)) return fail("_form", "只能合并待审核或已确定的提名");
    mergeInto(n, into, by, villageId, campaignId);
    return { ok: true, label: into.label };
  });
}

/** Inside the caller's transaction: `n` becomes part of `into`, which stands if either did. */
function mergeInto(n: NominationRow, into: NominationRow, by: Decider, villageId: number, campaignId: number): void {
  setNomination(n.id, "merged", by, { into: into.id });
  // Nominations merged into the one merged away follow it, so none points at a merged row.
  stmt("update campaign_nominations set merged_into = ? where merged_into = ?").run(into.id, n.id);
  if (n.status === "accepted" && into.status !== "accepted") setNomination(into.id, "accepted", by);
  audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.nomination_merge", targetType: "campaign", targetId: campaignId, before: { nomination: n.id, nomination_status: n.status }, after: { nomination_status: "merged", into: into.id } });
}
