// 联户 over HTTP on the demo township: the demo 联户长 13900000007's pages (his group only: any other
// household is a 404, nothing written), everyone else refused 我的联户 (403), his menu entry, a
// claim he files landing in review; the admin's group pages with a group id × role × own / other /
// cross village; and the demo's groups and grid workers as seeded.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { appTables, tableFingerprints } from "../support/sweep";

type Who = "leader" | "villager" | "store_keeper" | "committee" | "inspector" | "village_admin" | "township_admin";
const PHONES: Record<Who, string> = {
  leader: "13900000007", villager: "13900000001", store_keeper: "13900000002", committee: "13900000003", inspector: "13900000004", village_admin: "13900000005", township_admin: "13900000000",
};
const ALL = Object.keys(PHONES) as Who[];
const ADMINS: Who[] = ["village_admin", "township_admin"];

let server: TestServer;
let database: Engine;
let q: Sql;
const clients = new Map<Who, Client>();
const ids = { own: 0, other: 0, group: 0, otherGroup: 0, foreignGroup: 0, mine: [] as number[], notMine: 0, foreign: 0 };

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  const [own, other] = (await q.all<{ id: number }>("select id from villages order by id limit 2")).map((r) => r.id);
  const group = (await q.value<number>("select g.id from household_groups g join users u on u.id = g.leader_user_id where u.phone = ?", PHONES.leader))!;
  const mine = (await q.all<{ id: number }>("select id from households where group_id = ? order by number", group)).map((r) => r.id);
  const otherGroup = (await q.value<number>("select id from household_groups where village_id = ? and id <> ? order by id limit 1", own, group))!;
  Object.assign(ids, {
    own, other, group, mine, otherGroup,
    foreignGroup: (await q.value<number>("select id from household_groups where village_id = ? order by id limit 1", other))!,
    notMine: (await q.value<number>("select id from households where group_id = ? order by id limit 1", otherGroup))!,
    foreign: (await q.value<number>("select id from households where village_id = ? order by id limit 1", other))!,
  });
  for (const who of ALL) {
    const c = new Client(server.url);
    await c.login(PHONES[who]);
    clients.set(who, c);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("the demo's groups", () => {
  it("puts every household of both villages in a group of at most 15 under its grid, each grid with its inspector as 网格员", async () => {
    expect(await q.value<number>("select count(*) from households where group_id is null")).toBe(0);
    const sizes = await q.all<{ n: number; mismatched: number }>(
      "select count(*) as n, sum(case when h.grid_id = g.grid_id then 0 else 1 end) as mismatched from households h join household_groups g on g.id = h.group_id group by g.id",
    );
    expect(sizes.every((s) => Number(s.n) >= 10 && Number(s.n) <= 15 && Number(s.mismatched) === 0)).toBe(true);
    const workers = await q.all<{ ok: number }>(
      "select case when exists (select 1 from user_roles r where r.user_id = g.worker_user_id and r.role = 'inspector' and r.village_id = g.village_id) then 1 else 0 end as ok from grids g",
    );
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((w) => Number(w.ok) === 1)).toBe(true);
    // 13900000007 leads a group of 桃源村 with at least one household where nobody has a login.
    expect(await q.value<number>("select village_id from household_groups where id = ?", ids.group)).toBe(ids.own);
    const noLogin = await q.value<number>(
      "select count(*) from households h where h.group_id = ? and not exists (select 1 from members m join users u on u.member_id = m.id where m.household_id = h.id)",
      ids.group,
    );
    expect(Number(noLogin)).toBeGreaterThan(0);
  });
});

