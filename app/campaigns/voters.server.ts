// Who votes in a campaign. Village representatives (村民代表) are marked on the roster by the village
// admin; a campaign's voters are either those representatives (one vote each) or the households
// (one ballot per household). Either way a voter must be able to sign in: a representative's member
// has an enabled login, a household has at least one member with one. The list is frozen the first
// time a ballot is cast (or at confirm), so turnout is measured against who could vote when voting
// ran, not against a roster edited afterwards. See docs/decisions/0020-campaign-states-and-voters.md.
import { z } from "zod";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import type { CampaignRow } from "./campaigns.server";
import { REPRESENTATIVE_INTENT } from "./labels";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";

// ---- representatives on the roster ----------------------------------------------------------


export const representativeSchema = z.object(
  {
    intent: z.literal(REPRESENTATIVE_INTENT),
    memberId: formIdSchema,
    on: z.enum(["0", "1"], { error: "请求有误，请刷新页面后再试" }),
  },
  { error: "请求有误，请刷新页面后再试" },
);

export interface RepresentativeRow {
  id: number;
  name: string;
  relation: string;
  active: number;
  is_representative: number;
  has_login: number;
}

export function householdRepresentatives(householdId: number): RepresentativeRow[] {
  return stmt(
    `select m.id, m.name, m.relation, m.active, m.is_representative,
            exists (select 1 from users u where u.member_id = m.id and u.disabled = 0) as has_login
     from members m where m.household_id = ? order by m.active desc, m.is_head desc, m.id`,
  ).all(householdId) as RepresentativeRow[];
}

/** The village admin marks or unmarks a member of this household as a representative; audited. */
export function setRepresentative(actor: StaffActor, villageId: number, householdId: number, memberId: number, on: boolean): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const m = stmt("select id, name, active, is_representative from members where id = ? and household_id = ? and village_id = ?").get(memberId, householdId, villageId) as
      | { id: number; name: string; active: number; is_representative: number }
      | undefined;
    if (!m) notFound();
    if (on && !m.active) return fail("_form", `${m.name}已停用，不能设为村民代表`);
    if ((m.is_representative === 1) === on) return { ok: true, name: m.name };
    stmt("update members set is_representative = ? where id = ?").run(on ? 1 : 0, memberId);
    audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "member.representative", targetType: "member", targetId: memberId,
      before: { is_representative: !on }, after: { is_representative: on },
    });
    return { ok: true, name: m.name };
  });
}

/**
 * The admin household page's post: the reply has that page's shape (intent, memberId, errors, ok).
 * memberId stays null so the member cards do not repeat the message the representatives section shows.
 */
export function representativeFromForm(actor: StaffActor, villageId: number, householdId: number, form: Record<string, string>) {
  const memberId = null;
  const parsed = representativeSchema.safeParse(form);
  if (!parsed.success) return { intent: REPRESENTATIVE_INTENT, memberId, errors: { _form: "请求有误，请刷新页面后再试" }, status: 400 };
  const on = parsed.data.on === "1";
  const out = setRepresentative(actor, villageId, householdId, parsed.data.memberId, on);
  if (!out.ok) return { intent: REPRESENTATIVE_INTENT, memberId, errors: out.errors, status: out.status ?? 400 };
  return { intent: REPRESENTATIVE_INTENT, memberId, errors: {}, ok: on ? `已把${out.name}设为村民代表` : `已取消${out.name}的村民代表`, status: 200 };
}

/** The roster import marks representatives of the members it has just inserted (inside its transaction). */
export function markRepresentativesInTxn(memberIds: number[]): void {
  for (const id of memberIds) stmt("update members set is_representative = 1 where id = ?").run(id);
}

// ---- the electorate ---------------------------------------------------------------------------

type Electorate = Pick<CampaignRow, "id" | "village_id" | "voters" | "vote_from" | "electorate_at">;

/** Who could vote right now, by the roster and the logins. */
export function liveElectorate(c: Pick<CampaignRow, "village_id" | "voters">): string[] {
  const rows =
    c.voters === "representatives"
      ? stmt(
          `select 'member:' || m.id as k from members m where m.village_id = ? and m.active = 1 and m.is_representative = 1
           and exists (select 1 from users u where u.member_id = m.id and u.disabled = 0) order by m.id`,
        ).all(c.village_id)
      : stmt(
          `select distinct 'household:' || m.household_id as k from members m where m.village_id = ? and m.active = 1
           and exists (select 1 from users u where u.member_id = m.id and u.disabled = 0) order by m.household_id`,
        ).all(c.village_id);
  return (rows as { k: string }[]).map((r) => r.k);
}

/** Freezes the list once (inside the caller's transaction); a second call, or one before voting opens, does nothing. */
export function freezeElectorateInTxn(c: Electorate): void {
  const row = stmt("select electorate_at from campaigns where id = ?").get(c.id) as { electorate_at: number | null };
  if (row.electorate_at !== null || now() < c.vote_from) return;
  const keys = liveElectorate(c);
  const insert = stmt("insert into campaign_electors (campaign_id, voter_key) values (?, ?)");
  for (const k of keys) insert.run(c.id, k);
  stmt("update campaigns set electorate_at = ?, electorate = ? where id = ?").run(now(), keys.length, c.id);
}

/** How many may vote: the frozen number once frozen, the live count before. */
export function electorateSize(c: Pick<CampaignRow, "village_id" | "voters" | "electorate">): number {
  return c.electorate ?? liveElectorate(c).length;
}

function isElector(c: Electorate & { electorate: number | null }, key: string): boolean {
  const frozen = (stmt("select electorate_at from campaigns where id = ?").get(c.id) as { electorate_at: number | null }).electorate_at;
  if (frozen === null) return liveElectorate(c).includes(key);
  return !!stmt("select 1 from campaign_electors where campaign_id = ? and voter_key = ?").get(c.id, key);
}

export interface VoterIdentity {
  householdId: number;
  memberId: number | null;
}

/** The viewer's voter key in this campaign, or why they cannot vote. */
export function voterOf(c: Electorate & { electorate: number | null }, who: VoterIdentity): { key: string } | { key: null; why: string } {
  if (c.voters === "representatives") {
    const rep = who.memberId !== null && !!stmt("select 1 from members where id = ? and is_representative = 1 and active = 1").get(who.memberId);
    if (!rep) return { key: null, why: "这次评选由村民代表投票，你不是村民代表。可以请你家所在组的村民代表反映意见。" };
    const key = `member:${who.memberId}`;
    return isElector(c, key) ? { key } : { key: null, why: "投票开始后才登记的村民代表不能参加这次投票。" };
  }
  const key = `household:${who.householdId}`;
  return isElector(c, key) ? { key } : { key: null, why: "你家不在这次投票的名单里。" };
}
