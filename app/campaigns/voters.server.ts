// Who votes in a campaign. Village representatives (村民代表) are marked on the roster by the village
// admin; a campaign's voters are either those representatives (one vote each) or the households
// (one ballot per household). Either way a voter must be able to sign in: a representative's member
// has an enabled login, a household has at least one member with one. The list is frozen the first
// time a ballot is cast (or at confirm), so turnout is measured against who could vote when voting
// ran, not against a roster edited afterwards. See docs/decisions/0020-campaign-states-and-voters.md.
import { z } from "zod";
import { expressionBuilder, type Expression } from "kysely";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import type { CampaignRow } from "./campaigns.server";
import { REPRESENTATIVE_INTENT } from "./labels";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import type { Database } from "../../db/schema";

// ---- representatives on the roster ----------------------------------------------------------

export const representativeSchema = z.object(
  {
    intent: z.literal(REPRESENTATIVE_INTENT),
    memberId: formIdSchema,
    on: z.enum(["0", "1"], { error: "请求有误，请刷新页面后再试" }),
  },
  { error: "请求有误，请刷新页面后再试" },
);

/** The member's enabled login, as a subquery: a member votes only by signing in. */
function loginOf(member: Expression<number>) {
  return expressionBuilder<Database>().selectFrom("users as u").select("u.id").where("u.member_id", "=", member).where("u.disabled", "=", 0);
}

/** The household's members for the admin's representatives section (has_login: 1 when the member can sign in to vote). */
export function householdRepresentatives(householdId: number) {
  return db()
    .selectFrom("members as m")
    .select((eb) => [
      "m.id", "m.name", "m.relation", "m.active", "m.is_representative",
      // Literals, not parameters: PostgreSQL types a CASE of bare parameters as text, and a bare EXISTS as a boolean.
      eb.case().when(eb.exists(loginOf(eb.ref("m.id")))).then(eb.lit(1)).else(eb.lit(0)).end().as("has_login"),
    ])
    .where("m.household_id", "=", householdId)
    .orderBy("m.active", "desc")
    .orderBy("m.is_head", "desc")
    .orderBy("m.id")
    .execute();
}
export type RepresentativeRow = Awaited<ReturnType<typeof householdRepresentatives>>[number];

