// 志愿队伍 ("1 + 5 + N"): the township's teams and the villages' squads, their members and leaders,
// and their hours. Who may run which team: a village team its village's committee and admin, a
// township team the township admin. Members are villagers: of the team's village, or of any village
// of the township for a township team. Hours are the attendance hours of the team's activities
// (cancelled ones not counted), summed in SQL for the period asked; nothing about hours is stored.
import { sql, type ExpressionBuilder } from "kysely";
import { z } from "zod";
import type { Database } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { fail, formIdSchema, isUniqueViolation, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { containsText } from "~/platform/search.server";
import { textSchema } from "~/platform/validation.server";
import { ACTIVITIES_SHOWN, MEMBERS_PER_PAGE, TEAMS_PER_PAGE, TEXT_LIMITS, type Period } from "./labels";

const BAD_REQUEST = "请求有误，请刷新页面后再试";
export const TEAM_CHOICE_MSG = "请从列表中选择志愿队伍";

// ---- forms ------------------------------------------------------------------------------------

export const teamFieldsSchema = z.object({
  name: textSchema("队伍名称", TEXT_LIMITS.name),
  // Optional: a form without the field means no description.
  description: z.string().optional().transform((s) => s ?? "").pipe(textSchema("队伍简介", TEXT_LIMITS.description, false, true)),
});
export type TeamFields = z.infer<typeof teamFieldsSchema>;

/** The manage page's posts. */
export const teamIntent = z.discriminatedUnion(
  "intent",
  [
    teamFieldsSchema.extend({ intent: z.literal("team.update") }),
    z.object({ intent: z.literal("member.add"), memberId: formIdSchema }),
    z.object({ intent: z.literal("member.remove"), memberId: formIdSchema }),
    z.object({ intent: z.literal("member.leader"), memberId: formIdSchema, leader: z.enum(["0", "1"], { error: BAD_REQUEST }).transform(Number) }),
  ],
  { error: BAD_REQUEST },
);

/** The activity form's team: empty (or absent) for none, else an id from the list. */
export const teamChoiceSchema = z
  .string()
  .optional()
  .refine((s) => s === undefined || s === "" || /^\d{1,12}$/.test(s), { error: TEAM_CHOICE_MSG })
  .transform((s) => (s ? Number(s) : null));

// ---- hours ------------------------------------------------------------------------------------

/**
 * One attendance row's hours, as closing the activity counts them (activities/checkin.server.ts
 * `defaultHours`): the hours recorded, else the planned length in half hours, between 0.5 and 24.
 * Integer division (the same on both engines) rounds half up, as Math.round does. Written for the
 * aliases `a` (activities) and `t` (activity_attendance); a left-joined missing row counts 0.
 */
const HALVES = sql`((a.ends_at - a.starts_at + 900000) / 1800000)`;
const ROW_HOURS = sql<number>`case when t.id is null then 0 else coalesce(t.hours, case when ${HALVES} < 1 then 0.5 when ${HALVES} > 48 then 24.0 else ${HALVES} / 2.0 end) end`;

/** Per team: its activities in the period (not cancelled), the hours served, and how many people served. */
function teamFigures(period: Period) {
  return db()
    .selectFrom("activities as a")
    .leftJoin("activity_attendance as t", "t.activity_id", "a.id")
    .select((eb) => [
      "a.team_id",
      eb.fn.count<number>("a.id").distinct().as("activities"),
      eb.fn.count<number>("t.member_id").distinct().as("people"),
      sql<number>`sum(${ROW_HOURS})`.as("hours"),
    ])
    .where("a.team_id", "is not", null)
    .where("a.status", "<>", constant("cancelled"))
    .where("a.starts_at", ">=", period.from)
    .where("a.starts_at", "<", period.to)
    .groupBy("a.team_id");
}

const memberCount = (eb: ExpressionBuilder<Database & { vt: Database["volunteer_teams"] }, "vt">) =>
  eb
    .selectFrom("volunteer_team_members as tm")
    .select((c) => c.fn.countAll<number>().as("n"))
    .whereRef("tm.team_id", "=", "vt.id")
    .$asScalar()
    .as("members");

/** Teams with their village's name, member count and figures for the period. */
function teamsWithFigures(period: Period) {
  return db()
    .selectFrom("volunteer_teams as vt")
    .leftJoin("villages as v", "v.id", "vt.village_id")
    .leftJoin(teamFigures(period).as("f"), "f.team_id", "vt.id")
    .select((eb) => [
      "vt.id", "vt.village_id", "vt.township_id", "v.name as village_name", "vt.name", "vt.description", memberCount(eb),
      eb.fn.coalesce("f.activities", sql<number>`0`).as("activities"),
      eb.fn.coalesce("f.people", sql<number>`0`).as("people"),
      eb.fn.coalesce("f.hours", sql<number>`0`).as("hours"),
    ])
    // The township's teams first, then village by village.
    .orderBy((eb) => eb.case().when("vt.village_id", "is", null).then(0).else(1).end())
    .orderBy("v.name")
    .orderBy("vt.name")
    .orderBy("vt.id");
}
export type TeamListRow = Awaited<ReturnType<typeof villageTeams>>[number];

/** What a village's people see: the village's own teams and the township's. */
export async function villageTeams(villageId: number, period: Period) {
  const townshipId = await townshipOf(villageId);
  return teamsWithFigures(period)
    .where("vt.township_id", "=", townshipId)
    .where((eb) => eb.or([eb("vt.village_id", "=", villageId), eb("vt.village_id", "is", null)]))
    .limit(200)
    .execute();
}

/** Every team of the township side by side, a page at a time, with the period's totals. */
export async function townshipTeams(townshipId: number, period: Period, page: number) {
  const [rows, total, sums] = await Promise.all([
    teamsWithFigures(period).where("vt.township_id", "=", townshipId).limit(TEAMS_PER_PAGE).offset((page - 1) * TEAMS_PER_PAGE).execute(),
    db().selectFrom("volunteer_teams").select((eb) => eb.fn.countAll<number>().as("n")).where("township_id", "=", townshipId).executeTakeFirstOrThrow(),
    db()
      .selectFrom(teamFigures(period).as("f"))
      .innerJoin("volunteer_teams as vt", "vt.id", "f.team_id")
      .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>("f.hours"), sql<number>`0`).as("hours"), eb.fn.coalesce(eb.fn.sum<number>("f.activities"), sql<number>`0`).as("activities")])
      .where("vt.township_id", "=", townshipId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, teams: total.n, pages: Math.max(1, Math.ceil(total.n / TEAMS_PER_PAGE)), hours: sums.hours, activities: sums.activities };
}

