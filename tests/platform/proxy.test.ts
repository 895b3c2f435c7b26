// X-Forwarded-* headers count only when the connection comes from the proxy TRUST_PROXY names:
// a client that reaches the port directly cannot choose its address (sign-in throttle, sessions),
// claim https (Secure cookies), or pass the origin check and move the check-in URL with a host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, linesOf, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

const sessionIp = async (db: Engine, userPhone: string) =>
  (await sqlOn(db).get<{ ip: string }>("select s.ip from sessions s join users u on u.id = s.user_id where u.phone = ? order by s.created_at desc, s.id limit 1", userPhone))!.ip;

describe("TRUST_PROXY names a proxy the client is not", () => {
  let server: TestServer;
  let db: Engine;
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: "10.9.9.9" });
    db = openDatabase(server.database);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it("records the socket's address for a session, and a spoofed https does not make the cookie Secure", async () => {
    const c = new Client(server.url);
    const r = await c.post("/login", { phone: "13900000001", password: "jifen2026" }, {
      origin: server.url,
      "x-forwarded-for": "203.0.113.77",
      "x-forwarded-proto": "https",
    });
    expect(r.status).toBe(302);
    expect(await sessionIp(db, "13900000001")).toBe("127.0.0.1");
    const cookie = r.headers.getSetCookie().find((s) => s.startsWith("__session="))!;
    expect(cookie).toBeTruthy();
    expect(cookie).not.toMatch(/;\s*secure/i);
  });

  it("refuses a cross-site post that names its own site in X-Forwarded-Host", async () => {
    const c = new Client(server.url);
    const r = await c.post("/login", { phone: "13900000001", password: "jifen2026" }, { origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect(r.status).toBe(403);
    expect(r.headers.getSetCookie()).toEqual([]);
  });

  it("builds the check-in QR's address from the real host, whatever port X-Forwarded-Host names", async () => {
    const committee = new Client(server.url);
    await committee.login("13900000003");
    const { id, village_id } = (await sqlOn(db).get<{ id: number; village_id: number }>(
      "select a.id, a.village_id from activities a join villages v on v.id = a.village_id where v.name = '桃源村' and a.status = 'open' order by a.id limit 1",
    ))!;
    const page = await committee.get(`/v/${village_id}/activities/${id}/qr`, { "x-forwarded-host": "127.0.0.1:4444" });
    expect(page.status).toBe(200);
    const url = /data-checkin-url="([^"]+)"/.exec(page.text)![1];
    expect(url.startsWith(`${server.url}/v/${village_id}/activities/${id}/checkin?t=`)).toBe(true);
  });

  // Last: it leaves this address blocked from signing in.
  it("counts 30 wrong sign-ins with 30 made-up X-Forwarded-For against the one real address", async () => {
    const c = new Client(server.url);
    for (let i = 0; i < 30; i++) {
      const r = await c.post("/login", { phone: `137000001${String(i).padStart(2, "0")}`, password: "wrong" }, { origin: server.url, "x-forwarded-for": `203.0.113.${i + 1}` });
      expect(r.status).toBeGreaterThanOrEqual(400);
      const [line] = await linesOf(server, r.headers.get("x-request-id"));
      expect(line.req!.ip).toBe("127.0.0.1");
    }
  });
});

describe("TRUST_PROXY=loopback with the proxy on this machine", () => {
  let server: TestServer;
  let db: Engine;
  beforeAll(async () => {
    server = await startServer({ TRUST_PROXY: "loopback" });
    db = openDatabase(server.database);
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it("takes the client's address, https and public host from the proxy", async () => {
    const c = new Client(server.url);
    const r = await c.post("/login", { phone: "13900000011", password: "jifen2026" }, {
      origin: "https://jifen.example",
      "x-forwarded-for": "203.0.113.77",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "jifen.example",
    });
    expect(r.status).toBe(302);
    expect(await sessionIp(db, "13900000011")).toBe("203.0.113.77");
    expect(r.headers.getSetCookie().find((s) => s.startsWith("__session="))).toMatch(/;\s*secure/i);
    const [line] = await linesOf(server, r.headers.get("x-request-id"));
    expect(line.req!.ip).toBe("203.0.113.77");
  });

  it("keeps the proxy's request id", async () => {
    const r = await fetch(`${server.url}/login`, { headers: { "x-request-id": "nginx-7f3a" } });
    expect(r.headers.get("x-request-id")).toBe("nginx-7f3a");
  });
});

describe("a hop count", () => {
  it("TRUST_PROXY=1 (trust whoever connects) stops the start with the reason and what to write", async () => {
    const started = startServer({ TRUST_PROXY: "1" });
    await expect(started).rejects.toThrow(/server exited 1:[\s\S]*TRUST_PROXY=1 已不再支持[\s\S]*TRUST_PROXY=loopback/);
  });

  it("an address that is not one stops the start too", async () => {
    await expect(startServer({ TRUST_PROXY: "nginx.local" })).rejects.toThrow(/TRUST_PROXY=nginx\.local 无法识别/);
  });
});
