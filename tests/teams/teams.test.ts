// 志愿队伍: members only from the villages a team may take, one membership however many taps, and
// hours summed in SQL from the team's own activities only (another team's, a cancelled one and one
// outside the period are not counted).
import { describe, expect, it } from "vitest";
import { createActivity } from "~/activities/activities.server";
import { now } from "~/platform/clock.server";
import { periodOf, thisYear } from "~/teams/labels";
import {
  addMember, createTeam, findCandidates, removeMember, setLeader, teamActivities, teamAllowedFor, teamById, teamChoices, teamMembers, teamTotals, townshipTeams, villageTeams,
} from "~/teams/teams.server";
import { sqlOn } from "../support/sql";
import { activityVillage, newActivity, type ActivityVillage } from "../activities/fixture";

const HOUR = 3600_000;
const q = () => sqlOn();

async function world(code: string) {
  const a = await activityVillage(`${code}A`);
  const b = await activityVillage(`${code}B`);
  // A township of their own: the file's database is shared by its tests.
  const township = (await q().value<number>("insert into townships (name, created_at) values (?, 0) returning id", `${code}镇`))!;
  await q().run("update villages set township_id = ? where id in (?, ?)", township, a.villageId, b.villageId);
  const actorA = { userId: a.committee, role: "committee", villageId: a.villageId };
  const admin = { userId: a.committee, role: "township_admin", villageId: null };
  const team = async (villageId: number | null, name: string) => {
    const out = await createTeam(villageId === null ? admin : actorA, { townshipId: township, villageId }, { name, description: "" });
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    return teamById(out.teamId);
  };
  return { a, b, township, actorA, admin, team };
}

/** An attendance row with the hours given (null: the planned length counts). */
async function attend(v: ActivityVillage, activityId: number, memberId: number, hours: number | null) {
  await q().run(
    "insert into activity_attendance (village_id, activity_id, member_id, method, hours, recorded_by, created_at) values (?, ?, ?, 'manual', ?, ?, ?)",
    v.villageId, activityId, memberId, hours, v.committee, now(),
  );
}

async function expectNotFound(p: Promise<unknown>) {
  const thrown = await p.then(() => null, (e: unknown) => e);
  expect(thrown).toBeInstanceOf(Response);
  expect((thrown as Response).status).toBe(404);
}

