// Check-in at an activity: the organiser's phone shows a QR that changes every 30 seconds; a
// villager's phone camera opens the URL in it and the villager is checked in once. The organiser also
// marks attendance by hand (members without phones) and records hours.
//
// The token is an HMAC over village, activity and 30-second window with a key derived from the
// server secret: nothing is stored, a token from another activity or village does not verify, and a
// photo of the QR is useless a minute later (the current and the previous window are accepted).
import crypto from "node:crypto";
import { redirect } from "@remix-run/node";
import { expressionBuilder, type Expression, type ExpressionBuilder, type SqlBool } from "kysely";
import QRCode from "qrcode";
import { forbidden, getViewer, requireViewer } from "~/platform/access.server";
import { fail, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { containsText } from "~/platform/search.server";
import { sessionSecret } from "~/platform/env.server";
import type { Database } from "../../db/schema";
import { activityState, MAX_DURATION_MS } from "./activities.server";

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

/**
 * The scanning villager checks themself in. Writes at most one row, ever, per member and activity:
 * the read and the insert are one unit of work, so two scans at once cannot both insert.
 */
export function checkInByScan(viewer: { userId: number; memberId: number | null; homeVillageId: number | null }, villageId: number, activityId: number): Promise<CheckinResult> {
  return unitOfWork(async (tx): Promise<CheckinResult> => {
    const a = await activityState(villageId, activityId);
    const member = viewer.memberId === null ? undefined : await scanningMember(viewer.memberId, activityId);
    if (!member) return { ok: false, status: 403, message: "你的账号没有关联本村村民，不能签到。请找组织者手工登记。" };
    if (member.village_id !== villageId) return { ok: false, status: 403, message: "这是别的村的活动，你不能在这里签到。" };
    if (a.status === "cancelled") return { ok: false, status: 400, message: "这个活动已取消，不能签到。" };
    if (a.status === "closed") return { ok: false, status: 400, message: "这个活动已结束，不能再签到。" };
    // Read first: a replayed scan writes nothing at all (an ignored insert would still move the id sequence).
    if (member.attended) return { ok: true, already: true, title: a.title, memberName: member.name };
    await tx
      .insertInto("activity_attendance")
      .values({ village_id: villageId, activity_id: activityId, member_id: member.id, method: "scan", recorded_by: viewer.userId, created_at: now() })
      .execute();
    return { ok: true, already: false, title: a.title, memberName: member.name };
  });
}

/** The login's member, with whether they are already checked in to the activity (1 or 0). */
function scanningMember(memberId: number, activityId: number) {
  return db()
    .selectFrom("members as m")
    .select((eb) => ["m.id", "m.name", "m.village_id", attendedFlag(eb.exists(attendanceOf(eb, activityId))).as("attended")])
    .where("m.id", "=", memberId)
    .where("m.active", "=", constant(1))
    .executeTakeFirst();
}

/** 1 or 0 on every engine (an exists alone answers true/false on PostgreSQL). */
function attendedFlag(cond: Expression<SqlBool>) {
  return expressionBuilder<Database>().case().when(cond).then(1).else(0).end();
}

/** The member's attendance at the activity (a subquery for `exists`). */
function attendanceOf(eb: ExpressionBuilder<Database & { m: Database["members"] }, "m">, activityId: number) {
  return eb.selectFrom("activity_attendance as t").select("t.id").where("t.activity_id", "=", activityId).whereRef("t.member_id", "=", "m.id");
}

/** Attendance can change while the activity is open; anything else is a refusal (or a 404). */
async function openActivity(villageId: number, activityId: number): Promise<ReturnType<typeof fail> | null> {
  const a = await activityState(villageId, activityId);
  if (a.status === "cancelled") return fail("_form", "活动已取消");
  if (a.status === "closed") return fail("_form", "活动已结束，考勤不能再改");
  return null;
}

/** A member of the village (active only, unless taking off someone who left), with their attendance row if any. */
async function villageMember(villageId: number, memberId: number, activityId: number, activeOnly = true) {
  let q = db()
    .selectFrom("members as m")
    .leftJoin("activity_attendance as t", (j) => j.onRef("t.member_id", "=", "m.id").on("t.activity_id", "=", activityId))
    .select(["m.id", "m.name", "t.id as attendance_id", "t.hours"])
    .where("m.id", "=", memberId)
    .where("m.village_id", "=", villageId);
  if (activeOnly) q = q.where("m.active", "=", constant(1));
  return (await q.executeTakeFirst()) ?? notFound();
}

/** The organiser marks a member of the village as present (signed up or not). */
export function markAttendance(actor: StaffActor & { userId: number }, villageId: number, activityId: number, memberId: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const closed = await openActivity(villageId, activityId);
    if (closed) return closed;
    const m = await villageMember(villageId, memberId, activityId);
    if (m.attendance_id !== null) return fail("_form", `${m.name}已经签到了`);
    await tx
      .insertInto("activity_attendance")
      .values({ village_id: villageId, activity_id: activityId, member_id: memberId, method: "manual", recorded_by: actor.userId, created_at: now() })
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.attend", targetType: "activity", targetId: activityId, after: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function removeAttendance(actor: StaffActor, villageId: number, activityId: number, memberId: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const closed = await openActivity(villageId, activityId);
    if (closed) return closed;
    // A member who left the roster since can still be taken off: their attendance would block the close.
    const m = await villageMember(villageId, memberId, activityId, false);
    if (m.attendance_id === null) return fail("_form", `${m.name}没有签到记录`);
    await tx.deleteFrom("activity_attendance").where("id", "=", m.attendance_id).execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.unattend", targetType: "activity", targetId: activityId, before: { member_id: memberId } });
    return { ok: true, name: m.name };
  });
}

