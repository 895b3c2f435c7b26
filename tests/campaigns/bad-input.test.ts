// Bad input on every campaign route and form (issue 5), through the real production server: the
// create form, nominations (villager and committee), the committee's decisions, ballots, tie
// decisions and confirming, and marking a representative. Each request gets a Chinese message where
// the user looks (next to the field, on top of the form, or the 4xx page), never a 500, and writes
// nothing: every table is compared after every request.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type Reply, type TestServer, signInEach } from "../support/harness";
import { sqlOn } from "../support/sql";
import { appTables, errorPage, INVISIBLES, invisibleMessage, invisibleText, nonFormBodies, shownErrors, tableFingerprints } from "../support/sweep";

type Who = "villager" | "committee" | "village_admin";
const PHONES: Record<Who, string> = { villager: "13900000001", committee: "13900000003", village_admin: "13900000005" };
const MARKUP = "<script>alert(1)</script>";
const HUGE = "长".repeat(100_000);
const BAD_REQUEST = "请求有误，请刷新页面后再试";
const DAY = 86_400_000;

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
let tables: string[] = [];

const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args)) as T;
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? (() => { throw new Error(`unknown ${m}`); })());
const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");
const chinaInput = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

async function ok(r: Promise<Reply>, status = 200): Promise<Reply> {
  const got = await r;
  expect(got.status, got.text.slice(0, 300)).toBe(status);
  return got;
}

/** Creates a campaign of one member category (好婆婆, one winner) through the form; returns its id and category. */
async function campaign(title: string, from: number, nominateUntil: number, voteUntil: number): Promise<[string, string]> {
  const r = await ok(clients.get("committee")!.post("/v/1/campaigns/new", {
    title, nominateFrom: chinaInput(from), nominateUntil: chinaInput(nominateUntil), voteFrom: chinaInput(nominateUntil), voteUntil: chinaInput(voteUntil),
    voters: "representatives", quorum: "10", cat1Name: "好婆婆", cat1Kind: "member", cat1Winners: "1", cat1Rule: ids.RULE,
  }), 302);
  const id = /campaigns\/(\d+)\?/.exec(r.location!)![1];
  return [id, String((await one<{ id: number }>("select id from campaign_categories where campaign_id = ?", Number(id))).id)];
}

const nominationOf = async (campaign: string, member: string) =>
  String((await one<{ id: number }>("select id from campaign_nominations where campaign_id = ? and member_id = ? order by id limit 1", Number(campaign), Number(member))).id);