describe("team members", () => {
  it("a village team takes only its own village's villagers; a township team any village of the township, none from elsewhere", async () => {
    const { a, b, actorA, admin, team } = await world("TM");
    const squad = await team(a.villageId, "环境整治队");
    const township = await team(null, "镇志愿总队");
    const elsewhere = await activityVillage("TMX");
    const other = await q().value<number>("insert into townships (name, created_at) values ('别的镇', 0) returning id");
    await q().run("update villages set township_id = ? where id = ?", other, elsewhere.villageId);

    expect((await addMember(actorA, squad, a.villagers[0].memberId)).ok).toBe(true);
    expect((await addMember(actorA, squad, a.elder)).ok).toBe(true); // a member without a phone is a villager too
    await expectNotFound(addMember(actorA, squad, b.villagers[0].memberId));
    await expectNotFound(addMember(actorA, squad, 999_999_999));
    expect((await addMember(admin, township, a.villagers[1].memberId)).ok).toBe(true);
    expect((await addMember(admin, township, b.villagers[1].memberId)).ok).toBe(true);
    await expectNotFound(addMember(admin, township, elsewhere.villagers[0].memberId));

    // A member who left the village's roll (inactive) is not taken.
    await q().run("update members set active = 0 where id = ?", a.villagers[2].memberId);
    await expectNotFound(addMember(actorA, squad, a.villagers[2].memberId));

    const rows = await q().all<{ team_id: number; member_id: number; village_id: number }>(
      "select team_id, member_id, village_id from volunteer_team_members where team_id in (?, ?) order by id", squad.id, township.id,
    );
    expect(rows).toEqual([
      { team_id: squad.id, member_id: a.villagers[0].memberId, village_id: a.villageId },
      { team_id: squad.id, member_id: a.elder, village_id: a.villageId },
      { team_id: township.id, member_id: a.villagers[1].memberId, village_id: a.villageId },
      { team_id: township.id, member_id: b.villagers[1].memberId, village_id: b.villageId },
    ]);
    // The search offers the same people the write accepts.
    expect((await findCandidates(squad, "户主")).map((c) => c.id).sort()).toEqual([a.villagers[0].memberId, a.villagers[1].memberId].sort());
    const found = await findCandidates(township, "户主");
    expect(found.some((c) => c.id === b.villagers[0].memberId)).toBe(true);
    expect(found.some((c) => c.id === elsewhere.villagers[0].memberId)).toBe(false);
    expect(found.find((c) => c.id === a.villagers[1].memberId)?.in_team).toBeTruthy();
  });

  it("marks and unmarks a leader, removes a member, refuses those not in the team, and audits each", async () => {
    const { a, actorA, team } = await world("LD");
    const squad = await team(a.villageId, "孝老服务队");
    const m = a.villagers[0].memberId;
    expect((await addMember(actorA, squad, m)).ok).toBe(true);
    expect((await addMember(actorA, squad, m))).toMatchObject({ ok: false, errors: { _form: "户主0 已经是队员了" } });
    expect((await setLeader(actorA, squad, m, 1)).ok).toBe(true);
    const period = periodOf(thisYear(now()))!;
    expect((await teamMembers(squad.id, period, 1)).rows[0]).toMatchObject({ member_id: m, is_leader: 1 });
    expect((await setLeader(actorA, squad, a.villagers[1].memberId, 1)).ok).toBe(false);
    expect((await removeMember(actorA, squad, a.villagers[1].memberId)).ok).toBe(false);
    expect((await setLeader(actorA, squad, m, 0)).ok).toBe(true);
    expect((await removeMember(actorA, squad, m)).ok).toBe(true);
    expect(await q().value<number>("select count(*) from volunteer_team_members where team_id = ?", squad.id)).toBe(0);
    const actions = (await q().all<{ action: string }>("select action from audit_log where target_type = 'volunteer_team' and target_id = ? order by id", String(squad.id))).map((r) => r.action);
    expect(actions).toEqual(["team.create", "team.member_add", "team.leader", "team.leader", "team.member_remove"]);
  });

  it("two adds of the same villager at the same moment make one membership", async () => {
    const { a, actorA, team } = await world("RC");
    const squad = await team(a.villageId, "并发队");
    for (const v of a.villagers) {
      const out = await Promise.all([addMember(actorA, squad, v.memberId), addMember(actorA, squad, v.memberId)]);
      expect(out.filter((o) => o.ok)).toHaveLength(1);
      const refused = out.find((o) => !o.ok);
      expect(refused && !refused.ok ? refused.errors._form : "").toContain("已经是队员了");
    }
    expect(await q().value<number>("select count(*) from volunteer_team_members where team_id = ?", squad.id)).toBe(a.villagers.length);
    expect(await q().value<number>("select count(*) from audit_log where action = 'team.member_add' and target_id = ?", String(squad.id))).toBe(a.villagers.length);
  });

  it("refuses a second team of the same name at the same level", async () => {
    const { a, b, township, actorA, admin } = await world("NM");
    expect((await createTeam(actorA, { townshipId: township, villageId: a.villageId }, { name: "理发队", description: "" })).ok).toBe(true);
    expect(await createTeam(actorA, { townshipId: township, villageId: a.villageId }, { name: "理发队", description: "" })).toMatchObject({ ok: false, errors: { name: expect.stringContaining("同名") } });
    // Another village, or the township, may have one of that name.
    expect((await createTeam({ ...actorA, villageId: b.villageId }, { townshipId: township, villageId: b.villageId }, { name: "理发队", description: "" })).ok).toBe(true);
    expect((await createTeam(admin, { townshipId: township, villageId: null }, { name: "理发队", description: "" })).ok).toBe(true);
    expect(await createTeam(admin, { townshipId: township, villageId: null }, { name: "理发队", description: "" })).toMatchObject({ ok: false });
  });
});

