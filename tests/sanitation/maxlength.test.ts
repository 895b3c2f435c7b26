// Every length-limited field of the sanitation forms lets a user type exactly what the server accepts:
// the page's maxlength is read from the rendered form, a value of that length passes the field's own
// check, and one character more is refused by the server with the field's message. (A maxlength
// wider than the schema lets people type text that is then refused; a narrower one cuts them off.)
// Every post here is refused for another reason, so nothing is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer, signInEach } from "../support/harness";
import { sqlOn } from "../support/sql";
import { appTables, errorPage, shownErrors, tableFingerprints } from "../support/sweep";

type Who = "villager" | "inspector" | "committee" | "village_admin";
const PHONES: Record<Who, string> = { villager: "13900000001", inspector: "13900000004", committee: "13900000003", village_admin: "13900000005" };

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
const pages = new Map<string, string>(); // url → html, loaded once before any post
let tables: string[] = [];

const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args)) as T;
const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? (() => { throw new Error(`unknown ${m}`); })());
const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");

interface Case {
  name: string;
  who: Who;
  page: string; // where the form is
  post?: string; // where it posts, when not the page itself
  field: string;
  kind: "text" | "digits";
  body: Record<string, string>; // the rest of a post that the server refuses for another reason
  message: (max: number) => string; // what the server says when the value is too long
}

const text = (label: string) => (max: number) => `${label}最多 ${max} 个字`;
const digits = (message: string) => () => message;
const value = (kind: Case["kind"], n: number) => (kind === "text" ? "甲".repeat(n) : `${"0".repeat(n - 1)}1`);

const CASES: Case[] = [
  ...["/v/{V}/admin/checklists/new", "/v/{V}/admin/checklists/{CL}"].flatMap((page): Case[] => [
    { name: `${page} · name`, who: "village_admin", page, field: "name", kind: "text", body: { intent: "checklist.save" }, message: text("检查表名称") },
    { name: `${page} · item name`, who: "village_admin", page, field: "item0Name", kind: "text", body: { intent: "checklist.save", item0Max: "10" }, message: text("检查项目") },
    { name: `${page} · item full marks`, who: "village_admin", page, field: "item0Max", kind: "digits", body: { intent: "checklist.save", item0Name: "庭院整洁" }, message: digits("满分应为 1 到 100 的整数") },
    { name: `${page} · tier name`, who: "village_admin", page, field: "tier0Name", kind: "text", body: { intent: "checklist.save", tier0Min: "0" }, message: text("档次名称") },
    { name: `${page} · tier minimum`, who: "village_admin", page, field: "tier0Min", kind: "digits", body: { intent: "checklist.save", tier0Name: "优秀" }, message: digits("起评分应为 0 到 1000 的整数") },
  ]),
  { name: "new round · title", who: "committee", page: "/v/{V}/rounds/new", field: "title", kind: "text", body: {}, message: text("评比名称") },
  { name: "round · send-back reason", who: "committee", page: "/v/{V}/rounds/{OPEN}", field: "reason", kind: "text", body: { intent: "inspection.return", householdId: "{UNSCORED}" }, message: text("退回原因") },
  { name: "round · decline note", who: "committee", page: "/v/{V}/rounds/{PUB}", field: "note", kind: "text", body: { intent: "request.decline", requestId: "999999999" }, message: text("不同意的理由") },
  { name: "score · item score", who: "inspector", page: "/v/{V}/rounds/{OPEN}/score/{SH}", field: "s0", kind: "digits", body: { intent: "score", version: "0" }, message: digits("庭院整洁应为 0 到 25 的整数") },
  { name: "score · note", who: "inspector", page: "/v/{V}/rounds/{OPEN}/score/{SH}", field: "note", kind: "text", body: { intent: "score", version: "0" }, message: text("备注") },
  { name: "score · absent reason", who: "inspector", page: "/v/{V}/rounds/{OPEN}/score/{SH}", field: "reason", kind: "text", body: { intent: "absent", version: "abc" }, message: text("未检查原因") },
  { name: "recusal · household number", who: "inspector", page: "/v/{V}/rounds/recusals", field: "number", kind: "digits", body: { intent: "recusal.add", relation: "" }, message: digits("户号只含数字或字母") },
  { name: "recusal · relation", who: "inspector", page: "/v/{V}/rounds/recusals", field: "relation", kind: "text", body: { intent: "recusal.add", number: "" }, message: text("亲属关系") },
  { name: "re-inspection · reason", who: "villager", page: "/inspections", field: "reason", kind: "text", body: { roundId: "{OPEN}" }, message: text("复查理由") },
];

