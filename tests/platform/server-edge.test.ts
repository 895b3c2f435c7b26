// The server's edges: methods the app does not use, caching of signed-in responses on shared
// phones, and the request log (one line per request, no secrets, a server error's stack once).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, linesOf, logLines, startServer, type TestServer } from "../support/harness";
import { onPostgres, sqlOn } from "../support/sql";

let server: TestServer;
let db: Engine;
let village = 0;
beforeAll(async () => {
  server = await startServer();
  db = openDatabase(server.database);
  village = (await sqlOn(db).value<number>("select id from villages where name = '桃源村'"))!;
});
afterAll(async () => {
  await db?.close();
  await server?.stop();
});

/** node:http, since fetch refuses to send TRACE. */
function raw(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${server.url}${path}`, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

const STACK_FRAME = /^\s+at .+\(?[^\s]+:\d+:\d+\)?$/m;

describe("methods other than GET, HEAD and POST", () => {
  it("answer 405 with Allow and a short Chinese page, and log no stack trace", async () => {
    const before = server.output().length;
    for (const method of ["TRACE", "OPTIONS", "PROPFIND", "PUT", "DELETE", "PATCH", "FOO"]) {
      for (const path of ["/", "/login", "/login.data"]) {
        // With our own Origin, as a page's script would send it: the origin check does not decide.
        const r = await raw(method, path, { origin: server.url });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.allow).toBe("GET, HEAD, POST");
        expect(r.text).toContain("不支持这种请求方式");
      }
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(server.errors()).not.toMatch(STACK_FRAME);
    expect(server.output().slice(before)).not.toContain('"stack"');
  });

  it("GET, HEAD and POST still work", async () => {
    expect((await raw("GET", "/login")).status).toBe(200);
    expect((await raw("HEAD", "/login")).status).toBe(200);
    expect((await new Client(server.url).post("/login", { phone: "13900000001", password: "x" })).status).toBe(400);
  });
});

describe("caching on shared phones", () => {
  it("signed-in pages, data, photos and exports are private, no-store", async () => {
    const villager = new Client(server.url);
    await villager.login("13900000001");
    // A photo every villager may see: its claim has entered 公示.
    const photo = (await sqlOn(db).get<{ key: string }>(
      "select p.key from claim_photos p join claims c on c.id = p.claim_id where p.village_id = ? and c.approved_at is not null order by p.id limit 1",
      village,
    ))!;
    for (const path of ["/", "/statement", "/statement.data", "/_root.data", `/v/${village}/photos/${photo.key}`]) {
      const r = await villager.get(path);
      expect(r.status, path).toBe(200);
      expect(r.headers.get("cache-control"), path).toBe("private, no-store");
    }
    const committee = new Client(server.url);
    await committee.login("13900000003");
    const csv = await committee.get(`/v/${village}/store/settlement.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("cache-control")).toBe("private, no-store");
  });

  it("the sign-in response is not stored either; a good's photo and the app's files keep their caching", async () => {
    const c = new Client(server.url);
    const signIn = await c.login("13900000001");
    expect(signIn.headers.get("cache-control")).toBe("private, no-store");
    const good = (await sqlOn(db).get<{ id: number }>("select id from goods where village_id = ? and photo is not null order by id limit 1", village))!;
    expect((await c.get(`/photos/goods/${good.id}`)).headers.get("cache-control")).toBe("private, max-age=31536000, immutable");
    const script = /\/build\/[^"]+\.js/.exec((await c.get("/")).text)![0];
    expect((await c.get(script)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("an anonymous visitor's sign-in page is not forced no-store (nothing personal on it)", async () => {
    const r = await new Client(server.url).get("/login");
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control") ?? "").not.toContain("no-store");
  });

  it("signing out clears the browser's cache for the site, with or without JavaScript", async () => {
    for (const path of ["/logout", "/logout.data"]) {
      const c = new Client(server.url);
      await c.login("13900000001");
      const out = await c.post(path, {});
      expect(out.headers.get("clear-site-data"), path).toBe('"cache"');
      expect(out.headers.get("cache-control"), path).toBe("private, no-store");
    }
  });
});

describe("request log", () => {
  it("writes one line for a wrong password: id, status, time, address, and never the password", async () => {
    const secret = "Wrong-Pass-7d3f91";
    const r = await new Client(server.url).post("/login?next=%2Fstatement%3Fq%3Dprivate-query-9e2", { phone: "13900000002", password: secret });
    expect(r.status).toBe(400);
    const id = r.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const lines = await linesOf(server, id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ reqId: id, req: { method: "POST", path: "/login", ip: "127.0.0.1" }, res: { status: 400 }, userId: null });
    expect(typeof lines[0].ms).toBe("number");
    expect(typeof lines[0].time).toBe("number");
    expect(server.output()).not.toContain(secret);
    expect(server.output()).not.toContain("private-query-9e2");
    expect(server.output()).not.toMatch(/__session=/);
  });

  it("names the signed-in user once the app knows them, also for data requests", async () => {
    const c = new Client(server.url);
    const signIn = await c.login("13900000001");
    const user = (await sqlOn(db).value<number>("select id from users where phone = '13900000001'"))!;
    expect((await linesOf(server, signIn.headers.get("x-request-id")))[0].userId).toBe(user);
    const data = await c.get("/statement.data");
    expect((await linesOf(server, data.headers.get("x-request-id")))[0]).toMatchObject({ userId: user, res: { status: 200 } });
  });

  it("gives every request its own id and ignores one sent by a client that is not a proxy", async () => {
    const a = await fetch(`${server.url}/login`, { headers: { "x-request-id": "client-chosen" } });
    const b = await fetch(`${server.url}/login`);
    expect(a.headers.get("x-request-id")).not.toBe("client-chosen");
    expect(a.headers.get("x-request-id")).not.toBe(b.headers.get("x-request-id"));
    expect(logLines(server).some((l) => l.reqId === "client-chosen")).toBe(false);
  });
});

describe("a server error", () => {
  let broken: TestServer;
  beforeAll(async () => {
    broken = await startServer();
  });
  afterAll(async () => {
    await broken?.stop();
  });

  it("is logged once, with its stack, in its request's line", async () => {
    const c = new Client(broken.url);
    await c.login("13900000001");
    // What a half-restored backup or a failed migration would look like to the statement page.
    const bdb = openDatabase(broken.database);
    await sqlOn(bdb).run("alter table account_months rename to account_months_gone");
    await bdb.close();
    const r = await c.get("/statement");
    expect(r.status).toBe(500);
    expect(r.text).toContain("系统暂时出了点问题");
    const lines = await linesOf(broken, r.headers.get("x-request-id"));
    expect(lines).toHaveLength(1);
    // Each engine's own words for it.
    const missing = onPostgres() ? 'relation "account_months" does not exist' : "no such table: account_months";
    expect(lines[0]).toMatchObject({ level: 50, res: { status: 500 }, err: { message: expect.stringContaining(missing) } });
    expect(lines[0].err!.stack).toMatch(/\n\s+at /);
    const logged = JSON.stringify(missing).slice(1, -1); // as the JSON log line spells it
    expect(broken.output().split(logged).length - 1).toBe(2); // message and stack of that one line
    expect(broken.errors()).not.toMatch(STACK_FRAME);
  });
});
