// Every route built so far × every role × own village / other village, from one table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkinToken, windowOf } from "~/activities/checkin.server";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { appTables, tableFingerprints } from "../support/sweep";

type Who = "villager" | "member" | "store_keeper" | "committee" | "inspector" | "village_admin" | "township_admin";

// Demo logins of village 1 (桃源村); every role is scoped to that village except the township admin.
// "villager" is 13900000001, villager and household head; "member" is a plain villager of the same
// household who is not its head (a login the test adds), so head-only writes are told apart.
const PHONES: Record<Who, string> = {
  villager: "13900000001",
  member: "13900000097",
  store_keeper: "13900000002",
  committee: "13900000003",
  inspector: "13900000004",
  village_admin: "13900000005",
  township_admin: "13900000000",
};
const ALL: Who[] = Object.keys(PHONES) as Who[];
const WITH_HOUSEHOLD: Who[] = ["villager", "member", "committee", "inspector"]; // villagers, and staff who live in the village
const ADMINS: Who[] = ["village_admin", "township_admin"];

interface RouteCase {
  path: string; // {v} = village id, {h} = a household of that village, {a} / {ac} = an activity organised by the inspector / the committee, {t} = its current check-in code
  village: boolean; // scoped to a village: checked for own and other village
  allowed: Who[]; // allowed in the own village (the township admin also in others)
  /** An id of another village under a path of one's own: allowed roles get 404 there (no hint that it exists). */
  otherNotFound?: boolean;
  /** The page has an action: the roles whose POST gets past its access check (an empty form then gets a 4xx with a message, never a 403). */
  post?: Who[];
}

