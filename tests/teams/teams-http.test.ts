// 志愿队伍 through the real server with the demo township: who reads and who runs which team (pages
// with a team id, which the shared access table does not know), cross-village refusals that write
// nothing, the activity form's team, and a bad period.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

const PHONES = {
  villager: "13900000001",
  store_keeper: "13900000002",
  committee: "13900000003",
  inspector: "13900000004",
  village_admin: "13900000005",
  township_admin: "13900000000",
} as const;
type Who = keyof typeof PHONES;
const ALL = Object.keys(PHONES) as Who[];

let server: TestServer;
let database: Engine;
let q: Sql;
let clients: Map<Who, Client>;
const id = { v: 0, v2: 0, own: 0, own2: 0, other: 0, tt: 0, ownMember: 0, otherMember: 0, freeMember: 0 };

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  const villages = await q.all<{ id: number }>("select id from villages order by id");
  id.v = villages[0].id;
  id.v2 = villages[1].id;
  const team = async (village: number | null, offset = 0) =>
    (await q.value<number>(`select id from volunteer_teams where village_id ${village === null ? "is null" : `= ${village}`} order by id limit 1 offset ${offset}`))!;
  id.own = await team(id.v);
  id.own2 = await team(id.v, 1);
  id.other = await team(id.v2);
  id.tt = await team(null);
  id.ownMember = (await q.value<number>("select member_id from volunteer_team_members where team_id = ? order by id limit 1", id.own))!;
  id.otherMember = (await q.value<number>("select id from members where village_id = ? and active = 1 order by id limit 1", id.v2))!;
  id.freeMember = (await q.value<number>(
    "select id from members where village_id = ? and active = 1 and id not in (select member_id from volunteer_team_members) order by id limit 1", id.v,
  ))!;
  for (const k of Object.keys(id) as (keyof typeof id)[]) expect(id[k], k).toBeTruthy();
  clients = await signInEach(server.url, PHONES);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

const fill = (p: string) =>
  p.replace("{v2}", String(id.v2)).replace("{v}", String(id.v)).replace("{own}", String(id.own)).replace("{other}", String(id.other)).replace("{tt}", String(id.tt));

// path → who gets 200; everyone else gets `refused` (403, or 404 where the id is not theirs to see).
const PAGES: { path: string; ok: Who[]; refused: Record<string, number> }[] = [
  { path: "/teams/{tt}", ok: ALL, refused: {} },
  { path: "/teams/{own}", ok: ALL, refused: {} },
  { path: "/teams/{other}", ok: ["township_admin"], refused: { villager: 404, store_keeper: 404, committee: 404, inspector: 404, village_admin: 404 } },
  { path: "/teams/{own}?period=2026-01&page=2", ok: ALL, refused: {} },
  { path: "/v/{v}/teams/{own}", ok: ["committee", "village_admin", "township_admin"], refused: { villager: 403, store_keeper: 403, inspector: 403 } },
  { path: "/v/{v}/teams/{own}?q=王&period=2025", ok: ["committee", "village_admin", "township_admin"], refused: { villager: 403, store_keeper: 403, inspector: 403 } },
  // A township team, or another village's, is not this village's to run.
  { path: "/v/{v}/teams/{tt}", ok: [], refused: { villager: 403, store_keeper: 403, inspector: 403, committee: 404, village_admin: 404, township_admin: 404 } },
  { path: "/v/{v}/teams/{other}", ok: [], refused: { villager: 403, store_keeper: 403, inspector: 403, committee: 404, village_admin: 404, township_admin: 404 } },
  { path: "/v/{v2}/teams/{other}", ok: ["township_admin"], refused: { villager: 403, store_keeper: 403, inspector: 403, committee: 403, village_admin: 403 } },
  { path: "/township/teams/{tt}", ok: ["township_admin"], refused: { villager: 403, store_keeper: 403, inspector: 403, committee: 403, village_admin: 403 } },
  { path: "/township/teams/{own}", ok: [], refused: { villager: 403, store_keeper: 403, inspector: 403, committee: 403, village_admin: 403, township_admin: 404 } },
];

const count = async () =>
  (await q.value<number>("select (select count(*) from volunteer_teams) + (select count(*) from volunteer_team_members) + (select count(*) from audit_log) + (select coalesce(sum(is_leader), 0) from volunteer_team_members) as n"))!;

