// Bad input on every sanitation form (issue 5), through the real production server: each request
// gets a Chinese message where the user looks (next to the field, on top of the form, or the 4xx
// page), never a 500, and writes nothing: every table is compared after every request, and no photo
// file appears. Same rules as bad-input-claims.test.ts.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type Reply, type TestServer, signInEach } from "../support/harness";
import { testDatabaseUrl } from "../support/postgres";
import { sqlOn } from "../support/sql";
import { appTables, errorPage, INVISIBLES, invisibleMessage, invisibleText, nonFormBodies, shownErrors, tableFingerprints } from "../support/sweep";

type Who = "villager" | "inspector" | "committee" | "village_admin";
const PHONES: Record<Who, string> = { villager: "13900000001", inspector: "13900000004", committee: "13900000003", village_admin: "13900000005" };
const MARKUP = "<script>alert(1)</script>";
const HUGE = "长".repeat(100_000);
const SHORT_MARKUP = "<b>甲</b>"; // fits fields shorter than MARKUP, so the markup rule (not the length) answers
const BAD_REQUEST = "请求有误，请刷新页面后再试";

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
let tables: string[] = [];
// Where the server keeps photos: beside its SQLite file, or on PostgreSQL a folder given to it here.
const pgDataFolder = testDatabaseUrl() ? fs.mkdtempSync(path.join(os.tmpdir(), "jifen-data-")) : null;
let dataFolder = "";

const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args)) as T;
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? (() => { throw new Error(`unknown ${m}`); })());
const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
function photoFiles(): number {
  const dir = path.join(dataFolder, "photos");
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
}

