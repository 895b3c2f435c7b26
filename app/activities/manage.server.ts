// The organiser's / committee's page of one activity: what it shows and the posts it accepts.
import { actorOf, type Outcome } from "~/platform/forms.server";
import {
  activityForStaff, activityStaff, cancelActivity, canRunActivity, manageIntent, organiserChoices, requireCommittee, requireRunner, ruleChoices,
  toLocalInput, updateActivity,
} from "./activities.server";
import { activityRoster, currentQr, defaultHours, findVillageMembers, markAttendance, removeAttendance, setHours } from "./checkin.server";
import { claimsOfActivity, closeActivity } from "./close.server";
import { now } from "~/platform/clock.server";
import { TEXT_LIMITS } from "./labels";
import { fieldErrors } from "~/platform/validation.server";
import { teamChoices } from "~/teams/teams.server";

export async function manageActivityPage(request: Request, villageId: number, activityId: number, opts: { q: string | null; created: boolean }) {
  const access = await activityStaff(request, villageId);
  const a = await activityForStaff(access, villageId, activityId);
  const canRun = canRunActivity(a, access.viewer.userId, access.role);
  const q = (opts.q ?? "").trim().slice(0, TEXT_LIMITS.search);
  const committee = access.role === "committee";
  const [roster, claims, found, organisers, rules, teams] = await Promise.all([
    activityRoster(activityId),
    a.status === "closed" ? await claimsOfActivity(activityId) : 0,
    canRun && a.status === "open" ? await findVillageMembers(villageId, q) : [],
    committee ? await organiserChoices(villageId) : [],
    committee ? await ruleChoices(villageId) : [],
    committee ? await teamChoices(villageId) : [],
  ]);
  const form: Record<string, string> = {
    title: a.title, description: a.description, place: a.place, startsAt: toLocalInput(a.starts_at), endsAt: toLocalInput(a.ends_at),
    deadline: toLocalInput(a.signup_deadline), capacity: String(a.capacity), organiserId: String(a.organiser_user_id), ruleId: String(a.rule_id),
    teamId: a.team_id === null ? "" : String(a.team_id),
  };
  return {
    villageId,
    at: now(),
    created: opts.created,
    activity: a,
    canRun,
    canEdit: committee,
    started: now() >= a.starts_at,
    hourly: a.rule_unit === "hour",
    defaultHours: defaultHours(a),
    roster,
    claims,
    q,
    found,
    organisers,
    rules,
    teams,
    form,
  };
}

export interface ManageReply {
  intent: string;
  memberId: number | null;
  ok: string | null;
  errors: Record<string, string>;
  status: number;
}

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export async function manageActivity(request: Request, villageId: number, activityId: number, form: Record<string, string>): Promise<ManageReply> {
  const access = await activityStaff(request, villageId);
  const a = await activityForStaff(access, villageId, activityId);
  const intent = form.intent ?? "";
  const rawMember = /^\d{1,12}$/.test(form.memberId ?? "") ? Number(form.memberId) : null;
  // The role decides before the form does: a township admin or a stranger gets 403 whatever was posted.
  if (intent === "activity.update" || intent === "activity.cancel") requireCommittee(access);
  else requireRunner(access, a);
  const parsed = manageIntent.safeParse(form);
  const reply = (out: Outcome, ok: string): ManageReply =>
    out.ok
      ? { intent, memberId: rawMember, ok, errors: {}, status: 200 }
      : { intent, memberId: rawMember, ok: null, errors: out.errors, status: out.status ?? 400 };
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.memberId) errors._form = errors.intent ?? errors.memberId ?? BAD_REQUEST;
    return { intent, memberId: rawMember, ok: null, errors, status: 400 };
  }
  const i = parsed.data;
  const actor = { ...actorOf(access), userId: access.viewer.userId };
  switch (i.intent) {
    case "activity.update":
      return reply(await updateActivity(actor, villageId, activityId, i), "已保存修改");
    case "activity.cancel":
      return reply(await cancelActivity(actor, villageId, activityId, i.reason), "活动已取消，已报名的村民会看到");
    case "attend.add": {
      const out = await markAttendance(actor, villageId, activityId, i.memberId);
      return reply(out, out.ok ? `已登记 ${out.name} 到场` : "");
    }
    case "attend.remove": {
      const out = await removeAttendance(actor, villageId, activityId, i.memberId);
      return reply(out, out.ok ? `已撤销 ${out.name} 的签到` : "");
    }
    case "attend.hours": {
      const out = await setHours(actor, villageId, activityId, i.memberId, i.hours);
      return reply(out, out.ok ? `已记录 ${out.name} 服务 ${i.hours} 小时` : "");
    }
    case "activity.close": {
      const out = await closeActivity({ userId: access.viewer.userId, role: access.role }, villageId, activityId);
      return reply(out, out.ok ? `活动已结束，已提交 ${out.claims} 条积分申报，等待村委审核` : "");
    }
  }
}

/** The organiser's full-screen QR: the current window's code and who has checked in so far. */
export async function qrPageData(request: Request, villageId: number, activityId: number) {
  const access = await activityStaff(request, villageId);
  const a = await activityForStaff(access, villageId, activityId);
  requireRunner(access, a);
  const qr = a.status === "open" ? await currentQr(new URL(request.url).origin, villageId, activityId) : null;
  const attendees = (await activityRoster(activityId)).filter((r) => r.attended);
  return { villageId, activity: { id: a.id, title: a.title, status: a.status, signed_up: a.signed_up, capacity: a.capacity }, qr, attendees };
}
