// Sign-in, sign-out and cross-site protection through the real production server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, startServer, type TestServer } from "../support/harness";
import { createTestDatabase, dropTestDatabase, testDatabaseUrl } from "../support/postgres";

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe("sign-in over HTTP", () => {
  it("signs the demo villager in and shows the balance", async () => {
    const c = new Client(server.url);
    const r = await c.login("13900000001");
    expect(r.location).toBe("/");
    const home = await c.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("可用积分");
    expect(home.text).toMatch(/data-testid="spendable">\d+</);
  });

  it("rotates the session token at every sign-in and sign-out kills the old cookie", async () => {
    const c = new Client(server.url);
    await c.login("13900000001");
    const first = c.cookies.get("__session");
    await c.login("13900000001");
    const second = c.cookies.get("__session");
    expect(first).toBeTruthy();
    expect(second).not.toBe(first);

    const stolen = new Client(server.url);
    stolen.cookies.set("__session", second!);
    expect((await stolen.get("/")).status).toBe(200);
    const out = await c.post("/logout", {});
    expect(out.location).toBe("/login");
    const after = await stolen.get("/");
    expect(after.status).toBe(302);
    expect(after.location).toMatch(/^\/login/);
  });

  it("shows a Chinese message for a wrong password and for malformed phones", async () => {
    const c = new Client(server.url);
    const wrong = await c.post("/login", { phone: "13900000004", password: "nope" });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("手机号或密码不正确");
    const bad = await c.post("/login", { phone: "12345", password: "x" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("手机号应为 11 位数字");
    const fullWidth = await c.post("/login", { phone: "１３９０００００００３", password: "jifen2026" });
    expect(fullWidth.status).toBe(302);
  });

  it("throttles guessing on one account, also for the right password", async () => {
    const c = new Client(server.url);
    for (let i = 0; i < 6; i++) await c.post("/login", { phone: "13900000002", password: `guess-${i}` });
    const r = await c.post("/login", { phone: "13900000002", password: "jifen2026" });
    expect(r.status).toBe(400);
    expect(r.text).toContain("尝试次数过多");
  });

  it("throttles guesses sent all at once, not only one after another", async () => {
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) => new Client(server.url).post("/login", { phone: "13900000014", password: `burst-${i}` })),
    );
    const checked = replies.filter((r) => r.text.includes("手机号或密码不正确")).length;
    const throttled = replies.filter((r) => r.text.includes("尝试次数过多")).length;
    expect(checked + throttled).toBe(30);
    expect(checked).toBeLessThanOrEqual(6);
  });

  it("only redirects to paths on this site after sign-in", async () => {
    for (const next of ["/%5Cevil.example", "/%09/evil.example", "//evil.example", "https://evil.example", "/\\evil.example"]) {
      const c = new Client(server.url);
      const r = await c.post(`/login?next=${next}`, { phone: "13900000003", password: "jifen2026" });
      expect(r.location, next).toBe("/");
    }
    const c = new Client(server.url);
    const r = await c.post(`/login?next=${encodeURIComponent("/statement?month=2026-10")}`, { phone: "13900000001", password: "jifen2026" });
    expect(r.location).toBe("/statement?month=2026-10");
  });

  it("refuses oversized and length-less bodies before reading them", async () => {
    const big = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
      body: "phone=1&password=" + "x".repeat(3 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain("内容太大");
    const chunked = await fetch(`${server.url}/login`, {
      method: "POST",
      headers: { origin: server.url, "content-type": "application/x-www-form-urlencoded" },
      body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode("phone=1")), c.close()) }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(411);
  });

  it("answers a post to a page without a form in Chinese, without framework internals", async () => {
    const c = new Client(server.url);
    await c.login("13900000001");
    const r = await c.post("/statement", { anything: "1" });
    expect(r.status).toBe(405);
    const visible = r.text.replace(/<script[\s\S]*?<\/script>/g, "");
    expect(visible).toContain("这个操作无法完成");
    expect(visible).not.toMatch(/did not provide|You made a POST/);
  });

  it("refuses cross-site posts and posts without Origin (even with our own Referer), writing nothing", async () => {
    const c = new Client(server.url);
    const evil = await c.post("/login", { phone: "13900000003", password: "jifen2026" }, { origin: "http://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.text).toContain("请求被拒绝");
    const none = await c.post("/login", { phone: "13900000003", password: "jifen2026" }, {});
    expect(none.status).toBe(403);
    expect(c.cookies.has("__session")).toBe(false);
    const fetchSite = await c.post("/login", { phone: "13900000003", password: "jifen2026" }, { origin: server.url, "sec-fetch-site": "cross-site" });
    expect(fetchSite.status).toBe(403);
    const nullOrigin = await c.post("/login", { phone: "13900000003", password: "jifen2026" }, { origin: "null" });
    expect(nullOrigin.status).toBe(403);
    // Our own Referer does not stand in for the missing Origin: browsers always send Origin on a POST.
    const referer = await c.post("/login", { phone: "13900000003", password: "jifen2026" }, { referer: `${server.url}/login` });
    expect(referer.status).toBe(403);
    expect(c.cookies.has("__session")).toBe(false);
  });

  it("sends security headers", async () => {
    const r = await new Client(server.url).get("/login");
    expect(r.headers.get("content-security-policy")).toContain("script-src 'self' 'nonce-");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    expect(r.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });
});

describe("an empty start (DEMO=0)", () => {
  let empty: TestServer;
  beforeAll(async () => {
    empty = await startServer({ DEMO: "0" });
  });
  afterAll(async () => {
    await empty?.stop();
  });

  it("has only a township admin who must change the printed password first", async () => {
    const m = /乡镇管理员：(\d{11})\s+临时密码：(\S+)（/.exec(empty.output());
    expect(m).not.toBeNull();
    const c = new Client(empty.url);
    const r = await c.login(m![1], m![2]);
    expect(r.location).toBe("/password");
    const home = await c.get("/township");
    expect(home.status).toBe(302);
    expect(home.location).toBe("/password");
    const tooLong = await c.post("/password", { current: m![2], next: "密".repeat(25), confirm: "密".repeat(25) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toContain("密码太长");
    const ok = await c.post("/password", { current: m![2], next: "new-secret-1", confirm: "new-secret-1" });
    expect(ok.location).toBe("/?changed=1");
    expect((await c.get("/township")).status).toBe(200);
  });
});

describe("a restart of the demo", () => {
  it("prints the same demo logins as the first start, from the database", async () => {
    const logins = (out: string) => out.split("\n").filter((l) => /^\s+139\d{8}\s+\S/.test(l) && !l.includes("PIN"));
    // A database of our own, kept between the two starts (a server removes only a database it made):
    // a file in a folder of ours, or on PostgreSQL a migrated database without the demo.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-restart-"));
    const database = testDatabaseUrl() ? await createTestDatabase() : path.join(dir, "app.sqlite");
    let firstOut: string;
    let againOut: string;
    try {
      const first = await startServer({}, { database });
      firstOut = first.output();
      await first.stop();
      const again = await startServer({}, { database });
      againOut = again.output();
      await again.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (testDatabaseUrl()) await dropTestDatabase(database);
    }
    expect(firstOut).toContain("演示数据已生成");
    expect(againOut).toContain("使用已有的演示数据");
    expect(againOut).not.toContain("演示数据已生成");
    expect(logins(firstOut).length).toBeGreaterThan(3);
    expect(logins(againOut).sort()).toEqual(logins(firstOut).sort());
  }, 180_000); // a first boot seeds the demo: ~20 s on PostgreSQL, more on a busy machine
});
