// The route a phone sends its kept saves to (…/score/{household}/send), through the real production
// server: a save sent twice answers the same and is written once; bad input of every kind gets a
// JSON answer with a Chinese message (or a 4xx page for a body that is no form), never a 500, and
// writes nothing, no photo file either. Its answers are JSON for the phone's waiting list, so it is
// swept here rather than in bad-input.test.ts, which reads the forms' HTML.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { signInEach, startServer, type Client, type TestServer } from "../support/harness";
import { testDatabaseUrl } from "../support/postgres";
import { sqlOn } from "../support/sql";
import { appTables, INVISIBLES, invisibleMessage, invisibleText, nonFormBodies, tableFingerprints } from "../support/sweep";

const MARKUP = "<script>alert(1)</script>";
const HUGE = "长".repeat(100_000);
const BAD_KEY = "这次保存的编号不对，没有保存。请重新打开这户再评分";

let server: TestServer;
let database: Engine;
let inspector: Client;
let tables: string[] = [];
const ids: Record<string, number> = {};
const pgDataFolder = testDatabaseUrl() ? fs.mkdtempSync(path.join(os.tmpdir(), "jifen-data-")) : null;
let dataFolder = "";
const JPEG = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: "#7a5" } }).jpeg().toBuffer());

const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args)) as T;
const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
function photoFiles(): number {
  const dir = path.join(dataFolder, "photos");
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
}
const url = (household = ids.SH, round = ids.OPEN) => `/v/${ids.V}/rounds/${round}/score/${household}/send`;

beforeAll(async () => {
  server = await startServer(pgDataFolder ? { DATABASE_PATH: path.join(pgDataFolder, "app.sqlite") } : {});
  dataFolder = pgDataFolder ?? path.dirname(server.database);
  database = openDatabase(server.database);
  inspector = (await signInEach(server.url, { inspector: "13900000004" })).get("inspector")!;
  const [v] = await sqlOn(database).all<{ id: number }>("select id from villages order by id");
  const me = await one<{ household_id: number }>("select m.household_id from users u join members m on m.id = u.member_id where u.phone = '13900000004'");
  ids.V = v.id;
  ids.OPEN = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'open' order by id desc limit 1", v.id)).id;
  ids.PUB = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'published' order by id desc limit 1", v.id)).id;
  ids.OWNH = me.household_id;
  const todo = await sqlOn(database).all<{ id: number }>(
    `select h.id from households h join round_inspectors ri on ri.grid_id = h.grid_id and ri.round_id = ? join users u on u.id = ri.user_id and u.phone = '13900000004'
     where h.id <> ? and not exists (select 1 from inspections i where i.round_id = ri.round_id and i.household_id = h.id) order by h.number limit 2`,
    ids.OPEN, me.household_id,
  );
  ids.SH = todo[0].id;
  ids.SH2 = todo[1].id;
  ids.OTHERH = (await one<{ id: number }>("select id from households where village_id <> ? order by id limit 1", v.id)).id;
  tables = await appTables(database);
  expect(tables).toContain("inspection_saves");
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
  if (pgDataFolder) fs.rmSync(pgDataFolder, { recursive: true, force: true });
});

const base = () => ({ intent: "score", key: crypto.randomUUID(), at: String(Date.now()), version: "0", s0: "20", s1: "15", s2: "10", s3: "10", s4: "10", note: "" });

function form(fields: Record<string, string | undefined>, photos: { bytes: Uint8Array; name: string; type: string }[] = []): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) fd.append(k, v);
  for (const p of photos) fd.append("photos", new Blob([new Uint8Array(p.bytes)], { type: p.type }), p.name);
  return fd;
}

interface Case { name: string; body: () => FormData; status: number; msg: string; household?: () => number; round?: () => number }

const field = (name: string, key: string, value: string | undefined, msg: string, status = 400): Case => ({ name, body: () => form({ ...base(), [key]: value }), status, msg });
const jpeg = (name = "a.jpg") => ({ bytes: JPEG, name, type: "image/jpeg" });