describe("我的联户", () => {
  it("shows the leader his group with 无手机 markers and no balances (the demo hides them), and a menu entry", async () => {
    const r = await clients.get("leader")!.get("/group");
    expect(r.status).toBe(200);
    expect(r.text).toContain("我的联户");
    // The menu entry: 我的联户 is a tile behind 志愿互助, which the page marks as current.
    expect(r.text).toContain('aria-current="page" data-discover="true" href="/together"');
    expect((await clients.get("leader")!.get("/together")).text).toContain('href="/group"');
    for (const h of ids.mine) expect(r.text).toContain(`href="/group/h/${h}"`);
    expect(r.text).not.toContain(`href="/group/h/${ids.notMine}"`);
    expect(r.text).not.toContain('data-testid="balance"');
    // The fixed demo logins lead no group: no menu entry, and the page is refused.
    for (const who of ALL.filter((w) => w !== "leader")) {
      const home = await clients.get(who)!.get("/together");
      expect(home.text, who).not.toContain('href="/group"');
      const page = await clients.get(who)!.get("/group");
      expect(page.status, who).toBe(403);
      expect(page.text).toContain("没有权限");
      const detail = await clients.get(who)!.get(`/group/h/${ids.mine[0]}`);
      expect(detail.status, who).toBe(403);
    }
  });

  it("opens only the group's households: another group's, another village's or a bad id is a 404", async () => {
    const leader = clients.get("leader")!;
    expect((await leader.get(`/group/h/${ids.mine[0]}`)).status).toBe(200);
    for (const h of [String(ids.notMine), String(ids.foreign), "abc", "-1", "99999999", "1e3"]) {
      expect((await leader.get(`/group/h/${h}`)).status, h).toBe(404);
    }
  });

  it("files a claim for a member of a group household into review; refuses other households and bad input writing nothing", async () => {
    const leader = clients.get("leader")!;
    const h = ids.mine[ids.mine.length - 1];
    const member = (await q.value<number>("select id from members where household_id = ? and active = 1 order by id limit 1", h))!;
    const rule = (await q.value<number>("select id from rules where village_id = ? and active = 1 and points > 0 and evidence_required = 0 order by id limit 1", ids.own))!;
    const negative = (await q.value<number>("select id from rules where village_id = ? and active = 1 and points < 0 order by id limit 1", ids.own))!;
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const body = (over: Record<string, string> = {}) => ({ memberId: String(member), ruleId: String(rule), date: today, quantity: "1", note: "联户长代报", ...over });
    const tables = (await appTables(database)).filter((t) => t !== "sessions");
    const before = await tableFingerprints(database, tables);
    const otherMember = (await q.value<number>("select id from members where household_id = ? order by id limit 1", ids.notMine))!;
    const refused: [string, Record<string, string>, number, string][] = [
      [`/group/h/${ids.notMine}`, body({ memberId: String(otherMember) }), 404, ""],
      [`/group/h/${ids.foreign}`, body(), 404, ""],
      [`/group/h/${h}`, body({ memberId: String(otherMember) }), 400, "请从列表中选择这一户的成员"],
      [`/group/h/${h}`, body({ ruleId: String(negative) }), 400, "扣分只能由检查员或村委登记"],
      [`/group/h/${h}`, body({ quantity: "abc" }), 400, "数量应为正数"],
      [`/group/h/${h}`, body({ date: "2026-13-01" }), 400, "日期无效"],
      [`/group/h/${h}`, body({ note: "<b>x</b>" }), 400, "说明不能包含"],
      [`/group/h/${h}`, {}, 400, "请选择成员"],
    ];
    for (const [path, b, status, msg] of refused) {
      const r = await leader.post(path, b);
      expect(r.status, `${path} ${JSON.stringify(b)}`).toBe(status);
      if (msg) expect(r.text).toContain(msg);
    }
    // Someone who is no leader: refused before anything is read.
    expect((await clients.get("villager")!.post(`/group/h/${h}`, body())).status).toBe(403);
    expect(await tableFingerprints(database, tables)).toEqual(before);

    const ok = await leader.post(`/group/h/${h}`, body());
    expect(ok.status).toBe(302);
    expect(ok.location).toMatch(new RegExp(`^/group/h/${h}\\?filed=\\d+$`));
    const claim = await q.get<{ status: string; filer_role: string; household_id: number }>("select status, filer_role, household_id from claims where id = ?", Number(ok.location!.split("=")[1]));
    expect(claim).toEqual({ status: "pending", filer_role: "group_leader", household_id: h });
    const page = await leader.get(ok.location!);
    expect(page.text).toContain("等待村委审核");
    // The committee sees it in its queue like any other claim.
    expect((await clients.get("committee")!.get(`/v/${ids.own}/review`)).text).toContain("联户长代报");
  });
});

