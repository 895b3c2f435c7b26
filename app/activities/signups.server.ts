// Villagers sign up for activities and cancel, until the sign-up deadline. Anyone with a login in a
// household may sign up any active member of that household (elderly parents often have no phone).
// Capacity holds under concurrency: count and insert happen in one IMMEDIATE transaction, so two
// processes never both see the last free place.
import { z } from "zod";
import { requireHousehold } from "~/platform/access.server";
import { fail, formIdSchema, notFound, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { activityIn, listActivities, type ActivityRow } from "./activities.server";

export const signupIntent = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("signup"), memberId: formIdSchema }), z.object({ intent: z.literal("signup.cancel"), memberId: formIdSchema })],
  { error: "请求有误，请刷新页面后再试" },
);

export interface Signer {
  userId: number;
  householdId: number;
  villageId: number;
}

interface ActivityState {
  id: number;
  village_id: number;
  status: string;
  capacity: number;
  signup_deadline: number;
  title: string;
}

function activityForHousehold(villageId: number, activityId: number): ActivityState {
  const a = stmt("select id, village_id, status, capacity, signup_deadline, title from activities where id = ? and village_id = ?").get(activityId, villageId) as
    | ActivityState
    | undefined;
  return a ?? notFound();
}

function ownMember(householdId: number, memberId: number): { id: number; name: string } {
  const m = stmt("select id, name from members where id = ? and household_id = ? and active = 1").get(memberId, householdId) as { id: number; name: string } | undefined;
  return m ?? notFound();
}

function refusal(a: ActivityState): Outcome | null {
  if (a.status === "cancelled") return fail("_form", "活动已取消");
  if (a.status === "closed") return fail("_form", "活动已结束");
  if (now() >= a.signup_deadline) return fail("_form", "报名已截止");
  return null;
}

