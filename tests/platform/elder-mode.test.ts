// 长辈模式 (large type): kept for the account (users.elder_mode) and, before sign-in, for the device
// (a cookie), switched by a plain form post to /elder, through the real production server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

let server: TestServer;
let database: Engine;
let q: Sql;
beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

const elderOf = async (phone: string) => (await q.value<number>("select elder_mode from users where phone = ?", phone))!;
const onCount = async () => (await q.value<number>("select count(*) as n from users where elder_mode = 1"))!;
const drawnLarge = (html: string) => /<html[^>]*\sdata-elder="1"/.test(html);

describe("the column", () => {
  it("is 0 for every account until chosen, and holds only 0 or 1", async () => {
    const local = sqlOn();
    expect(await local.value<number>("select count(*) as n from users where elder_mode <> 0")).toBe(0);
    await local.run("insert into users (phone, password_hash, display_name, created_at) values ('13700000001', 'x', '测试', 1)");
    expect(await local.value<number>("select elder_mode from users where phone = '13700000001'")).toBe(0);
    await local.run("update users set elder_mode = 1 where phone = '13700000001'");
    await expect(local.run("update users set elder_mode = 2 where phone = '13700000001'")).rejects.toThrow();
    expect(await local.value<number>("select elder_mode from users where phone = '13700000001'")).toBe(1);
  });
});

describe("before sign-in: the device", () => {
  it("one post turns it on and comes back to the page; the pages are drawn large; the database is untouched", async () => {
    const before = await onCount();
    const c = new Client(server.url);
    expect(drawnLarge((await c.get("/login")).text)).toBe(false);
    const r = await c.post("/elder", { elder: "1", back: "/login?next=%2Fstatement" });
    expect(r.status).toBe(302);
    expect(r.location).toBe("/login?next=%2Fstatement");
    const cookie = r.headers.getSetCookie().find((x) => x.startsWith("jifen_elder="))!;
    expect(cookie).toMatch(/^jifen_elder=1;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Max-Age=\d{7,}/);
    expect(drawnLarge((await c.get("/login")).text)).toBe(true);
    const off = await c.post("/elder", { elder: "0", back: "/login" });
    expect(off.headers.getSetCookie().some((x) => x.startsWith("jifen_elder=0;"))).toBe(true);
    expect(drawnLarge((await c.get("/login")).text)).toBe(false);
    expect(await onCount()).toBe(before);
  });

  it("comes back only to a path on this site", async () => {
    const c = new Client(server.url);
    for (const back of ["//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "", "/\t/evil.example"]) {
      const r = await c.post("/elder", { elder: "1", back });
      expect(r.status, back).toBe(302);
      expect(r.location, back).toBe("/");
    }
    expect((await c.post("/elder", { elder: "1" })).location).toBe("/");
  });

  it("refuses anything but 0 or 1, a post from another site, and a GET: nothing changes", async () => {
    const c = new Client(server.url);
    for (const elder of ["", "2", "on", "１", "<b>1</b>"]) {
      const r = await c.post("/elder", { elder, back: "/login" });
      expect(r.status, elder).toBe(400);
      expect(r.text).toContain("请求有误，请刷新页面后再试");
      expect(r.headers.getSetCookie().some((x) => x.startsWith("jifen_elder=")), elder).toBe(false);
    }
    const foreign = await c.post("/elder", { elder: "1", back: "/login" }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.getSetCookie()).toEqual([]);
    const get = await c.get("/elder?elder=1");
    expect(get.status).toBe(302);
    expect(get.location).toBe("/");
    expect(get.headers.getSetCookie()).toEqual([]);
  });
});

describe("signed in: the account", () => {
  it("a post sets it for the account (and the device), every browser signed in to it draws large, and only that account changes", async () => {
    const before = await onCount();
    const phone = "13900000001";
    const c = new Client(server.url);
    await c.login(phone);
    expect(drawnLarge((await c.get("/")).text)).toBe(false);
    const r = await c.post("/elder", { elder: "1", back: "/statement" });
    expect(r.location).toBe("/statement");
    expect(r.headers.getSetCookie().some((x) => x.startsWith("jifen_elder=1;"))).toBe(true);
    expect(await elderOf(phone)).toBe(1);
    expect(await onCount()).toBe(before + 1);
    expect(drawnLarge((await c.get("/statement")).text)).toBe(true);

    // Another browser that never chose: large once signed in to the account.
    const other = new Client(server.url);
    expect(drawnLarge((await other.get("/login")).text)).toBe(false);
    await other.login(phone);
    expect(drawnLarge((await other.get("/")).text)).toBe(true);
    // The account decides, whatever the device chose before.
    other.cookies.set("jifen_elder", "0");
    expect(drawnLarge((await other.get("/")).text)).toBe(true);

    await other.post("/elder", { elder: "0", back: "/" });
    expect(await elderOf(phone)).toBe(0);
    expect(drawnLarge((await c.get("/")).text)).toBe(false);
    expect(await onCount()).toBe(before);
  });

  it("large type turned on at the sign-in page is carried into the account at sign-in; off there leaves the account's choice", async () => {
    const phone = "13900000011";
    expect(await elderOf(phone)).toBe(0);
    const c = new Client(server.url);
    await c.post("/elder", { elder: "1", back: "/login" });
    // A wrong password carries nothing.
    expect((await c.post("/login", { phone, password: "wrong-password" })).status).toBe(400);
    expect(await elderOf(phone)).toBe(0);
    await c.login(phone);
    expect(await elderOf(phone)).toBe(1);
    expect(drawnLarge((await c.get("/")).text)).toBe(true);

    const d = new Client(server.url);
    d.cookies.set("jifen_elder", "0");
    await d.login(phone);
    expect(await elderOf(phone)).toBe(1);
    expect(drawnLarge((await d.get("/")).text)).toBe(true);
  });

  it("after 退出 the device keeps the last choice made on it", async () => {
    const c = new Client(server.url);
    await c.login("13900000002");
    await c.post("/elder", { elder: "1", back: "/" });
    await c.post("/logout", {});
    expect(drawnLarge((await c.get("/login")).text)).toBe(true);
  });
});
