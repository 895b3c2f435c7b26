// Volunteer activities as the committee runs them: create, edit, cancel, list, read one.
// Sign-ups live in activities/signups.server.ts, check-in and attendance in activities/checkin.server.ts,
// closing (attendance → claims) in activities/close.server.ts.
import { z } from "zod";
import { findGrant, forbidden, requireRole, type Access } from "~/platform/access.server";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { normalizeDigits, textSchema } from "~/platform/validation.server";
import { CAPACITY_MAX, MAX_HOURS, TEXT_LIMITS } from "./labels";
import { notifyHouseholds } from "~/notifications/notify.server";
import * as notice from "~/notifications/notices";
import { TEAM_CHOICE_MSG, teamAllowedFor, teamChoiceSchema } from "~/teams/teams.server";
import { notPostAllowance } from "~/rules/rules.server";

const HOUR = 3600_000;
const CHINA_OFFSET_MS = 8 * HOUR;
/** Longer than a day is not one activity: hours per attendee are capped at 24 as well. */
export const MAX_DURATION_MS = MAX_HOURS * HOUR;

// ---- forms ------------------------------------------------------------------

/** A `datetime-local` value ("2026-11-25T08:30"), read as China time. */
export function chinaTimeSchema(label: string) {
  return z
    .string({ error: `请填写${label}` })
    .transform((s) => normalizeDigits(s))
    .pipe(
      z
        .string()
        .min(1, `请填写${label}`)
        .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, `${label}格式不对，请用日期时间选择器选择`)
        .transform((s, ctx) => {
          const [date, time] = s.split("T");
          const [y, mo, d] = date.split("-").map(Number);
          const [h, mi] = time.split(":").map(Number);
          const ms = Date.UTC(y, mo - 1, d, h, mi);
          const back = new Date(ms);
          // Date.UTC rolls 02-30 over to 03-02: such a date does not exist.
          if (y < 2000 || y > 2100 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) {
            ctx.addIssue({ code: "custom", message: `${label}不是有效的日期时间` });
            return z.NEVER;
          }
          return ms - CHINA_OFFSET_MS;
        }),
    );
}

const CAPACITY_MSG = `名额应为 1 到 ${CAPACITY_MAX} 的整数`;

const capacitySchema = z
  .string({ error: "请填写名额" })
  .transform((s) => normalizeDigits(s))
  .pipe(
    z
      .string()
      .min(1, "请填写名额")
      .regex(new RegExp(`^\\d{1,${TEXT_LIMITS.capacityDigits}}$`), CAPACITY_MSG)
      .transform(Number)
      .pipe(z.number().int().min(1, CAPACITY_MSG).max(CAPACITY_MAX, CAPACITY_MSG)),
  );

const choiceSchema = (message: string) => z.string({ error: message }).regex(/^\d{1,12}$/, message).transform(Number);

export const activityFieldsSchema = z
  .object({
    title: textSchema("活动名称", TEXT_LIMITS.title),
    // Optional: a form without the field means no description.
    description: z.string().optional().transform((s) => s ?? "").pipe(textSchema("活动说明", TEXT_LIMITS.description, false, true)),
    place: textSchema("地点", TEXT_LIMITS.place),
    startsAt: chinaTimeSchema("开始时间"),
    endsAt: chinaTimeSchema("结束时间"),
    deadline: chinaTimeSchema("报名截止时间"),
    capacity: capacitySchema,
    organiserId: choiceSchema("请从列表中选择组织者"),
    ruleId: choiceSchema("请从列表中选择积分细则"),
    // 志愿队伍 (issue 18): the team the activity belongs to, if any.
    teamId: teamChoiceSchema.optional(),
  })
  .superRefine((f, ctx) => {
    if (f.endsAt <= f.startsAt) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "结束时间要晚于开始时间" });
    else if (f.endsAt - f.startsAt > MAX_DURATION_MS) ctx.addIssue({ code: "custom", path: ["endsAt"], message: "一次活动最长 24 小时" });
    if (f.deadline > f.startsAt) ctx.addIssue({ code: "custom", path: ["deadline"], message: "报名截止时间不能晚于开始时间" });
  });
export type ActivityFields = z.infer<typeof activityFieldsSchema>;

