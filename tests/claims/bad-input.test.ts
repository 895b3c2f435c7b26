// Bad input on every claim form (issue 4), through the real production server: each request gets a
// Chinese message where the user looks (next to the field, on top of the form, or the 4xx page),
// never a 500, and writes nothing: every table is compared after every request, and no photo file
// appears. Kept beside bad-input.test.ts (same rules, smaller harness) so the two tables merge apart.
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
const BAD_REQUEST = "请求有误，请刷新页面后再试";

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
let tables: string[] = [];

const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args))!;
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? (() => { throw new Error(`unknown ${m}`); })());

const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
// The server keeps photos beside DATABASE_PATH. On PostgreSQL server.database is a URL, so the
// server is given a data folder of ours (DATABASE_PATH names no database there).
const dataDir = testDatabaseUrl() ? fs.mkdtempSync(path.join(os.tmpdir(), "jifen-claims-data-")) : null;
function photoFiles(): number {
  const dir = path.join(dataDir ?? path.dirname(server.database), "photos");
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
}

beforeAll(async () => {
  server = await startServer(dataDir ? { DATABASE_PATH: path.join(dataDir, "app.sqlite") } : {});
  database = openDatabase(server.database);
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
  const [v, v2] = await sqlOn(database).all<{ id: number }>("select id from villages order by id");
  const me = await one<{ id: number; household_id: number }>("select m.id, m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager);
  const committeeHousehold = (await one<{ household_id: number }>("select m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.committee)).household_id;
  const rule = async (name: string, village = v.id) => String((await one<{ id: number }>("select id from rules where village_id = ? and name = ?", village, name)).id);
  Object.assign(ids, {
    V: String(v.id),
    V2: String(v2.id),
    ME: String(me.id),
    OTHER_MEMBER: String((await one<{ id: number }>("select id from members where village_id = ? and household_id <> ? order by id limit 1", v.id, me.household_id)).id),
    M2: String((await one<{ id: number }>("select id from members where village_id = ? order by id limit 1", v2.id)).id),
    SWEEP: await rule("清扫村道"),
    HOURS: await rule("参加志愿服务（按小时）"),
    PHOTO_RULE: await rule("美丽庭院"),
    LITTER: await rule("乱扔垃圾"),
    R2: await rule("清扫村道", v2.id),
    CREDITED: String((await one<{ id: number }>("select id from claims where village_id = ? and status = 'credited' order by id limit 1", v.id)).id),
    PENDING: String((await one<{ id: number }>("select id from claims where village_id = ? and status = 'pending' and household_id <> ? order by id limit 1", v.id, committeeHousehold)).id),
    NOTICE: String((await one<{ id: number }>("select id from claims where village_id = ? and status = 'notice' order by id limit 1", v.id)).id),
    C2: String((await one<{ id: number }>("select id from claims where village_id = ? order by id limit 1", v2.id)).id),
  });
  // An open objection to resolve: raised by the villager before the sweeps start.
  ids.NOTICE2 = String((await one<{ id: number }>("select id from claims where village_id = ? and status = 'notice' and id <> ? order by id limit 1", v.id, Number(ids.NOTICE))).id);
  const raised = await clients.get("villager")!.post(`/v/${v.id}/notice`, new URLSearchParams({ claimId: ids.NOTICE2, reason: "那天没见他扫地" }));
  expect(raised.status).toBe(200);
  ids.OBJ = String((await one<{ id: number }>("select id from objections where claim_id = ?", Number(ids.NOTICE2))).id);
  tables = await appTables(database);
  for (const t of ["claims", "claim_photos", "claim_approvals", "objections", "rules", "ledger_transactions"]) expect(tables).toContain(t);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

// ---- what a refusal must look like -------------------------------------------------------------

function shown(html: string): { cls: string; id: string | null; text: string }[] {
  const page = errorPage(html);
  return page === null ? shownErrors(html) : [...shownErrors(html), { cls: "page", id: null, text: page }];
}

/** at: an error element's id, "form" (a form-error) or "page" (the 4xx page). */
interface Case {
  name: string;
  who: Who;
  url: string;
  body: Record<string, string | string[]> | (() => FormData);
  status: number;
  msg: string | RegExp;
  at: string;
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

// ---- the cases ------------------------------------------------------------------------------------

const TODAY = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const claimBase = { memberId: "{ME}", ruleId: "{SWEEP}", date: TODAY, quantity: "1", note: "测试" };

/** A field of the claim form swept with the usual bad values; `ok` values are accepted by design and not sent. */
function claimSweep(who: Who, url: string, base: Record<string, string>): Case[] {
  const c = (name: string, over: Record<string, string | undefined>, msg: string | RegExp, at: string, status = 400): Case => {
    const body: Record<string, string> = { ...base };
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k]; else body[k] = v;
    return { name: `${url} · ${name}`, who, url, body, status, msg, at };
  };
  return [
    c("member empty", { memberId: "" }, "请选择成员", "f-memberId-err"),
    c("member missing", { memberId: undefined }, "请选择成员", "f-memberId-err"),
    c("member negative", { memberId: "-5" }, "请选择成员", "f-memberId-err"),
    c("member non-numeric", { memberId: "abc" }, "请选择成员", "f-memberId-err"),
    c("member huge", { memberId: "9".repeat(100_000) }, "请选择成员", "f-memberId-err"),
    c("member full-width", { memberId: "１２３" }, "请选择成员", "f-memberId-err"),
    c("member markup", { memberId: MARKUP }, "请选择成员", "f-memberId-err"),
    c("member of another village", { memberId: "{M2}" }, "请从列表中选择本村的成员", "f-memberId-err"),
    c("member that does not exist", { memberId: "999999999" }, "请从列表中选择本村的成员", "f-memberId-err"),
    c("rule empty", { ruleId: "" }, "请选择积分细则", "f-ruleId-err"),
    c("rule missing", { ruleId: undefined }, "请选择积分细则", "f-ruleId-err"),
    c("rule negative", { ruleId: "-5" }, "请选择积分细则", "f-ruleId-err"),
    c("rule markup", { ruleId: MARKUP }, "请选择积分细则", "f-ruleId-err"),
    c("rule of another village", { ruleId: "{R2}" }, "请从列表中选择本村的积分细则", "f-ruleId-err"),
    c("rule that needs a photo, none sent", { ruleId: "{PHOTO_RULE}" }, "需要上传照片作为证据", "f-photos-err"),
    c("date empty", { date: "" }, "请选择日期", "f-date-err"),
    c("date missing", { date: undefined }, "请选择日期", "f-date-err"),
    c("date huge", { date: "9".repeat(100_000) }, "请选择日期", "f-date-err"),
    c("date non-numeric", { date: "abc" }, "请选择日期", "f-date-err"),
    c("date markup", { date: MARKUP }, "请选择日期", "f-date-err"),
    c("date 2026-02-30", { date: "2026-02-30" }, "日期无效，请重新选择", "f-date-err"),
    c("date in the future", { date: "2999-01-01" }, "日期不能晚于今天", "f-date-err"),
    c("date two years ago", { date: "2020-01-01" }, "只能申报一年以内的事项", "f-date-err"),
    c("quantity empty", { quantity: "" }, "数量应为正数", "f-quantity-err"),
    c("quantity missing", { quantity: undefined }, "请填写数量", "f-quantity-err"),
    c("quantity negative", { quantity: "-5" }, "数量应为正数", "f-quantity-err"),
    c("quantity non-numeric", { quantity: "abc" }, "数量应为正数", "f-quantity-err"),
    c("quantity huge", { quantity: "9".repeat(100_000) }, "数量应为正数", "f-quantity-err"),
    c("quantity full-width 123 times", { quantity: "１２３" }, "次数应为 1 到 100 的整数", "f-quantity-err"),
    c("quantity markup", { quantity: MARKUP }, "数量应为正数", "f-quantity-err"),
    c("quantity zero", { quantity: "0" }, "数量必须大于 0", "f-quantity-err"),
    c("quantity 1.5 times", { quantity: "1.5" }, "次数应为 1 到 100 的整数", "f-quantity-err"),
    c("hours 0.3", { ruleId: "{HOURS}", quantity: "0.3" }, "小时数应为 0.5 到 24", "f-quantity-err"),
    c("hours 25", { ruleId: "{HOURS}", quantity: "25" }, "小时数应为 0.5 到 24", "f-quantity-err"),
    c("note huge", { note: HUGE }, "说明最多 200 个字", "f-note-err"),
    c("note markup", { note: MARKUP }, "说明不能包含 < 或 > 符号", "f-note-err"),
    ...INVISIBLES.map((x) => c(`note with ${x.kind}`, { note: invisibleText(x.char) }, invisibleMessage("说明"), "f-note-err")),
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
const FAKE_JPEG = new TextEncoder().encode("这不是照片，只是改了扩展名的文字");
const BIG_JPEG = new Uint8Array(5 * 1024 * 1024 + 10).fill(7);
BIG_JPEG.set([0xff, 0xd8, 0xff, 0xe0]);
const jpeg = (name = "a.jpg") => ({ bytes: JPEG, name, type: "image/jpeg" });

const photoCases = (who: Who, url: string, base: Record<string, string>): Case[] => [
  { name: `${url} · a fake JPEG (text named .jpg)`, who, url, body: withPhotos(base, [{ bytes: FAKE_JPEG, name: "fake.jpg", type: "image/jpeg" }]), status: 400, msg: "第 1 张不是照片，只能上传 JPG、PNG 或 WebP 图片", at: "f-photos-err" },
  { name: `${url} · an HTML file named .png`, who, url, body: withPhotos(base, [jpeg(), { bytes: new TextEncoder().encode(MARKUP), name: "x.png", type: "image/png" }]), status: 400, msg: "第 2 张不是照片", at: "f-photos-err" },
  { name: `${url} · JPEG's first bytes but no picture sharp can decode`, who, url, body: withPhotos(base, [jpeg(), { bytes: BROKEN_JPEG, name: "b.jpg", type: "image/jpeg" }]), status: 400, msg: "第 2 张照片无法识别，请换一张", at: "f-photos-err" },
  { name: `${url} · a photo over 5 MB`, who, url, body: withPhotos(base, [{ bytes: BIG_JPEG, name: "big.jpg", type: "image/jpeg" }]), status: 400, msg: "第 1 张照片超过 5 MB", at: "f-photos-err" },
  { name: `${url} · 4 photos`, who, url, body: withPhotos(base, [jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg"), jpeg("4.jpg")]), status: 400, msg: "最多上传 3 张照片", at: "f-photos-err" },
  { name: `${url} · good photo but a bad date`, who, url, body: withPhotos({ ...base, date: "abc" }, [jpeg()]), status: 400, msg: "请选择日期", at: "f-date-err" },
  { name: `${url} · good photo but another village's member`, who, url, body: withPhotos({ ...base, memberId: "{M2}" }, [jpeg()]), status: 400, msg: "请从列表中选择本村的成员", at: "f-memberId-err" },
];

const VILLAGER_NEW = "/claims/new";
const STAFF_NEW = "/v/{V}/claims/new";
const DETAIL = "/v/{V}/review/{PENDING}";
const NOTICE = "/v/{V}/notice";
const RULES = "/v/{V}/admin/rules";
const SETTINGS = "/v/{V}/admin/settings";
const ruleBase = { intent: "rule.create", name: "测试细则", category: "volunteer", points: "5", unit: "time", evidence: "" };
const rc = (name: string, over: Record<string, string | undefined>, msg: string | RegExp, at: string, status = 400): Case => {
  const body: Record<string, string> = { ...ruleBase };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k]; else body[k] = v;
  return { name: `rules · ${name}`, who: "village_admin", url: RULES, body, status, msg, at };
};

const CASES: Case[] = [
  ...claimSweep("villager", VILLAGER_NEW, claimBase),
  { name: "villager · a member of another household", who: "villager", url: VILLAGER_NEW, body: { ...claimBase, memberId: "{OTHER_MEMBER}" }, status: 400, msg: "只能为本户成员申报", at: "f-memberId-err" },
  { name: "villager · a deduction", who: "villager", url: VILLAGER_NEW, body: withPhotos({ ...claimBase, ruleId: "{LITTER}" }, [jpeg()]), status: 400, msg: "扣分只能由检查员或村委登记", at: "f-ruleId-err" },
  ...photoCases("villager", VILLAGER_NEW, claimBase),
  ...claimSweep("inspector", STAFF_NEW, { ...claimBase, memberId: "{OTHER_MEMBER}" }),
  { name: "inspector · a deduction without a photo", who: "inspector", url: STAFF_NEW, body: { ...claimBase, memberId: "{OTHER_MEMBER}", ruleId: "{LITTER}" }, status: 400, msg: "细则“乱扔垃圾”需要上传照片作为证据", at: "f-photos-err" },
  ...photoCases("inspector", STAFF_NEW, { ...claimBase, memberId: "{OTHER_MEMBER}", ruleId: "{LITTER}" }),

  // the review queue: approve many
  { name: "queue · nothing ticked", who: "committee", url: "/v/{V}/review", body: {}, status: 400, msg: "请先勾选要通过的申报", at: "form" },
  { name: "queue · non-numeric id", who: "committee", url: "/v/{V}/review", body: { claimId: "abc" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "queue · markup id", who: "committee", url: "/v/{V}/review", body: { claimId: MARKUP }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "queue · huge id", who: "committee", url: "/v/{V}/review", body: { claimId: "9".repeat(100_000) }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "queue · another village's claim", who: "committee", url: "/v/{V}/review", body: { claimId: "{C2}" }, status: 400, msg: "找不到这条申报", at: "form" },
  { name: "queue · a claim already in 公示", who: "committee", url: "/v/{V}/review", body: { claimId: "{NOTICE}" }, status: 400, msg: "公示中，不能再审核", at: "form" },

  // one claim: decisions
  { name: "detail · unknown intent", who: "committee", url: DETAIL, body: { intent: "delete" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "detail · empty body", who: "committee", url: DETAIL, body: {}, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "detail · markup intent", who: "committee", url: DETAIL, body: { intent: MARKUP }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "detail · reject without a reason", who: "committee", url: DETAIL, body: { intent: "reject", reason: "" }, status: 400, msg: "请填写驳回理由", at: "f-reject-err" },
  { name: "detail · reject, reason missing", who: "committee", url: DETAIL, body: { intent: "reject" }, status: 400, msg: "请填写驳回理由", at: "f-reject-err" },
  { name: "detail · reject, huge reason", who: "committee", url: DETAIL, body: { intent: "reject", reason: HUGE }, status: 400, msg: "驳回理由最多 200 个字", at: "f-reject-err" },
  { name: "detail · reject, markup reason", who: "committee", url: DETAIL, body: { intent: "reject", reason: MARKUP }, status: 400, msg: "驳回理由不能包含 < 或 > 符号", at: "f-reject-err" },
  ...INVISIBLES.map((x): Case => ({ name: `detail · reject, reason with ${x.kind}`, who: "committee", url: DETAIL, body: { intent: "reject", reason: invisibleText(x.char) }, status: 400, msg: invisibleMessage("驳回理由"), at: "f-reject-err" })),
  ...INVISIBLES.map((x): Case => ({ name: `detail · revoke, reason with ${x.kind}`, who: "committee", url: "/v/{V}/review/{CREDITED}", body: { intent: "revoke", reason: invisibleText(x.char) }, status: 400, msg: invisibleMessage("撤销理由"), at: "f-revoke-err" })),
  { name: "detail · revoke a pending claim", who: "committee", url: DETAIL, body: { intent: "revoke", reason: "测试" }, status: 400, msg: "只有已入账的申报可以撤销", at: "form" },
  { name: "detail · uphold, objection id non-numeric", who: "committee", url: DETAIL, body: { intent: "uphold", objectionId: "abc", note: "测试" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "detail · dismiss an objection that does not exist", who: "committee", url: DETAIL, body: { intent: "dismiss", objectionId: "999999", note: "测试" }, status: 400, msg: "找不到这条异议", at: "form" },
  { name: "detail · another village's claim", who: "committee", url: "/v/{V}/review/{C2}", body: { intent: "approve" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "detail · claim id not a number", who: "committee", url: "/v/{V}/review/abc", body: { intent: "approve" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "detail · claim id full-width", who: "committee", url: `/v/{V}/review/${encodeURIComponent("１")}`, body: { intent: "approve" }, status: 404, msg: "找不到这个页面", at: "page" },

  // resolving an objection
  ...(
    [["", "请填写核实情况"], [HUGE, "核实情况最多 200 个字"], [MARKUP, "核实情况不能包含 < 或 > 符号"], ...INVISIBLES.map((x) => [invisibleText(x.char), invisibleMessage("核实情况")] as const)] as const
  ).flatMap(([note, msg]) => (["dismiss", "uphold"] as const).map((intent): Case => ({
    name: `objection · ${intent} with note ${JSON.stringify(note.slice(0, 10))}`, who: "committee", url: "/v/{V}/review/{NOTICE2}",
    body: { intent, objectionId: "{OBJ}", note }, status: 400, msg, at: "f-objection{OBJ}-err",
  }))),
  { name: "objection · of another claim", who: "committee", url: DETAIL, body: { intent: "dismiss", objectionId: "{OBJ}", note: "测试" }, status: 400, msg: "找不到这条异议", at: "form" },
  { name: "objection · the objector himself cannot object twice", who: "villager", url: NOTICE, body: { claimId: "{NOTICE2}", reason: "再提一次" }, status: 400, msg: "你已经对这条公示提过异议了", at: "form" },

  // the notice board: objections
  { name: "notice · reason empty", who: "villager", url: NOTICE, body: { claimId: "{NOTICE}", reason: "" }, status: 400, msg: "请填写异议理由", at: "o-{NOTICE}-err" },
  { name: "notice · reason missing", who: "villager", url: NOTICE, body: { claimId: "{NOTICE}" }, status: 400, msg: "请填写异议理由", at: "o-{NOTICE}-err" },
  { name: "notice · reason huge", who: "villager", url: NOTICE, body: { claimId: "{NOTICE}", reason: HUGE }, status: 400, msg: "异议理由最多 200 个字", at: "o-{NOTICE}-err" },
  { name: "notice · reason markup", who: "villager", url: NOTICE, body: { claimId: "{NOTICE}", reason: MARKUP }, status: 400, msg: "异议理由不能包含 < 或 > 符号", at: "o-{NOTICE}-err" },
  ...INVISIBLES.map((x): Case => ({ name: `notice · reason with ${x.kind}`, who: "villager", url: NOTICE, body: { claimId: "{NOTICE}", reason: invisibleText(x.char) }, status: 400, msg: invisibleMessage("异议理由"), at: "o-{NOTICE}-err" })),
  { name: "notice · claim id missing", who: "villager", url: NOTICE, body: { reason: "测试" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "notice · claim id negative", who: "villager", url: NOTICE, body: { claimId: "-5", reason: "测试" }, status: 400, msg: BAD_REQUEST, at: "form" },
  { name: "notice · claim not in 公示", who: "villager", url: NOTICE, body: { claimId: "{PENDING}", reason: "测试" }, status: 400, msg: "不在公示期内", at: "form" },
  { name: "notice · another village's claim", who: "villager", url: NOTICE, body: { claimId: "{C2}", reason: "测试" }, status: 400, msg: "找不到这条申报", at: "form" },
  { name: "notice · another village's board", who: "villager", url: "/v/{V2}/notice", body: { claimId: "{C2}", reason: "测试" }, status: 403, msg: "没有权限", at: "page" },
  { name: "notice · staff without a home here may not object", who: "village_admin", url: NOTICE, body: { claimId: "{NOTICE}", reason: "测试" }, status: 403, msg: "只有本村村民可以提出异议", at: "form" },

  // the rules catalogue
  rc("name empty", { name: "" }, "请填写细则名称", "new-name-err"),
  rc("name missing", { name: undefined }, "请填写细则名称", "new-name-err"),
  rc("name huge", { name: HUGE }, "细则名称最多 40 个字", "new-name-err"),
  rc("name markup", { name: "<b>1</b>" }, "细则名称不能包含 < 或 > 符号", "new-name-err"),
  rc("name taken", { name: "清扫村道" }, "已经有同名的在用细则", "new-name-err"),
  ...INVISIBLES.map((x) => rc(`name with ${x.kind}`, { name: invisibleText(x.char) }, invisibleMessage("细则名称"), "new-name-err")),
  rc("points empty", { points: "" }, "分值应为 -9999 到 9999 的整数", "new-points-err"),
  rc("points missing", { points: undefined }, "请填写分值", "new-points-err"),
  rc("points zero", { points: "0" }, "分值不能为 0", "new-points-err"),
  rc("points huge", { points: "9".repeat(100_000) }, "分值应为 -9999 到 9999 的整数", "new-points-err"),
  rc("points non-numeric", { points: "abc" }, "分值应为 -9999 到 9999 的整数", "new-points-err"),
  rc("points 1.5", { points: "1.5" }, "分值应为 -9999 到 9999 的整数", "new-points-err"),
  rc("points markup", { points: MARKUP }, "分值应为 -9999 到 9999 的整数", "new-points-err"),
  rc("category unknown", { category: "sports" }, "请选择类别", "new-category-err"),
  rc("category missing", { category: undefined }, "请选择类别", "new-category-err"),
  rc("unit unknown", { unit: "day" }, "请选择计分单位", "new-unit-err"),
  rc("evidence markup", { evidence: MARKUP }, "请选择是否需要照片", "new-evidence-err"),
  rc("cap negative", { member_day: "-5" }, "上限应为 1 到 999999 的整数", "new-member_day-err"),
  rc("cap zero", { household_year: "0" }, "上限应为 1 到 999999 的整数", "new-household_year-err"),
  rc("cap non-numeric", { member_month: "abc" }, "上限应为 1 到 999999 的整数", "new-member_month-err"),
  rc("cap huge", { household_month: "9".repeat(100_000) }, "上限应为 1 到 999999 的整数", "new-household_month-err"),
  rc("cap markup", { member_year: MARKUP }, "上限应为 1 到 999999 的整数", "new-member_year-err"),
  rc("unknown intent", { intent: "rule.delete" }, BAD_REQUEST, "form"),
  rc("update, rule id non-numeric", { intent: "rule.update", ruleId: "abc" }, BAD_REQUEST, "form"),
  rc("update, another village's rule", { intent: "rule.update", ruleId: "{R2}" }, "找不到这条细则", "form", 404),
  rc("retire, another village's rule", { intent: "rule.retire", ruleId: "{R2}" }, "找不到这条细则", "form", 404),
  rc("retire, rule id missing", { intent: "rule.retire" }, BAD_REQUEST, "form"),
  { name: "rules · empty body", who: "village_admin", url: RULES, body: {}, status: 400, msg: BAD_REQUEST, at: "form" },

  // village settings
  ...(
    [["", "公示天数应为 0 到 30 的整数"], ["-5", "公示天数应为 0 到 30 的整数"], ["abc", "公示天数应为 0 到 30 的整数"], ["31", "公示天数应为 0 到 30 的整数"],
     ["1.5", "公示天数应为 0 到 30 的整数"], ["９９", "公示天数应为 0 到 30 的整数"], ["9".repeat(100_000), "公示天数应为 0 到 30 的整数"], [MARKUP, "公示天数应为 0 到 30 的整数"]] as const
  ).map(([noticeDays, msg]): Case => ({ name: `settings · notice days ${JSON.stringify(noticeDays.slice(0, 10))}`, who: "village_admin", url: SETTINGS, body: { noticeDays, approvalsNeeded: "1" }, status: 400, msg, at: "f-noticeDays-err" })),
  { name: "settings · notice days missing", who: "village_admin", url: SETTINGS, body: { approvalsNeeded: "1" }, status: 400, msg: "请填写公示天数", at: "f-noticeDays-err" },
  ...["", "0", "3", "abc", MARKUP].map((approvalsNeeded): Case => ({ name: `settings · approvals ${JSON.stringify(approvalsNeeded)}`, who: "village_admin", url: SETTINGS, body: { noticeDays: "3", approvalsNeeded }, status: 400, msg: "请选择需要几位村委审核", at: "f-approvalsNeeded-err" })),
];

describe("claim forms refuse bad input", () => {
  it.each(CASES)("$name", async (c) => {
    const before = await snapshot();
    const files = photoFiles();
    const r = await send(c);
    await check(c, r, before, files);
  });
});

describe("bodies that are not a form", () => {
  const targets: [Who, string][] = [["villager", VILLAGER_NEW], ["inspector", STAFF_NEW], ["committee", "/v/{V}/review"], ["committee", DETAIL], ["villager", NOTICE], ["village_admin", RULES], ["village_admin", SETTINGS]];
  const bodies = nonFormBodies('{"intent":"approve"}', "intent=approve");
  it.each(targets.flatMap(([who, url]) => bodies.map((b) => ({ who, url, ...b }))))("$url · $kind → 400", async (c) => {
    const before = await snapshot();
    const { status, text } = await clients.get(c.who)!.postRaw(fill(c.url), c);
    expect(status, text.slice(0, 300)).not.toBe(500);
    expect([400, 415]).toContain(status);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toBe(before);
  });
});