/** Signs a member of the signer's household up. One synchronous IMMEDIATE transaction. */
export function signUp(s: Signer, activityId: number, memberId: number): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const a = activityForHousehold(s.villageId, activityId);
    const m = ownMember(s.householdId, memberId);
    const refused = refusal(a);
    if (refused) return refused as Outcome<{ name: string }>;
    const existing = stmt("select status from activity_signups where activity_id = ? and member_id = ?").get(activityId, memberId) as { status: string } | undefined;
    if (existing?.status === "active") return fail("_form", `${m.name}已经报过名了`);
    const taken = (stmt("select count(*) as n from activity_signups where activity_id = ? and status = 'active'").get(activityId) as { n: number }).n;
    if (taken >= a.capacity) return fail("_form", "名额已满");
    const at = now();
    stmt(
      `insert into activity_signups (village_id, activity_id, member_id, status, signed_up_by, created_at, updated_at)
       values (?, ?, ?, 'active', ?, ?, ?)
       on conflict (activity_id, member_id) do update set status = 'active', signed_up_by = excluded.signed_up_by, updated_at = excluded.updated_at`,
    ).run(s.villageId, activityId, memberId, s.userId, at, at);
    audit({ actorUserId: s.userId, actorRole: "villager", villageId: s.villageId, action: "activity.signup", targetType: "activity", targetId: activityId, after: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function cancelSignUp(s: Signer, activityId: number, memberId: number): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const a = activityForHousehold(s.villageId, activityId);
    const m = ownMember(s.householdId, memberId);
    const refused = refusal(a);
    if (refused) return refused as Outcome<{ name: string }>;
    const changed = stmt("update activity_signups set status = 'cancelled', updated_at = ? where activity_id = ? and member_id = ? and status = 'active'").run(
      now(), activityId, memberId,
    ).changes;
    if (!changed) return fail("_form", `${m.name}没有报名这个活动`);
    audit({ actorUserId: s.userId, actorRole: "villager", villageId: s.villageId, action: "activity.signup_cancel", targetType: "activity", targetId: activityId, before: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export interface HouseholdSignup {
  activity_id: number;
  member_id: number;
  member_name: string;
  status: "active" | "cancelled";
  attended: number;
}

/** Every sign-up of a household (any state of the activity), for the villager's pages. */
export function householdSignups(householdId: number): HouseholdSignup[] {
  return stmt(
    `select s.activity_id, s.member_id, m.name as member_name, s.status,
            exists (select 1 from activity_attendance t where t.activity_id = s.activity_id and t.member_id = s.member_id) as attended
     from activity_signups s join members m on m.id = s.member_id
     where m.household_id = ? order by s.activity_id, m.id`,
  ).all(householdId) as HouseholdSignup[];
}

export interface VillagerActivity extends ActivityRow {
  mine: HouseholdSignup[];
  canSignUp: boolean;
}

/**
 * The villager's list: open activities that have not ended, plus every activity a member of the
 * household signed up for (so a cancelled one shows up as cancelled, with its reason).
 */
export function activitiesForHousehold(villageId: number, householdId: number): { upcoming: VillagerActivity[]; past: VillagerActivity[] } {
  const mine = householdSignups(householdId);
  const at = now();
  const all = listActivities(villageId).map((a) => ({
    ...a,
    mine: mine.filter((s) => s.activity_id === a.id),
    canSignUp: a.status === "open" && at < a.signup_deadline,
  }));
  const current = (a: VillagerActivity) => a.status !== "closed" && a.ends_at >= at;
  return {
    upcoming: all.filter((a) => current(a) && (a.status === "open" || a.mine.length > 0)),
    past: all.filter((a) => !current(a) && a.mine.length > 0).slice(0, 30),
  };
}

/** One activity seen by a villager of its village, with the household's members and their sign-ups. */
export function activityForVillager(villageId: number, householdId: number, activityId: number) {
  const row = activityIn(villageId, activityId);
  const activity: VillagerActivity = {
    ...row,
    mine: householdSignups(householdId).filter((s) => s.activity_id === activityId),
    canSignUp: row.status === "open" && now() < row.signup_deadline,
  };
  const members = stmt("select id, name, relation from members where household_id = ? and active = 1 order by is_head desc, id").all(householdId) as {
    id: number;
    name: string;
    relation: string;
  }[];
  return { activity, members };
}

// ---- the villager's pages ----------------------------------------------------------------

export async function villagerListPage(request: Request) {
  const viewer = await requireHousehold(request);
  return { at: now(), ...activitiesForHousehold(viewer.homeVillageId, viewer.householdId) };
}

export async function villagerActivityPage(request: Request, activityId: number) {
  const viewer = await requireHousehold(request);
  return { at: now(), me: viewer.memberId, ...activityForVillager(viewer.homeVillageId, viewer.householdId, activityId) };
}

export interface SignupReply {
  intent: string;
  ok: string | null;
  error: string | null;
  status: number;
}

export async function villagerSignupAction(request: Request, activityId: number, form: Record<string, string>): Promise<SignupReply> {
  const viewer = await requireHousehold(request);
  activityForHousehold(viewer.homeVillageId, activityId); // another village's activity is a 404 whatever the form says
  const intent = form.intent ?? "";
  const parsed = signupIntent.safeParse(form);
  if (!parsed.success) return { intent, ok: null, error: parsed.error.issues[0]?.message ?? "请求有误，请刷新页面后再试", status: 400 };
  const signer = { userId: viewer.userId, householdId: viewer.householdId, villageId: viewer.homeVillageId };
  const { memberId } = parsed.data;
  const out = parsed.data.intent === "signup" ? signUp(signer, activityId, memberId) : cancelSignUp(signer, activityId, memberId);
  if (!out.ok) return { intent, ok: null, error: out.errors._form ?? "请求有误，请刷新页面后再试", status: out.status ?? 400 };
  return { intent, ok: parsed.data.intent === "signup" ? `${out.name}报名成功` : `已取消${out.name}的报名`, error: null, status: 200 };
}