const TABLE: RouteCase[] = [
  { path: "/", village: false, allowed: ALL },
  { path: "/password", village: false, allowed: ALL, post: ALL },
  { path: "/work", village: false, allowed: ALL }, // the 工作 page behind the menu entry: lists only the viewer's own jobs
  { path: "/together", village: false, allowed: ALL }, // 志愿互助 behind the menu entry: only the viewer's own links
  { path: "/statement", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/statement?month=2026-10&page=2", village: false, allowed: WITH_HOUSEHOLD },
  // Deciding who may spend and the counter PIN are the head's: 13900000001 and the committee member (13900000003 heads a household too).
  { path: "/household", village: false, allowed: WITH_HOUSEHOLD, post: ["villager", "committee"] },
  { path: "/township", village: false, allowed: ["township_admin"], post: ["township_admin"] },
  { path: "/v/{v}/admin", village: true, allowed: ADMINS },
  { path: "/v/{v}/admin/households/new", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/households/{h}", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/users", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/grids", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/import", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/import/sample.csv", village: true, allowed: ADMINS },
  { path: "/v/{v}/admin/audit", village: true, allowed: ADMINS },
  // claims (issue 4); {c} = a claim of that village (the demo seeds some in review and in 公示)
  { path: "/claims", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/claims/new", village: false, allowed: WITH_HOUSEHOLD, post: WITH_HOUSEHOLD },
  { path: "/v/{v}/claims/new", village: true, allowed: ["committee", "inspector"], post: ["committee", "inspector"] },
  { path: "/v/{v}/review", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/review?rule=1&grid=1&filer=1", village: true, allowed: ["committee"] },
  { path: "/v/{v}/review/{c}", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/notice", village: true, allowed: ALL, post: ALL },
  { path: "/v/{v}/notice?print=1", village: true, allowed: ALL },
  { path: "/v/{v}/admin/rules", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/settings", village: true, allowed: ADMINS, post: ADMINS },
  // Volunteer activities. Villagers see their own village's; committee runs them; an inspector sees those they organise.
  { path: "/activities", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/activities/{a}", village: true, allowed: WITH_HOUSEHOLD, otherNotFound: true, post: WITH_HOUSEHOLD },
  { path: "/v/{v}/activities", village: true, allowed: ["committee", "inspector", "township_admin"] },
  { path: "/v/{v}/activities/new", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/activities/{a}", village: true, allowed: ["committee", "inspector", "township_admin"], post: ["committee", "inspector"] },
  { path: "/v/{v}/activities/{ac}", village: true, allowed: ["committee", "township_admin"], post: ["committee"] },
  { path: "/v/{v}/activities/{a}/qr", village: true, allowed: ["committee", "inspector"] },
  { path: "/v/{v}/activities/{ac}/qr", village: true, allowed: ["committee"] },
  // Scanning the organiser's code: any member of the village with a login; staff without a household and other villages' villagers are refused.
  { path: "/v/{v}/activities/{a}/checkin?t={t}", village: true, allowed: WITH_HOUSEHOLD },
  // the store (issue 3); orders, goods and photos by id are checked in tests/store/store-http.test.ts
  { path: "/store", village: false, allowed: WITH_HOUSEHOLD, post: WITH_HOUSEHOLD },
  { path: "/household/pin", village: false, allowed: WITH_HOUSEHOLD, post: ["villager", "committee"] },
  { path: "/v/{v}/store", village: true, allowed: ["store_keeper", "committee", ...ADMINS] },
  { path: "/v/{v}/store/scan", village: true, allowed: ["store_keeper"], post: ["store_keeper"] },
  { path: "/v/{v}/store/counter", village: true, allowed: ["store_keeper"], post: ["store_keeper"] },
  { path: "/v/{v}/store/counter?household={h}", village: true, allowed: ["store_keeper"] },
  { path: "/v/{v}/store/orders", village: true, allowed: ["store_keeper", "committee", ...ADMINS] },
  { path: "/v/{v}/store/day", village: true, allowed: ["store_keeper", ...ADMINS], post: ["store_keeper"] },
  { path: "/v/{v}/store/stock", village: true, allowed: ["store_keeper", ...ADMINS], post: ["store_keeper", ...ADMINS] },
  { path: "/v/{v}/store/cards?household={h}", village: true, allowed: ["store_keeper", ...ADMINS] },
  { path: "/v/{v}/store/settlement", village: true, allowed: ["store_keeper", "committee", ...ADMINS], post: ["committee"] },
  { path: "/v/{v}/store/settlement.csv", village: true, allowed: ["store_keeper", "committee", ...ADMINS] },
  { path: "/v/{v}/admin/goods", village: true, allowed: ADMINS },
  { path: "/v/{v}/admin/goods/new", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/stores", village: true, allowed: ADMINS, post: ADMINS },
  { path: "/v/{v}/admin/households/{h}/pin", village: true, allowed: ADMINS, post: ADMINS },
  // ---- sanitation rounds (issue 5). Pages with a round, household, checklist or photo id are in
  // tests/sanitation/access.test.ts (same table style), which knows the demo rounds' ids.
  { path: "/inspections", village: false, allowed: WITH_HOUSEHOLD, post: ["villager", "committee"] }, // re-inspection requests: the head's
  { path: "/v/{v}/rounds", village: true, allowed: ["committee", "inspector"] },
  { path: "/v/{v}/rounds/new", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/rounds/recusals", village: true, allowed: ["inspector"], post: ["inspector"] },
  { path: "/v/{v}/admin/checklists", village: true, allowed: ADMINS },
  { path: "/v/{v}/admin/checklists/new", village: true, allowed: ADMINS, post: ADMINS },
  // ---- honour campaigns (评选, issue 5): {cp} = a campaign in its nomination window, {cpf} = a confirmed one.
  // Villagers open their own village's; the committee runs them; the township admin reads the committee's pages.
  { path: "/campaigns", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/campaigns/{cp}", village: true, allowed: WITH_HOUSEHOLD, otherNotFound: true, post: WITH_HOUSEHOLD },
  { path: "/campaigns/{cp}?q=王", village: true, allowed: WITH_HOUSEHOLD, otherNotFound: true },
  { path: "/campaigns/{cpf}", village: true, allowed: WITH_HOUSEHOLD, otherNotFound: true },
  { path: "/v/{v}/campaigns", village: true, allowed: ["committee", "township_admin"] },
  { path: "/v/{v}/campaigns/new", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/campaigns/{cp}", village: true, allowed: ["committee", "township_admin"], post: ["committee"] },
  { path: "/v/{v}/campaigns/{cp}?q=王", village: true, allowed: ["committee", "township_admin"] },
  { path: "/v/{v}/campaigns/{cpf}", village: true, allowed: ["committee", "township_admin"] },
  // issue 16: printables. The passbook: a household its own (no household chosen from the URL); the
  // village's admin and committee any household or grid of the village. Rankings: people living in
  // the village and its admin and committee (a keeper without a household is not one of them).
  { path: "/passbook", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/passbook?year=2025&size=A5&page=2", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/v/{v}/passbook", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/passbook?household={h}&size=A5", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/rankings", village: true, allowed: [...WITH_HOUSEHOLD, ...ADMINS] },
  { path: "/v/{v}/rankings?year=2025&page=2", village: true, allowed: [...WITH_HOUSEHOLD, ...ADMINS] },
  { path: "/v/{v}/rankings/poster", village: true, allowed: [...WITH_HOUSEHOLD, ...ADMINS] },
  // issue 16: exports. A village's admins and committee export that village (the page, and a file of
  // each kind, which writes an audit row); the township admin any village, or the whole township.
  { path: "/v/{v}/exports", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports?kind=claims&from=2026-01-01&to=2026-01-31", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports/ledger?from=2026-01-01&to=2026-01-31&format=csv", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports/households?from=2026-01-01&to=2026-01-31&format=xlsx", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports/claims?from=2026-01-01&to=2026-01-31&format=csv", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports/orders?from=2026-01-01&to=2026-01-31&format=xlsx", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/exports/settlements?from=2026-01-01&to=2026-01-31&format=csv", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/township/exports", village: false, allowed: ["township_admin"] },
  { path: "/township/exports/ledger?from=2026-01-01&to=2026-01-31&format=xlsx", village: false, allowed: ["township_admin"] },
  { path: "/township/exports/orders?from=2026-01-01&to=2026-01-31&format=csv&village={v}", village: false, allowed: ["township_admin"] },
  // issue 16: township dashboard and village report. The township admin sees every village side by
  // side; a village's admins and committee see their own village's report (another village's: 403).
  { path: "/township/dashboard", village: false, allowed: ["township_admin"] },
  { path: "/township/dashboard?from=2026-01&to=2026-06&figure=redeemed", village: false, allowed: ["township_admin"] },
  { path: "/v/{v}/report", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/v/{v}/report?from=2026-01&to=2026-03", village: true, allowed: ["committee", ...ADMINS] },
  // issue 17: appeals (申诉). A household appeals its own entries (the form without ?txn lists those it
  // may appeal); the committee decides. Pages with an appeal id: tests/appeals/appeals-http.test.ts.
  { path: "/appeals", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/appeals/new", village: false, allowed: WITH_HOUSEHOLD, post: WITH_HOUSEHOLD },
  { path: "/v/{v}/appeals", village: true, allowed: ["committee"] },
  // end issue 17: appeals
  // issue 17: notifications. 消息 is everyone's own inbox (no village in the path); its posts open one
  // of the viewer's own notices or mark all read, so every signed-in role gets past the access check.
  { path: "/messages", village: false, allowed: ALL, post: ALL },
  { path: "/messages?page=2", village: false, allowed: ALL },
  // end issue 17: notifications
  // issue 17: expiry. The village's expiries and their 撤销: the committee's (a township admin holds no committee role).
  { path: "/v/{v}/expiry", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/expiry?page=2&number=001", village: true, allowed: ["committee"] },
  // end issue 17: expiry
  // issue 17: bulk awards (批量发放). The village's committee only (a township admin holds no committee
  // role). A batch's own page (its id) is checked in tests/bulk/bulk-http.test.ts.
  { path: "/v/{v}/bulk", village: true, allowed: ["committee"] },
  { path: "/v/{v}/bulk?page=2", village: true, allowed: ["committee"] },
  { path: "/v/{v}/bulk/new", village: true, allowed: ["committee"], post: ["committee"] },
  // end issue 17: bulk awards
  // issue 18: volunteer teams (志愿队伍). Villagers list their village's teams and the township's; the
  // committee and the village admin run the village's (the township admin reads them); the township
  // admin runs the township's and sees every team side by side. Pages with a team id: tests/teams/teams-http.test.ts.
  { path: "/teams", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/teams?period=2026-01", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/v/{v}/teams", village: true, allowed: ["committee", ...ADMINS], post: ["committee", "village_admin"] },
  { path: "/v/{v}/teams?period=2025", village: true, allowed: ["committee", ...ADMINS] },
  { path: "/township/teams", village: false, allowed: ["township_admin"], post: ["township_admin"] },
  { path: "/township/teams?period=2026-02&page=2", village: false, allowed: ["township_admin"] },
  // end issue 18: volunteer teams
  // issue 18: posts (定岗认责). Villagers see the posts and apply at /posts; the committee runs
  // /v/{v}/posts; the committee and the 网格员 (inspectors) confirm each month's duty.
  { path: "/posts", village: false, allowed: WITH_HOUSEHOLD, post: WITH_HOUSEHOLD },
  { path: "/v/{v}/posts", village: true, allowed: ["committee"], post: ["committee"] },
  { path: "/v/{v}/posts?q=王", village: true, allowed: ["committee"] },
  { path: "/v/{v}/posts/confirm", village: true, allowed: ["committee", "inspector"], post: ["committee", "inspector"] },
  { path: "/v/{v}/posts/confirm?month=2026-01&page=2", village: true, allowed: ["committee", "inspector"] },
  // end issue 18: posts
  // issue 18: red flags (流动红旗). The history is the 公示栏's: anyone of the village. Pages with a
  // flag or round id (the certificate, the committee's tie page) are in tests/flags/access.test.ts.
  { path: "/v/{v}/flags", village: true, allowed: ALL },
  { path: "/v/{v}/flags?page=2", village: true, allowed: ALL },
  // end issue 18: red flags
  // issue 18: errands (代跑). Villagers take, post and see their records at /errands (staff without a
  // household and without a group or grid of their own: 403); the committee and the 网格员
  // (inspectors) see the village's needs. Pages with an errand id: tests/errands/errands-http.test.ts.
  { path: "/errands", village: false, allowed: WITH_HOUSEHOLD },
  { path: "/errands/new", village: false, allowed: WITH_HOUSEHOLD, post: WITH_HOUSEHOLD },
  { path: "/v/{v}/errands", village: true, allowed: ["committee", "inspector", "township_admin"] },
  { path: "/v/{v}/errands?page=2", village: true, allowed: ["committee", "inspector", "township_admin"] },
  // end issue 18: errands
  // issue 18: 联户长. 我的联户 and its households are a 联户长's own: no login of this table leads a
  // group, so all are refused (the demo 联户长 13900000007, other groups' and villages' households,
  // and the admin's group pages by id: tests/groups/groups-http.test.ts).
  { path: "/group", village: false, allowed: [] },
  { path: "/group/h/{h}", village: false, allowed: [], post: [] },
  { path: "/v/{v}/admin/groups", village: true, allowed: ADMINS, post: ADMINS },
  // end issue 18: 联户长
];

let server: TestServer;
let database: Engine;
let q: Sql;
const clients = new Map<Who, Client>();
const villages = { own: 0, other: 0, ownHousehold: 0, otherHousehold: 0, ownClaim: 0, otherClaim: 0 };
// Per village: an activity its inspector organises, and one its committee member organises.
const activities = new Map<number, { a: number; ac: number }>();
// Per village: its demo campaign still taking nominations, and its confirmed one (honour campaigns).
const campaigns = new Map<number, { open: number; done: number }>();

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  const ids = await q.all<{ id: number }>("select id from villages order by id");
  villages.own = ids[0].id;
  villages.other = ids[1].id;
  const household = async (v: number) => (await q.value<number>("select id from households where village_id = ? order by id limit 1", v))!;
  villages.ownHousehold = await household(villages.own);
  villages.otherHousehold = await household(villages.other);
  const claim = async (v: number) => (await q.value<number>("select id from claims where village_id = ? order by id limit 1", v))!;
  villages.ownClaim = await claim(villages.own);
  villages.otherClaim = await claim(villages.other);
  for (const v of [villages.own, villages.other]) {
    const byRole = async (role: string) =>
      (await q.value<number>(
        "select a.id from activities a join user_roles r on r.user_id = a.organiser_user_id and r.village_id = a.village_id where a.village_id = ? and a.status = 'open' and r.role = ? order by a.id limit 1",
        v,
        role,
      ))!;
    activities.set(v, { a: await byRole("inspector"), ac: await byRole("committee") });
    const campaign = async (confirmed: boolean) =>
      (await q.value<number>(`select id from campaigns where village_id = ? and confirmed_at is ${confirmed ? "not " : ""}null order by id limit 1`, v))!;
    campaigns.set(v, { open: await campaign(false), done: await campaign(true) });
  }
  // The plain villager: another member of 13900000001's household gets a login with the same password.
  const head = (await q.get<{ password_hash: string; household_id: number }>("select u.password_hash, m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager))!;
  const other = (await q.get<{ id: number; name: string }>(
    "select id, name from members where household_id = ? and is_head = 0 and active = 1 and id not in (select member_id from users where member_id is not null) order by id limit 1",
    head.household_id,
  ))!;
  await database.writer.transaction().execute(async (tx) => {
    const { id: uid } = await tx
      .insertInto("users")
      .values({ phone: PHONES.member, password_hash: head.password_hash, display_name: other.name, member_id: other.id, must_change_password: 0, disabled: 0, created_at: Date.now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tx.insertInto("user_roles").values({ user_id: uid, role: "villager", village_id: villages.own, created_at: Date.now() }).execute();
  });
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

function fill(path: string, own: boolean): string {
  const v = own ? villages.own : villages.other;
  const act = activities.get(v)!;
  return path
    .replace("{v}", String(v))
    .replace("{h}", String(own ? villages.ownHousehold : villages.otherHousehold))
    .replace("{c}", String(own ? villages.ownClaim : villages.otherClaim))
    .replace("{cpf}", String(campaigns.get(v)!.done))
    .replace("{cp}", String(campaigns.get(v)!.open))
    .replace("{ac}", String(act.ac))
    .replace("{a}", String(act.a))
    // The server's secret is the harness's SESSION_SECRET; the code is made fresh for each request.
    .replace("{t}", checkinToken(v, act.a, windowOf(Date.now()), "http-test"));
}

const cases = TABLE.flatMap((route) =>
  ALL.flatMap((who) =>
    (route.village ? [true, false] : [true]).map((own) => {
      const allowed = route.allowed.includes(who) && (own || who === "township_admin");
      const notFound = !own && !!route.otherNotFound && route.allowed.includes(who);
      return { route: route.path, who, own, allowed, notFound };
    }),
  ),
);

describe("access table", () => {
  it.each(cases)("$who GET $route (own village: $own) → allowed: $allowed", async ({ route, who, own, allowed, notFound }) => {
    const r = await clients.get(who)!.get(fill(route, own));
    if (allowed) expect(r.status).toBe(200);
    else if (notFound) expect(r.status).toBe(404);
    else {
      expect(r.status).toBe(403);
      expect(r.text).toContain("没有权限");
    }
  });

  // An empty form is enough: a role the action refuses gets 403 before anything is parsed; a role it
  // lets through gets the form's own Chinese message. Nothing is written either way.
  const postCases = cases.flatMap((c) => {
    const route = TABLE.find((r) => r.path === c.route)!;
    if (!route.post) return [];
    const allowed = route.post.includes(c.who) && (c.own || c.who === "township_admin");
    return [{ ...c, allowed, notFound: !c.own && !!route.otherNotFound && route.post.includes(c.who) }];
  });
  it("an empty POST to every page with an action writes nothing, whoever sends it", async () => {
    const tables = (await appTables(database)).filter((t) => t !== "sessions");
    const before = await tableFingerprints(database, tables);
    const wrong: string[] = [];
    for (const c of postCases) {
      const r = await clients.get(c.who)!.post(fill(c.route, c.own), {});
      const expected = c.allowed ? "not 403" : c.notFound ? "404" : "403";
      const okStatus = c.allowed ? r.status !== 403 && r.status < 500 : r.status === (c.notFound ? 404 : 403);
      if (!okStatus) wrong.push(`${c.who} POST ${c.route} (own: ${c.own}) → ${r.status}, expected ${expected}`);
    }
    expect(wrong).toEqual([]);
    expect(await tableFingerprints(database, tables)).toEqual(before);
  });

  it.each(TABLE.map((r) => r.path))("anonymous GET %s → sign-in page", async (route) => {
    const r = await new Client(server.url).get(fill(route, true));
    expect(r.status).toBe(302);
    expect(r.location).toMatch(/^\/login\?next=/);
  });

  it("refuses other-village writes by a village admin and writes nothing", async () => {
    const count = async () => (await q.value<number>("select (select count(*) from grids) + (select count(*) from households) + (select count(*) from audit_log) as n"))!;
    const before = await count();
    const admin = clients.get("village_admin")!;
    const other = villages.other;
    const posts: [string, Record<string, string>][] = [
      [`/v/${other}/admin/grids`, { intent: "grid.create", name: "偷偷加的网格" }],
      [`/v/${other}/admin/households/new`, { number: "X999", address: "", headName: "某人", headPhone: "" }],
      [`/v/${other}/admin/households/${villages.otherHousehold}`, { intent: "member.add", name: "某人", relation: "子女" }],
      [`/v/${other}/admin/users`, { intent: "user.create", displayName: "某人", phone: "13712345678", password: "abcdefgh1" }],
      [`/township`, { name: "新村", code: "NEW", noticeDays: "3", adminName: "某人", adminPhone: "13712345679", adminPassword: "abcdefgh1" }],
    ];
    for (const [path, body] of posts) {
      const r = await admin.post(path, body);
      expect(r.status, path).toBe(403);
    }
    // A household id of another village under the own village's path is not found, not shown.
    const cross = await admin.get(`/v/${villages.own}/admin/households/${villages.otherHousehold}`);
    expect(cross.status).toBe(404);
    expect(await count()).toBe(before);
  });

  it("lets only the household head decide who may spend, and only for their own household", async () => {
    const head = clients.get("villager")!; // 13900000001 heads a household
    const member = async (phone: string) =>
      (await q.get<{ id: number; household_id: number }>("select m.id, m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", phone))!;
    const own = await member(PHONES.villager);
    const other = await q.get<{ id: number; can_redeem: number }>(
      "select id, can_redeem from members where household_id = ? and is_head = 0 and active = 1 order by id limit 1",
      own.household_id,
    );
    expect(other).toBeDefined();
    const elsewhere = (await q.get<{ id: number }>("select id from members where household_id <> ? and village_id = ? order by id limit 1", own.household_id, villages.own))!;
    const audits = async () => (await q.value<number>("select count(*) as n from audit_log where action = 'member.can_redeem'"))!;
    const before = await audits();

    const inspector = await clients.get("inspector")!.post("/household", { memberId: String(other!.id), canRedeem: "0" });
    expect(inspector.status).toBe(403);
    const foreign = await head.post("/household", { memberId: String(elsewhere.id), canRedeem: "0" });
    expect(foreign.status).toBe(404);
    const ownHead = await head.post("/household", { memberId: String(own.id), canRedeem: "0" });
    expect(ownHead.status).toBe(400);
    expect(ownHead.text).toContain("户主本人总是可以兑换");
    expect(await audits()).toBe(before);

    const next = other!.can_redeem ? "0" : "1";
    const ok = await head.post("/household", { memberId: String(other!.id), canRedeem: next });
    expect(ok.status).toBe(200);
    expect(await q.value<number>("select can_redeem from members where id = ?", other!.id)).toBe(Number(next));
    expect(await audits()).toBe(before + 1);
    const bad = await head.post("/household", { memberId: "abc", canRedeem: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("请求有误");
  });

  it("refuses activity writes by the wrong role or from another village, and writes nothing", async () => {
    const count = async () =>
      (await q.value<number>("select (select count(*) from activities) + (select count(*) from activity_signups) + (select count(*) from activity_attendance) + (select count(*) from audit_log) as n"))!;
    const statusOf = () => q.all<{ id: number; status: string }>("select id, status from activities order by id");
    const before = await count();
    const states = await statusOf();
    const own = activities.get(villages.own)!;
    const other = activities.get(villages.other)!;
    const member = (await q.value<number>("select id from members where village_id = ? order by id limit 1", villages.own))!;
    const villagerMember = (await q.value<number>("select member_id as id from users where phone = ?", PHONES.villager))!;
    const otherMember = (await q.value<number>("select id from members where village_id = ? order by id limit 1", villages.other))!;
    const newActivity = { title: "偷偷加的活动", place: "某地", startsAt: "2030-01-02T08:00", endsAt: "2030-01-02T10:00", deadline: "2030-01-01T20:00", capacity: "5", organiserId: "1", ruleId: "1" };
    const posts: [Who, string, Record<string, string>, number][] = [
      // Shaping the activity is the committee's: not the inspector who organises it, not the township admin.
      ["inspector", `/v/${villages.own}/activities/new`, newActivity, 403],
      ["township_admin", `/v/${villages.own}/activities/new`, newActivity, 403],
      ["inspector", `/v/${villages.own}/activities/${own.a}`, { intent: "activity.cancel", reason: "不想办了" }, 403],
      ["township_admin", `/v/${villages.own}/activities/${own.a}`, { intent: "activity.cancel", reason: "不想办了" }, 403],
      // Running the day is the organiser's or the committee's.
      ["inspector", `/v/${villages.own}/activities/${own.ac}`, { intent: "attend.add", memberId: String(member) }, 403],
      ["township_admin", `/v/${villages.own}/activities/${own.a}`, { intent: "attend.add", memberId: String(member) }, 403],
      ["township_admin", `/v/${villages.own}/activities/${own.a}`, { intent: "activity.close" }, 403],
      ["village_admin", `/v/${villages.own}/activities/${own.a}`, { intent: "attend.add", memberId: String(member) }, 403],
      // Another village's activities, from its path or from one's own.
      ["committee", `/v/${villages.other}/activities/new`, newActivity, 403],
      ["committee", `/v/${villages.other}/activities/${other.ac}`, { intent: "activity.cancel", reason: "不想办了" }, 403],
      ["committee", `/v/${villages.own}/activities/${other.ac}`, { intent: "activity.cancel", reason: "不想办了" }, 404],
      ["committee", `/v/${villages.own}/activities/${own.ac}`, { intent: "attend.add", memberId: String(otherMember) }, 404],
      ["villager", `/activities/${other.a}`, { intent: "signup", memberId: String(villagerMember) }, 404],
      // Signing up someone of another household, or without a household at all.
      ["villager", `/activities/${own.a}`, { intent: "signup", memberId: String(member) }, 404],
      ["store_keeper", `/activities/${own.a}`, { intent: "signup", memberId: String(member) }, 403],
    ];
    for (const [who, path, body, status] of posts) {
      const r = await clients.get(who)!.post(path, body);
      expect(r.status, `${who} POST ${path} ${JSON.stringify(body)}`).toBe(status);
    }
    expect(await count()).toBe(before);
    expect(await statusOf()).toEqual(states);
  });

  it("answers malformed ids with 404, not 500", async () => {
    const admin = clients.get("township_admin")!;
    for (const path of [
      "/v/abc/admin", "/v/1e3/admin", "/v/99999999/admin", `/v/${villages.own}/admin/households/-1`, `/v/${villages.own}/admin/households/999999999`,
      `/v/${villages.own}/activities/abc`, `/v/${villages.own}/activities/999999999`, `/v/${villages.own}/activities/-1/qr`, "/v/99999999/activities",
    ]) {
      const r = await admin.get(path);
      expect([403, 404], path).toContain(r.status);
    }
  });
});