// ---- one team ---------------------------------------------------------------------------------

export async function townshipOf(villageId: number): Promise<number> {
  const row = await db().selectFrom("villages").select("township_id").where("id", "=", villageId).executeTakeFirst();
  return row?.township_id ?? notFound();
}

/** The township the township admin runs (the installation has one). */
export async function theTownship(): Promise<number> {
  const row = await db().selectFrom("townships").select("id").orderBy("id").limit(1).executeTakeFirst();
  return row?.id ?? notFound();
}

export async function teamById(teamId: number) {
  const row = await db()
    .selectFrom("volunteer_teams as vt")
    .leftJoin("villages as v", "v.id", "vt.village_id")
    .select(["vt.id", "vt.township_id", "vt.village_id", "v.name as village_name", "vt.name", "vt.description"])
    .where("vt.id", "=", teamId)
    .executeTakeFirst();
  return row ?? notFound();
}
export type Team = Awaited<ReturnType<typeof teamById>>;

/** The team's members a page at a time (leaders first), each with the hours served in the team's activities of the period. */
export async function teamMembers(teamId: number, period: Period, page: number) {
  const served = db()
    .selectFrom("activities as a")
    .innerJoin("activity_attendance as t", "t.activity_id", "a.id")
    .select(["t.member_id", sql<number>`sum(${ROW_HOURS})`.as("hours")])
    .where("a.team_id", "=", teamId)
    .where("a.status", "<>", constant("cancelled"))
    .where("a.starts_at", ">=", period.from)
    .where("a.starts_at", "<", period.to)
    .groupBy("t.member_id");
  const [rows, total] = await Promise.all([
    db()
      .selectFrom("volunteer_team_members as tm")
      .innerJoin("members as m", "m.id", "tm.member_id")
      .innerJoin("households as h", "h.id", "m.household_id")
      .innerJoin("villages as v", "v.id", "tm.village_id")
      .leftJoin(served.as("s"), "s.member_id", "tm.member_id")
      .select((eb) => [
        "tm.member_id", "m.name", "m.active", "h.number as household_number", "v.name as village_name", "tm.is_leader",
        eb.fn.coalesce("s.hours", sql<number>`0`).as("hours"),
      ])
      .where("tm.team_id", "=", teamId)
      .orderBy("tm.is_leader", "desc")
      .orderBy("v.name")
      .orderBy("h.number")
      .orderBy("tm.member_id")
      .limit(MEMBERS_PER_PAGE)
      .offset((page - 1) * MEMBERS_PER_PAGE)
      .execute(),
    db().selectFrom("volunteer_team_members").select((eb) => eb.fn.countAll<number>().as("n")).where("team_id", "=", teamId).executeTakeFirstOrThrow(),
  ]);
  return { rows, count: total.n, pages: Math.max(1, Math.ceil(total.n / MEMBERS_PER_PAGE)) };
}