export const cancelActivitySchema = z.object({ reason: textSchema("取消原因", TEXT_LIMITS.cancelReason, true, true) });

const HOURS_MSG = `小时数应为 0.5 到 ${MAX_HOURS}，按半小时计，如 2 或 2.5`;

/** The manage page's posts (attendance intents are in activities/checkin.server.ts). */
export const manageIntent = z.discriminatedUnion(
  "intent",
  [
    activityFieldsSchema.safeExtend({ intent: z.literal("activity.update") }),
    cancelActivitySchema.extend({ intent: z.literal("activity.cancel") }),
    z.object({ intent: z.literal("activity.close") }),
    z.object({ intent: z.literal("attend.add"), memberId: formIdSchema }),
    z.object({ intent: z.literal("attend.remove"), memberId: formIdSchema }),
    z.object({
      intent: z.literal("attend.hours"),
      memberId: formIdSchema,
      hours: z
        .string({ error: "请填写小时数" })
        .transform((s) => normalizeDigits(s))
        .pipe(z.string().min(1, "请填写小时数").regex(/^\d{1,2}(\.[05])?$/, HOURS_MSG).transform(Number))
        .pipe(z.number().min(0.5, HOURS_MSG).max(MAX_HOURS, HOURS_MSG)),
    }),
  ],
  { error: "请求有误，请刷新页面后再试" },
);

// ---- choices on the form ---------------------------------------------------------

/** Rules an activity can pay by: active, awarding points. Volunteer ones first. */
export function ruleChoices(villageId: number) {
  return db()
    .selectFrom("rules")
    .select(["id", "name", "points", "unit"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where("points", ">", 0)
    .where(notPostAllowance)
    .orderBy((eb) => eb.case().when("category", "=", "volunteer").then(0).else(1).end())
    .orderBy("name")
    .execute();
}
export type RuleChoice = Awaited<ReturnType<typeof ruleChoices>>[number];

const ORGANISER_ROLES = ["committee", "inspector"] as const;

/** Organisers are the village's committee members and inspectors (they mark attendance anyway). */
export async function organiserChoices(villageId: number) {
  const rows = await db()
    .selectFrom("users as u")
    .innerJoin("user_roles as r", "r.user_id", "u.id")
    // 0 for a committee member (listed first, even when also an inspector), 1 for an inspector.
    .select((eb) => ["u.id", "u.display_name as name", eb.fn.min<number>(eb.case().when("r.role", "=", "committee").then(0).else(1).end()).as("rank")])
    .where("r.village_id", "=", villageId)
    .where("r.role", "in", ORGANISER_ROLES)
    .where("u.disabled", "=", 0)
    .groupBy(["u.id", "u.display_name"])
    .orderBy("rank")
    .orderBy("u.display_name")
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.rank === 0 ? "村委委员" : "网格员" }));
}
export type OrganiserChoice = Awaited<ReturnType<typeof organiserChoices>>[number];

// ---- reading -----------------------------------------------------------------

/** An activity with its organiser, its rule and its counts: one statement for every page that shows one. */
function activitySelect() {
  return db()
    .selectFrom("activities as a")
    .innerJoin("users as u", "u.id", "a.organiser_user_id")
    .innerJoin("rules as r", "r.id", "a.rule_id")
    .leftJoin("volunteer_teams as vt", "vt.id", "a.team_id")
    .select((eb) => [
      "a.id", "a.village_id", "a.title", "a.description", "a.place", "a.starts_at", "a.ends_at", "a.signup_deadline", "a.capacity",
      "a.organiser_user_id", "u.display_name as organiser_name", "a.rule_id", "r.name as rule_name", "r.points as rule_points",
      "r.unit as rule_unit", "a.status", "a.cancel_reason", "a.closed_at", "a.team_id", "vt.name as team_name",
      eb
        .selectFrom("activity_signups as s")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("s.activity_id", "=", "a.id")
        .where("s.status", "=", constant("active"))
        .$asScalar()
        .as("signed_up"),
      eb
        .selectFrom("activity_attendance as t")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("t.activity_id", "=", "a.id")
        .$asScalar()
        .as("attended"),
    ]);
}

