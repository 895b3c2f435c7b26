// 消息 over HTTP on the demo township: the header's badge on every page, the inbox, opening a notice
// (marks it read, follows its link), another person's notice (not found, nothing marked), 全部标为已读,
// and the committee's live counts at the top of its inbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

let server: TestServer;
let database: Engine;
let q: Sql;
let villager: Client;
let committee: Client;
let me = 0;
let village = 0;

const unread = async (userId: number) => Number(await q.value("select count(*) from notifications where user_id = ? and read_at is null", userId));

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  villager = new Client(server.url);
  await villager.login("13900000001");
  committee = new Client(server.url);
  await committee.login("13900000003");
  const row = (await q.get<{ id: number; village_id: number }>("select u.id, m.village_id from users u join members m on m.id = u.member_id where u.phone = ?", "13900000001"))!;
  me = row.id;
  village = row.village_id;
  // Three fresh notices of the villager's own, so the test does not hang on what the demo's history left.
  await q.run("update notifications set read_at = 1 where user_id = ?", me);
  for (const i of [1, 2, 3]) {
    await q.run(
      "insert into notifications (user_id, village_id, kind, title, body, link, dedupe_key, created_at) values (?, ?, 'claim.approved', ?, '', ?, ?, ?)",
      me, village, `测试消息${i}`, "/claims", `http-test:${i}`, Date.now(),
    );
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("/messages", () => {
  it("the header shows 消息 with the unread count on every page, said as '3 条未读'", async () => {
    for (const path of ["/", "/statement", "/messages"]) {
      const r = await villager.get(path);
      expect(r.status).toBe(200);
      expect(r.text).toContain('href="/messages"');
      expect(r.text).toMatch(/data-testid="unread-badge"><span aria-hidden="true">3<\/span><span class="sr-only">，3 条未读<\/span>/);
    }
    expect((await new Client(server.url).get("/login")).text).not.toContain('href="/messages"');
  });

  it("opening one marks it read and follows its link; another person's is not found and stays unread", async () => {
    const mine = (await q.value<number>("select id from notifications where user_id = ? and dedupe_key = 'http-test:3'", me))!;
    const others = (await q.get<{ id: number; user_id: number }>("select id, user_id from notifications where user_id <> ? and read_at is null order by id limit 1", me))!;
    expect(others).toBeDefined(); // the demo's history notified other households
    const before = await unread(others.user_id);
    const r = await villager.post("/messages", { intent: "open", id: String(others.id) });
    expect(r.status).toBe(404);
    expect(r.text).toContain("找不到这条消息");
    expect(await unread(others.user_id)).toBe(before);
    expect(await unread(me)).toBe(3);

    const open = await villager.post("/messages", { intent: "open", id: String(mine) });
    expect(open.status).toBe(302);
    expect(open.location).toBe("/claims");
    expect(await unread(me)).toBe(2);
    const page = await villager.get("/messages");
    expect(page.text).toContain("测试消息3");
    expect(page.text).toMatch(/class="notice unread"[^>]*data-testid="notice-\d+"><span class="notice-title"><span class="dot"/);
  });

  it("全部标为已读 clears the villager's and nobody else's", async () => {
    const othersUnread = Number(await q.value("select count(*) from notifications where user_id <> ? and read_at is null", me));
    const r = await villager.post("/messages", { intent: "read-all" });
    expect(r.status).toBe(200);
    expect(r.text).toContain("已把 2 条消息标为已读");
    expect(await unread(me)).toBe(0);
    expect(Number(await q.value("select count(*) from notifications where user_id <> ? and read_at is null", me))).toBe(othersUnread);
    expect((await villager.get("/")).text).not.toContain('data-testid="unread-badge"');
  });

  it("a committee member sees live counts of claims waiting and objections to decide at the top", async () => {
    const waiting = Number(await q.value("select count(*) from claims where village_id = ? and status = 'pending'", village));
    const r = await committee.get("/messages");
    expect(r.status).toBe(200);
    expect(r.text).toContain(`href="/v/${village}/review"`);
    expect(r.text).toContain(`<strong>${waiting}</strong> 条申报等待审核`);
    expect(r.text).toContain("条异议等待处理");
    expect((await villager.get("/messages")).text).not.toContain("条申报等待审核");
  });
});