describe("the admin's group pages", () => {
  const cases = ALL.flatMap((who) => (["own", "other", "cross"] as const).map((mode) => ({ who, mode })));
  const path = (mode: "own" | "other" | "cross") =>
    mode === "own" ? `/v/${ids.own}/admin/groups/${ids.group}` : mode === "other" ? `/v/${ids.other}/admin/groups/${ids.foreignGroup}` : `/v/${ids.own}/admin/groups/${ids.foreignGroup}`;
  it.each(cases)("$who GET a group ($mode)", async ({ who, mode }) => {
    const r = await clients.get(who)!.get(path(mode));
    const admin = ADMINS.includes(who) && (mode !== "other" || who === "township_admin");
    if (!admin) expect(r.status).toBe(403);
    else expect(r.status).toBe(mode === "cross" ? 404 : 200);
  });

  it("an empty or wrong-village POST writes nothing, whoever sends it", async () => {
    const tables = (await appTables(database)).filter((t) => t !== "sessions");
    const before = await tableFingerprints(database, tables);
    for (const { who, mode } of cases) {
      const admin = ADMINS.includes(who) && (mode !== "other" || who === "township_admin");
      // An admin's post in a village they run: an empty form, refused with a message.
      if (admin && mode !== "cross") {
        expect((await clients.get(who)!.post(path(mode), {})).status, `${who} ${mode}`).toBe(400);
        continue;
      }
      const r = await clients.get(who)!.post(path(mode), { intent: "group.rename", name: "偷改的名字" });
      expect(r.status, `${who} ${mode}`).toBe(admin ? 404 : 403);
    }
    expect(await tableFingerprints(database, tables)).toEqual(before);
  });

  it("lets the village admin rename, set the leader and the households, and a grid's 网格员", async () => {
    const admin = clients.get("village_admin")!;
    const r = await admin.post(`/v/${ids.own}/admin/groups/${ids.otherGroup}`, { intent: "group.rename", name: "东头联户" });
    expect(r.status).toBe(200);
    expect(await q.value("select name from household_groups where id = ?", ids.otherGroup)).toBe("东头联户");
    const taken = await admin.post(`/v/${ids.own}/admin/groups/${ids.otherGroup}`, { intent: "group.rename", name: (await q.value<string>("select name from household_groups where id = ?", ids.group))! });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain("本村已有同名联户");
    const list = await admin.get(`/v/${ids.own}/admin/groups`);
    expect(list.text).toContain("东头联户");
    const created = await admin.post(`/v/${ids.own}/admin/groups`, { intent: "group.create", gridId: String((await q.value<number>("select id from grids where village_id = ? order by id limit 1", ids.own))!), name: "新联户" });
    expect(created.status).toBe(302);
    const foreignGrid = (await q.value<number>("select id from grids where village_id = ? order by id limit 1", ids.other))!;
    const refused = await admin.post(`/v/${ids.own}/admin/groups`, { intent: "group.create", gridId: String(foreignGrid), name: "别村网格的联户" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("请选择联户所在的网格");
    const grid = (await q.value<number>("select id from grids where village_id = ? order by id limit 1", ids.own))!;
    const clear = await admin.post(`/v/${ids.own}/admin/grids`, { intent: "grid.worker", gridId: String(grid), workerUserId: "" });
    expect(clear.status).toBe(200);
    expect(await q.value("select worker_user_id from grids where id = ?", grid)).toBeNull();
    const notInspector = (await q.value<number>("select id from users where phone = ?", PHONES.villager))!;
    const bad = await admin.post(`/v/${ids.own}/admin/grids`, { intent: "grid.worker", gridId: String(grid), workerUserId: String(notInspector) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("网格员要从本村有检查员角色的账号里选");
  });
});