export function setHours(actor: StaffActor, villageId: number, activityId: number, memberId: number, hours: number): Promise<Outcome<{ name: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ name: string }>> => {
    const closed = await openActivity(villageId, activityId);
    if (closed) return closed;
    const m = await villageMember(villageId, memberId, activityId);
    if (m.attendance_id === null) return fail("_form", `${m.name}还没有签到，先签到再记时长`);
    await tx.updateTable("activity_attendance").set({ hours }).where("id", "=", m.attendance_id).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "activity.hours", targetType: "activity", targetId: activityId,
      before: { member_id: memberId, hours: m.hours }, after: { member_id: memberId, hours },
    });
    return { ok: true, name: m.name };
  });
}

/** Hours credited when the organiser recorded none: the planned length to the nearest half hour, at least half an hour. */
export function defaultHours(a: { starts_at: number; ends_at: number }): number {
  const halves = Math.round(Math.min(a.ends_at - a.starts_at, MAX_DURATION_MS) / 1800_000);
  return Math.max(1, Math.min(48, halves)) / 2;
}

/** Who signed up and who came (walk-ins included), for the organiser's page. */
export function activityRoster(activityId: number) {
  return db()
    .with("people", (q) =>
      q
        .selectFrom("activity_signups")
        .select("member_id")
        .where("activity_id", "=", activityId)
        .where("status", "=", constant("active"))
        .union(q.selectFrom("activity_attendance").select("member_id").where("activity_id", "=", activityId)),
    )
    .selectFrom("people as p")
    .innerJoin("members as m", "m.id", "p.member_id")
    .innerJoin("households as h", "h.id", "m.household_id")
    .leftJoin("activity_attendance as t", (j) => j.onRef("t.member_id", "=", "m.id").on("t.activity_id", "=", activityId))
    .select((eb) => [
      "m.id as member_id", "m.name", "m.relation", "h.number as household_number",
      attendedFlag(
        eb.exists(
          eb.selectFrom("activity_signups as s").select("s.id").where("s.activity_id", "=", activityId).whereRef("s.member_id", "=", "m.id").where("s.status", "=", constant("active")),
        ),
      ).as("signed_up"),
      attendedFlag(eb("t.id", "is not", null)).as("attended"),
      "t.method", "t.hours", "t.created_at as checked_in_at",
    ])
    // Who came first, the latest arrival on top (the others have no time: the order of null is moot).
    .orderBy("attended", "desc")
    .orderBy("t.created_at", "desc")
    .orderBy("h.number")
    .orderBy("m.id")
    .execute();
}
export type RosterRow = Awaited<ReturnType<typeof activityRoster>>[number];

/** Members of the village matching a name, 户号 or phone: to add someone who did not sign up. */
export async function findVillageMembers(villageId: number, q: string) {
  if (!q) return [];
  return db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .select(["m.id", "m.name", "m.relation", "h.number as household_number"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", constant(1))
    .where((eb) => eb.or([containsText(eb.ref("m.name"), q), containsText(eb.ref("h.number"), q), containsText(eb.ref("m.phone"), q)]))
    .orderBy("h.number")
    .orderBy("m.id")
    .limit(20)
    .execute();
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
  const result = await checkInByScan(viewer, villageId, activityId);
  if (!result.ok && result.status === 403) throw forbidden(result.message);
  if (!result.ok) return { body: { ok: false, message: result.message }, status: result.status };
  return { body: result, status: 200 };
}