beforeAll(async () => {
  server = await startServer(pgDataFolder ? { DATABASE_PATH: path.join(pgDataFolder, "app.sqlite") } : {});
  dataFolder = pgDataFolder ?? path.dirname(server.database);
  database = openDatabase(server.database);
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
  const [v, v2] = await sqlOn(database).all<{ id: number }>("select id from villages order by id");
  const round = async (village: number, status: string) => String((await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = ? order by id desc limit 1", village, status)).id);
  const inspector = await one<{ id: number; household_id: number }>("select u.id, m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.inspector);
  Object.assign(ids, {
    V: String(v.id), V2: String(v2.id), OPEN: await round(v.id, "open"), PUB: await round(v.id, "published"), OPEN2: await round(v2.id, "open"),
    CL: String((await one<{ id: number }>("select id from checklists where village_id = ? order by id", v.id)).id),
    CL2: String((await one<{ id: number }>("select id from checklists where village_id = ? order by id", v2.id)).id),
    R2: String((await one<{ id: number }>("select id from rules where village_id = ? and category = 'sanitation' order by id limit 1", v2.id)).id),
    LITTER: String((await one<{ id: number }>("select id from rules where village_id = ? and name = '乱扔垃圾'", v.id)).id),
    EXCELLENT: String((await one<{ id: number }>("select id from rules where village_id = ? and name = '环境卫生评比·优秀'", v.id)).id),
    GRID: String((await one<{ id: number }>("select id from grids where village_id = ? order by id limit 1", v.id)).id),
    GRID2: String((await one<{ id: number }>("select id from grids where village_id = ? order by id limit 1", v2.id)).id),
    INS: String(inspector.id),
    OWNH: String(inspector.household_id),
  });
  ids.SH = String((await one<{ id: number }>(
    `select h.id from households h join round_inspectors ri on ri.grid_id = h.grid_id and ri.round_id = ?
     where h.id <> ? and not exists (select 1 from inspections i where i.round_id = ri.round_id and i.household_id = h.id) order by h.number limit 1`,
    Number(ids.OPEN), inspector.household_id,
  )).id);
  ids.SCORED = String((await one<{ household_id: number }>("select household_id from inspections where round_id = ? and status = 'scored' order by id limit 1", Number(ids.OPEN))).household_id);
  ids.UNSCORED = ids.SH;
  // A re-inspection request to answer, asked by the villager before the sweeps start.
  const asked = await clients.get("villager")!.post("/inspections", new URLSearchParams({ roundId: ids.PUB, reason: "那天刚好在翻修院子" }));
  expect(asked.status).toBe(200);
  ids.Q = String((await one<{ id: number }>("select id from reinspection_requests where round_id = ?", Number(ids.PUB))).id);
  tables = await appTables(database);
  for (const t of ["checklists", "sanitation_rounds", "round_inspectors", "inspections", "inspection_photos", "inspection_recusals", "reinspection_requests", "claims"]) expect(tables).toContain(t);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
  if (pgDataFolder) fs.rmSync(pgDataFolder, { recursive: true, force: true });
});

function shown(html: string): { cls: string; id: string | null; text: string }[] {
  const page = errorPage(html);
  return page === null ? shownErrors(html) : [...shownErrors(html), { cls: "page", id: null, text: page }];
}

interface Case {
  name: string;
  who: Who;
  url: string;
  body: Record<string, string | string[]> | (() => FormData);
  status: number;
  msg: string | RegExp;
  at: string; // an error element's id, "form" (a form-error) or "page" (the 4xx page)
}

async function send(c: Case): Promise<Reply> {
  const client = clients.get(c.who)!;
  if (typeof c.body === "function") return client.post(fill(c.url), c.body());
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(c.body)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, fill(x));
  return client.post(fill(c.url), form);
}

async function check(c: Case, r: Reply, before: string, filesBefore: number): Promise<void> {
  const s = shown(r.text);
  const ctx = `${c.name}: status ${r.status}; shown ${JSON.stringify(s).slice(0, 600)}`;
  expect(r.status, ctx).not.toBe(500);
  expect(r.status, ctx).toBe(c.status);
  expect(await snapshot(), `${ctx}\nsomething was written`).toBe(before);
  expect(photoFiles(), `${ctx}\na photo file was written`).toBe(filesBefore);
  for (const x of s) expect(x.text, ctx).toMatch(/[\u4e00-\u9fff]/);
  const where = c.at === "form" ? s.filter((x) => x.cls === "form-error") : c.at === "page" ? s.filter((x) => x.cls === "page") : s.filter((x) => x.id === fill(c.at));
  const msg = typeof c.msg === "string" ? fill(c.msg) : c.msg;
  expect(where.some((x) => (typeof msg === "string" ? x.text.includes(msg) : msg.test(x.text))), `${ctx}\nexpected ${String(msg)} at ${c.at}`).toBe(true);
  expect(r.text.includes(MARKUP), `${ctx}\nraw markup echoed`).toBe(false);
}

/** One field swept with the usual bad values over a valid-looking base body. */
function sweep(prefix: string, who: Who, url: string, base: Record<string, string>, field: string, at: string, msgs: { empty: string | RegExp; missing?: string | RegExp; bad: string | RegExp; fullWidth?: [string, string | RegExp] }): Case[] {
  const c = (name: string, value: string | undefined, msg: string | RegExp): Case => {
    const body: Record<string, string> = { ...base };
    if (value === undefined) delete body[field];
    else body[field] = value;
    return { name: `${prefix} · ${field} ${name}`, who, url, body, status: 400, msg, at };
  };
  return [
    c("empty", "", msgs.empty),
    c("missing", undefined, msgs.missing ?? msgs.empty),
    c("negative", "-5", msgs.bad),
    c("non-numeric", "abc", msgs.bad),
    c("huge", "9".repeat(100_000), msgs.bad),
    c("markup", MARKUP, msgs.bad),
    ...(msgs.fullWidth ? [c("full-width", msgs.fullWidth[0], msgs.fullWidth[1])] : []),
  ];
}

function text(prefix: string, who: Who, url: string, base: Record<string, string>, field: string, at: string, label: string, max: number, required = true): Case[] {
  const c = (name: string, value: string | undefined, msg: string): Case => {
    const body: Record<string, string> = { ...base };
    if (value === undefined) delete body[field];
    else body[field] = value;
    return { name: `${prefix} · ${field} ${name}`, who, url, body, status: 400, msg, at };
  };
  return [
    ...(required ? [c("empty", "", `请填写${label}`), c("missing", undefined, `请填写${label}`), c("spaces", "   ", `请填写${label}`)] : []),
    c("huge", HUGE, `${label}最多 ${max} 个字`),
    c("markup", max >= MARKUP.length ? MARKUP : SHORT_MARKUP, `${label}不能包含 < 或 > 符号`),
    ...INVISIBLES.map((x) => c(`with ${x.kind}`, invisibleText(x.char), invisibleMessage(label))),
  ];
}

function withPhotos(base: Record<string, string>, files: { bytes: Uint8Array; name: string; type: string }[]): () => FormData {
  return () => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(base)) fd.append(k, fill(v));
    for (const f of files) fd.append("photos", new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
    return fd;
  };
}
// A real (decodable) JPEG: every upload is decoded and re-encoded, so JPEG's first bytes followed by
// filler no longer pass (BROKEN_JPEG below).
const JPEG = new Uint8Array(await sharp({ create: { width: 40, height: 30, channels: 3, background: "#7a5" } }).jpeg().toBuffer());
const BROKEN_JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new Uint8Array(200).fill(7)]);
const BIG_JPEG = new Uint8Array(5 * 1024 * 1024 + 10).fill(7);
BIG_JPEG.set([0xff, 0xd8, 0xff, 0xe0]);
const jpeg = (name = "a.jpg") => ({ bytes: JPEG, name, type: "image/jpeg" });

