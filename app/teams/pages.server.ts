// The team pages: who is asking, what each page shows, and the posts the manage pages accept.
// A village team is run by its village's committee and admin (the township admin reads); a township
// team by the township admin. Villagers see their village's teams and the township's.
import { findGrant, forbidden, isOfVillage, requireHousehold, requireRole, requireViewer, type Viewer } from "~/platform/access.server";
import { actorOf, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { fieldErrors, pageSchema } from "~/platform/validation.server";
import { periodChoices, periodOf, thisYear, TEXT_LIMITS, type Period } from "./labels";
import {
  addMember, createTeam, findCandidates, removeMember, setLeader, teamActivities, teamById, teamFieldsSchema, teamIntent, teamMembers,
  teamTotals, theTownship, townshipOf, townshipTeams, updateTeam, villageTeams, type Team, type TeamHome,
} from "./teams.server";

/** The period asked for (?period=2026 or 2026-11), this year when none; anything else is a 400 page. */
export function readPeriod(url: URL): Period {
  const key = url.searchParams.get("period") ?? thisYear(now());
  const p = periodOf(key.slice(0, 10));
  if (!p || key.length > 10) throw new Response("要查看的时间有误，请从列表中选择年份或月份", { status: 400 });
  return p;
}

function pageOf(url: URL): number {
  return pageSchema.parse(url.searchParams.get("page"));
}

const MANAGERS = ["committee", "village_admin"] as const;

/** The village's team pages: its committee and admin (who run them), the township admin (who reads). */
async function villageStaff(request: Request, villageId: number) {
  const access = await requireRole(request, [...MANAGERS, "township_admin"], villageId);
  const manager = findGrant(access.viewer, MANAGERS, villageId);
  const actor: StaffActor = manager ? { userId: access.viewer.userId, role: manager.role, villageId } : actorOf(access);
  return { access, canManage: manager !== undefined, actor };
}

function requireManager(canManage: boolean, township = false): void {
  if (!canManage) throw forbidden(township ? "只有乡镇管理员可以管理乡镇志愿队伍" : "只有村委委员或村管理员可以管理本村志愿队伍");
}

// ---- villagers ----------------------------------------------------------------------------------

export async function villagerTeamsPage(request: Request) {
  const viewer = await requireHousehold(request);
  const period = readPeriod(new URL(request.url));
  const teams = await villageTeams(viewer.homeVillageId, period);
  const mine = await db().selectFrom("volunteer_team_members").select("team_id").where("member_id", "=", viewer.memberId ?? 0).execute();
  return { period, periods: periodChoices(now()), teams, mine: mine.map((r) => r.team_id) };
}

/** May the viewer read the team's page? Its village's people and staff; for a township team, anyone of the township. */
async function mayRead(viewer: Viewer, team: Team): Promise<boolean> {
  if (viewer.roles.some((g) => g.role === "township_admin")) return true;
  if (team.village_id !== null) return isOfVillage(viewer, team.village_id);
  const villages = [viewer.homeVillageId, ...viewer.roles.map((g) => g.villageId)].filter((v): v is number => v !== null);
  if (!villages.length) return false;
  const inside = await db().selectFrom("villages").select("id").where("id", "in", villages).where("township_id", "=", team.township_id).executeTakeFirst();
  return inside !== undefined;
}

/** Where an activity of the team opens for this viewer: their own village's, else nowhere. */
function activityHref(viewer: Viewer, a: { id: number; village_id: number }): string | null {
  if (findGrant(viewer, ["committee", "inspector", "township_admin"], a.village_id)) return `/v/${a.village_id}/activities/${a.id}`;
  if (viewer.householdId !== null && viewer.homeVillageId === a.village_id) return `/activities/${a.id}`;
  return null;
}

async function teamView(viewer: Viewer, team: Team, url: URL) {
  const period = readPeriod(url);
  const page = pageOf(url);
  const [members, activities, totals] = await Promise.all([teamMembers(team.id, period, page), teamActivities(team.id, period), teamTotals(team.id, period)]);
  return {
    team,
    period,
    periods: periodChoices(now()),
    page,
    members,
    totals,
    activities: activities.map((a) => ({ ...a, href: activityHref(viewer, a) })),
  };
}

/** The read-only team page (/teams/:id): a team the viewer may not read is not found. */
export async function teamPage(request: Request, teamId: number) {
  const viewer = await requireViewer(request);
  const team = await teamById(teamId);
  if (!(await mayRead(viewer, team))) notFound();
  // Staff who run it are sent the manage link.
  const township = viewer.roles.some((g) => g.role === "township_admin");
  const manage =
    team.village_id === null ? (township ? `/township/teams/${team.id}` : null)
    : findGrant(viewer, [...MANAGERS, "township_admin"], team.village_id) ? `/v/${team.village_id}/teams/${team.id}` : null;
  const back = viewer.householdId !== null ? "/teams" : null;
  return { ...(await teamView(viewer, team, new URL(request.url))), manage, back };
}

// ---- the village's and the township's lists ------------------------------------------------------------

export async function villageTeamsPage(request: Request, villageId: number) {
  const { canManage } = await villageStaff(request, villageId);
  const period = readPeriod(new URL(request.url));
  return { villageId, canManage, period, periods: periodChoices(now()), teams: await villageTeams(villageId, period) };
}

export interface CreateReply {
  errors: Record<string, string>;
  values: Record<string, string>;
  status: number;
}

async function create(actor: StaffActor, home: TeamHome, form: Record<string, string>): Promise<Outcome<{ teamId: number }>> {
  const parsed = teamFieldsSchema.safeParse(form);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), status: 400 };
  return createTeam(actor, home, parsed.data);
}

