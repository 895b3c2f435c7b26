// 代跑 through the production server: the errand page (an id) for every demo role, own and other
// village (another village's errand is a 404, never a hint that it exists); the buttons each viewer
// is shown; posting without JavaScript (a plain form post) as the demo 联户长, taking and confirming
// by posts; the settings page's errand rule (saved, audited, a wrong rule refused); and the nav entries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

let server: TestServer;
let database: Engine;
let q: Sql;
const PHONES = { villager: "13900000001", keeper: "13900000002", committee: "13900000003", inspector: "13900000004", admin: "13900000005", township: "13900000000", leader: "13900000007", other: "13900000011" };
type Who = keyof typeof PHONES;
const clients = new Map<Who, Client>();
let village = 0;
let open = 0;
let otherOpen = 0;

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  village = Number(await q.value("select id from villages order by id limit 1"));
  open = Number(await q.value("select id from errands where village_id = ? and status = 'open' order by id limit 1", village));
  otherOpen = Number(await q.value("select id from errands where village_id <> ? and status = 'open' order by id limit 1", village));
  expect(open).toBeGreaterThan(0);
  expect(otherOpen).toBeGreaterThan(0);
  for (const who of Object.keys(PHONES) as Who[]) {
    const c = new Client(server.url);
    await c.login(PHONES[who]);
    clients.set(who, c);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("the errand page", () => {
  it("anyone of the village sees it; another village's errand is a 404; signed out goes to the sign-in", async () => {
    for (const who of ["villager", "keeper", "committee", "inspector", "admin", "township", "leader"] as Who[]) {
      const r = await clients.get(who)!.get(`/errands/${open}`);
      expect(r.status, who).toBe(200);
      expect(r.text).toContain("帮谁");
    }
    expect((await clients.get("villager")!.get(`/errands/${otherOpen}`)).status).toBe(404);
    expect((await clients.get("other")!.get(`/errands/${open}`)).status).toBe(404);
    expect((await clients.get("villager")!.get("/errands/abc")).status).toBe(404);
    expect((await clients.get("villager")!.get("/errands/99999999")).status).toBe(404);
    const anon = await new Client(server.url).get(`/errands/${open}`);
    expect(anon.status).toBe(302);
    expect(anon.location).toContain("/login");
    // Staff without a household of the village see it but have no button to take it.
    expect((await clients.get("keeper")!.get(`/errands/${open}`)).text).not.toContain("我来帮忙");
  });

  it("without JavaScript: the 联户长 posts for a household of the group, a villager takes it, the 联户长 confirms; one claim", async () => {
    const leader = clients.get("leader")!;
    const form = await leader.get("/errands/new");
    expect(form.status).toBe(200);
    expect(form.text).toContain("无手机");
    const household = Number(await q.value(
      `select h.id from households h join household_groups g on g.id = h.group_id join users u on u.id = g.leader_user_id
        where u.phone = ? and not exists (select 1 from members m join users x on x.member_id = m.id where m.household_id = h.id) order by h.id limit 1`,
      PHONES.leader,
    ));
    const due = new Date(Date.now() + 8 * 3600_000 + 2 * 86_400_000).toISOString().slice(0, 10);
    const posted = await leader.post("/errands/new", { householdId: String(household), what: "帮忙买一袋面粉", place: "村小卖部", dueDate: due });
    expect(posted.status).toBe(302);
    const id = Number(/\/errands\/(\d+)/.exec(posted.location!)![1]);
    expect(await q.get("select poster_kind, status from errands where id = ?", id)).toEqual({ poster_kind: "group_leader", status: "open" });
    const page = await clients.get("villager")!.get(`/errands/${id}`);
    expect(page.text).toContain("我来帮忙");
    expect((await clients.get("villager")!.post(`/errands/${id}`, { intent: "take" })).status).toBe(200);
    // A second taker gets the clear message, as a 400 with the page.
    const late = await clients.get("committee")!.post(`/errands/${id}`, { intent: "take" });
    expect(late.status).toBe(400);
    expect(late.text).toContain("这条需求刚刚被别人接了");
    const self = await clients.get("villager")!.post(`/errands/${id}`, { intent: "confirm" });
    expect(self.status).toBe(400);
    expect(self.text).toContain("不能确认自己接的代跑");
    expect((await leader.post(`/errands/${id}`, { intent: "confirm" })).status).toBe(200);
    expect(await q.value("select count(*) as n from claims where source_kind = 'errand' and source_id = ?", id)).toBe(1);
    const again = await leader.post(`/errands/${id}`, { intent: "confirm" });
    expect(again.status).toBe(400);
    expect(again.text).toContain("已经确认过了");
  });
});

describe("the settings page's errand rule", () => {
  it("the village admin picks a rule (audited); a rule counted in hours or of another village is refused", async () => {
    const admin = clients.get("admin")!;
    const page = await admin.get(`/v/${village}/admin/settings`);
    expect(page.text).toContain("代跑完成后按哪条细则给志愿者申报积分");
    const current = Number(await q.value("select errand_rule_id from villages where id = ?", village));
    const hours = Number(await q.value("select id from rules where village_id = ? and unit = 'hour' order by id limit 1", village));
    const foreign = Number(await q.value("select id from rules where village_id <> ? and unit = 'time' and points > 0 order by id limit 1", village));
    for (const bad of [String(hours), String(foreign), "abc", "-1"]) {
      const r = await admin.post(`/v/${village}/admin/settings`, { intent: "errandRule", errandRuleId: bad });
      expect(r.status, bad).toBe(400);
      expect(r.text).toMatch(/请从列表中选择本村在用的、按次计的奖励细则|请求有误/);
    }
    expect(Number(await q.value("select errand_rule_id from villages where id = ?", village))).toBe(current);
    const other = Number(await q.value("select id from rules where village_id = ? and unit = 'time' and points > 0 and active = 1 and id <> ? order by id limit 1", village, current));
    const saved = await admin.post(`/v/${village}/admin/settings`, { intent: "errandRule", errandRuleId: String(other) });
    expect(saved.status).toBe(200);
    expect(Number(await q.value("select errand_rule_id from villages where id = ?", village))).toBe(other);
    expect(await q.value("select count(*) as n from audit_log where action = 'errand.setting' and village_id = ?", village)).toBe(1);
    await admin.post(`/v/${village}/admin/settings`, { intent: "errandRule", errandRuleId: String(current) });
    // The committee cannot change it (the settings page is the admins').
    expect((await clients.get("committee")!.post(`/v/${village}/admin/settings`, { intent: "errandRule", errandRuleId: String(other) })).status).toBe(403);
  });

  it("the menu offers 代跑 to villagers and 代跑需求 to the committee and inspectors", async () => {
    // A villager's 代跑 sits behind the menu's 志愿互助 entry.
    expect((await clients.get("villager")!.get("/errands")).text).toContain('aria-current="page" data-discover="true" href="/together"');
    expect((await clients.get("villager")!.get("/together")).text).toContain('href="/errands"');
    expect((await clients.get("committee")!.get("/work")).text).toContain(`/v/${village}/errands`);
    expect((await clients.get("inspector")!.get("/work")).text).toContain(`/v/${village}/errands`);
  });
});