// ---- the forms ----------------------------------------------------------------------------------

const CL_NEW = "/v/{V}/admin/checklists/new";
const CL_EDIT = "/v/{V}/admin/checklists/{CL}";
const checklistBase = {
  intent: "checklist.save", name: "新检查表", item0Name: "庭院整洁", item0Max: "50", item1Name: "垃圾分类", item1Max: "50",
  tier0Name: "优秀", tier0Min: "90", tier0Rule: "{EXCELLENT}", tier1Name: "不合格", tier1Min: "0", tier1Rule: "{LITTER}",
};
const ITEM_MAX = "满分应为 1 到 100 的整数";
const TIER_MIN = "起评分应为 0 到 1000 的整数";
const checklistCases = (url: string): Case[] => [
  ...text(`checklist ${url}`, "village_admin", url, checklistBase, "name", "f-name-err", "检查表名称", 20),
  ...sweep(`checklist ${url}`, "village_admin", url, checklistBase, "item0Max", "f-item0Max-err", { empty: "请填写满分", bad: ITEM_MAX, fullWidth: ["１０１", ITEM_MAX] }),
  ...sweep(`checklist ${url}`, "village_admin", url, checklistBase, "tier0Min", "f-tier0Min-err", { empty: "请填写起评分", bad: TIER_MIN, fullWidth: ["１２０", "起评分不能高于满分合计 100"] }),
  { name: `checklist ${url} · item name markup`, who: "village_admin", url, body: { ...checklistBase, item1Name: SHORT_MARKUP }, status: 400, msg: "检查项目不能包含 < 或 > 符号", at: "f-item1Name-err" },
  { name: `checklist ${url} · item name huge`, who: "village_admin", url, body: { ...checklistBase, item1Name: HUGE }, status: 400, msg: "检查项目最多 12 个字", at: "f-item1Name-err" },
  ...INVISIBLES.map((x): Case => ({ name: `checklist ${url} · item name with ${x.kind}`, who: "village_admin", url, body: { ...checklistBase, item1Name: invisibleText(x.char) }, status: 400, msg: invisibleMessage("检查项目"), at: "f-item1Name-err" })),
  ...INVISIBLES.map((x): Case => ({ name: `checklist ${url} · tier name with ${x.kind}`, who: "village_admin", url, body: { ...checklistBase, tier0Name: invisibleText(x.char) }, status: 400, msg: invisibleMessage("档次名称"), at: "f-tier0Name-err" })),
  { name: `checklist ${url} · item zero`, who: "village_admin", url, body: { ...checklistBase, item1Max: "0" }, status: 400, msg: ITEM_MAX, at: "f-item1Max-err" },
  { name: `checklist ${url} · item without a name`, who: "village_admin", url, body: { ...checklistBase, item2Max: "10" }, status: 400, msg: "请填写检查项目", at: "f-item2Name-err" },
  { name: `checklist ${url} · items twice`, who: "village_admin", url, body: { ...checklistBase, item1Name: "庭院整洁" }, status: 400, msg: "检查项目不能重名", at: "f-item1Name-err" },
  { name: `checklist ${url} · no items`, who: "village_admin", url, body: { ...checklistBase, item0Name: "", item0Max: "", item1Name: "", item1Max: "" }, status: 400, msg: "至少要有一个检查项目", at: "f-item0Name-err" },
  { name: `checklist ${url} · no tier from 0`, who: "village_admin", url, body: { ...checklistBase, tier1Min: "60" }, status: 400, msg: "最低的档次起评分应为 0", at: "f-tiers-err" },
  { name: `checklist ${url} · two tiers from the same score`, who: "village_admin", url, body: { ...checklistBase, tier1Min: "90" }, status: 400, msg: "每个档次的起评分要不同", at: "f-tier1Min-err" },
  { name: `checklist ${url} · tier name markup`, who: "village_admin", url, body: { ...checklistBase, tier0Name: SHORT_MARKUP }, status: 400, msg: "档次名称不能包含 < 或 > 符号", at: "f-tier0Name-err" },
  { name: `checklist ${url} · tier without a rule`, who: "village_admin", url, body: { ...checklistBase, tier1Rule: "" }, status: 400, msg: "请给“不合格”选一条积分细则（加分或扣分）", at: "f-tier1Rule-err" },
  { name: `checklist ${url} · tier rule missing`, who: "village_admin", url, body: (({ tier0Rule: _dropped, ...rest }) => rest)(checklistBase), status: 400, msg: "请给“优秀”选一条积分细则（加分或扣分）", at: "f-tier0Rule-err" },
  { name: `checklist ${url} · tier rule non-numeric`, who: "village_admin", url, body: { ...checklistBase, tier0Rule: "abc" }, status: 400, msg: "请从列表中选择本村的环境卫生或村规民约细则", at: "f-tier0Rule-err" },
  { name: `checklist ${url} · tier rule markup`, who: "village_admin", url, body: { ...checklistBase, tier0Rule: MARKUP }, status: 400, msg: "请从列表中选择本村的环境卫生或村规民约细则", at: "f-tier0Rule-err" },
  { name: `checklist ${url} · tier rule of another village`, who: "village_admin", url, body: { ...checklistBase, tier0Rule: "{R2}" }, status: 400, msg: "请从列表中选择本村的环境卫生或村规民约细则", at: "f-tier0Rule-err" },
  { name: `checklist ${url} · unknown intent`, who: "village_admin", url, body: { ...checklistBase, intent: "checklist.delete" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: `checklist ${url} · empty body`, who: "village_admin", url, body: {}, status: 400, msg: BAD_REQUEST, at: "form" },
];

const NEW_ROUND = "/v/{V}/rounds/new";
const roundBase = { title: "测试评比", checklistId: "{CL}", startsOn: "2026-12-01", endsOn: "2026-12-31", assign: "{GRID}-{INS}" };
const roundCases: Case[] = [
  ...text("new round", "committee", NEW_ROUND, roundBase, "title", "f-title-err", "评比名称", 20),
  ...sweep("new round", "committee", NEW_ROUND, roundBase, "checklistId", "f-checklistId-err", { empty: "请选择检查表", bad: "请选择检查表", fullWidth: ["１", "请选择检查表"] }),
  { name: "new round · checklist of another village", who: "committee", url: NEW_ROUND, body: { ...roundBase, checklistId: "{CL2}" }, status: 400, msg: "请从列表中选择本村在用的检查表", at: "f-checklistId-err" },
  ...sweep("new round", "committee", NEW_ROUND, roundBase, "startsOn", "f-startsOn-err", { empty: "请选择开始日期", bad: "开始日期格式不对" }),
  { name: "new round · start 2026-02-30", who: "committee", url: NEW_ROUND, body: { ...roundBase, startsOn: "2026-02-30" }, status: 400, msg: "开始日期不是有效的日期", at: "f-startsOn-err" },
  { name: "new round · end before start", who: "committee", url: NEW_ROUND, body: { ...roundBase, endsOn: "2026-11-01" }, status: 400, msg: "结束日期不能早于开始日期", at: "f-endsOn-err" },
  { name: "new round · end markup", who: "committee", url: NEW_ROUND, body: { ...roundBase, endsOn: MARKUP }, status: 400, msg: "结束日期格式不对", at: "f-endsOn-err" },
  { name: "new round · longer than two months", who: "committee", url: NEW_ROUND, body: { ...roundBase, endsOn: "2027-06-30" }, status: 400, msg: "一轮评比最长两个月", at: "f-endsOn-err" },
  { name: "new round · no inspector", who: "committee", url: NEW_ROUND, body: { ...roundBase, assign: [] }, status: 400, msg: "请至少给一个网格勾选检查员", at: "f-assign-err" },
  { name: "new round · assignment malformed", who: "committee", url: NEW_ROUND, body: { ...roundBase, assign: MARKUP }, status: 400, msg: BAD_REQUEST, at: "f-assign-err" },
  { name: "new round · another village's grid", who: "committee", url: NEW_ROUND, body: { ...roundBase, assign: "{GRID2}-{INS}" }, status: 400, msg: "请从列表中选择本村的网格和检查员", at: "f-assign-err" },
];

const ROUND = "/v/{V}/rounds/{OPEN}";
const PUB = "/v/{V}/rounds/{PUB}";
const roundPageCases: Case[] = [
  { name: "round · empty body", who: "committee", url: ROUND, body: {}, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "round · unknown intent", who: "committee", url: ROUND, body: { intent: "round.delete" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "round · markup intent", who: "committee", url: ROUND, body: { intent: MARKUP }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "round · open an open round", who: "committee", url: ROUND, body: { intent: "round.open" }, status: 400, msg: "评比已经开始了", at: "form" },
  { name: "round · publish a published round", who: "committee", url: PUB, body: { intent: "round.publish" }, status: 400, msg: "评比已经公布过了", at: "form" },
  { name: "round · assign nobody", who: "committee", url: ROUND, body: { intent: "round.assign" }, status: 400, msg: "请至少给一个网格勾选检查员", at: "f-assign-err" },
  { name: "round · assign malformed", who: "committee", url: ROUND, body: { intent: "round.assign", assign: "9".repeat(100_000) }, status: 400, msg: BAD_REQUEST, at: "f-assign-err" },
  { name: "round · assign on a published round", who: "committee", url: PUB, body: { intent: "round.assign", assign: "{GRID}-{INS}" }, status: 400, msg: "评比已公布，不能再改分工", at: "form" },
  ...text("round · send back", "committee", ROUND, { intent: "inspection.return", householdId: "{SCORED}" }, "reason", "r-{SCORED}-err", "退回原因", 100),
  ...sweep("round · send back", "committee", ROUND, { intent: "inspection.return", reason: "照片看不清" }, "householdId", "form", { empty: BAD_REQUEST, bad: BAD_REQUEST, fullWidth: ["１", BAD_REQUEST] }),
  { name: "round · send back an unscored household", who: "committee", url: ROUND, body: { intent: "inspection.return", householdId: "{UNSCORED}", reason: "测试" }, status: 400, msg: "这户还没有评分，不用退回", at: "form" },
  { name: "round · send back on a published round", who: "committee", url: PUB, body: { intent: "inspection.return", householdId: "{SCORED}", reason: "测试" }, status: 400, msg: "评比已公布，请通过复查申请改分", at: "form" },
  ...text("round · decline", "committee", PUB, { intent: "request.decline", requestId: "{Q}" }, "note", "n-{Q}-err", "不同意的理由", 200),
  ...sweep("round · accept", "committee", PUB, { intent: "request.accept" }, "requestId", "form", { empty: BAD_REQUEST, bad: BAD_REQUEST }),
  { name: "round · accept a request of another round", who: "committee", url: ROUND, body: { intent: "request.accept", requestId: "{Q}" }, status: 400, msg: "找不到这条复查申请", at: "form" },
  { name: "round · apply a request not yet accepted", who: "committee", url: PUB, body: { intent: "request.apply", requestId: "{Q}" }, status: 400, msg: "这条复查申请不在待复查状态", at: "form" },
  { name: "round · another village's round under this village", who: "committee", url: "/v/{V}/rounds/{OPEN2}", body: { intent: "round.publish" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "round · round id full-width", who: "committee", url: `/v/{V}/rounds/${encodeURIComponent("１")}`, body: { intent: "round.publish" }, status: 404, msg: "找不到这个页面", at: "page" },
];

const SCORE = "/v/{V}/rounds/{OPEN}/score/{SH}";
const scoreBase = { intent: "score", version: "0", s0: "20", s1: "20", s2: "20", s3: "20", s4: "15", note: "" };
const scoreCases: Case[] = [
  ...sweep("score", "inspector", SCORE, scoreBase, "s0", "f-s0-err", { empty: "请给“庭院整洁”打分", bad: "庭院整洁应为 0 到 25 的整数", fullWidth: ["３０", "庭院整洁应为 0 到 25 的整数"] }),
  ...sweep("score", "inspector", SCORE, scoreBase, "s4", "f-s4-err", { empty: "请给“畜禽圈养”打分", bad: "畜禽圈养应为 0 到 15 的整数", fullWidth: ["１６", "畜禽圈养应为 0 到 15 的整数"] }),
  { name: "score · 1.5", who: "inspector", url: SCORE, body: { ...scoreBase, s1: "1.5" }, status: 400, msg: "垃圾分类应为 0 到 20 的整数", at: "f-s1-err" },
  ...text("score", "inspector", SCORE, scoreBase, "note", "f-note-err", "备注", 200, false),
  ...sweep("score", "inspector", SCORE, scoreBase, "version", "form", { empty: BAD_REQUEST, missing: /./, bad: BAD_REQUEST }).filter((c) => !c.name.endsWith("missing")),
  { name: "score · unknown intent", who: "inspector", url: SCORE, body: { ...scoreBase, intent: "delete" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "score · own household", who: "inspector", url: "/v/{V}/rounds/{OPEN}/score/{OWNH}", body: scoreBase, status: 403, msg: "不能给自己家评分", at: "form" },
  { name: "score · a published round", who: "inspector", url: "/v/{V}/rounds/{PUB}/score/{SH}", body: scoreBase, status: 400, msg: "评比已公布，不能再改分", at: "form" },
  { name: "score · a fake JPEG", who: "inspector", url: SCORE, body: withPhotos(scoreBase, [{ bytes: new TextEncoder().encode("不是照片"), name: "fake.jpg", type: "image/jpeg" }]), status: 400, msg: "第 1 张不是照片，只能上传 JPG、PNG 或 WebP 图片", at: "f-photos-err" },
  { name: "score · an HTML file named .png", who: "inspector", url: SCORE, body: withPhotos(scoreBase, [jpeg(), { bytes: new TextEncoder().encode(MARKUP), name: "x.png", type: "image/png" }]), status: 400, msg: "第 2 张不是照片", at: "f-photos-err" },
  { name: "score · JPEG's first bytes but no picture sharp can decode", who: "inspector", url: SCORE, body: withPhotos(scoreBase, [jpeg(), { bytes: BROKEN_JPEG, name: "b.jpg", type: "image/jpeg" }]), status: 400, msg: "第 2 张照片无法识别，请换一张", at: "f-photos-err" },
  { name: "score · a photo over 5 MB", who: "inspector", url: SCORE, body: withPhotos(scoreBase, [{ bytes: BIG_JPEG, name: "big.jpg", type: "image/jpeg" }]), status: 400, msg: "第 1 张照片超过 5 MB", at: "f-photos-err" },
  { name: "score · 4 photos", who: "inspector", url: SCORE, body: withPhotos(scoreBase, [jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg"), jpeg("4.jpg")]), status: 400, msg: "最多上传 3 张照片", at: "f-photos-err" },
  { name: "score · good photo, bad score", who: "inspector", url: SCORE, body: withPhotos({ ...scoreBase, s0: "abc" }, [jpeg()]), status: 400, msg: "庭院整洁应为 0 到 25 的整数", at: "f-s0-err" },
  { name: "score · good photo, own household", who: "inspector", url: "/v/{V}/rounds/{OPEN}/score/{OWNH}", body: withPhotos(scoreBase, [jpeg()]), status: 403, msg: "不能给自己家评分", at: "form" },
  ...text("absent", "inspector", SCORE, { intent: "absent", version: "0" }, "reason", "f-reason-err", "未检查原因", 100),
];

const RECUSALS = "/v/{V}/rounds/recusals";
const recusalBase = { intent: "recusal.add", number: "001", relation: "兄弟" };
const recusalCases: Case[] = [
  { name: "recusal · number empty", who: "inspector", url: RECUSALS, body: { ...recusalBase, number: "" }, status: 400, msg: "请填写户号", at: "f-number-err" },
  { name: "recusal · number missing", who: "inspector", url: RECUSALS, body: { intent: "recusal.add", relation: "兄弟" }, status: 400, msg: "请填写户号", at: "f-number-err" },
  { name: "recusal · number markup", who: "inspector", url: RECUSALS, body: { ...recusalBase, number: MARKUP }, status: 400, msg: "户号只含数字或字母", at: "f-number-err" },
  { name: "recusal · number huge", who: "inspector", url: RECUSALS, body: { ...recusalBase, number: "9".repeat(100_000) }, status: 400, msg: "户号只含数字或字母", at: "f-number-err" },
  { name: "recusal · number negative", who: "inspector", url: RECUSALS, body: { ...recusalBase, number: "-5" }, status: 400, msg: "本村没有这个户号", at: "f-number-err" },
  { name: "recusal · number not in the village", who: "inspector", url: RECUSALS, body: { ...recusalBase, number: "９９９" }, status: 400, msg: "本村没有这个户号", at: "f-number-err" },
  ...text("recusal", "inspector", RECUSALS, recusalBase, "relation", "f-relation-err", "亲属关系", 20),
  { name: "recusal · remove, id non-numeric", who: "inspector", url: RECUSALS, body: { intent: "recusal.remove", recusalId: "abc" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "recusal · remove, unknown id", who: "inspector", url: RECUSALS, body: { intent: "recusal.remove", recusalId: "999999" }, status: 400, msg: "找不到这条回避申报", at: "form" },
  { name: "recusal · unknown intent", who: "inspector", url: RECUSALS, body: { intent: MARKUP }, status: 400, msg: BAD_REQUEST, at: "form" },
];

const INSPECTIONS = "/inspections";
const inspectionCases: Case[] = [
  ...sweep("reinspection", "villager", INSPECTIONS, { reason: "想复查" }, "roundId", "form", { empty: BAD_REQUEST, bad: BAD_REQUEST, fullWidth: ["１", BAD_REQUEST] }),
  { name: "reinspection · a round not published", who: "villager", url: INSPECTIONS, body: { roundId: "{OPEN}", reason: "测试" }, status: 400, msg: "评比还没公布", at: "form" },
  { name: "reinspection · another village's round", who: "villager", url: INSPECTIONS, body: { roundId: "{OPEN2}", reason: "测试" }, status: 400, msg: "找不到这轮评比", at: "form" },
  { name: "reinspection · asked twice", who: "villager", url: INSPECTIONS, body: { roundId: "{PUB}", reason: "再问一次" }, status: 400, msg: "你家已经申请过这轮的复查了", at: "form" },
  { name: "reinspection · reason markup", who: "villager", url: INSPECTIONS, body: { roundId: "{PUB}", reason: MARKUP }, status: 400, msg: "复查理由不能包含 < 或 > 符号", at: "form" },
  ...INVISIBLES.map((x): Case => ({ name: `reinspection · reason with ${x.kind}`, who: "villager", url: INSPECTIONS, body: { roundId: "{PUB}", reason: invisibleText(x.char) }, status: 400, msg: invisibleMessage("复查理由"), at: "form" })),
];

const CASES: Case[] = [...checklistCases(CL_NEW), ...checklistCases(CL_EDIT), ...roundCases, ...roundPageCases, ...scoreCases, ...recusalCases, ...inspectionCases];

describe("sanitation forms refuse bad input", () => {
  it.each(CASES)("$name", async (c) => {
    const before = await snapshot();
    const files = photoFiles();
    const r = await send(c);
    await check(c, r, before, files);
  });
});

describe("bodies that are not a form", () => {
  const targets: [Who, string][] = [
    ["village_admin", CL_NEW], ["village_admin", CL_EDIT], ["committee", NEW_ROUND], ["committee", ROUND], ["inspector", SCORE], ["inspector", RECUSALS], ["villager", INSPECTIONS],
  ];
  const bodies = nonFormBodies('{"intent":"round.publish"}', "intent=round.publish");
  it.each(targets.flatMap(([who, url]) => bodies.map((b) => ({ who, url, ...b }))))("$url · $kind → 400", async (c) => {
    const before = await snapshot();
    const { status, text: body } = await clients.get(c.who)!.postRaw(fill(c.url), c);
    expect(status, body.slice(0, 300)).not.toBe(500);
    expect([400, 415]).toContain(status);
    expect(body).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toBe(before);
  });
});