describe("activities of a team", () => {
  it("an activity takes the village's own teams and the township's, never another village's", async () => {
    const { a, b, team } = await world("AT");
    const own = await team(a.villageId, "本村队");
    const theirs = await team(b.villageId, "外村队");
    const township = await team(null, "镇队");
    expect((await teamChoices(a.villageId)).map((t) => t.id)).toEqual([township.id, own.id]);
    expect(await teamAllowedFor(a.villageId, own.id)).toBe(true);
    expect(await teamAllowedFor(a.villageId, township.id)).toBe(true);
    expect(await teamAllowedFor(a.villageId, theirs.id)).toBe(false);
    expect(await teamAllowedFor(a.villageId, 999_999)).toBe(false);
    const starts = now() + 48 * HOUR;
    const fields = {
      title: "清扫", description: "", place: "村口", startsAt: starts, endsAt: starts + 2 * HOUR, deadline: starts - HOUR, capacity: 5,
      organiserId: a.committee, ruleId: a.rules.perHour,
    };
    const actor = { userId: a.committee, role: "committee", villageId: a.villageId };
    expect(await createActivity(actor, a.villageId, { ...fields, teamId: theirs.id })).toMatchObject({ ok: false, errors: { teamId: "请从列表中选择志愿队伍" } });
    const made = await createActivity(actor, a.villageId, { ...fields, teamId: township.id });
    expect(made.ok).toBe(true);
    expect(await q().value<number>("select team_id from activities where id = ?", made.ok ? made.activityId : 0)).toBe(township.id);
    expect(await q().value<number>("select count(*) from activities where team_id = ?", theirs.id)).toBe(0);
  });

  it("sums hours per team and per member from its own activities only, in SQL, for the period", async () => {
    const { a, b, actorA, admin, team } = await world("HR");
    const squad = await team(a.villageId, "环境队");
    const rival = await team(a.villageId, "另一队");
    const township = await team(null, "镇总队");
    const [m0, m1, m2] = a.villagers.map((v) => v.memberId);
    for (const m of [m0, m1]) await addMember(actorA, squad, m);
    await addMember(admin, township, b.villagers[0].memberId);

    const act = async (v: ActivityVillage, teamId: number | null, startsIn: number, hours = 3) => {
      const id = await newActivity(v, { startsIn });
      await q().run("update activities set team_id = ?, ends_at = starts_at + ? where id = ?", teamId, hours * HOUR, id);
      return id;
    };
    const one = await act(a, squad.id, 2 * HOUR);
    await attend(a, one, m0, 2.5);
    await attend(a, one, m1, null); // planned 3 hours
    await attend(a, one, m2, 1); // not a member: counts for the team, listed nowhere per member
    const two = await act(a, squad.id, 4 * HOUR, 1.25); // 1 h 15 min planned: 2.5 half hours, rounded half up to 1.5 h
    await attend(a, two, m0, null);
    // Another team's activity with the same people: not this team's hours.
    const other = await act(a, rival.id, 6 * HOUR);
    await attend(a, other, m0, 4);
    // No team at all.
    const none = await act(a, null, 8 * HOUR);
    await attend(a, none, m1, 5);
    // Cancelled: its attendance does not count.
    const cancelled = await act(a, squad.id, 10 * HOUR);
    await attend(a, cancelled, m1, 6);
    await q().run("update activities set status = 'cancelled', cancel_reason = '下雨' where id = ?", cancelled);
    // The township team's activity held in the other village.
    const tw = await act(b, township.id, 2 * HOUR, 2);
    await attend(b, tw, b.villagers[0].memberId, null);

    const period = periodOf(thisYear(now()))!;
    // Activities a day or two ahead may fall in the next year on 30–31 December: count over both years then.
    const wide = { ...period, to: periodOf(String(Number(period.key) + 1))!.to };
    expect(await teamTotals(squad.id, wide)).toEqual({ hours: 2.5 + 3 + 1 + 1.5, activities: 2, people: 3 });
    expect(await teamTotals(rival.id, wide)).toEqual({ hours: 4, activities: 1, people: 1 });
    expect(await teamTotals(township.id, wide)).toEqual({ hours: 2, activities: 1, people: 1 });

    const members = await teamMembers(squad.id, wide, 1);
    expect(members.count).toBe(2);
    expect(Object.fromEntries(members.rows.map((r) => [r.member_id, r.hours]))).toEqual({ [m0]: 2.5 + 1.5, [m1]: 3 });

    const acts = await teamActivities(squad.id, wide);
    expect(acts.map((x) => [x.id, x.attended, x.status === "cancelled" ? "cancelled" : x.hours])).toEqual([
      [cancelled, 1, "cancelled"], [two, 1, 1.5], [one, 3, 6.5],
    ]);

    const side = await townshipTeams(squad.township_id, wide, 1);
    const byId = Object.fromEntries(side.rows.map((r) => [r.id, r.hours]));
    expect(byId).toEqual({ [squad.id]: 8, [rival.id]: 4, [township.id]: 2 });
    expect(side.hours).toBe(14);
    expect(side.rows[0].id).toBe(township.id); // the township's teams first

    const seen = await villageTeams(b.villageId, wide);
    expect(seen.map((t) => t.id)).toEqual([township.id]); // village B sees the township's, not A's squads

    // A month with none of these activities: nothing.
    const empty = periodOf("2001-01")!;
    expect(await teamTotals(squad.id, empty)).toEqual({ hours: 0, activities: 0, people: 0 });
    expect((await teamMembers(squad.id, empty, 1)).rows.map((r) => r.hours)).toEqual([0, 0]);
  });
});