/** The maxlength of the first input or textarea named `field` on the page. */
function maxLengthOf(html: string, field: string): number {
  const tag = new RegExp(`<(?:input|textarea)\\b[^>]*\\bname="${field}"[^>]*>`).exec(html);
  if (!tag) throw new Error(`no field ${field} on the page`);
  const max = /\bmaxlength="(\d+)"/i.exec(tag[0]);
  if (!max) throw new Error(`field ${field} has no maxlength`);
  return Number(max[1]);
}

const messages = (html: string) => [...shownErrors(html).map((e) => e.text), errorPage(html) ?? ""];

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  for (const [who, c] of await signInEach(server.url, PHONES)) clients.set(who, c);
  const v = (await one<{ id: number }>("select id from villages order by id limit 1")).id;
  const round = async (status: string) => (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = ? order by id desc limit 1", v, status)).id;
  const inspector = await one<{ household_id: number }>("select m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.inspector);
  Object.assign(ids, { V: String(v), OPEN: String(await round("open")), PUB: String(await round("published")), CL: String((await one<{ id: number }>("select id from checklists where village_id = ? order by id", v)).id) });
  ids.SH = String((await one<{ id: number }>(
    `select h.id from households h join round_inspectors ri on ri.grid_id = h.grid_id and ri.round_id = ?
     where h.id <> ? and not exists (select 1 from inspections i where i.round_id = ri.round_id and i.household_id = h.id) order by h.number limit 1`,
    Number(ids.OPEN), inspector.household_id,
  )).id);
  ids.UNSCORED = ids.SH;
  // The villager's page shows the re-inspection form only before asking; the committee's decline form only after.
  pages.set("/inspections", (await clients.get("villager")!.get("/inspections")).text);
  expect((await clients.get("villager")!.post("/inspections", new URLSearchParams({ roundId: ids.PUB, reason: "那天刚好在翻修院子" }))).status).toBe(200);
  for (const c of CASES) {
    const url = fill(c.page);
    if (!pages.has(url)) pages.set(url, (await clients.get(c.who)!.get(url)).text);
  }
  tables = await appTables(database);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("sanitation forms' maxlength matches what the server accepts", () => {
  it.each(CASES)("$name", async (c) => {
    const max = maxLengthOf(pages.get(fill(c.page))!, c.field);
    const send = async (n: number) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(c.body)) body.append(k, fill(v));
      body.append(c.field, value(c.kind, n));
      const before = await snapshot();
      const r = await clients.get(c.who)!.post(fill(c.post ?? c.page), body);
      expect(r.status, `${c.name}: ${n} characters`).toBeLessThan(500);
      expect(await snapshot(), `${c.name}: something was written`).toBe(before);
      return messages(r.text);
    };
    const fits = await send(max);
    expect(fits.some((m) => m.includes(c.message(max))), `${c.name}: ${max} characters (the form's maxlength) are refused: ${fits.join(" | ")}`).toBe(false);
    const over = await send(max + 1);
    expect(over.some((m) => m.includes(c.message(max))), `${c.name}: ${max + 1} characters are not refused as too long: ${over.join(" | ")}`).toBe(true);
  });
});