beforeAll(async () => {
  server = await startServer({ TEST_CLOCK_CONTROL: "1" });
  database = openDatabase(server.database);
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
  const villager = clients.get("villager")!;
  const committee = clients.get("committee")!;
  const wives = await sqlOn(database).all<{ id: number; number: string; household_id: number }>(
    `select m.id, h.number, h.id as household_id from members m join households h on h.id = m.household_id
     where h.village_id = 1 and m.relation = '配偶' and m.active = 1 order by h.number, m.id limit 4`,
  );
  Object.assign(ids, {
    RULE: String((await one<{ id: number }>("select id from rules where village_id = 1 and name = '好婆婆'")).id),
    RULE2: String((await one<{ id: number }>("select id from rules where village_id = 2 and name = '好婆婆'")).id),
    LITTER: String((await one<{ id: number }>("select id from rules where village_id = 1 and name = '乱扔垃圾'")).id),
    M0: String(wives[0].id), M1: String(wives[1].id), M2: String(wives[2].id), Q: wives[0].number, H0: String(wives[0].household_id),
    OTHER_MEMBER: String((await one<{ id: number }>("select id from members where village_id = 2 order by id limit 1")).id),
    OTHER_HOUSEHOLD_MEMBER: String((await one<{ id: number }>("select id from members where village_id = 1 and household_id <> ? order by id limit 1", wives[0].household_id)).id),
  });
  const t0 = Date.now();
  // Y keeps nominating; X is voting and Z closed (with a tie) once the clock has moved two days.
  [ids.Y, ids.CY] = await campaign("提名中的评选", t0 - 3600_000, t0 + 3 * DAY, t0 + 4 * DAY);
  [ids.X, ids.CX] = await campaign("投票中的评选", t0 - 3600_000, t0 + DAY, t0 + 3 * DAY);
  [ids.Z, ids.CZ] = await campaign("已截止的评选", t0 - 3600_000, t0 + DAY, t0 + 2 * DAY);
  const nominate = (c: Client, path: string, cat: string, member: string) => ok(c.post(path, { intent: "nominate", categoryId: cat, nomineeId: member, reason: "孝顺" }));
  const accept = async (campaign: string, member: string) => ok(committee.post(`/v/1/campaigns/${campaign}`, { intent: "nomination.accept", nominationId: await nominationOf(campaign, member) }));
  await nominate(villager, `/campaigns/${ids.Y}`, ids.CY, ids.M0);
  await nominate(committee, `/v/1/campaigns/${ids.Y}`, ids.CY, ids.M1);
  for (const m of [ids.M0, ids.M1]) await nominate(villager, `/campaigns/${ids.X}`, ids.CX, m);
  await accept(ids.X, ids.M0); // M1 stays proposed: not on the ballot
  for (const m of [ids.M0, ids.M1, ids.M2]) {
    await nominate(villager, `/campaigns/${ids.Z}`, ids.CZ, m);
    await accept(ids.Z, m);
  }
  Object.assign(ids, {
    NY0: await nominationOf(ids.Y, ids.M0), NY1: await nominationOf(ids.Y, ids.M1), NX0: await nominationOf(ids.X, ids.M0), NX1: await nominationOf(ids.X, ids.M1),
    NZ0: await nominationOf(ids.Z, ids.M0), NZ1: await nominationOf(ids.Z, ids.M1), NZ2: await nominationOf(ids.Z, ids.M2),
  });
  await ok(committee.post("/test/clock", { advanceMs: String(DAY + 60_000) }));
  await ok(villager.post(`/campaigns/${ids.Z}`, { intent: "ballot", categoryId: ids.CZ, choice: ids.NZ0 }));
  await ok(committee.post(`/campaigns/${ids.Z}`, { intent: "ballot", categoryId: ids.CZ, choice: ids.NZ1 }));
  await ok(committee.post("/test/clock", { advanceMs: String(DAY) }));
  ids.OTHER_CAMPAIGN = String((await one<{ id: number }>("select id from campaigns where village_id = 2 order by id limit 1")).id);
  tables = await appTables(database);
  for (const t of ["campaigns", "campaign_nominations", "campaign_ballots", "campaign_ballot_choices", "campaign_electors", "campaign_winners", "claims", "audit_log"]) expect(tables).toContain(t);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

// ---- what a refusal must look like -------------------------------------------------------------

interface Case {
  name: string;
  who: Who;
  url: string;
  body: Record<string, string | string[]>;
  status: number;
  msg: string | RegExp;
  /** an error element's id, "form" (a form-error) or "page" (the 4xx page) */
  at: string;
}

function shown(html: string) {
  const page = errorPage(html);
  return page === null ? shownErrors(html) : [...shownErrors(html), { cls: "page", id: null, text: page }];
}

async function send(c: Case): Promise<Reply> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(c.body)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, fill(x));
  return clients.get(c.who)!.post(fill(c.url), form);
}