/** The team's activities of the period, newest first (a bounded few), each with its attendees and hours. */
export function teamActivities(teamId: number, period: Period) {
  return db()
    .selectFrom("activities as a")
    .innerJoin("villages as v", "v.id", "a.village_id")
    .leftJoin("activity_attendance as t", "t.activity_id", "a.id")
    .select((eb) => [
      "a.id", "a.village_id", "v.name as village_name", "a.title", "a.starts_at", "a.ends_at", "a.status",
      eb.fn.count<number>("t.id").as("attended"),
      sql<number>`sum(${ROW_HOURS})`.as("hours"),
    ])
    .where("a.team_id", "=", teamId)
    .where("a.starts_at", ">=", period.from)
    .where("a.starts_at", "<", period.to)
    .groupBy(["a.id", "a.village_id", "v.name", "a.title", "a.starts_at", "a.ends_at", "a.status"])
    .orderBy("a.starts_at", "desc")
    .orderBy("a.id", "desc")
    .limit(ACTIVITIES_SHOWN)
    .execute();
}

/** The team's figures for the period (hours, activities, people who served). */
export async function teamTotals(teamId: number, period: Period) {
  const row = await teamFigures(period).where("a.team_id", "=", teamId).executeTakeFirst();
  return { hours: row?.hours ?? 0, activities: row?.activities ?? 0, people: row?.people ?? 0 };
}

/** Villagers the team may take, matching what was typed (name, 户号 or phone), with whether they are in already. */
export function findCandidates(team: Team, q: string) {
  if (!q) return Promise.resolve([]);
  let query = db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .innerJoin("villages as v", "v.id", "m.village_id")
    .leftJoin("volunteer_team_members as tm", (j) => j.onRef("tm.member_id", "=", "m.id").on("tm.team_id", "=", team.id))
    .select(["m.id", "m.name", "m.relation", "h.number as household_number", "v.name as village_name", "tm.id as in_team"])
    .where("m.active", "=", constant(1))
    .where((eb) => eb.or([containsText(eb.ref("m.name"), q), containsText(eb.ref("h.number"), q), containsText(eb.ref("m.phone"), q)]));
  query = team.village_id === null ? query.where("v.township_id", "=", team.township_id) : query.where("m.village_id", "=", team.village_id);
  return query.orderBy("v.name").orderBy("h.number").orderBy("m.id").limit(20).execute();
}

// ---- the activity form's team choice ---------------------------------------------------------------

/** Teams an activity of the village may belong to: the village's own and the township's. */
export async function teamChoices(villageId: number) {
  const townshipId = await townshipOf(villageId);
  return db()
    .selectFrom("volunteer_teams")
    .select(["id", "name", "village_id"])
    .where("township_id", "=", townshipId)
    .where((eb) => eb.or([eb("village_id", "=", villageId), eb("village_id", "is", null)]))
    .orderBy((eb) => eb.case().when("village_id", "is", null).then(0).else(1).end())
    .orderBy("name")
    .limit(200)
    .execute();
}
export type TeamChoice = Awaited<ReturnType<typeof teamChoices>>[number];

/** Whether the team is one of the village's choices (null: no team, always allowed). */
export async function teamAllowedFor(villageId: number, teamId: number | null): Promise<boolean> {
  if (teamId === null) return true;
  const row = await db()
    .selectFrom("volunteer_teams as vt")
    .innerJoin("villages as v", "v.township_id", "vt.township_id")
    .select("vt.id")
    .where("vt.id", "=", teamId)
    .where("v.id", "=", villageId)
    .where((eb) => eb.or([eb("vt.village_id", "=", villageId), eb("vt.village_id", "is", null)]))
    .executeTakeFirst();
  return row !== undefined;
}

// ---- writing ------------------------------------------------------------------------------------

/** Where a new team goes: the township's (village null) or a village's. */
export interface TeamHome {
  townshipId: number;
  villageId: number | null;
}

async function nameTaken(home: TeamHome, name: string, except: number | null): Promise<boolean> {
  let q = db().selectFrom("volunteer_teams").select("id").where("township_id", "=", home.townshipId).where("name", "=", name);
  q = home.villageId === null ? q.where("village_id", "is", null) : q.where("village_id", "=", home.villageId);
  if (except !== null) q = q.where("id", "<>", except);
  return (await q.executeTakeFirst()) !== undefined;
}

