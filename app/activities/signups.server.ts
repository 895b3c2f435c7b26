// Villagers sign up for activities and cancel, until the sign-up deadline. Anyone with a login in a
// household may sign up any active member of that household (elderly parents often have no phone).
// Capacity holds under concurrency: count and insert happen in one unit of work, so two processes
// never both see the last free place.
import { z } from "zod";
import { requireHousehold } from "~/platform/access.server";
import { fail, formIdSchema, notFound, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { activityIn, activityState, listActivities, type ActivityRow } from "./activities.server";

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

async function ownMember(householdId: number, memberId: number) {
  const m = await db().selectFrom("members").select(["id", "name"]).where("id", "=", memberId).where("household_id", "=", householdId).where("active", "=", constant(1)).executeTakeFirst();
  return m ?? notFound();
}

function refusal(a: { status: string; signup_deadline: number }): ReturnType<typeof fail> | null {
  if (a.status === "cancelled") return fail("_form", "活动已取消");
  if (a.status === "closed") return fail("_form", "活动已结束");
  if (now() >= a.signup_deadline) return fail("_form", "报名已截止");
  return null;
}

/** The activity's state with its active sign-ups counted and this member's sign-up, in one statement. */
async function placesOf(villageId: number, activityId: number, memberId: number) {
  const a = await db()
    .selectFrom("activities as a")
    .select((eb) => [
      "a.status", "a.capacity", "a.signup_deadline",
      eb
        .selectFrom("activity_signups as s")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("s.activity_id", "=", "a.id")
        .where("s.status", "=", constant("active"))
        .$asScalar()
        .as("taken"),
      eb.selectFrom("activity_signups as s").select("s.status").whereRef("s.activity_id", "=", "a.id").where("s.member_id", "=", memberId).as("mine"),
    ])
    .where("a.id", "=", activityId)
    .where("a.village_id", "=", villageId)
    .executeTakeFirst();
  return a ?? notFound();
}

/**
 * Signs a member of the signer's household up. The count of places taken and the insert are one
 * unit of work, which holds the database's only writer: two processes never both take the last place.
 */
export function signUp(s: Signer, activityId: number, memberId: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const a = await placesOf(s.villageId, activityId, memberId);
    const m = await ownMember(s.householdId, memberId);
    const refused = refusal(a);
    if (refused) return refused;
    if (a.mine === "active") return fail("_form", `${m.name}已经报过名了`);
    if (a.taken >= a.capacity) return fail("_form", "名额已满");
    const at = now();
    await tx
      .insertInto("activity_signups")
      .values({ village_id: s.villageId, activity_id: activityId, member_id: memberId, status: "active", signed_up_by: s.userId, created_at: at, updated_at: at })
      // A member who cancelled signs up again on the same row.
      .onConflict((oc) =>
        oc.columns(["activity_id", "member_id"]).doUpdateSet((eb) => ({
          status: "active", signed_up_by: eb.ref("excluded.signed_up_by"), updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
    await audit({ actorUserId: s.userId, actorRole: "villager", villageId: s.villageId, action: "activity.signup", targetType: "activity", targetId: activityId, after: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function cancelSignUp(s: Signer, activityId: number, memberId: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const a = await activityState(s.villageId, activityId);
    const m = await ownMember(s.householdId, memberId);
    const refused = refusal(a);
    if (refused) return refused;
    const changed = await tx
      .updateTable("activity_signups")
      .set({ status: "cancelled", updated_at: now() })
      .where("activity_id", "=", activityId)
      .where("member_id", "=", memberId)
      .where("status", "=", constant("active"))
      .returning("id")
      .executeTakeFirst();
    if (!changed) return fail("_form", `${m.name}没有报名这个活动`);
    await audit({ actorUserId: s.userId, actorRole: "villager", villageId: s.villageId, action: "activity.signup_cancel", targetType: "activity", targetId: activityId, before: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

/** Every sign-up of a household (any state of the activity), or of one activity, for the villager's pages. */
export function householdSignups(householdId: number, activityId?: number) {
  let q = db()
    .selectFrom("activity_signups as s")
    .innerJoin("members as m", "m.id", "s.member_id")
    .select((eb) => [
      "s.activity_id", "s.member_id", "m.name as member_name", "s.status",
      // 1 or 0 on every engine (an exists alone answers true/false on PostgreSQL).
      eb
        .case()
        .when(eb.exists(eb.selectFrom("activity_attendance as t").select("t.id").whereRef("t.activity_id", "=", "s.activity_id").whereRef("t.member_id", "=", "s.member_id")))
        .then(1)
        .else(0)
        .end()
        .as("attended"),
    ])
    .where("m.household_id", "=", householdId);
  if (activityId !== undefined) q = q.where("s.activity_id", "=", activityId);
  return q.orderBy("s.activity_id").orderBy("m.id").execute();
}
export type HouseholdSignup = Awaited<ReturnType<typeof householdSignups>>[number];

export interface VillagerActivity extends ActivityRow {
  mine: HouseholdSignup[];
  canSignUp: boolean;
}

/**
 * The villager's list: open activities that have not ended, plus every activity a member of the
 * household signed up for (so a cancelled one shows up as cancelled, with its reason).
 */
export async function activitiesForHousehold(villageId: number, householdId: number): Promise<{ upcoming: VillagerActivity[]; past: VillagerActivity[] }> {
  const mine = await householdSignups(householdId);
  const at = now();
  const all = (await listActivities(villageId)).map((a) => ({
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
export async function activityForVillager(villageId: number, householdId: number, activityId: number) {
  const row = await activityIn(villageId, activityId);
  const activity: VillagerActivity = {
    ...row,
    mine: await householdSignups(householdId, activityId),
    canSignUp: row.status === "open" && now() < row.signup_deadline,
  };
  const members = await db()
    .selectFrom("members")
    .select(["id", "name", "relation"])
    .where("household_id", "=", householdId)
    .where("active", "=", constant(1))
    .orderBy("is_head", "desc")
    .orderBy("id")
    .execute();
  return { activity, members };
}

// ---- the villager's pages ----------------------------------------------------------------

export async function villagerListPage(request: Request) {
  const viewer = await requireHousehold(request);
  return { at: now(), ...(await activitiesForHousehold(viewer.homeVillageId, viewer.householdId)) };
}

export async function villagerActivityPage(request: Request, activityId: number) {
  const viewer = await requireHousehold(request);
  return { at: now(), me: viewer.memberId, ...(await activityForVillager(viewer.homeVillageId, viewer.householdId, activityId)) };
}

export interface SignupReply {
  intent: string;
  ok: string | null;
  error: string | null;
  status: number;
}

export async function villagerSignupAction(request: Request, activityId: number, form: Record<string, string>): Promise<SignupReply> {
  const viewer = await requireHousehold(request);
  await activityState(viewer.homeVillageId, activityId); // another village's activity is a 404 whatever the form says
  const intent = form.intent ?? "";
  const parsed = signupIntent.safeParse(form);
  if (!parsed.success) return { intent, ok: null, error: parsed.error.issues[0]?.message ?? "请求有误，请刷新页面后再试", status: 400 };
  const signer = { userId: viewer.userId, householdId: viewer.householdId, villageId: viewer.homeVillageId };
  const { memberId } = parsed.data;
  const out = await (parsed.data.intent === "signup" ? await signUp(signer, activityId, memberId) : await cancelSignUp(signer, activityId, memberId));
  if (!out.ok) return { intent, ok: null, error: out.errors._form ?? "请求有误，请刷新页面后再试", status: out.status ?? 400 };
  return { intent, ok: parsed.data.intent === "signup" ? `${out.name}报名成功` : `已取消${out.name}的报名`, error: null, status: 200 };
}