/** The activity of this village, or a 404 (another village's id is not a hint that it exists). */
export async function activityIn(villageId: number, activityId: number) {
  const row = await activitySelect().where("a.id", "=", activityId).where("a.village_id", "=", villageId).executeTakeFirst();
  return row ?? notFound();
}
export type ActivityRow = Awaited<ReturnType<typeof activityIn>>;

/** Only what a write checks (state, places, deadline), or a 404: no joins, no counts. */
export async function activityState(villageId: number, activityId: number) {
  const row = await db()
    .selectFrom("activities")
    .select(["id", "title", "status", "capacity", "signup_deadline"])
    .where("id", "=", activityId)
    .where("village_id", "=", villageId)
    .executeTakeFirst();
  return row ?? notFound();
}

/** The village's activities: upcoming and running first (soonest first), then the rest (latest first). */
export function listActivities(villageId: number, opts: { organiserUserId?: number } = {}): Promise<ActivityRow[]> {
  const at = now();
  let q = activitySelect().where("a.village_id", "=", villageId);
  if (opts.organiserUserId !== undefined) q = q.where("a.organiser_user_id", "=", opts.organiserUserId);
  return q
    .orderBy((eb) => eb.case().when(eb.and([eb("a.status", "=", "open"), eb("a.ends_at", ">=", at)])).then(0).else(1).end())
    .orderBy((eb) =>
      eb.case().when(eb.and([eb("a.status", "=", "open"), eb("a.ends_at", ">=", at)])).then(eb.ref("a.starts_at")).else(eb.neg(eb.ref("a.starts_at"))).end(),
    )
    .limit(200)
    .execute();
}

/** May this login run the activity's day (QR, attendance, close)? The organiser and any committee member. */
export function canRunActivity(a: { organiser_user_id: number }, userId: number, role: string): boolean {
  return role === "committee" || a.organiser_user_id === userId;
}

// ---- who may do what ------------------------------------------------------------

/**
 * Staff of the activity pages: committee members (everything), inspectors (the activities they
 * organise), the township admin (reading only). A committee member who is also an inspector acts
 * as committee.
 */
export async function activityStaff(request: Request, villageId: number): Promise<Access> {
  const access = await requireRole(request, ["committee", "inspector", "township_admin"], villageId);
  if (access.role !== "committee" && findGrant(access.viewer, ["committee"], villageId)) return { ...access, role: "committee" };
  return access;
}

/** The activity, if this staff member may see it: an inspector only sees what they organise. */
export async function activityForStaff(access: Access, villageId: number, activityId: number): Promise<ActivityRow> {
  const a = await activityIn(villageId, activityId);
  if (access.role === "inspector" && a.organiser_user_id !== access.viewer.userId) throw forbidden();
  return a;
}

/** Writes that shape the activity itself (create, edit, cancel) are the committee's. */
export function requireCommittee(access: Access): void {
  if (access.role !== "committee") throw forbidden("只有村委委员可以创建、修改或取消活动");
}

/** Running the day (QR, attendance, closing): the organiser or a committee member. */
export function requireRunner(access: Access, a: { organiser_user_id: number }): void {
  if (!canRunActivity(a, access.viewer.userId, access.role)) throw forbidden("只有活动组织者或村委委员可以登记考勤");
}

// ---- writing ---------------------------------------------------------------------

type Refusal = ReturnType<typeof fail>;

/** The organiser and the rule must be among the form's choices; both checked in one statement. */
async function checkChoices(villageId: number, f: ActivityFields): Promise<Refusal | null> {
  const found = await db()
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb
            .selectFrom("users as u")
            .innerJoin("user_roles as r", "r.user_id", "u.id")
            .select("u.id")
            .where("u.id", "=", f.organiserId)
            .where("u.disabled", "=", 0)
            .where("r.village_id", "=", villageId)
            .where("r.role", "in", ORGANISER_ROLES),
        )
        .as("organiser"),
      eb
        .exists(
          eb.selectFrom("rules").select("id").where("id", "=", f.ruleId).where("village_id", "=", villageId).where("active", "=", constant(1)).where("points", ">", 0).where(notPostAllowance),
        )
        .as("rule"),
    ])
    .executeTakeFirstOrThrow();
  if (!found.organiser) return fail("organiserId", "请从列表中选择组织者");
  if (!found.rule) return fail("ruleId", "请从列表中选择积分细则");
  if (!(await teamAllowedFor(villageId, f.teamId ?? null))) return fail("teamId", TEAM_CHOICE_MSG);
  return null;
}