/** The village admin marks or unmarks a member of this household as a representative; audited. */
export function setRepresentative(actor: StaffActor, villageId: number, householdId: number, memberId: number, on: boolean): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const m = await tx
      .selectFrom("members")
      .select(["id", "name", "active", "is_representative"])
      .where("id", "=", memberId)
      .where("household_id", "=", householdId)
      .where("village_id", "=", villageId)
      .executeTakeFirst();
    if (!m) notFound();
    if (on && !m.active) return fail("_form", `${m.name}已停用，不能设为村民代表`);
    if ((m.is_representative === 1) === on) return { ok: true, name: m.name };
    await tx.updateTable("members").set({ is_representative: on ? 1 : 0 }).where("id", "=", memberId).execute();
    await audit({
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
export async function representativeFromForm(actor: StaffActor, villageId: number, householdId: number, form: Record<string, string>) {
  const memberId = null;
  const parsed = representativeSchema.safeParse(form);
  if (!parsed.success) return { intent: REPRESENTATIVE_INTENT, memberId, errors: { _form: "请求有误，请刷新页面后再试" }, status: 400 };
  const on = parsed.data.on === "1";
  const out = await setRepresentative(actor, villageId, householdId, parsed.data.memberId, on);
  if (!out.ok) return { intent: REPRESENTATIVE_INTENT, memberId, errors: out.errors, status: out.status ?? 400 };
  return { intent: REPRESENTATIVE_INTENT, memberId, errors: {}, ok: on ? `已把${out.name}设为村民代表` : `已取消${out.name}的村民代表`, status: 200 };
}

/** Marks members as representatives inside the caller's unit of work (the roster import, the demo seed). */
export async function markRepresentatives(memberIds: number[]): Promise<void> {
  if (memberIds.length) await db().updateTable("members").set({ is_representative: 1 }).where("id", "in", memberIds).execute();
}

// ---- the electorate ---------------------------------------------------------------------------

type Electorate = Pick<CampaignRow, "id" | "village_id" | "voters" | "vote_from" | "electorate_at">;

const memberKey = (id: number) => `member:${id}`;
const householdKey = (id: number) => `household:${id}`;

/** Who could vote right now, by the roster and the logins. */
export async function liveElectorate(c: Pick<CampaignRow, "village_id" | "voters">): Promise<string[]> {
  const q = db()
    .selectFrom("members as m")
    .where("m.village_id", "=", c.village_id)
    .where("m.active", "=", constant(1))
    .where((eb) => eb.exists(loginOf(eb.ref("m.id"))));
  if (c.voters === "representatives") {
    const rows = await q.select("m.id").where("m.is_representative", "=", 1).orderBy("m.id").execute();
    return rows.map((r) => memberKey(r.id));
  }
  const rows = await q.select("m.household_id").distinct().orderBy("m.household_id").execute();
  return rows.map((r) => householdKey(r.household_id));
}

/**
 * Freezes the list once, inside the caller's unit of work; a second call, or one before voting opens,
 * does nothing. The update claims the freeze (only while electorate_at is still null), so a caller
 * holding a row read before another unit of work froze it cannot freeze it twice.
 */
export async function freezeElectorate(c: Electorate): Promise<void> {
  if (c.electorate_at !== null || now() < c.vote_from) return;
  const keys = await liveElectorate(c);
  const claimed = await db()
    .updateTable("campaigns")
    .set({ electorate_at: now(), electorate: keys.length })
    .where("id", "=", c.id)
    .where("electorate_at", "is", null)
    .executeTakeFirst();
  if (claimed.numUpdatedRows === 0n) return;
  // In slices: a statement has a bounded number of parameters (SQLite 32766, PostgreSQL 65535).
  for (let i = 0; i < keys.length; i += 1000) {
    await db().insertInto("campaign_electors").values(keys.slice(i, i + 1000).map((voter_key) => ({ campaign_id: c.id, voter_key }))).execute();
  }
}

/** How many may vote: the frozen number once frozen, the live count before. */
export async function electorateSize(c: Pick<CampaignRow, "village_id" | "voters" | "electorate">): Promise<number> {
  return c.electorate ?? (await liveElectorate(c)).length;
}

/** Whether the key may vote: on the frozen list once frozen; before, by the roster and the logins now. */
async function isElector(c: Electorate, who: { key: string; householdId: number; memberId: number | null }): Promise<boolean> {
  if (c.electorate_at !== null) {
    return (await db().selectFrom("campaign_electors").select("voter_key").where("campaign_id", "=", c.id).where("voter_key", "=", who.key).executeTakeFirst()) !== undefined;
  }
  // The live list's own conditions, for this one voter (the same as liveElectorate(c).includes(key)).
  let q = db()
    .selectFrom("members as m")
    .select("m.id")
    .where("m.village_id", "=", c.village_id)
    .where("m.active", "=", constant(1))
    .where((eb) => eb.exists(loginOf(eb.ref("m.id"))));
  q = c.voters === "representatives" ? q.where("m.id", "=", who.memberId ?? 0).where("m.is_representative", "=", 1) : q.where("m.household_id", "=", who.householdId);
  return (await q.limit(1).executeTakeFirst()) !== undefined;
}

export interface VoterIdentity {
  householdId: number;
  memberId: number | null;
}

/**
 * The viewer's voter key in this campaign, or why they cannot vote. `c` read in the caller's unit of
 * work (or just before, for a page): its electorate_at says whether the list is frozen.
 */
export async function voterOf(c: Electorate, who: VoterIdentity): Promise<{ key: string } | { key: null; why: string }> {
  if (c.voters === "representatives") {
    const rep =
      who.memberId !== null &&
      (await db().selectFrom("members").select("id").where("id", "=", who.memberId).where("is_representative", "=", 1).where("active", "=", constant(1)).executeTakeFirst()) !== undefined;
    if (!rep || who.memberId === null) return { key: null, why: "这次评选由村民代表投票，你不是村民代表。可以请你家所在组的村民代表反映意见。" };
    const key = memberKey(who.memberId);
    return (await isElector(c, { key, ...who })) ? { key } : { key: null, why: "投票开始后才登记的村民代表不能参加这次投票。" };
  }
  const key = householdKey(who.householdId);
  return (await isElector(c, { key, ...who })) ? { key } : { key: null, why: "你家不在这次投票的名单里。" };
}