async function check(c: Case, r: Reply, before: string): Promise<void> {
  const s = shown(r.text);
  const ctx = `${c.name}: status ${r.status}; shown ${JSON.stringify(s).slice(0, 600)}`;
  expect(r.status, ctx).not.toBe(500);
  expect(r.status, ctx).toBe(c.status);
  expect(await snapshot(), `${ctx}\nsomething was written`).toBe(before);
  for (const x of s) expect(x.text, ctx).toMatch(/[\u4e00-\u9fff]/);
  const where = c.at === "form" ? s.filter((x) => x.cls === "form-error") : c.at === "page" ? s.filter((x) => x.cls === "page") : s.filter((x) => x.id === fill(c.at));
  const msg = typeof c.msg === "string" ? fill(c.msg) : c.msg;
  expect(where.some((x) => (typeof msg === "string" ? x.text.includes(msg) : msg.test(x.text))), `${ctx}\nexpected ${String(msg)} at ${c.at}`).toBe(true);
  expect(r.text.includes(MARKUP), `${ctx}\nraw markup echoed`).toBe(false);
}

/** Cases built from a valid body with one field changed (undefined: left out). */
function sweep(prefix: string, who: Who, url: string, base: Record<string, string | string[]>) {
  return (name: string, over: Record<string, string | string[] | undefined>, msg: string | RegExp, at: string, status = 400): Case => {
    const body = { ...base };
    for (const [k, v] of Object.entries(over)) if (v === undefined) delete body[k]; else body[k] = v;
    return { name: `${prefix} · ${name}`, who, url, body, status, msg, at };
  };
}

/** The usual bad values for one field, all answered with the same message at the same place. */
function badValues(c: ReturnType<typeof sweep>, field: string, msg: string | RegExp, at: string, values: Record<string, string | undefined>): Case[] {
  return Object.entries(values).map(([label, v]) => c(`${field} ${label}`, { [field]: v }, msg, at));
}
const USUAL = { empty: "", missing: undefined, negative: "-5", "non-numeric": "abc", huge: "9".repeat(100_000), "full-width": "１２３", markup: MARKUP };
const TEXTS = { empty: "", missing: undefined };

/** A free-text field posted with each invisible character in otherwise valid text. */
function invisibleValues(c: ReturnType<typeof sweep>, field: string, label: string, at: string): Case[] {
  return INVISIBLES.map((x) => c(`${field} with ${x.kind}`, { [field]: invisibleText(x.char) }, invisibleMessage(label), at));
}

// ---- the cases -----------------------------------------------------------------------------------

const CREATE = "/v/1/campaigns/new";
const futureForm = () => {
  const t = Date.now() + 5 * DAY; // the server's clock is two days ahead; still the future there
  return { title: "测试评选", description: "", nominateFrom: chinaInput(t), nominateUntil: chinaInput(t + DAY), voteFrom: chinaInput(t + DAY), voteUntil: chinaInput(t + 2 * DAY), voters: "representatives", quorum: "50", cat1Name: "好婆婆", cat1Kind: "member", cat1Winners: "1", cat1Rule: "{RULE}" };
};
const cc = sweep("create", "committee", CREATE, futureForm());
const format = (label: string) => `${label}格式不对，请用日期时间选择器选择`;

