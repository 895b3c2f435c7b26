// Every length-limited text field of the people/admin forms lets an admin type exactly what the
// server accepts: the page's maxlength is read from the rendered form, a value of that length passes
// the field's own check, and one character more is refused by the server with the field's message.
// (A maxlength wider than the schema lets people type text that is then refused; a narrower one
// cuts them off.) Every post here is refused for another reason, so nothing is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer, signInEach } from "../support/harness";
import { sqlOn } from "../support/sql";
import { appTables, errorPage, shownErrors, tableFingerprints } from "../support/sweep";

type Who = "township_admin" | "village_admin";
const PHONES: Record<Who, string> = { township_admin: "13900000000", village_admin: "13900000005" };

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
const pages = new Map<string, string>(); // url → html, loaded once before any post
let tables: string[] = [];

const fill = (s: string) => s.replace(/\{(\w+)\}/g, (m, k: string) => ids[k] ?? (() => { throw new Error(`unknown ${m}`); })());
const snapshot = async () => [...(await tableFingerprints(database, tables)).values()].join(",");

interface Case {
  name: string;
  who: Who;
  page: string; // where the form is, and where it posts
  field: string;
  label: string; // the field's name in the server's message
  body: Record<string, string>; // the rest of a post that the server refuses for another reason
  /** n characters for the field; by default n × 甲. */
  value?: (n: number) => string;
}

const CASES: Case[] = [
  { name: "new village · name", who: "township_admin", page: "/township", field: "name", label: "村名", body: { code: "!", adminName: "王", adminPhone: "1" } },
  { name: "new village · admin name", who: "township_admin", page: "/township", field: "adminName", label: "管理员姓名", body: { name: "新村", code: "!", adminPhone: "1" } },
  { name: "new household · number", who: "village_admin", page: "/v/{V}/admin/households/new", field: "number", label: "户号", body: { headName: "" } },
  { name: "new household · address", who: "village_admin", page: "/v/{V}/admin/households/new", field: "address", label: "门牌地址", body: { number: "", headName: "王" } },
  { name: "new household · head name", who: "village_admin", page: "/v/{V}/admin/households/new", field: "headName", label: "户主姓名", body: { number: "" } },
  { name: "household · number", who: "village_admin", page: "/v/{V}/admin/households/{H}", field: "number", label: "户号", body: { intent: "household.update", gridId: "abc" } },
  { name: "household · address", who: "village_admin", page: "/v/{V}/admin/households/{H}", field: "address", label: "门牌地址", body: { intent: "household.update", number: "" } },
  { name: "household · new member name", who: "village_admin", page: "/v/{V}/admin/households/{H}", field: "name", label: "姓名", body: { intent: "member.add", relation: "外星人" } },
  { name: "accounts · staff name", who: "village_admin", page: "/v/{V}/admin/users", field: "displayName", label: "姓名", body: { intent: "user.create", phone: "1", roles: "inspector" } },
  // The only other refusal a new grid can meet is a "<" in its name.
  { name: "grids · new grid name", who: "village_admin", page: "/v/{V}/admin/grids", field: "name", label: "网格名称", body: { intent: "grid.create" }, value: (n) => `<${"甲".repeat(n - 1)}` },
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
  const q = sqlOn(database);
  const admin = (await q.get<{ village_id: number }>("select village_id from user_roles r join users u on u.id = r.user_id where u.phone = ? and r.role = 'village_admin'", PHONES.village_admin))!;
  ids.V = String(admin.village_id);
  ids.H = String((await q.get<{ id: number }>("select id from households where village_id = ? order by id limit 1", admin.village_id))!.id);
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

describe("people/admin forms' maxlength matches what the server accepts", () => {
  it.each(CASES)("$name", async (c) => {
    const max = maxLengthOf(pages.get(fill(c.page))!, c.field);
    // Whatever limit the server names: on a form that allows more, even the maxlength is too long.
    const tooLong = new RegExp(`^${c.label}最多 \\d+ 个字$`);
    const send = async (n: number) => {
      const body = new URLSearchParams();
      for (const [k, v] of Object.entries(c.body)) body.append(k, fill(v));
      body.append(c.field, c.value ? c.value(n) : "甲".repeat(n));
      const before = await snapshot();
      const r = await clients.get(c.who)!.post(fill(c.page), body);
      expect(r.status, `${c.name}: ${n} characters`).toBeLessThan(500);
      expect(await snapshot(), `${c.name}: something was written`).toBe(before);
      return messages(r.text);
    };
    const fits = await send(max);
    expect(fits.some((m) => tooLong.test(m)), `${c.name}: ${max} characters (the form's maxlength) are refused: ${fits.join(" | ")}`).toBe(false);
    const over = await send(max + 1);
    expect(over.some((m) => tooLong.test(m)), `${c.name}: ${max + 1} characters are not refused as too long: ${over.join(" | ")}`).toBe(true);
  });
});