export function createTeam(actor: StaffActor, home: TeamHome, f: TeamFields): Promise<Outcome<{ teamId: number }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ teamId: number }>> => {
    if (await nameTaken(home, f.name, null)) return fail("name", "已有同名的队伍，请换一个名称");
    const at = now();
    const { id } = await tx
      .insertInto("volunteer_teams")
      .values({ township_id: home.townshipId, village_id: home.villageId, name: f.name, description: f.description, created_by: actor.userId, created_at: at, updated_at: at })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: home.villageId, action: "team.create", targetType: "volunteer_team", targetId: id, after: f });
    return { ok: true, teamId: id };
  });
}

export function updateTeam(actor: StaffActor, team: Team, f: TeamFields): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    if (await nameTaken({ townshipId: team.township_id, villageId: team.village_id }, f.name, team.id)) return fail("name", "已有同名的队伍，请换一个名称");
    await tx.updateTable("volunteer_teams").set({ name: f.name, description: f.description, updated_at: now() }).where("id", "=", team.id).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId: team.village_id, action: "team.update", targetType: "volunteer_team", targetId: team.id,
      before: { name: team.name, description: team.description }, after: f,
    });
    return { ok: true };
  });
}

/** An active villager the team may take, or a 404 (another village's id is not a hint that it exists). */
async function candidate(team: Team, memberId: number) {
  let q = db()
    .selectFrom("members as m")
    .innerJoin("villages as v", "v.id", "m.village_id")
    .select(["m.id", "m.name", "m.village_id"])
    .where("m.id", "=", memberId)
    .where("m.active", "=", constant(1));
  q = team.village_id === null ? q.where("v.township_id", "=", team.township_id) : q.where("m.village_id", "=", team.village_id);
  return (await q.executeTakeFirst()) ?? notFound();
}

const ALREADY = (name: string) => `${name} 已经是队员了`;

/** Adds a villager. Two taps at once add one row: the unique key refuses the second. */
export async function addMember(actor: StaffActor, team: Team, memberId: number): Promise<Outcome<{ name: string }>> {
  const m = await candidate(team, memberId);
  try {
    return await unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
      const there = await tx.selectFrom("volunteer_team_members").select("id").where("team_id", "=", team.id).where("member_id", "=", memberId).executeTakeFirst();
      if (there) return fail("_form", ALREADY(m.name));
      await tx
        .insertInto("volunteer_team_members")
        .values({ team_id: team.id, member_id: memberId, village_id: m.village_id, is_leader: 0, added_by: actor.userId, created_at: now() })
        .execute();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId: team.village_id, action: "team.member_add", targetType: "volunteer_team", targetId: team.id, after: { member_id: memberId, name: m.name } });
      return { ok: true, name: m.name };
    });
  } catch (e) {
    if (isUniqueViolation(e, "volunteer_team_members.")) return fail("_form", ALREADY(m.name));
    throw e;
  }
}

async function membership(team: Team, memberId: number) {
  const row = await db()
    .selectFrom("volunteer_team_members as tm")
    .innerJoin("members as m", "m.id", "tm.member_id")
    .select(["tm.id", "tm.is_leader", "m.name"])
    .where("tm.team_id", "=", team.id)
    .where("tm.member_id", "=", memberId)
    .executeTakeFirst();
  return row ?? null;
}

export function removeMember(actor: StaffActor, team: Team, memberId: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    await candidate(team, memberId);
    const row = await membership(team, memberId);
    if (!row) return fail("_form", "这位村民不在这个队伍里");
    await tx.deleteFrom("volunteer_team_members").where("id", "=", row.id).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId: team.village_id, action: "team.member_remove", targetType: "volunteer_team", targetId: team.id,
      before: { member_id: memberId, name: row.name, is_leader: row.is_leader },
    });
    return { ok: true, name: row.name };
  });
}

export function setLeader(actor: StaffActor, team: Team, memberId: number, leader: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    await candidate(team, memberId);
    const row = await membership(team, memberId);
    if (!row) return fail("_form", "这位村民不在这个队伍里，请先加入队伍");
    if (row.is_leader === leader) return { ok: true, name: row.name };
    await tx.updateTable("volunteer_team_members").set({ is_leader: leader }).where("id", "=", row.id).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId: team.village_id, action: "team.leader", targetType: "volunteer_team", targetId: team.id,
      before: { member_id: memberId, is_leader: row.is_leader }, after: { member_id: memberId, is_leader: leader },
    });
    return { ok: true, name: row.name };
  });
}
