// Sanitation pages that carry an id (round, household, checklist, photo) × every role × own village /
// other village, from one table like tests/platform/access.test.ts; and writes by the wrong role or from
// another village refused without writing anything.
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
const ADMINS: Who[] = ["village_admin", "township_admin"];

interface RouteCase {
  path: string; // {v} village, {open} its open round, {pub} its published round, {sh} a household the inspector scores, {cl} a checklist, {ph} a photo of another household than the villager's
  allowed: Who[];
  /** The same path with another village's id in place of {open}/{pub}/{cl}/{ph} under one's own village: 404 for allowed roles. */
  crossNotFound?: boolean;
  /** Who may see it depends on the row found (a photo's household): in cross mode everyone of the village gets 404. */
  crossNotFoundForAll?: boolean;
  /** A person of the village who may not see it gets the 404 of a missing row, not a 403 (no hint that it exists). */
  deniedNotFound?: boolean;
}

const TABLE: RouteCase[] = [
  { path: "/v/{v}/admin/checklists/{cl}", allowed: ADMINS, crossNotFound: true },
  { path: "/v/{v}/rounds/{open}", allowed: ["committee"], crossNotFound: true },
  { path: "/v/{v}/rounds/{pub}", allowed: ["committee"], crossNotFound: true },
  { path: "/v/{v}/rounds/{open}/score", allowed: ["inspector"], crossNotFound: true },
  { path: "/v/{v}/rounds/{open}/score/{sh}", allowed: ["inspector"], crossNotFound: true },
  // issue 17: offline scoring. The scoring pages' service worker, and where a phone sends a kept save (GET: what the server holds).
  { path: "/v/{v}/rounds/{open}/score/sw.js", allowed: ["inspector"], crossNotFound: true },
  { path: "/v/{v}/rounds/{open}/score/{sh}/send", allowed: ["inspector"], crossNotFound: true },
  // end issue 17: offline scoring
  { path: "/v/{v}/rounds/{pub}/poster", allowed: ALL, crossNotFound: true },
  // Inspection photos, by their random key: staff of the village and the household itself (the villager's household is not this one).
  { path: "/v/{v}/rounds/{pub}/photos/{ph}", allowed: ["committee", "inspector", ...ADMINS], crossNotFound: true, crossNotFoundForAll: true, deniedNotFound: true },
];

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
type Ids = { v: number; open: number; pub: number; sh: number; cl: number; ph: string };
const ids: { own: Ids; other: Ids } = {} as { own: Ids; other: Ids };

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  const q = sqlOn(database);
  const one = async <T>(sql: string, ...a: unknown[]) => (await q.get<T>(sql, ...a)) as T;
  const villager = (await one<{ household_id: number }>("select m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager)).household_id;
  const [own, other] = await Promise.all((await q.all<{ id: number }>("select id from villages order by id")).map(async ({ id: v }): Promise<Ids> => {
    const open = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'open'", v)).id;
    const pub = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'published' order by id desc limit 1", v)).id;
    const inspector = (await one<{ user_id: number }>("select r.user_id from user_roles r join users u on u.id = r.user_id where r.village_id = ? and r.role = 'inspector' order by u.phone limit 1", v)).user_id;
    const home = (await one<{ household_id: number } | undefined>("select m.household_id from users u join members m on m.id = u.member_id where u.id = ?", inspector))?.household_id ?? 0;
    const sh = (await one<{ id: number }>(
      "select h.id from households h join round_inspectors ri on ri.grid_id = h.grid_id and ri.round_id = ? where h.id <> ? order by h.number limit 1", open, home,
    )).id;
    const cl = (await one<{ id: number }>("select id from checklists where village_id = ? order by id limit 1", v)).id;
    const ph = (await one<{ key: string }>("select p.key from inspection_photos p join inspections i on i.id = p.inspection_id where i.round_id = ? and i.household_id <> ? order by p.id limit 1", pub, villager)).key;
    return { v, open, pub, sh, cl, ph };
  }));
  Object.assign(ids, { own, other });
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

/** own: the own village's ids; other: another village's; cross: own village path, other village's ids. */
function fill(path: string, mode: "own" | "other" | "cross"): string {
  const base = mode === "own" ? ids.own : ids.other;
  const v = mode === "cross" ? ids.own.v : base.v;
  return path.replace(/\{(\w+)\}/g, (_, k: keyof Ids) => String(k === "v" ? v : base[k]));
}

const cases = TABLE.flatMap((route) =>
  ALL.flatMap((who) => (["own", "other", ...(route.crossNotFound ? ["cross"] : [])] as ("own" | "other" | "cross")[]).map((mode) => ({ route: route.path, who, mode, allowedHere: route.allowed.includes(who) || (mode === "cross" && !!route.crossNotFoundForAll), deniedNotFound: !!route.deniedNotFound }))),
);

describe("sanitation access table", () => {
  it.each(cases)("$who GET $route ($mode)", async ({ route, who, mode, allowedHere, deniedNotFound }) => {
    const r = await clients.get(who)!.get(fill(route, mode));
    const township = who === "township_admin";
    if (mode === "own") expect(r.status).toBe(allowedHere ? 200 : deniedNotFound ? 404 : 403);
    else if (mode === "other") expect(r.status).toBe(allowedHere && township ? 200 : 403);
    else if (allowedHere) expect(r.status).toBe(404);
    else expect(r.status).toBe(403);
    if (r.status === 403) expect(r.text).toContain("没有权限");
  });

  it.each(TABLE.map((r) => r.path))("anonymous GET %s → sign-in page", async (route) => {
    const r = await new Client(server.url).get(fill(route, "own"));
    expect(r.status).toBe(302);
    expect(r.location).toMatch(/^\/login\?next=/);
  });

  it("a household sees the photos of its own inspection", async () => {
    const villager = clients.get("villager")!;
    const own = await sqlOn(database).get<{ id: number; key: string }>(
      `select p.id, p.key from inspection_photos p join inspections i on i.id = p.inspection_id join members m on m.household_id = i.household_id
       join users u on u.member_id = m.id where u.phone = ? and i.round_id = ? order by p.id`,
      PHONES.villager, ids.own.pub,
    );
    if (own) {
      expect((await villager.get(`/v/${ids.own.v}/rounds/${ids.own.pub}/photos/${own.key}`)).status).toBe(200);
      expect((await villager.get(`/v/${ids.own.v}/rounds/${ids.own.pub}/photos/${own.id}`)).status).toBe(404); // the sequential id is no URL
    }
    // Another household's photo: the same 404 as a photo that does not exist.
    expect((await villager.get(`/v/${ids.own.v}/rounds/${ids.own.pub}/photos/${ids.own.ph}`)).status).toBe(404);
  });

  it("an inspection photo's URL takes only its key: the id, a made-up key or junk is a 404, even for the committee", async () => {
    const committee = clients.get("committee")!;
    const base = `/v/${ids.own.v}/rounds/${ids.own.pub}/photos/`;
    expect((await committee.get(base + ids.own.ph)).status).toBe(200);
    const id = (await sqlOn(database).get<{ id: number }>("select id from inspection_photos where key = ?", ids.own.ph))!.id;
    for (const bad of [String(id), "B".repeat(22), "x", "%00", ids.own.ph + "A"]) expect((await committee.get(base + bad)).status, bad).toBe(404);
  });

  it("refuses sanitation writes by the wrong role or from another village, and writes nothing", async () => {
    const tables = (await appTables(database)).filter((t) => t !== "sessions");
    const snap = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
    const before = await snap();
    const { own, other } = ids;
    const newRound = { title: "偷偷建的评比", checklistId: String(own.cl), startsOn: "2026-12-01", endsOn: "2026-12-31" };
    const posts: [Who, string, Record<string, string>, number][] = [
      ["inspector", `/v/${own.v}/rounds/new`, newRound, 403],
      ["village_admin", `/v/${own.v}/rounds/new`, newRound, 403],
      ["township_admin", `/v/${own.v}/rounds/new`, newRound, 403],
      ["committee", `/v/${other.v}/rounds/new`, newRound, 403],
      ["inspector", `/v/${own.v}/rounds/${own.open}`, { intent: "round.publish" }, 403],
      ["committee", `/v/${other.v}/rounds/${other.open}`, { intent: "round.publish" }, 403],
      ["committee", `/v/${own.v}/rounds/${other.open}`, { intent: "round.publish" }, 404],
      ["committee", `/v/${own.v}/rounds/${own.open}/score/${own.sh}`, { intent: "score", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 403],
      ["inspector", `/v/${other.v}/rounds/${other.open}/score/${other.sh}`, { intent: "score", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 403],
      ["inspector", `/v/${own.v}/rounds/${other.open}/score/${other.sh}`, { intent: "score", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 404],
      ["inspector", `/v/${own.v}/rounds/${own.open}/score/${other.sh}`, { intent: "score", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 404],
      // issue 17: offline scoring (a well-formed kept save, sent where it may not go)
      ["committee", `/v/${own.v}/rounds/${own.open}/score/${own.sh}/send`, { intent: "score", key: "0b6f5a52-4c1e-4d3a-9f8e-2a1b3c4d5e6f", at: "1", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 403],
      ["inspector", `/v/${other.v}/rounds/${other.open}/score/${other.sh}/send`, { intent: "score", key: "0b6f5a52-4c1e-4d3a-9f8e-2a1b3c4d5e6f", at: "1", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 403],
      ["inspector", `/v/${own.v}/rounds/${other.open}/score/${other.sh}/send`, { intent: "score", key: "0b6f5a52-4c1e-4d3a-9f8e-2a1b3c4d5e6f", at: "1", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 404],
      ["inspector", `/v/${own.v}/rounds/${own.open}/score/${other.sh}/send`, { intent: "score", key: "0b6f5a52-4c1e-4d3a-9f8e-2a1b3c4d5e6f", at: "1", s0: "1", s1: "1", s2: "1", s3: "1", s4: "1" }, 404],
      // end issue 17: offline scoring
      ["committee", `/v/${own.v}/admin/checklists/new`, { intent: "checklist.save", name: "偷偷建的表" }, 403],
      ["village_admin", `/v/${other.v}/admin/checklists/${other.cl}`, { intent: "checklist.retire" }, 403],
      ["village_admin", `/v/${own.v}/admin/checklists/${other.cl}`, { intent: "checklist.retire" }, 404],
      ["committee", `/v/${own.v}/rounds/recusals`, { intent: "recusal.add", number: "001", relation: "兄弟" }, 403],
      ["store_keeper", "/inspections", { roundId: String(own.pub), reason: "想复查" }, 403],
      ["villager", "/inspections", { roundId: String(other.pub), reason: "别村的评比" }, 400],
    ];
    for (const [who, path, body, status] of posts) {
      const r = await clients.get(who)!.post(path, body);
      expect(r.status, `${who} POST ${path} ${JSON.stringify(body)}`).toBe(status);
    }
    expect(await snap()).toBe(before);
  });
});