const CREATE_CASES: Case[] = [
  ...badValues(cc, "title", "请填写评选名称", "f-title-err", TEXTS),
  cc("title huge", { title: HUGE }, "评选名称最多 40 个字", "f-title-err"),
  cc("title markup", { title: MARKUP }, "评选名称不能包含 < 或 > 符号", "f-title-err"),
  cc("description huge", { description: HUGE }, "评选说明最多 500 个字", "f-description-err"),
  cc("description markup", { description: MARKUP }, "评选说明不能包含 < 或 > 符号", "f-description-err"),
  ...invisibleValues(cc, "title", "评选名称", "f-title-err"),
  ...invisibleValues(cc, "description", "评选说明", "f-description-err"),
  ...(["nominateFrom", "nominateUntil", "voteFrom", "voteUntil"] as const).flatMap((f) => {
    const label = { nominateFrom: "提名开始时间", nominateUntil: "提名截止时间", voteFrom: "投票开始时间", voteUntil: "投票截止时间" }[f];
    return [
      ...badValues(cc, f, `请填写${label}`, `f-${f}-err`, TEXTS),
      ...badValues(cc, f, format(label), `f-${f}-err`, { "non-numeric": "abc", negative: "-5", huge: "9".repeat(100_000), markup: MARKUP }),
      cc(`${f} 02-30`, { [f]: "2026-02-30T08:00" }, `${label}不是有效的日期时间`, `f-${f}-err`),
    ];
  }),
  cc("nomination ends before it starts", { nominateUntil: "2020-01-01T08:00" }, "提名截止要晚于提名开始", "f-nominateUntil-err"),
  cc("voting starts before nominations end", { voteFrom: "2020-01-01T08:00" }, "投票开始不能早于提名截止", "f-voteFrom-err"),
  cc("voting ends before it starts", { voteUntil: "2020-01-01T08:00" }, "投票截止要晚于投票开始", "f-voteUntil-err"),
  cc("windows already over", { nominateFrom: "2020-01-01T08:00", nominateUntil: "2020-01-05T08:00", voteFrom: "2020-01-06T08:00", voteUntil: "2020-01-08T08:00" }, "提名截止时间已经过了", "f-nominateUntil-err"),
  ...badValues(cc, "voters", "请选择由谁投票", "f-voters-err", { ...TEXTS, unknown: "everyone", markup: MARKUP }),
  ...badValues(cc, "quorum", "请填写最低投票率", "f-quorum-err", TEXTS),
  ...badValues(cc, "quorum", "最低投票率应为 0 到 100 的整数", "f-quorum-err", { negative: "-5", "non-numeric": "abc", huge: "9".repeat(100_000), "full-width 150": "１５０", "1.5": "1.5", markup: MARKUP }),
  ...badValues(cc, "cat1Name", "请至少填写一个评选类别", "f-cat1Name-err", TEXTS),
  cc("cat1Name huge", { cat1Name: HUGE }, "类别名称最多 12 个字", "f-cat1Name-err"),
  cc("cat1Name markup", { cat1Name: "<b>孝</b>" }, "类别名称不能包含 < 或 > 符号", "f-cat1Name-err"),
  ...invisibleValues(cc, "cat1Name", "类别名称", "f-cat1Name-err"),
  ...badValues(cc, "cat1Kind", "请选择评家庭还是评个人", "f-cat1Kind-err", { ...TEXTS, unknown: "dog", markup: MARKUP }),
  ...badValues(cc, "cat1Winners", "评选名额应为 1 到 20 的整数", "f-cat1Winners-err", { ...USUAL, "full-width": "２１", zero: "0" }),
  ...badValues(cc, "cat1Rule", "请从列表中选择奖励积分的细则", "f-cat1Rule-err", USUAL),
  cc("cat1Rule of another village", { cat1Rule: "{RULE2}" }, "请从列表中选择本村奖励积分的细则", "f-cat1Rule-err"),
  cc("cat1Rule a deduction", { cat1Rule: "{LITTER}" }, "请从列表中选择本村奖励积分的细则", "f-cat1Rule-err"),
  cc("cat1Rule that does not exist", { cat1Rule: "999999999" }, "请从列表中选择本村奖励积分的细则", "f-cat1Rule-err"),
  cc("cat2 repeats cat1", { cat2Name: "好婆婆", cat2Kind: "member", cat2Winners: "1", cat2Rule: "{RULE}" }, "类别名称重复了", "f-cat2Name-err"),
  cc("cat2 winners bad", { cat2Name: "好媳妇", cat2Kind: "member", cat2Winners: "abc", cat2Rule: "{RULE}" }, "评选名额应为 1 到 20 的整数", "f-cat2Winners-err"),
];

