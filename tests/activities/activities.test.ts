// Activities end to end at the module level: sign-up rules, cancellation seen by the households that
// signed up, the rotating check-in code (expiry, replay, other activity, other village, forged), and
// closing: attendance becomes one claim per member, hours priced by the rule, all or nothing.
import { afterEach, describe, expect, it } from "vitest";
import { activitiesForHousehold, cancelSignUp, signUp } from "~/activities/signups.server";
import { cancelActivity, defaultActivityTimes } from "~/activities/activities.server";
import { checkinPage, checkinPass, checkinToken, markAttendance, PASS_MS, setHours, WINDOW_MS, windowOf } from "~/activities/checkin.server";
import { closeActivity } from "~/activities/close.server";
import { clockControl, now } from "~/platform/clock.server";
import { startSession } from "~/platform/session.server";
import { sqlOn } from "../support/sql";
import { activityVillage, newActivity, type ActivityVillage, type Villager } from "./fixture";

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 10, 20, 1, 0, 7); // 09:00:07 China time, a few seconds into a window

afterEach(() => clockControl.reset());

function signer(v: Villager) {
  return { userId: v.userId, householdId: v.householdId, villageId: v.villageId };
}

/** Independent reads and setup writes, outside any unit of work. */
const sql = () => sqlOn();
const attendance = (activityId: number) => sql().all("select member_id, method from activity_attendance where activity_id = ? order by member_id", activityId);
const countAll = () => sql().value("select (select count(*) from activity_attendance) + (select count(*) from activity_signups) + (select count(*) from claims) as n");

/** A request from a signed-in user's phone opening the check-in URL with `query`. */
async function scan(userId: number | null, v: { villageId: number }, activityId: number, query: string, passCookie = "") {
  const url = `http://village.test/v/${v.villageId}/activities/${activityId}/checkin?${query}`;
  let cookie = passCookie;
  if (userId !== null) {
    const setCookie = await startSession(new Request(url), userId, "127.0.0.1");
    cookie = [cookie, setCookie.split(";")[0]].filter(Boolean).join("; ");
  }
  try {
    return await checkinPage(new Request(url, { headers: { cookie } }), v.villageId, activityId);
  } catch (thrown) {
    if (thrown instanceof Response) return { thrown };
    throw thrown;
  }
}

describe("sign-up", () => {
  it("signs up any member of the own household, refuses after the deadline and for cancelled activities", async () => {
    clockControl.set(T0);
    const v = await activityVillage("SU");
    const [a] = v.villagers;
    const id = await newActivity(v, { startsIn: 24 * HOUR });
    expect(await signUp(signer(a), id, v.elder)).toMatchObject({ ok: true, name: "老人甲" });
    expect(await signUp(signer(a), id, v.elder)).toMatchObject({ ok: false, errors: { _form: "老人甲已经报过名了" } });
    // A member of another household is not the signer's to sign up: 404, nothing written.
    const before = await countAll();
    await expect(signUp(signer(a), id, v.villagers[1].memberId)).rejects.toThrow(Response);
    expect(await countAll()).toBe(before);
    expect(await cancelSignUp(signer(a), id, v.elder)).toMatchObject({ ok: true });
    clockControl.set(T0 + 23 * HOUR); // the deadline is an hour before the start
    expect(await signUp(signer(a), id, a.memberId)).toMatchObject({ ok: false, errors: { _form: "报名已截止" } });
    expect(await cancelSignUp(signer(a), id, v.elder)).toMatchObject({ ok: false, errors: { _form: "报名已截止" } });
  });

  it("gives the last places to exactly as many sign-ups as there are places when they arrive at once in one process", async () => {
    clockControl.set(T0);
    const v = await activityVillage("SU2", 4);
    const id = await newActivity(v, { capacity: 2 });
    const replies = await Promise.all(v.villagers.map((x) => signUp(signer(x), id, x.memberId)));
    expect(replies.filter((r) => r.ok)).toHaveLength(2);
    expect(replies.filter((r) => !r.ok).map((r) => (r.ok ? null : r.errors._form))).toEqual(["名额已满", "名额已满"]);
    expect(await sql().get("select count(*) as n from activity_signups where activity_id = ? and status = 'active'", id)).toEqual({ n: 2 });
  });

  it("shows a cancelled activity, with its reason, to the households that signed up, and only to them", async () => {
    clockControl.set(T0);
    const v = await activityVillage("CX");
    const [a, b] = v.villagers;
    const id = await newActivity(v);
    await signUp(signer(a), id, a.memberId);
    expect(await cancelActivity({ userId: v.committee, role: "committee", villageId: v.villageId }, v.villageId, id, "大风预警，改期")).toEqual({ ok: true });
    const seenByA = (await activitiesForHousehold(v.villageId, a.householdId)).upcoming.find((x) => x.id === id);
    expect(seenByA).toMatchObject({ status: "cancelled", cancel_reason: "大风预警，改期", canSignUp: false });
    expect(seenByA!.mine.map((s) => [s.member_name, s.status])).toEqual([["户主0", "active"]]);
    expect((await activitiesForHousehold(v.villageId, b.householdId)).upcoming.find((x) => x.id === id)).toBeUndefined();
    expect(await signUp(signer(b), id, b.memberId)).toMatchObject({ ok: false, errors: { _form: "活动已取消" } });
  });
});

