// Claims over HTTP: a photo is served only to its village, maker-checker holds at the door, and the
// test clock is off in a normal start.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

let server: TestServer;
let database: Engine;
let q: Sql;
const login = async (phone: string) => {
  const c = new Client(server.url);
  await c.login(phone);
  return c;
};

beforeAll(async () => {
  server = await startServer(); // no TEST_CLOCK_CONTROL: a normal start
  database = openDatabase(server.database);
  q = sqlOn(database);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

// A real PNG: uploads are decoded and re-encoded (as JPEG), so PNG's first bytes and filler no longer pass.
const PNG = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 4, background: "#2e7d3280" } }).png().toBuffer());

describe("claims over HTTP", () => {
  it("the notice board folds a sanitation round's claims into one line that opens to every household (open when printed)", async () => {
    const villager = await login("13900000001");
    const v = (await q.get<{ id: number }>("select id from villages order by id"))!.id;
    const round = (await q.get<{ id: number; title: string }>("select id, title from sanitation_rounds where village_id = ? and status = 'published' order by id desc limit 1", v))!;
    const credited = (await q.value<number>("select count(*) as n from claims where source_kind = 'round' and source_id = ? and status = 'credited' and points > 0", round.id))!;
    expect(credited).toBeGreaterThanOrEqual(5);
    const page = (await villager.get(`/v/${v}/notice`)).text;
    const group = new RegExp(`data-testid="batch-round:${round.id}"><details>[\\s\\S]*?${round.title}[\\s\\S]*?${credited}<!-- --> 条`).exec(page);
    expect(group, "a closed group with the round's title and count").not.toBeNull();
    expect(page.match(/data-testid="credited-\d+"/g)!.length).toBeGreaterThanOrEqual(credited); // every household is still in the page
    const printed = (await villager.get(`/v/${v}/notice?print=1`)).text;
    expect(printed).toContain(`data-testid="batch-round:${round.id}"><details open=""`);
  });

  it("the printed notice board carries the ledger head, which check:ledger accepts as an anchor", async () => {
    const villager = await login("13900000001");
    const v = (await q.get<{ id: number }>("select id from villages order by id"))!.id;
    const page = await villager.get(`/v/${v}/notice?print=1`);
    const head = /data-testid="ledger-head">[\s\S]*?<span class="mono">(\d+):([0-9a-f]{64})<\/span>/.exec(page.text);
    expect(head, page.text.slice(0, 500)).not.toBeNull();
    const last = (await q.get<{ id: number; hash: string }>("select id, hash from ledger_entries order by id desc limit 1"))!;
    expect([Number(head![1]), head![2]]).toEqual([last.id, last.hash]);
    expect((await villager.get(`/v/${v}/notice`)).text).not.toContain("ledger-head");
    // Run without blocking the event loop: a synchronous spawn that outlasts the server's 5 s
    // keep-alive hides the server closing the pooled socket, and the next test's request on it fails.
    const { execFile } = await import("node:child_process");
    const cli = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile("npx", ["tsx", "scripts/check-ledger.ts", server.database, "--anchor", `${head![1]}:${head![2]}`], { encoding: "utf8" }, (error, stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === "number" ? error.code : null) : 0, stdout, stderr }),
      ),
    );
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
    expect(cli.stdout).toContain("✓ 与记下的锚点一致");
  });

  it("a villager's claim with a photo: stored, served to the village only, reviewed by another member", async () => {
    const villager = await login("13900000001");
    const v = (await q.all<{ id: number }>("select id from villages order by id")).map((r) => r.id);
    const me = (await q.get<{ id: number }>("select m.id from users u join members m on m.id = u.member_id where u.phone = ?", "13900000001"))!;
    const rule = (await q.get<{ id: number }>("select id from rules where village_id = ? and name = '美丽庭院'", v[0]))!;
    const fd = new FormData();
    fd.append("memberId", String(me.id));
    fd.append("ruleId", String(rule.id));
    fd.append("date", new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    fd.append("quantity", "1");
    fd.append("note", "院子种了花");
    fd.append("photos", new Blob([PNG], { type: "application/octet-stream" }), "院子"); // no extension, no image type: content decides
    const r = await villager.post("/claims/new", fd);
    expect(r.status, r.text.slice(0, 300)).toBe(302);
    expect(r.location).toBe("/claims?filed=1");
    const claim = (await q.get<{ id: number; status: string; points: number }>("select id, status, points from claims order by id desc limit 1"))!;
    expect(claim).toMatchObject({ status: "pending", points: 10 });
    const photo = (await q.get<{ key: string; mime: string }>("select key, mime from claim_photos where claim_id = ?", claim.id))!;
    expect(photo.mime).toBe("image/jpeg"); // stored as the cleaned re-encoding, whatever came in

    const url = `/v/${v[0]}/photos/${photo.key}`;
    const own = await villager.get(url);
    expect(own.status).toBe(200);
    expect(own.headers.get("content-type")).toBe("image/jpeg");
    expect(own.headers.get("x-content-type-options")).toBe("nosniff");
    const foreign = await login("13900000011"); // a villager of the other village
    expect((await foreign.get(url)).status).toBe(403);
    expect((await foreign.get(`/v/${v[1]}/photos/${photo.key}`)).status).toBe(404);
    expect((await new Client(server.url).get(url)).status).toBe(302);

    // The committee member may approve it; the villager (filer, not committee) may not.
    const committee = await login("13900000003");
    expect((await villager.post(`/v/${v[0]}/review/${claim.id}`, { intent: "approve" })).status).toBe(403);
    const ok = await committee.post(`/v/${v[0]}/review/${claim.id}`, { intent: "approve" });
    // Approved: on to the next claim waiting for this member, which says what was done.
    expect(ok.status).toBe(303);
    expect(ok.location).toMatch(new RegExp(`^/v/${v[0]}/review(/\\d+)?\\?done=approved$`));
    expect((await q.get<{ status: string }>("select status from claims where id = ?", claim.id))!.status).toBe("notice");
    expect((await committee.get(ok.location!)).text).toContain("已通过，进入公示");
    // A claim the committee member files himself: he cannot approve it.
    const mine = new FormData();
    for (const [k, val] of Object.entries({ memberId: String(me.id), ruleId: String(rule.id), date: "2026-01-01", quantity: "1", note: "" })) mine.append(k, val);
    mine.set("date", new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10));
    mine.append("photos", new Blob([PNG]), "a.png");
    expect((await committee.post(`/v/${v[0]}/claims/new`, mine)).status).toBe(200);
    const filed = (await q.get<{ id: number }>("select id from claims order by id desc limit 1"))!;
    const refused = await committee.post(`/v/${v[0]}/review/${filed.id}`, { intent: "approve" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("不能审核自己提交的申报");
  });

  it("has no test clock in a normal start", async () => {
    const anyone = new Client(server.url);
    const before = Date.now();
    const r = await anyone.post("/test/clock", { advanceMs: String(30 * 86_400_000) });
    expect(r.status).toBe(404);
    const villager = await login("13900000001");
    const moved = await villager.post("/test/clock", { advanceMs: "1000" });
    expect(moved.status).toBe(404);
    expect(Date.now() - before).toBeLessThan(60_000);
  });
});
