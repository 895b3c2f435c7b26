// 流动红旗 pages that carry an id (a flag's certificate, a round's flags for the committee) × every
// role × own village / other village / cross (own village's path, another village's id), like
// tests/sanitation/access.test.ts; writes by the wrong role or from another village refused without
// writing anything; and a tie decided over HTTP once (the second post is told, 409).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { appTables, tableFingerprints } from "../support/sweep";

type Who = "villager" | "store_keeper" | "committee" | "inspector" | "village_admin" | "township_admin";
const PHONES: Record<Who, string> = {
  villager: "13900000001", store_keeper: "13900000002", committee: "13900000003", inspector: "13900000004", village_admin: "13900000005", township_admin: "13900000000",
};
const ALL = Object.keys(PHONES) as Who[];

const TABLE: { path: string; allowed: Who[] }[] = [
  // The certificate is as public as the 公示栏 that links it: anyone of the village.
  { path: "/v/{v}/flags/{fl}/certificate", allowed: ALL },
  { path: "/v/{v}/flags/{fl}/certificate?size=a5", allowed: ALL },
  // A round's flags and its ties: the committee's (a township admin holds no committee role).
  { path: "/v/{v}/rounds/{pub}/flags", allowed: ["committee"] },
];

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
type Ids = { v: number; pub: number; fl: number };
const ids: { own: Ids; other: Ids } = {} as { own: Ids; other: Ids };

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  const q = sqlOn(database);
  const [own, other] = await Promise.all((await q.all<{ id: number }>("select id from villages order by id limit 2")).map(async ({ id: v }): Promise<Ids> => {
    const pub = (await q.get<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'published' order by starts_at desc, id desc limit 1", v))!.id;
    const fl = (await q.get<{ id: number }>("select id from red_flags where round_id = ? and household_id is not null order by id limit 1", pub))!.id;
    return { v, pub, fl };
  }));
  Object.assign(ids, { own, other });
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

function fill(path: string, mode: "own" | "other" | "cross"): string {
  const base = mode === "own" ? ids.own : ids.other;
  const v = mode === "cross" ? ids.own.v : base.v;
  return path.replace(/\{(\w+)\}/g, (_, k: keyof Ids) => String(k === "v" ? v : base[k]));
}

const cases = TABLE.flatMap((route) => ALL.flatMap((who) => (["own", "other", "cross"] as const).map((mode) => ({ route: route.path, who, mode, allowed: route.allowed.includes(who) }))));

describe("red flag access table", () => {
  it.each(cases)("$who GET $route ($mode)", async ({ route, who, mode, allowed }) => {
    const r = await clients.get(who)!.get(fill(route, mode));
    const township = who === "township_admin";
    if (mode === "own") expect(r.status).toBe(allowed ? 200 : 403);
    else if (mode === "other") expect(r.status).toBe(allowed && township ? 200 : 403);
    else expect(r.status).toBe(allowed ? 404 : 403);
    if (r.status === 403) expect(r.text).toContain("没有权限");
  });

  it.each(TABLE.map((r) => r.path))("anonymous GET %s → sign-in page", async (route) => {
    const r = await new Client(server.url).get(fill(route, "own"));
    expect(r.status).toBe(302);
    expect(r.location).toMatch(/^\/login\?next=/);
  });

  it("the demo's published round gave its flags: the holder's certificate names the household", async () => {
    const q = sqlOn(database);
    const f = (await q.get<{ number: string }>("select h.number from red_flags f join households h on h.id = f.household_id where f.id = ?", ids.own.fl))!;
    const r = await clients.get("villager")!.get(`/v/${ids.own.v}/flags/${ids.own.fl}/certificate`);
    expect(r.text).toContain(`${f.number}号户`);
    expect(r.text).toContain("特发此证");
  });
});

describe("deciding a tie over HTTP", () => {
  it("refuses the wrong role and another village, writing nothing; the committee decides once", async () => {
    const q = sqlOn(database);
    const { own, other } = ids;
    // A tie made here: the own round's first flag waits between its holder and another household of the round.
    const held = (await q.get<{ household_id: number }>("select household_id from red_flags where id = ?", own.fl))!.household_id;
    const rival = (await q.get<{ household_id: number }>(
      "select household_id from inspections where round_id = ? and status = 'scored' and household_id not in (select household_id from red_flags where round_id = ? and household_id is not null) order by household_id limit 1",
      own.pub, own.pub,
    ))!.household_id;
    await q.run("update red_flags set household_id = null, tied_json = ? where id = ?", JSON.stringify([held, rival]), own.fl);
    const tables = (await appTables(database)).filter((t) => t !== "sessions");
    const snap = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
    const before = await snap();
    const body = { flagId: String(own.fl), householdId: String(rival), reason: "门前屋后一直干净" };
    const posts: [Who, string, Record<string, string>, number][] = [
      ["inspector", `/v/${own.v}/rounds/${own.pub}/flags`, body, 403],
      ["village_admin", `/v/${own.v}/rounds/${own.pub}/flags`, body, 403],
      ["township_admin", `/v/${own.v}/rounds/${own.pub}/flags`, body, 403],
      ["villager", `/v/${own.v}/rounds/${own.pub}/flags`, body, 403],
      ["committee", `/v/${other.v}/rounds/${other.pub}/flags`, { ...body, flagId: String(other.fl) }, 403],
      ["committee", `/v/${own.v}/rounds/${other.pub}/flags`, { ...body, flagId: String(other.fl) }, 404],
      ["committee", `/v/${own.v}/rounds/${own.pub}/flags`, { ...body, flagId: String(other.fl) }, 404],
      // Not one of the tied households; no reason.
      ["committee", `/v/${own.v}/rounds/${own.pub}/flags`, { ...body, householdId: String(own.fl === held ? held + 1 : 999999) }, 400],
      ["committee", `/v/${own.v}/rounds/${own.pub}/flags`, { ...body, reason: " " }, 400],
    ];
    for (const [who, path, b, status] of posts) {
      const r = await clients.get(who)!.post(path, b);
      expect(r.status, `${who} POST ${path} ${JSON.stringify(b)}`).toBe(status);
    }
    expect(await snap()).toBe(before);
    const page = await clients.get("committee")!.get(`/v/${own.v}/rounds/${own.pub}/flags`);
    expect(page.text).toContain("得分并列，请村委决定");
    const first = await clients.get("committee")!.post(`/v/${own.v}/rounds/${own.pub}/flags`, body);
    expect(first.status).toBe(200);
    expect(first.text).toContain("已决定");
    const second = await clients.get("committee")!.post(`/v/${own.v}/rounds/${own.pub}/flags`, { ...body, householdId: String(held) });
    expect(second.status).toBe(409);
    expect(second.text).toContain("这面红旗已经由另一位村委委员决定了");
    expect((await q.get<{ household_id: number }>("select household_id from red_flags where id = ?", own.fl))!.household_id).toBe(rival);
    expect(Number((await q.get<{ n: number }>("select count(*) as n from audit_log where action = 'flag.decide' and target_id = ?", String(own.fl)))!.n)).toBe(1);
  });
});