function snapshot(f: ActivityFields) {
  return {
    title: f.title, description: f.description, place: f.place, starts_at: f.startsAt, ends_at: f.endsAt,
    signup_deadline: f.deadline, capacity: f.capacity, organiser_user_id: f.organiserId, rule_id: f.ruleId, team_id: f.teamId ?? null,
  };
}

export function createActivity(actor: StaffActor & { userId: number }, villageId: number, f: ActivityFields): Promise<Outcome<{ activityId: number }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ activityId: number }>> => {
    const bad = await checkChoices(villageId, f);
    if (bad) return bad;
    const at = now();
    const { id: activityId } = await tx
      .insertInto("activities")
      .values({ village_id: villageId, ...snapshot(f), created_by: actor.userId, created_at: at, updated_at: at })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.create", targetType: "activity", targetId: activityId, after: snapshot(f) });
    return { ok: true, activityId };
  });
}

export function updateActivity(actor: StaffActor, villageId: number, activityId: number, f: ActivityFields): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    const bad = await checkChoices(villageId, f);
    if (bad) return bad;
    const a = await activityIn(villageId, activityId);
    if (a.status !== "open") return fail("_form", a.status === "cancelled" ? "活动已取消，不能再修改" : "活动已结束，不能再修改");
    if (f.capacity < a.signed_up) return fail("capacity", `已有 ${a.signed_up} 人报名，名额不能少于 ${a.signed_up}`);
    await tx.updateTable("activities").set({ ...snapshot(f), updated_at: now() }).where("id", "=", activityId).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.update", targetType: "activity", targetId: activityId,
      before: {
        title: a.title, description: a.description, place: a.place, starts_at: a.starts_at, ends_at: a.ends_at,
        signup_deadline: a.signup_deadline, capacity: a.capacity, organiser_user_id: a.organiser_user_id, rule_id: a.rule_id, team_id: a.team_id,
      },
      after: snapshot(f),
    });
    return { ok: true };
  });
}

/** Cancelling keeps every sign-up: the households see the activity as cancelled, with the reason. */
export function cancelActivity(actor: StaffActor, villageId: number, activityId: number, reason: string): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    const a = await activityState(villageId, activityId);
    if (a.status !== "open") return fail("_form", a.status === "cancelled" ? "活动已经取消了" : "活动已结束，不能取消");
    await tx.updateTable("activities").set({ status: "cancelled", cancel_reason: reason, updated_at: now() }).where("id", "=", activityId).execute();
    const signedUp = await tx
      .selectFrom("activity_signups as s")
      .innerJoin("members as m", "m.id", "s.member_id")
      .select("m.household_id")
      .distinct()
      .where("s.activity_id", "=", activityId)
      .where("s.status", "=", "active")
      .execute();
    await notifyHouseholds(signedUp.map((r) => r.household_id), notice.activityCancelled({ activityId, villageId, title: a.title, reason }));
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.cancel", targetType: "activity", targetId: activityId,
      before: { status: a.status }, after: { status: "cancelled", cancel_reason: reason },
    });
    return { ok: true };
  });
}

// The new-activity form offers tomorrow 08:30–11:30 (China time) with sign-up until 20:00 the
// evening before. Late in the evening that deadline has passed, and the form would publish an
// activity nobody can join: then it offers the day after.
export function defaultActivityTimes(at: number) {
  const today = Math.floor((at + CHINA_OFFSET_MS) / 86_400_000);
  const startOf = (day: number) => day * 86_400_000 - CHINA_OFFSET_MS + 8.5 * 3600_000;
  const tomorrow = startOf(today + 1);
  const start = tomorrow - 12.5 * 3600_000 > at + 3600_000 ? tomorrow : startOf(today + 2);
  return { start, end: start + 3 * 3600_000, deadline: start - 12.5 * 3600_000 };
}

/** China-time "YYYY-MM-DDTHH:MM" for a datetime-local input. */
export function toLocalInput(ms: number): string {
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}