describe("team pages by id", () => {
  const cases = PAGES.flatMap((p) => ALL.map((who) => ({ path: p.path, who, status: p.ok.includes(who) ? 200 : p.refused[who] })));
  it.each(cases)("$who GET $path → $status", async ({ path, who, status }) => {
    const r = await clients.get(who)!.get(fill(path));
    expect(r.status).toBe(status);
    if (status === 403) expect(r.text).toContain("没有权限");
  });

  it("anonymous visitors are sent to sign in", async () => {
    for (const p of PAGES) {
      const r = await new Client(server.url).get(fill(p.path));
      expect(r.status, p.path).toBe(302);
      expect(r.location).toMatch(/^\/login\?next=/);
    }
  });

  it("a villager sees the village's teams and the township's, not another village's", async () => {
    const r = await clients.get("villager")!.get("/teams");
    expect(r.status).toBe(200);
    expect(r.text).toContain(`data-team="${id.own}"`);
    expect(r.text).toContain(`data-team="${id.tt}"`);
    expect(r.text).not.toContain(`data-team="${id.other}"`);
    expect(r.text).toContain("我在队里"); // the demo villager is in the environment squad
    const page = await clients.get("villager")!.get(`/teams/${id.own}`);
    expect(page.text).toContain("队长");
    expect(page.text).toContain("服务小时");
  });

  it("the township sees every team's hours side by side", async () => {
    const r = await clients.get("township_admin")!.get("/township/teams");
    expect(r.status).toBe(200);
    for (const t of [id.own, id.own2, id.other, id.tt]) expect(r.text).toContain(`data-team="${t}"`);
  });

  it("answers a bad period or page with a Chinese 400 page (or the first page), never a 500", async () => {
    for (const p of ["/teams?period=2026-13", "/teams?period=abc", `/teams/${id.own}?period=1999`, "/township/teams?period=%3Cscript%3E", `/v/${id.v}/teams?period=2026-1`]) {
      const who: Who = p.startsWith("/township") ? "township_admin" : p.startsWith("/v/") ? "committee" : "villager";
      const r = await clients.get(who)!.get(p);
      expect(r.status, p).toBe(400);
      expect(r.text).toContain("要查看的时间有误");
    }
    expect((await clients.get("township_admin")!.get("/township/teams?page=abc")).status).toBe(200);
    expect((await clients.get("villager")!.get("/teams/abc")).status).toBe(404);
    expect((await clients.get("villager")!.get("/teams/999999999")).status).toBe(404);
  });
});