export async function createVillageTeam(request: Request, villageId: number, form: Record<string, string>) {
  const { canManage, actor } = await villageStaff(request, villageId);
  requireManager(canManage);
  return create(actor, { townshipId: await townshipOf(villageId), villageId }, form);
}

export async function townshipTeamsPage(request: Request) {
  await requireRole(request, ["township_admin"], null);
  const url = new URL(request.url);
  const period = readPeriod(url);
  const page = pageOf(url);
  return { period, periods: periodChoices(now()), page, ...(await townshipTeams(await theTownship(), period, page)) };
}

export async function createTownshipTeam(request: Request, form: Record<string, string>) {
  const access = await requireRole(request, ["township_admin"], null);
  return create(actorOf(access), { townshipId: await theTownship(), villageId: null }, form);
}

// ---- managing one team ------------------------------------------------------------------------------

/** Where the manage page is: under a village (its own teams only) or the township's (its own teams only). */
export type Where = { villageId: number } | { township: true };

async function manageAccess(request: Request, where: Where, teamId: number) {
  if ("township" in where) {
    const access = await requireRole(request, ["township_admin"], null);
    const team = await teamById(teamId);
    if (team.village_id !== null || team.township_id !== (await theTownship())) notFound();
    return { viewer: access.viewer, team, canManage: true, actor: actorOf(access), township: true };
  }
  const { access, canManage, actor } = await villageStaff(request, where.villageId);
  const team = await teamById(teamId);
  // A township team or another village's is not this village's to run: not found here.
  if (team.village_id !== where.villageId) notFound();
  return { viewer: access.viewer, team, canManage, actor, township: false };
}

export async function manageTeamPage(request: Request, where: Where, teamId: number) {
  const { viewer, team, canManage } = await manageAccess(request, where, teamId);
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, TEXT_LIMITS.search);
  const view = await teamView(viewer, team, url);
  return { ...view, canManage, q, found: canManage ? await findCandidates(team, q) : [], base: "township" in where ? "/township/teams" : `/v/${where.villageId}/teams` };
}

export interface ManageReply {
  intent: string;
  memberId: number | null;
  ok: string | null;
  errors: Record<string, string>;
  status: number;
}

export async function manageTeam(request: Request, where: Where, teamId: number, form: Record<string, string>): Promise<ManageReply> {
  const { team, canManage, actor, township } = await manageAccess(request, where, teamId);
  // The role decides before the form does.
  requireManager(canManage, township);
  const intent = (form.intent ?? "").slice(0, 40);
  const rawMember = /^\d{1,12}$/.test(form.memberId ?? "") ? Number(form.memberId) : null;
  const parsed = teamIntent.safeParse(form);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.memberId || errors.leader) errors._form = errors.intent ?? errors.memberId ?? errors.leader;
    return { intent, memberId: rawMember, ok: null, errors, status: 400 };
  }
  const reply = (out: Outcome, ok: string): ManageReply =>
    out.ok ? { intent, memberId: rawMember, ok, errors: {}, status: 200 } : { intent, memberId: rawMember, ok: null, errors: out.errors, status: out.status ?? 400 };
  const i = parsed.data;
  switch (i.intent) {
    case "team.update":
      return reply(await updateTeam(actor, team, i), "已保存");
    case "member.add": {
      const out = await addMember(actor, team, i.memberId);
      return reply(out, out.ok ? `已把 ${out.name} 加入队伍` : "");
    }
    case "member.remove": {
      const out = await removeMember(actor, team, i.memberId);
      return reply(out, out.ok ? `${out.name} 已移出队伍` : "");
    }
    case "member.leader": {
      const out = await setLeader(actor, team, i.memberId, i.leader);
      return reply(out, out.ok ? (i.leader ? `${out.name} 现在是队长` : `${out.name} 不再是队长`) : "");
    }
  }
}