describe("the new-activity form's suggested times", () => {
  const china = (iso: string) => Date.parse(`${iso}+08:00`);
  it("offers tomorrow morning with sign-up open until 20:00 tonight", () => {
    expect(defaultActivityTimes(china("2026-11-20T09:00"))).toEqual({ start: china("2026-11-21T08:30"), end: china("2026-11-21T11:30"), deadline: china("2026-11-20T20:00") });
  });
  it("late in the evening, when tonight's deadline is past or too close, offers the day after", () => {
    for (const at of ["2026-11-20T19:30", "2026-11-20T20:03", "2026-11-20T23:59"]) {
      const t = defaultActivityTimes(china(at));
      expect(t.start).toBe(china("2026-11-22T08:30"));
      expect(t.deadline).toBeGreaterThan(china(at) + HOUR);
    }
  });
});

describe("check-in by the rotating code", () => {
  async function setup(code: string) {
    clockControl.set(T0);
    const v = await activityVillage(code);
    const id = await newActivity(v, { startsIn: -HOUR }); // under way
    return { v, id, w: windowOf(T0) };
  }

  it("checks a villager in once: scanning again records nothing more", async () => {
    const { v, id, w } = await setup("CK1");
    const [a] = v.villagers;
    const t = `t=${checkinToken(v.villageId, id, w)}`;
    expect(await scan(a.userId, v, id, t)).toEqual({ status: 200, body: { ok: true, already: false, title: "清扫村道", memberName: "户主0" } });
    expect(await scan(a.userId, v, id, t)).toMatchObject({ status: 200, body: { ok: true, already: true } });
    expect(await attendance(id)).toEqual([{ member_id: a.memberId, method: "scan" }]);
  });

  it("checks a villager in once when the same code arrives twice at the same moment (a double tap)", async () => {
    const { v, id, w } = await setup("CK5");
    const [a] = v.villagers;
    const t = `t=${checkinToken(v.villageId, id, w)}`;
    const replies = await Promise.all([scan(a.userId, v, id, t), scan(a.userId, v, id, t)]);
    expect(replies.map((r) => (r as { status: number; body: { already: boolean } }).body.already).sort()).toEqual([false, true]);
    expect(await attendance(id)).toEqual([{ member_id: a.memberId, method: "scan" }]);
  });

  it("accepts the previous window's code and refuses one from two windows ago, or from the future", async () => {
    const { v, id, w } = await setup("CK2");
    const [a, b, c] = v.villagers;
    expect(await scan(a.userId, v, id, `t=${checkinToken(v.villageId, id, w - 1)}`)).toMatchObject({ status: 200, body: { ok: true } });
    const old = await scan(b.userId, v, id, `t=${checkinToken(v.villageId, id, w - 2)}`);
    expect(old).toMatchObject({ status: 400, body: { ok: false } });
    expect((old as { body: { message: string } }).body.message).toContain("二维码已过期");
    expect(await scan(c.userId, v, id, `t=${checkinToken(v.villageId, id, w + 1)}`)).toMatchObject({ status: 400, body: { ok: false } });
    // Time moves on: the code that was current is refused a minute later.
    const current = `t=${checkinToken(v.villageId, id, w)}`;
    clockControl.set(T0 + 2 * WINDOW_MS);
    expect(await scan(b.userId, v, id, current)).toMatchObject({ status: 400, body: { ok: false } });
    expect(await attendance(id)).toEqual([{ member_id: a.memberId, method: "scan" }]);
  });

  it("refuses another activity's code, another village's code, a forged one and a villager of another village", async () => {
    const { v, id, w } = await setup("CK3");
    const [a] = v.villagers;
    const other = await newActivity(v, { startsIn: -HOUR, title: "看望老人" });
    const v2 = await activityVillage("CK3B");
    const foreign = await newActivity(v2, { startsIn: -HOUR });
    const forgedMessage = "这个二维码无效";
    const refused = async (query: string, user = a.userId) => {
      const r = await scan(user, v, id, query);
      expect(r, query).toMatchObject({ status: 400, body: { ok: false } });
      expect((r as { body: { message: string } }).body.message, query).toContain(forgedMessage);
    };
    await refused(`t=${checkinToken(v.villageId, other, w)}`); // the other activity's code, on this activity's URL
    await refused(`t=${checkinToken(v2.villageId, foreign, w)}`); // another village's code
    await refused(`t=${checkinToken(v.villageId, id, w, "not-the-server-secret")}`); // made with a guessed secret
    await refused(`t=${w}.AAAAAAAAAAAAAAAAAAAAAA`);
    await refused(`t=${checkinToken(v.villageId, id, w)}x`);
    await refused(`t=${encodeURIComponent("<script>")}`);
    // A pass is not a scan code, and a scan code is not a pass.
    await refused(`t=${checkinPass(v.villageId, id, now())}`);
    // A genuine code of this activity, scanned by a villager of another village.
    const r = await scan(v2.villagers[0].userId, v, id, `t=${checkinToken(v.villageId, id, w)}`);
    expect((r as { thrown: Response }).thrown.status).toBe(403);
    expect(await (r as { thrown: Response }).thrown.text()).toContain("别的村");
    expect(await attendance(id)).toEqual([]);
    expect(await attendance(other)).toEqual([]);
  });

  it("sends a signed-out villager to sign in with a pass that works for 10 minutes", async () => {
    const { v, id, w } = await setup("CK4");
    const [a, b] = v.villagers;
    const r = await scan(null, v, id, `t=${checkinToken(v.villageId, id, w)}`);
    const location = (r as { thrown: Response }).thrown.headers.get("location")!;
    expect(location).toMatch(/^\/login\?next=/);
    const next = decodeURIComponent(location.slice("/login?next=".length));
    expect(next).toMatch(new RegExp(`^/v/${v.villageId}/activities/${id}/checkin\\?p=`));
    const query = next.split("?")[1];
    // The pass also went to the scanning phone as a cookie; the link alone, forwarded, is refused.
    const passCookie = (r as { thrown: Response }).thrown.headers.get("set-cookie")!.split(";")[0];
    expect(passCookie).toBe(`__checkin_pass=${decodeURIComponent(query.slice(2))}`);
    expect(await scan(b.userId, v, id, query)).toMatchObject({ status: 400, body: { ok: false, message: expect.stringContaining("扫码的那部手机") } });
    clockControl.set(T0 + 5 * 60_000); // typing the password took a while
    expect(await scan(a.userId, v, id, query, passCookie)).toMatchObject({ status: 200, body: { ok: true, already: false } });
    clockControl.set(T0 + PASS_MS + 1000);
    expect(await scan(b.userId, v, id, query, passCookie)).toMatchObject({ status: 400, body: { ok: false } });
    // An expired code never earns a pass.
    const late = await scan(null, v, id, `t=${checkinToken(v.villageId, id, w - 2)}`);
    expect(late).toMatchObject({ status: 400 });
    expect(await attendance(id)).toEqual([{ member_id: a.memberId, method: "scan" }]);
  });
});