describe("running teams", () => {
  it("refuses the wrong role, another village and villagers of another village, and writes nothing", async () => {
    const before = await count();
    const posts: [Who, string, Record<string, string>, number][] = [
      ["township_admin", `/v/${id.v}/teams/${id.own}`, { intent: "member.add", memberId: String(id.freeMember) }, 403],
      ["township_admin", `/v/${id.v}/teams`, { name: "乡镇偷建的村队" }, 403],
      ["inspector", `/v/${id.v}/teams/${id.own}`, { intent: "member.add", memberId: String(id.freeMember) }, 403],
      ["inspector", `/v/${id.v}/teams`, { name: "网格员建的队" }, 403],
      ["villager", `/v/${id.v}/teams/${id.own}`, { intent: "member.leader", memberId: String(id.ownMember), leader: "1" }, 403],
      ["committee", `/v/${id.v2}/teams`, { name: "外村的队" }, 403],
      ["committee", `/v/${id.v2}/teams/${id.other}`, { intent: "member.add", memberId: String(id.otherMember) }, 403],
      ["committee", `/v/${id.v}/teams/${id.other}`, { intent: "member.add", memberId: String(id.otherMember) }, 404],
      ["committee", `/v/${id.v}/teams/${id.tt}`, { intent: "member.add", memberId: String(id.freeMember) }, 404],
      // A village team takes its own villagers only.
      ["committee", `/v/${id.v}/teams/${id.own}`, { intent: "member.add", memberId: String(id.otherMember) }, 404],
      ["village_admin", `/v/${id.v}/teams/${id.own}`, { intent: "member.add", memberId: "999999999" }, 404],
      ["committee", `/township/teams/${id.tt}`, { intent: "member.add", memberId: String(id.freeMember) }, 403],
      ["committee", "/township/teams", { name: "村委建的乡镇队" }, 403],
      ["township_admin", `/township/teams/${id.own}`, { intent: "member.add", memberId: String(id.freeMember) }, 404],
      ["committee", `/v/${id.v}/teams/${id.own}`, { intent: "member.add", memberId: String(id.ownMember) }, 400],
      ["committee", `/v/${id.v}/teams/${id.own}`, { intent: "member.disband", memberId: String(id.ownMember) }, 400],
      ["committee", `/v/${id.v}/teams/${id.own}`, { intent: "member.leader", memberId: String(id.ownMember), leader: "yes" }, 400],
    ];
    for (const [who, path, body, status] of posts) {
      const r = await clients.get(who)!.post(path, body);
      expect(r.status, `${who} POST ${path} ${JSON.stringify(body)}`).toBe(status);
    }
    expect(await count()).toBe(before);
    const raw = await clients.get("committee")!.postRaw(`/v/${id.v}/teams/${id.own}`, { contentType: "application/json", body: '{"intent":"member.add"}' });
    expect(raw.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it("the committee and the village admin appoint; the township admin takes villagers of any village into a township team", async () => {
    const committee = clients.get("committee")!;
    const made = await committee.post(`/v/${id.v}/teams`, { name: "理发队", description: "每周给老人理发" });
    expect(made.status).toBe(302);
    const teamId = Number(/\/teams\/(\d+)$/.exec(made.location ?? "")?.[1]);
    expect(await q.get("select village_id, name from volunteer_teams where id = ?", teamId)).toEqual({ village_id: id.v, name: "理发队" });
    const add = await committee.post(`/v/${id.v}/teams/${teamId}`, { intent: "member.add", memberId: String(id.freeMember) });
    expect(add.status).toBe(200);
    expect(add.text).toContain("加入队伍");
    const lead = await clients.get("village_admin")!.post(`/v/${id.v}/teams/${teamId}`, { intent: "member.leader", memberId: String(id.freeMember), leader: "1" });
    expect(lead.status).toBe(200);
    expect(await q.value<number>("select is_leader from volunteer_team_members where team_id = ? and member_id = ?", teamId, id.freeMember)).toBe(1);
    const dup = await committee.post(`/v/${id.v}/teams`, { name: "理发队" });
    expect(dup.status).toBe(400);
    expect(dup.text).toContain("已有同名的队伍");

    const township = clients.get("township_admin")!;
    const far = await township.post(`/township/teams/${id.tt}`, { intent: "member.add", memberId: String(id.otherMember) });
    expect([200, 400]).toContain(far.status); // 400 when the demo put them in already
    expect(await q.value<number>("select count(*) from volunteer_team_members where team_id = ? and member_id = ?", id.tt, id.otherMember)).toBe(1);
    const tNew = await township.post("/township/teams", { name: "防汛抢险队", description: "" });
    expect(tNew.status).toBe(302);
    expect(tNew.location).toMatch(/^\/township\/teams\/\d+$/);
    expect(await q.value("select village_id from volunteer_teams where name = '防汛抢险队'")).toBeNull();
  });

  it("an activity takes a team of its village or the township's and shows it; another village's team is refused", async () => {
    const committee = clients.get("committee")!;
    const form = await committee.get(`/v/${id.v}/activities/new`);
    const select = /<select[^>]*name="teamId"[\s\S]*?<\/select>/.exec(form.text)?.[0] ?? "";
    expect(select).toContain(`value="${id.tt}"`);
    expect(select).toContain(`value="${id.own}"`);
    expect(select).not.toContain(`value="${id.other}"`);
    const rule = (await q.value<number>("select id from rules where village_id = ? and active = 1 and points > 0 order by id limit 1", id.v))!;
    const cu = (await q.value<number>("select id from users where phone = ?", PHONES.committee))!;
    const body = { title: "理发服务", place: "村委会", startsAt: "2030-05-01T08:00", endsAt: "2030-05-01T11:00", deadline: "2030-04-30T20:00", capacity: "10", organiserId: String(cu), ruleId: String(rule) };
    const before = await q.value<number>("select count(*) from activities");
    const bad = await committee.post(`/v/${id.v}/activities/new`, { ...body, teamId: String(id.other) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("请从列表中选择志愿队伍");
    expect(await q.value<number>("select count(*) from activities")).toBe(before);
    const ok = await committee.post(`/v/${id.v}/activities/new`, { ...body, teamId: String(id.own) });
    expect(ok.status).toBe(302);
    const activityId = Number(/activities\/(\d+)/.exec(ok.location ?? "")?.[1]);
    expect(await q.value<number>("select team_id from activities where id = ?", activityId)).toBe(id.own);
    const page = await committee.get(`/v/${id.v}/activities/${activityId}`);
    expect(page.text).toContain('data-testid="activity-team"');
    const villager = await clients.get("villager")!.get(`/activities/${activityId}`);
    expect(villager.text).toContain(`/teams/${id.own}`);
    // The team's page lists it.
    expect((await clients.get("villager")!.get(`/teams/${id.own}?period=2030`)).text).toContain("理发服务");
  });
});