const CASES: Case[] = [
  field("key missing", "key", undefined, BAD_KEY),
  field("key empty", "key", "", BAD_KEY),
  field("key not a UUID", "key", "abc", BAD_KEY),
  field("key in capitals", "key", crypto.randomUUID().toUpperCase(), BAD_KEY),
  field("key too long", "key", crypto.randomUUID() + "0".repeat(300), BAD_KEY),
  field("key huge", "key", HUGE, BAD_KEY),
  field("key markup", "key", MARKUP, BAD_KEY),
  field("time missing", "at", undefined, BAD_KEY),
  field("time words", "at", "昨天", BAD_KEY),
  field("time negative", "at", "-5", BAD_KEY),
  field("time huge", "at", "9".repeat(100_000), BAD_KEY),
  field("intent missing", "intent", undefined, "请求有误，请重新打开这户再评分"),
  field("intent unknown", "intent", "delete", "请求有误，请重新打开这户再评分"),
  field("intent markup", "intent", MARKUP, "请求有误，请重新打开这户再评分"),
  field("score empty", "s0", "", "请给“庭院整洁”打分"),
  field("score missing", "s0", undefined, "请给“庭院整洁”打分"),
  field("score too high", "s0", "26", "庭院整洁应为 0 到 25 的整数"),
  field("score negative", "s0", "-5", "庭院整洁应为 0 到 25 的整数"),
  field("score huge", "s0", "9".repeat(100_000), "庭院整洁应为 0 到 25 的整数"),
  field("score markup", "s0", MARKUP, "庭院整洁应为 0 到 25 的整数"),
  field("version markup", "version", MARKUP, "请求有误，请刷新页面后再试"),
  field("note huge", "note", HUGE, "备注最多 200 个字"),
  field("note markup", "note", MARKUP, "备注不能包含 < 或 > 符号"),
  ...INVISIBLES.map((x) => field(`note with ${x.kind}`, "note", invisibleText(x.char), invisibleMessage("备注"))),
  { name: "absent without a reason", body: () => form({ ...base(), intent: "absent", reason: "" }), status: 400, msg: "请填写未检查原因" },
  { name: "absent reason huge", body: () => form({ ...base(), intent: "absent", reason: HUGE }), status: 400, msg: "未检查原因最多 100 个字" },
  { name: "a fake JPEG", body: () => form(base(), [{ bytes: new TextEncoder().encode("不是照片"), name: "fake.jpg", type: "image/jpeg" }]), status: 400, msg: "第 1 张不是照片，只能上传 JPG、PNG 或 WebP 图片" },
  { name: "4 photos", body: () => form(base(), [jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg"), jpeg("4.jpg")]), status: 400, msg: "最多上传 3 张照片" },
  { name: "good photo, bad score", body: () => form({ ...base(), s0: "abc" }, [jpeg()]), status: 400, msg: "庭院整洁应为 0 到 25 的整数" },
  { name: "own household, with a photo", body: () => form(base(), [jpeg()]), status: 403, msg: "不能给自己家评分", household: () => ids.OWNH },
  { name: "a published round", body: () => form(base(), [jpeg()]), status: 400, msg: "评比已公布，不能再改分", round: () => ids.PUB },
];

describe("a kept save sent to the server", () => {
  it.each(CASES)("$name → a Chinese answer, nothing written", async (c) => {
    const before = await snapshot();
    const files = photoFiles();
    const r = await inspector.post(url(c.household?.() ?? ids.SH, c.round?.() ?? ids.OPEN), c.body());
    expect(r.status, r.text.slice(0, 300)).toBe(c.status);
    expect(r.headers.get("content-type")).toMatch(/application\/json/);
    const reply = JSON.parse(r.text) as { ok: boolean; message: string };
    expect(reply.ok).toBe(false);
    expect(reply.message).toContain(c.msg);
    expect(r.text).not.toContain("<script>");
    expect(await snapshot()).toBe(before);
    expect(photoFiles()).toBe(files);
  });

  it("another village's household under the own path is a 404, and writes nothing", async () => {
    const before = await snapshot();
    const r = await inspector.post(url(ids.OTHERH), form(base()));
    expect(r.status).toBe(404);
    expect(await snapshot()).toBe(before);
  });

  it.each(nonFormBodies('{"intent":"score"}', "intent=score"))("a body that is no form ($kind) → 4xx in Chinese", async (b) => {
    const before = await snapshot();
    const r = await inspector.postRaw(url(), b);
    expect(r.status, r.text.slice(0, 300)).not.toBe(500);
    expect([400, 415]).toContain(r.status);
    expect(r.text).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toBe(before);
  });

  it("the same save sent twice, and twice at once: written once, answered the same", async () => {
    const body = base();
    const first = await inspector.post(url(ids.SH), form(body, [jpeg()]));
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toMatchObject({ ok: true, message: expect.stringContaining("已提交") });
    const files = photoFiles();
    const again = await inspector.post(url(ids.SH), form(body, [jpeg()]));
    expect(again.text).toBe(first.text);
    const body2 = { ...base(), s0: "5" };
    const [a, b] = await Promise.all([inspector.post(url(ids.SH2), form(body2, [jpeg()])), inspector.post(url(ids.SH2), form(body2, [jpeg()]))]);
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(photoFiles()).toBe(files + 1); // one photo for the second household; the resends' copies were removed
    for (const h of [ids.SH, ids.SH2]) {
      expect(await one<{ n: number }>("select count(*) as n from inspections where round_id = ? and household_id = ?", ids.OPEN, h)).toEqual({ n: 1 });
      expect(await one<{ n: number }>("select count(*) as n from inspection_photos p join inspections i on i.id = p.inspection_id where i.round_id = ? and i.household_id = ?", ids.OPEN, h)).toEqual({ n: 1 });
    }
    const status = await inspector.get(url(ids.SH));
    expect(JSON.parse(status.text)).toMatchObject({ status: "scored", total: 65 });
  });
});
