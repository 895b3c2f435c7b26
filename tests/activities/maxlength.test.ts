// Every length-limited field of the activity forms lets the committee type exactly what the server
// accepts: the maxlength is read from the rendered page, a value of that length passes the field's
// own check in the server's schema, and one character more is refused with the field's message.
// (A maxlength wider than the schema lets people type text that is then refused; a narrower one
// cuts them off.) Nothing is posted: the schemas are the ones the actions parse with.
import type { z } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { activityFieldsSchema, manageIntent } from "~/activities/activities.server";
import { openDatabase } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

let server: TestServer;
const pages = new Map<string, string>(); // "new" | "open" | "hourly" → html

interface Case {
  name: string;
  page: "new" | "open" | "hourly";
  field: string;
  value: (n: number) => string;
  /** The form as the action parses it, with the field set to `v`. */
  form: (v: string) => Record<string, string>;
  schema: z.ZodType;
  /** What the server says when the value is too long. */
  message: string;
}

const text = (n: number) => "甲".repeat(n);
const digits = (n: number) => `${"0".repeat(n - 1)}1`;
const hours = (n: number) => "12.5".slice(0, n).padEnd(n, "0");
const tooLong = (label: string) => `${label}最多`;

const ACTIVITY_FIELDS: { field: string; label: string }[] = [
  { field: "title", label: "活动名称" },
  { field: "description", label: "活动说明" },
  { field: "place", label: "地点" },
];

const CASES: Case[] = [
  ...(["new", "open"] as const).flatMap((page): Case[] => [
    ...ACTIVITY_FIELDS.map(({ field, label }): Case => ({
      name: `${page} · ${field}`, page, field, value: text, schema: activityFieldsSchema, form: (v) => ({ [field]: v }), message: tooLong(label),
    })),
    { name: `${page} · capacity`, page, field: "capacity", value: digits, schema: activityFieldsSchema, form: (v) => ({ capacity: v }), message: "名额应为 1 到 1000 的整数" },
  ]),
  { name: "cancel · reason", page: "open", field: "reason", value: text, schema: manageIntent, form: (v) => ({ intent: "activity.cancel", reason: v }), message: tooLong("取消原因") },
  {
    name: "attendance · hours", page: "hourly", field: "hours", value: hours, schema: manageIntent,
    form: (v) => ({ intent: "attend.hours", memberId: "1", hours: v }), message: "小时数应为 0.5 到 24",
  },
];

/** The maxlength of the first input or textarea named `field` on the page. */
function maxLengthOf(html: string, field: string): number {
  const tag = new RegExp(`<(?:input|textarea)\\b[^>]*\\bname="${field}"[^>]*>`).exec(html);
  if (!tag) throw new Error(`no field ${field} on the page`);
  const max = /\bmaxlength="(\d+)"/i.exec(tag[0]);
  if (!max) throw new Error(`field ${field} has no maxlength`);
  return Number(max[1]);
}

/** The messages the schema gives for the field itself (the rest of the form is left empty on purpose). */
function fieldMessages(c: Case, n: number): string[] {
  const parsed = c.schema.safeParse(c.form(c.value(n)));
  return parsed.success ? [] : parsed.error.issues.filter((i) => i.path[0] === c.field).map((i) => i.message);
}

beforeAll(async () => {
  server = await startServer();
  const database = openDatabase(server.database);
  const one = async (sql: string, ...params: unknown[]) => (await sqlOn(database).get<{ village_id: number; id: number }>(sql, ...params))!;
  // The demo's open activities: one still taking sign-ups, and the hourly one under way with people checked in.
  const open = await one("select village_id, id from activities where status = 'open' and title = '清扫村道' order by id limit 1");
  const hourly = await one("select village_id, id from activities where status = 'open' and title = '垃圾分类宣传' and village_id = ? order by id limit 1", open.village_id);
  await database.close();
  const committee = new Client(server.url);
  await committee.login("13900000003");
  for (const [key, path] of [
    ["new", `/v/${open.village_id}/activities/new`],
    ["open", `/v/${open.village_id}/activities/${open.id}`],
    ["hourly", `/v/${hourly.village_id}/activities/${hourly.id}`],
  ] as const) {
    const r = await committee.get(path);
    expect(r.status, path).toBe(200);
    pages.set(key, r.text);
  }
});
afterAll(async () => {
  await server?.stop();
});

describe("activity forms' maxlength matches what the server accepts", () => {
  it.each(CASES)("$name", (c) => {
    const max = maxLengthOf(pages.get(c.page)!, c.field);
    const fits = fieldMessages(c, max);
    expect(fits.some((m) => m.includes(c.message)), `${c.name}: ${max} characters (the form's maxlength) are refused: ${fits.join(" | ")}`).toBe(false);
    const over = fieldMessages(c, max + 1);
    expect(over.some((m) => m.includes(c.message)), `${c.name}: ${max + 1} characters are not refused as too long: ${over.join(" | ")}`).toBe(true);
  });
});
