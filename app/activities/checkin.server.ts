// Check-in at an activity: the organiser's phone shows a QR that changes every 30 seconds; a
// villager's phone camera opens the URL in it and the villager is checked in once. The organiser also
// marks attendance by hand (members without phones) and records hours.
//
// The token is an HMAC over village, activity and 30-second window with a key derived from the
// server secret: nothing is stored, a token from another activity or village does not verify, and a
// photo of the QR is useless a minute later (the current and the previous window are accepted).
import crypto from "node:crypto";
import { redirect } from "@remix-run/node";
import QRCode from "qrcode";
import { forbidden, getViewer, requireViewer } from "~/platform/access.server";
import { fail, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { sessionSecret } from "~/platform/env.server";
import { activityIn, MAX_DURATION_MS } from "./activities.server";

export const WINDOW_MS = 30_000;
/** A villager who must sign in first gets this long from a valid scan (typing a password takes a while). */
export const PASS_MS = 10 * 60_000;

function key(secret: string): Buffer {
  return crypto.createHmac("sha256", secret).update("activity-checkin-v1").digest();
}

function mac(secret: string, parts: (string | number)[]): string {
  return crypto.createHmac("sha256", key(secret)).update(parts.join(":")).digest("base64url").slice(0, 22);
}

export function windowOf(ms: number): number {
  return Math.floor(ms / WINDOW_MS);
}

/** The token for one window: "<window>.<mac>". */
export function checkinToken(villageId: number, activityId: number, window: number, secret = sessionSecret()): string {
  return `${window}.${mac(secret, ["scan", villageId, activityId, window])}`;
}

/** A short-lived pass handed to a villager who scanned a valid code but had to sign in first. */
export function checkinPass(villageId: number, activityId: number, issuedAt: number, secret = sessionSecret()): string {
  return `${issuedAt}.${mac(secret, ["pass", villageId, activityId, issuedAt])}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export type TokenCheck = { ok: true } | { ok: false; message: string };

const FORGED = "这个二维码无效：不是本活动的签到码。请扫描组织者手机上正在显示的二维码。";
const EXPIRED = "二维码已过期。签到码每 30 秒更换一次，请重新扫描组织者手机上正在显示的二维码。";

/** t (from the QR) or p (a pass after sign-in); exactly one is expected. */
export function verifyCheckin(villageId: number, activityId: number, q: { t: string | null; p: string | null }, at = now()): TokenCheck {
  const raw = q.t ?? q.p;
  const kind = q.t !== null ? "scan" : "pass";
  const m = raw === null ? null : /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(raw);
  if (!m) return { ok: false, message: raw ? FORGED : "没有签到码。请用手机相机扫描组织者手机上的二维码。" };
  const n = Number(m[1]);
  if (!same(m[2], mac(sessionSecret(), [kind, villageId, activityId, n]))) return { ok: false, message: FORGED };
  if (kind === "scan") {
    const current = windowOf(at);
    if (n > current) return { ok: false, message: FORGED };
    if (n < current - 1) return { ok: false, message: EXPIRED };
  } else if (n > at || at - n > PASS_MS) {
    return { ok: false, message: "签到链接已过期，请重新扫描组织者手机上的二维码。" };
  }
  return { ok: true };
}

const PASS_COOKIE = "__checkin_pass";

function passCookie(request: Request, villageId: number, activityId: number, pass: string): string {
  const secure = new URL(request.url).protocol === "https:" ? "; Secure" : "";
  // The activity's folder, not the page itself: with JavaScript the page's data is fetched from ".../checkin.data".
  return `${PASS_COOKIE}=${pass}; Path=/v/${villageId}/activities/${activityId}/; Max-Age=${PASS_MS / 1000}; HttpOnly; SameSite=Lax${secure}`;
}

function passCookieOf(request: Request): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [name, value] = part.trim().split("=");
    if (name === PASS_COOKIE && value) return value;
  }
  return null;
}

export function checkinPath(villageId: number, activityId: number): string {
  return `/v/${villageId}/activities/${activityId}/checkin`;
}

/** The QR for the current window: the URL (on this server's origin) and a PNG data URL of it. */
export async function currentQr(origin: string, villageId: number, activityId: number) {
  const at = now();
  const window = windowOf(at);
  const url = `${origin}${checkinPath(villageId, activityId)}?t=${encodeURIComponent(checkinToken(villageId, activityId, window))}`;
  const dataUrl = await QRCode.toDataURL(url, { errorCorrectionLevel: "M", margin: 2, width: 320 });
  return { url, dataUrl, msLeft: (window + 1) * WINDOW_MS - at };
}

// ---- recording attendance -----------------------------------------------------------

export type CheckinResult =
  | { ok: true; already: boolean; title: string; memberName: string }
  | { ok: false; message: string; status: number };

/** The scanning villager checks themself in. Writes at most one row, ever, per member and activity. */
export function checkInByScan(viewer: { userId: number; memberId: number | null; homeVillageId: number | null }, villageId: number, activityId: number): CheckinResult {
  return transact((): CheckinResult => {
    const a = stmt("select id, title, status from activities where id = ? and village_id = ?").get(activityId, villageId) as
      | { id: number; title: string; status: string }
      | undefined;
    if (!a) notFound();
    const member = viewer.memberId
      ? (stmt("select id, name, village_id from members where id = ? and active = 1").get(viewer.memberId) as { id: number; name: string; village_id: number } | undefined)
      : undefined;
    if (!member) return { ok: false, status: 403, message: "你的账号没有关联本村村民，不能签到。请找组织者手工登记。" };
    if (member.village_id !== villageId) return { ok: false, status: 403, message: "这是别的村的活动，你不能在这里签到。" };
    if (a.status === "cancelled") return { ok: false, status: 400, message: "这个活动已取消，不能签到。" };
    if (a.status === "closed") return { ok: false, status: 400, message: "这个活动已结束，不能再签到。" };
    // Read first: a replayed scan writes nothing at all (an ignored insert would still move the id sequence).
    if (attended(activityId, member.id)) return { ok: true, already: true, title: a.title, memberName: member.name };
    stmt(
      `insert into activity_attendance (village_id, activity_id, member_id, method, recorded_by, created_at)
       values (?, ?, ?, 'scan', ?, ?)`,
    ).run(villageId, activityId, member.id, viewer.userId, now());
    return { ok: true, already: false, title: a.title, memberName: member.name };
  });
}

function attended(activityId: number, memberId: number): boolean {
  return !!stmt("select 1 from activity_attendance where activity_id = ? and member_id = ?").get(activityId, memberId);
}

function openActivity(villageId: number, activityId: number): Outcome | null {
  const a = activityIn(villageId, activityId);
  if (a.status === "cancelled") return fail("_form", "活动已取消");
  if (a.status === "closed") return fail("_form", "活动已结束，考勤不能再改");
  return null;
}

function villageMember(villageId: number, memberId: number, activeOnly = true): { id: number; name: string } {
  const m = stmt(`select id, name from members where id = ? and village_id = ?${activeOnly ? " and active = 1" : ""}`).get(memberId, villageId) as { id: number; name: string } | undefined;
  return m ?? notFound();
}

/** The organiser marks a member of the village as present (signed up or not). */
export function markAttendance(actor: StaffActor & { userId: number }, villageId: number, activityId: number, memberId: number): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const closed = openActivity(villageId, activityId);
    if (closed) return closed as Outcome<{ name: string }>;
    const m = villageMember(villageId, memberId);
    if (attended(activityId, memberId)) return fail("_form", `${m.name}已经签到了`);
    stmt(
      `insert into activity_attendance (village_id, activity_id, member_id, method, recorded_by, created_at)
       values (?, ?, ?, 'manual', ?, ?)`,
    ).run(villageId, activityId, memberId, actor.userId, now());
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.attend", targetType: "activity", targetId: activityId, after: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function removeAttendance(actor: StaffActor, villageId: number, activityId: number, memberId: number): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const closed = openActivity(villageId, activityId);
    if (closed) return closed as Outcome<{ name: string }>;
    // A member who left the roster since can still be taken off: their attendance would block the close.
    const m = villageMember(villageId, memberId, false);
    const removed = stmt("delete from activity_attendance where activity_id = ? and member_id = ?").run(activityId, memberId).changes;
    if (!removed) return fail("_form", `${m.name}没有签到记录`);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.unattend", targetType: "activity", targetId: activityId, before: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function setHours(actor: StaffActor, villageId: number, activityId: number, memberId: number, hours: number): Outcome<{ name: string }> {
  return transact((): Outcome<{ name: string }> => {
    const closed = openActivity(villageId, activityId);
    if (closed) return closed as Outcome<{ name: string }>;
    const m = villageMember(villageId, memberId);
    const row = stmt("select hours from activity_attendance where activity_id = ? and member_id = ?").get(activityId, memberId) as { hours: number | null } | undefined;
    if (!row) return fail("_form", `${m.name}还没有签到，先签到再记时长`);
    stmt("update activity_attendance set hours = ? where activity_id = ? and member_id = ?").run(hours, activityId, memberId);
    audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.hours", targetType: "activity", targetId: activityId,
      before: { member_id: memberId, hours: row.hours }, after: { member_id: memberId, hours },
    });
    return { ok: true, name: m.name };
  });
}

/** Hours credited when the organiser recorded none: the planned length to the nearest half hour, at least half an hour. */
export function defaultHours(a: { starts_at: number; ends_at: number }): number {
  const halves = Math.round(Math.min(a.ends_at - a.starts_at, MAX_DURATION_MS) / 1800_000);
  return Math.max(1, Math.min(48, halves)) / 2;
}

export interface RosterRow {
  member_id: number;
  name: string;
  relation: string;
  household_number: string;
  signed_up: number;
  attended: number;
  method: "scan" | "manual" | null;
  hours: number | null;
  checked_in_at: number | null;
}

/** Who signed up and who came (walk-ins included), for the organiser's page. */
export function activityRoster(activityId: number): RosterRow[] {
  return stmt(
    `with people as (
       select member_id from activity_signups where activity_id = @a and status = 'active'
       union select member_id from activity_attendance where activity_id = @a)
     select m.id as member_id, m.name, m.relation, h.number as household_number,
            exists (select 1 from activity_signups s where s.activity_id = @a and s.member_id = m.id and s.status = 'active') as signed_up,
            (t.id is not null) as attended, t.method, t.hours, t.created_at as checked_in_at
     from people p join members m on m.id = p.member_id join households h on h.id = m.household_id
     left join activity_attendance t on t.activity_id = @a and t.member_id = m.id
     order by attended desc, t.created_at desc, h.number, m.id`,
  ).all({ a: activityId }) as RosterRow[];
}

/** Members of the village matching a name, 户号 or phone: to add someone who did not sign up. */
export function findVillageMembers(villageId: number, q: string): { id: number; name: string; relation: string; household_number: string }[] {
  if (!q) return [];
  const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  return stmt(
    `select m.id, m.name, m.relation, h.number as household_number from members m join households h on h.id = m.household_id
     where m.village_id = ? and m.active = 1 and (m.name like ? escape '\\' or h.number like ? escape '\\' or m.phone like ? escape '\\')
     order by h.number, m.id limit 20`,
  ).all(villageId, like, like, like) as { id: number; name: string; relation: string; household_number: string }[];
}

// ---- the page a villager's camera opens ------------------------------------------------

export type CheckinPage = { ok: true; already: boolean; title: string; memberName: string } | { ok: false; message: string };

/**
 * Verifies the code before anything else (an anonymous visitor learns nothing but "valid or not"),
 * sends a signed-out villager to sign in with a 10-minute pass, and checks the signed-in one in.
 */
export async function checkinPage(request: Request, villageId: number, activityId: number): Promise<{ body: CheckinPage; status: number }> {
  const url = new URL(request.url);
  const q = { t: url.searchParams.get("t"), p: url.searchParams.get("t") === null ? url.searchParams.get("p") : null };
  const check = verifyCheckin(villageId, activityId, q);
  if (!check.ok) return { body: { ok: false, message: check.message }, status: 400 };
  // A pass only works on the phone that scanned: it also travels in a cookie, so a forwarded
  // link (to someone who was not there) is refused.
  if (q.p !== null && passCookieOf(request) !== q.p) {
    return { body: { ok: false, message: "请在扫码的那部手机上登录并签到；如果换了手机，请重新扫描组织者手机上的二维码。" }, status: 400 };
  }
  const viewer = await getViewer(request);
  if (!viewer) {
    const pass = q.p ?? checkinPass(villageId, activityId, now());
    const next = `${checkinPath(villageId, activityId)}?p=${encodeURIComponent(pass)}`;
    throw redirect(`/login?next=${encodeURIComponent(next)}`, { headers: { "Set-Cookie": passCookie(request, villageId, activityId, pass) } });
  }
  await requireViewer(request); // a forced password change comes first
  const result = checkInByScan(viewer, villageId, activityId);
  if (!result.ok && result.status === 403) throw forbidden(result.message);
  if (!result.ok) return { body: { ok: false, message: result.message }, status: result.status };
  return { body: result, status: 200 };
}