// Nominating: posted from the page that found the nominee (its search is in the URL).
const nominateCases = (who: Who, url: string): Case[] => {
  const c = sweep(`nominate (${who})`, who, url, { intent: "nominate", categoryId: "{CY}", nomineeId: "{M2}", reason: "孝顺老人" });
  return [
    ...badValues(c, "nomineeId", "请先搜索，再选择要提名的人或户", "f-nomineeId-err", USUAL),
    c("nomineeId of another village", { nomineeId: "{OTHER_MEMBER}" }, "请从搜索结果中选择本村的一位村民", "f-nomineeId-err"),
    c("nomineeId that does not exist", { nomineeId: "999999999" }, "请从搜索结果中选择本村的一位村民", "f-nomineeId-err"),
    ...badValues(c, "reason", "请填写提名理由", "f-reason-err", TEXTS),
    c("reason huge", { reason: HUGE }, "提名理由最多 200 个字", "f-reason-err"),
    c("reason markup", { reason: MARKUP }, "提名理由不能包含 < 或 > 符号", "f-reason-err"),
    ...invisibleValues(c, "reason", "提名理由", "f-reason-err"),
    ...badValues(c, "categoryId", BAD_REQUEST, "form", USUAL),
    c("category of another campaign", { categoryId: "{CX}" }, "请从本次评选的类别中选择", "form"),
    c("unknown intent", { intent: "delete" }, BAD_REQUEST, "form"),
    c("markup intent", { intent: MARKUP }, BAD_REQUEST, "form"),
  ];
};
const VILLAGER_Y = "/campaigns/{Y}?cat={CY}&q={Q}";
const COMMITTEE_Y = "/v/1/campaigns/{Y}?cat={CY}&q={Q}";
const NOMINATE_CASES: Case[] = [
  ...nominateCases("villager", VILLAGER_Y),
  ...nominateCases("committee", COMMITTEE_Y),
  { name: "nominate · the same person twice", who: "villager", url: VILLAGER_Y, body: { intent: "nominate", categoryId: "{CY}", nomineeId: "{M0}", reason: "再提一次" }, status: 400, msg: "你已经在“好婆婆”里提名过这位了", at: "f-nomineeId-err" },
  { name: "nominate · after the window", who: "villager", url: "/campaigns/{X}", body: { intent: "nominate", categoryId: "{CX}", nomineeId: "{M2}", reason: "晚了" }, status: 400, msg: "提名已经截止了", at: "form" },
  { name: "nominate · another village's campaign", who: "villager", url: "/campaigns/{OTHER_CAMPAIGN}", body: { intent: "nominate", categoryId: "{CY}", nomineeId: "{M2}", reason: "x" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "villager page · campaign id not a number", who: "villager", url: "/campaigns/abc", body: { intent: "nominate" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "villager page · campaign id full-width", who: "villager", url: `/campaigns/${encodeURIComponent("１")}`, body: { intent: "nominate" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "villager page · empty body", who: "villager", url: "/campaigns/{Y}", body: {}, status: 400, msg: BAD_REQUEST, at: "form" },
];

const cy = sweep("decide", "committee", "/v/1/campaigns/{Y}", { intent: "nomination.accept", nominationId: "{NY0}" });
const DECIDE_CASES: Case[] = [
  ...badValues(cy, "nominationId", BAD_REQUEST, "form", USUAL),
  cy("nominationId that does not exist", { nominationId: "999999999" }, "找不到这个页面", "page", 404),
  cy("nominationId of another campaign", { nominationId: "{NX0}" }, "找不到这个页面", "page", 404),
  ...badValues(cy, "note", "请填写不采纳的理由", "note-{NY0}-err", TEXTS).map((c) => ({ ...c, body: { ...c.body, intent: "nomination.reject" } })),
  { ...cy("note huge", { note: HUGE }, "不采纳的理由最多 100 个字", "note-{NY0}-err"), body: { intent: "nomination.reject", nominationId: "{NY0}", note: HUGE } },
  { ...cy("note markup", { note: MARKUP }, "不采纳的理由不能包含 < 或 > 符号", "note-{NY0}-err"), body: { intent: "nomination.reject", nominationId: "{NY0}", note: MARKUP } },
  ...invisibleValues(cy, "note", "不采纳的理由", "note-{NY0}-err").map((c) => ({ ...c, body: { ...c.body, intent: "nomination.reject" } })),
  ...badValues(cy, "intoId", BAD_REQUEST, "form", USUAL).map((c) => ({ ...c, body: { ...c.body, intent: "nomination.merge" } })),
  { ...cy("merge two different people", {}, "只能合并同一类别里提名同一人（户）的重复提名", "form"), body: { intent: "nomination.merge", nominationId: "{NY0}", intoId: "{NY1}" } },
  { ...cy("merge into itself", {}, "不能合并到自己", "form"), body: { intent: "nomination.merge", nominationId: "{NY0}", intoId: "{NY0}" } },
  cy("unknown intent", { intent: "nomination.delete" }, BAD_REQUEST, "form"),
  cy("empty intent", { intent: "" }, BAD_REQUEST, "form"),
  { name: "decide · while voting", who: "committee", url: "/v/1/campaigns/{X}", body: { intent: "nomination.accept", nominationId: "{NX1}" }, status: 400, msg: "投票已经开始，候选名单不能再改", at: "form" },
  { name: "decide · another village's campaign under our path", who: "committee", url: "/v/1/campaigns/{OTHER_CAMPAIGN}", body: { intent: "nomination.accept", nominationId: "{NY0}" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "committee page · campaign id not a number", who: "committee", url: "/v/1/campaigns/abc", body: { intent: "campaign.confirm" }, status: 404, msg: "找不到这个页面", at: "page" },
  { name: "committee page · empty body", who: "committee", url: "/v/1/campaigns/{Y}", body: {}, status: 400, msg: BAD_REQUEST, at: "form" },
];

const cb = sweep("ballot", "villager", "/campaigns/{X}", { intent: "ballot", categoryId: "{CX}", choice: "{NX0}" });
const BALLOT_CASES: Case[] = [
  cb("no choice", { choice: undefined }, "请至少选一位候选人", "choice-{CX}-err"),
  ...badValues(cb, "choice", BAD_REQUEST, "choice-{CX}-err", { empty: "", negative: "-5", "non-numeric": "abc", huge: "9".repeat(100_000), "full-width": "１２３", markup: MARKUP }),
  cb("two choices for one place", { choice: ["{NX0}", "{NX1}"] }, "“好婆婆”最多选 1 个，你选了 2 个", "choice-{CX}-err"),
  cb("21 choices", { choice: Array.from({ length: 21 }, () => "{NX0}") }, BAD_REQUEST, "choice-{CX}-err"),
  cb("a nomination not accepted", { choice: "{NX1}" }, "只能从这个类别的候选人里选", "choice-{CX}-err"),
  cb("a nomination of another campaign", { choice: "{NZ0}" }, "只能从这个类别的候选人里选", "choice-{CX}-err"),
  ...badValues(cb, "categoryId", BAD_REQUEST, "form", USUAL),
  cb("category of another campaign", { categoryId: "{CZ}" }, "请从本次评选的类别中选择", "form"),
  { name: "ballot · before voting opens", who: "villager", url: "/campaigns/{Y}", body: { intent: "ballot", categoryId: "{CY}", choice: "{NY0}" }, status: 400, msg: "投票还没有开始", at: "form" },
  { name: "ballot · after the close", who: "villager", url: "/campaigns/{Z}", body: { intent: "ballot", categoryId: "{CZ}", choice: "{NZ1}" }, status: 400, msg: "投票已经截止了", at: "form" },
];

const ct = sweep("tie", "committee", "/v/1/campaigns/{Z}", { intent: "tie.decide", categoryId: "{CZ}", pick: "{NZ0}", reason: "抽签决定" });
const TIE_CASES: Case[] = [
  ct("no pick", { pick: undefined }, "请选出 1 个，你选了 0 个", "pick-{CZ}-err"),
  ...badValues(ct, "pick", BAD_REQUEST, "pick-{CZ}-err", { empty: "", negative: "-5", "non-numeric": "abc", huge: "9".repeat(100_000), "full-width": "１２３", markup: MARKUP }),
  ct("both tied", { pick: ["{NZ0}", "{NZ1}"] }, "请选出 1 个，你选了 2 个", "pick-{CZ}-err"),
  ct("one not tied", { pick: "{NZ2}" }, "只能从同票的候选人里选", "pick-{CZ}-err"),
  ...badValues(ct, "reason", "请填写决定理由", "reason-{CZ}-err", TEXTS),
  ct("reason huge", { reason: HUGE }, "决定理由最多 200 个字", "reason-{CZ}-err"),
  ct("reason markup", { reason: MARKUP }, "决定理由不能包含 < 或 > 符号", "reason-{CZ}-err"),
  ...invisibleValues(ct, "reason", "决定理由", "reason-{CZ}-err"),
  ...badValues(ct, "categoryId", BAD_REQUEST, "form", USUAL),
  { name: "confirm · a tie not decided", who: "committee", url: "/v/1/campaigns/{Z}", body: { intent: "campaign.confirm" }, status: 400, msg: "最后 1 个名额有同票", at: "form" },
  { name: "confirm · still voting", who: "committee", url: "/v/1/campaigns/{X}", body: { intent: "campaign.confirm" }, status: 400, msg: "投票截止后才能确认结果", at: "form" },
  { name: "tie · still voting", who: "committee", url: "/v/1/campaigns/{X}", body: { intent: "tie.decide", categoryId: "{CX}", pick: "{NX0}", reason: "x" }, status: 400, msg: "投票截止后才能处理同票", at: "form" },
];

const ca = sweep("representative", "village_admin", "/v/1/admin/households/{H0}", { intent: "member.representative", memberId: "{M0}", on: "1" });
const REPRESENTATIVE_CASES: Case[] = [
  ...badValues(ca, "memberId", BAD_REQUEST, "form", USUAL),
  ...badValues(ca, "on", BAD_REQUEST, "form", { ...TEXTS, two: "2", markup: MARKUP, huge: "9".repeat(100_000) }),
  ca("member of another household", { memberId: "{OTHER_HOUSEHOLD_MEMBER}" }, "找不到这个页面", "page", 404),
  ca("member of another village", { memberId: "{OTHER_MEMBER}" }, "找不到这个页面", "page", 404),
];

const CASES = [...CREATE_CASES, ...NOMINATE_CASES, ...DECIDE_CASES, ...BALLOT_CASES, ...TIE_CASES, ...REPRESENTATIVE_CASES];

describe("campaign forms refuse bad input", () => {
  it.each(CASES)("$name", async (c) => {
    const before = await snapshot();
    const r = await send(c);
    await check(c, r, before);
  });
});

describe("bodies that are not a form", () => {
  const targets: [Who, string][] = [
    ["committee", CREATE], ["committee", "/v/1/campaigns/{Y}"], ["committee", "/v/1/campaigns/{Z}"], ["villager", "/campaigns/{Y}"], ["villager", "/campaigns/{X}"],
    ["village_admin", "/v/1/admin/households/{H0}"],
  ];
  const bodies = nonFormBodies('{"intent":"ballot"}', "intent=ballot");
  it.each(targets.flatMap(([who, url]) => bodies.map((b) => ({ who, url, ...b }))))("$url · $kind → 400", async (c) => {
    const before = await snapshot();
    const { status, text } = await clients.get(c.who)!.postRaw(fill(c.url), c);
    expect(status, text.slice(0, 300)).not.toBe(500);
    expect([400, 415]).toContain(status);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toBe(before);
  });
});

describe("every campaign form's maxlength is what the server accepts", () => {
  // The longest value each schema takes for a field, found by asking the schema itself, so a page
  // that lets a villager type 400 characters for a server that takes 200 is caught (the typing is
  // lost only at the post, and the tie reason was a textarea where that hurts).
  type Schema = { safeParse: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[] }[] } } };
  const takes = (schema: Schema, base: Record<string, unknown>, name: string) => (s: string) => {
    const r = schema.safeParse({ ...base, [name]: s });
    return r.success || !r.error!.issues.some((i) => i.path[0] === name);
  };
  const longest = (ok: (s: string) => boolean, make: (n: number) => string) => {
    let n = 0;
    while (n < 5000 && ok(make(n + 1))) n++;
    return n;
  };
  const text = (n: number) => "长".repeat(n);
  const number = (n: number) => `1${"0".repeat(n - 1)}`; // 1, 10, 100, …: the widest number that still reads

  let limits: Record<string, Record<string, number>> = {};
  beforeAll(async () => {
    const { campaignFieldsSchema } = await import("~/campaigns/campaigns.server");
    const { nominateSchema, decideSchema } = await import("~/campaigns/nominations.server");
    const { tieSchema } = await import("~/campaigns/results.server");
    const create = { ...futureForm(), cat1Rule: "1" };
    // A category row is read only when it has a name, so each row's cells are probed in a named row.
    const rows = Object.fromEntries([2, 3, 4].flatMap((i) => [[`cat${i}Name`, `类别${i}`], [`cat${i}Kind`, "member"], [`cat${i}Winners`, "1"], [`cat${i}Rule`, "1"]]));
    const createField = (name: string, make: (n: number) => string) => longest(takes(campaignFieldsSchema as Schema, { ...create, ...rows }, name), make);
    const nominate = { categoryId: "1", nomineeId: "1", reason: "好" };
    const search = 20; // the search box: the server reads the first 20 characters (campaign-pages search, findNominees)
    limits = {
      create: {
        title: createField("title", text), description: createField("description", text), quorum: createField("quorum", number),
        ...Object.fromEntries([1, 2, 3, 4].flatMap((i) => [[`cat${i}Name`, createField(`cat${i}Name`, text)], [`cat${i}Winners`, createField(`cat${i}Winners`, number)]])),
      },
      nominate: { q: search, reason: longest(takes(nominateSchema as Schema, nominate, "reason"), text) },
      decide: { q: search, reason: longest(takes(nominateSchema as Schema, nominate, "reason"), text), note: longest(takes(decideSchema as Schema, { intent: "nomination.reject", nominationId: "1" }, "note"), text) },
      tie: { reason: longest(takes(tieSchema as Schema, { categoryId: "1", picks: ["1"] }, "reason"), text) },
    };
    // The probes found real limits, not the loop's end.
    expect(limits.create).toMatchObject({ title: 40, description: 500, quorum: 3, cat1Name: 12, cat1Winners: 2, cat4Winners: 2 });
    expect(limits.tie.reason).toBe(200);
  });

  /** name → maxlength of every typed-in field of the page (not hidden, choice, date or button inputs). */
  function typedFields(html: string): [string, string | null][] {
    const tags = html.match(/<(?:input|textarea)\b[^>]*>/g) ?? [];
    return tags
      .filter((t) => !/\btype="(?:hidden|checkbox|radio|datetime-local|submit|button)"/.test(t))
      .map((t) => [/\bname="([^"]+)"/.exec(t)?.[1] ?? "", /\bmaxlength="(\d+)"/i.exec(t)?.[1] ?? null]);
  }

  const pages: [string, Who, string][] = [
    ["create", "committee", CREATE],
    ["nominate", "villager", VILLAGER_Y],
    ["decide", "committee", COMMITTEE_Y],
    ["tie", "committee", "/v/1/campaigns/{Z}"],
  ];
  it.each(pages)("%s page (%s)", async (kind, who, url) => {
    const page = await clients.get(who)!.get(fill(url));
    expect(page.status).toBe(200);
    const fields = typedFields(page.text);
    const want = limits[kind];
    // Every field the server limits is on the page (nothing vacuous), and every typed field has the server's limit.
    expect(new Set(fields.map(([name]) => name))).toEqual(new Set(Object.keys(want)));
    for (const [name, max] of fields) expect(`${name} maxlength=${max}`).toBe(`${name} maxlength=${want[name]}`);
  });
});