describe("closing turns attendance into claims", () => {
  /** A village and a per-time activity starting in an hour. */
  async function held(code: string) {
    clockControl.set(T0);
    const v = await activityVillage(code);
    return { v, id: await newActivity(v, { startsIn: HOUR }) };
  }
  const organiser = (v: ActivityVillage) => ({ userId: v.organiser, role: "inspector" as const, villageId: v.villageId });
  const claims = (id: number) =>
    sql().all("select member_id, rule_id, quantity, points, status, filer_user_id, filer_role, source_kind from claims where source_id = ? order by member_id", id);

  it("files one claim per attending member, hours priced by a per-hour rule, in one batch with closing", async () => {
    const { v } = await held("CL1");
    const id = await newActivity(v, { startsIn: HOUR, ruleId: v.rules.perHour }); // 3 hours planned
    const [a, b, c] = v.villagers;
    await signUp(signer(a), id, a.memberId);
    await signUp(signer(a), id, v.elder);
    await signUp(signer(c), id, c.memberId); // signed up, never came: no claim
    await markAttendance(organiser(v), v.villageId, id, a.memberId);
    await markAttendance(organiser(v), v.villageId, id, v.elder);
    await markAttendance(organiser(v), v.villageId, id, b.memberId); // came without signing up
    expect(await setHours(organiser(v), v.villageId, id, v.elder, 2.5)).toMatchObject({ ok: true });
    expect(await setHours(organiser(v), v.villageId, id, b.memberId, 1)).toMatchObject({ ok: true });
    expect(await closeActivity({ userId: v.organiser, role: "inspector" }, v.villageId, id)).toMatchObject({ ok: false, errors: { _form: "活动还没开始，不能结束" } });
    expect(await claims(id)).toEqual([]);

    clockControl.set(T0 + 5 * HOUR);
    expect(await closeActivity({ userId: v.organiser, role: "inspector" }, v.villageId, id)).toEqual({ ok: true, claims: 3 });
    const base = { rule_id: v.rules.perHour, status: "pending", filer_user_id: v.organiser, filer_role: "inspector", source_kind: "activity" };
    expect(await claims(id)).toEqual(
      [
        { member_id: a.memberId, quantity: 3, points: 6, ...base }, // no hours recorded: the planned 3 hours
        { member_id: v.elder, quantity: 2.5, points: 5, ...base },
        { member_id: b.memberId, quantity: 1, points: 2, ...base },
      ].sort((x, y) => x.member_id - y.member_id),
    );
    expect(await sql().get("select status from activities where id = ?", id)).toEqual({ status: "closed" });
    expect(await sql().get("select count(*) as n from activity_attendance where activity_id = ? and claim_id is null", id)).toEqual({ n: 0 });
    // Closed means closed: no second batch, no attendance changes.
    expect(await closeActivity({ userId: v.committee, role: "committee" }, v.villageId, id)).toMatchObject({ ok: false });
    expect(await markAttendance(organiser(v), v.villageId, id, c.memberId)).toMatchObject({ ok: false });
    expect(await claims(id)).toHaveLength(3);
  });

  it("files one fixed-points claim per member for a per-time rule", async () => {
    const { v, id } = await held("CL2");
    const [a, b] = v.villagers;
    await markAttendance(organiser(v), v.villageId, id, a.memberId);
    await markAttendance(organiser(v), v.villageId, id, b.memberId);
    clockControl.set(T0 + 2 * HOUR);
    expect(await closeActivity({ userId: v.committee, role: "committee" }, v.villageId, id)).toEqual({ ok: true, claims: 2 });
    expect((await claims(id)).map((c) => [(c as { quantity: number }).quantity, (c as { points: number }).points])).toEqual([[1, 5], [1, 5]]);
  });

  it("writes nothing when one claim of the batch is refused (a cap): the activity stays open", async () => {
    const { v } = await held("CL3");
    await sql().run("update rules set cap_member_day = 4 where id = ?", v.rules.perHour);
    const id = await newActivity(v, { startsIn: HOUR, ruleId: v.rules.perHour });
    const [a, b] = v.villagers;
    await markAttendance(organiser(v), v.villageId, id, a.memberId);
    await markAttendance(organiser(v), v.villageId, id, b.memberId);
    await setHours(organiser(v), v.villageId, id, a.memberId, 1);
    clockControl.set(T0 + 5 * HOUR);
    const before = await countAll();
    const out = await closeActivity({ userId: v.organiser, role: "inspector" }, v.villageId, id);
    expect(out.ok).toBe(false);
    expect(JSON.stringify(out)).toContain("户主1");
    expect(await countAll()).toBe(before);
    expect(await sql().get("select status from activities where id = ?", id)).toEqual({ status: "open" });
    // The organiser corrects the hours and closes.
    await setHours(organiser(v), v.villageId, id, b.memberId, 2);
    expect(await closeActivity({ userId: v.organiser, role: "inspector" }, v.villageId, id)).toEqual({ ok: true, claims: 2 });
  });
});
