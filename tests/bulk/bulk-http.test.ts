// 批量发放 through the production server: only the village's committee opens the pages; preview then
// confirm files the batch and lands on its page; the same confirm sent again lands on the same batch;
// a batch of another village is not found; bad input answers in Chinese with nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { htmlText, shownErrors } from "../support/sweep";

let server: TestServer;
let database: Engine;
let q: Sql;
const clients = new Map<string, Client>();
const PHONES = { committee: "13900000003", committee2: "13900000006", inspector: "13900000004", villager: "13900000001", admin: "13900000005", otherCommittee: "13900000013" };
let v1 = 0;
let v2 = 0;
let grid = 0;
let rule = 0;

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  [v1, v2] = (await q.all<{ id: number }>("select id from villages order by id")).map((r) => r.id);
  grid = (await q.value<number>("select grid_id as id from households where village_id = ? and grid_id is not null order by id limit 1", v1))!;
  // An award rule without caps, so every household of the grid is filed.
  rule = (await q.value<number>(
    "select id from rules where village_id = ? and active = 1 and points > 0 and unit = 'time' and cap_member_day is null and cap_member_month is null and cap_member_year is null and cap_household_day is null and cap_household_month is null and cap_household_year is null order by id limit 1",
    v1,
  ))!;
  expect(rule).toBeGreaterThan(0);
  for (const [who, phone] of Object.entries(PHONES)) {
    const c = new Client(server.url);
    await c.login(phone);
    clients.set(who, c);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

/** The page's words without spaces ("合计 250 分" reads 合计250分). */
const flat = (html: string) => htmlText(html).replace(/\s+/g, "");
const hidden = (html: string, name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? null;
const counts = async () => [
  (await q.value<number>("select count(*) as n from bulk_batches"))!,
  (await q.value<number>("select count(*) as n from claims"))!,
  (await q.value<number>("select count(*) as n from audit_log"))!,
];

describe("bulk award pages", () => {
  it("only the village's committee opens them", async () => {
    for (const [who, status] of [["committee", 200], ["committee2", 200], ["inspector", 403], ["villager", 403], ["admin", 403], ["otherCommittee", 403]] as const) {
      for (const path of [`/v/${v1}/bulk`, `/v/${v1}/bulk/new`]) {
        expect((await clients.get(who)!.get(path)).status, `${who} ${path}`).toBe(status);
      }
    }
    expect((await new Client(server.url).get(`/v/${v1}/bulk`)).status).toBe(302);
  });

  it("preview shows the households and total; confirm files the batch once, however often it is sent; another member approves it", async () => {
    const c = clients.get("committee")!;
    const households = (await q.value<number>("select count(*) as n from households where grid_id = ?", grid))!;
    const withHead = (await q.value<number>("select count(*) as n from households h where h.grid_id = ? and exists (select 1 from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1)", grid))!;
    const points = (await q.value<number>("select points from rules where id = ?", rule))!;
    const preview = await c.post(`/v/${v1}/bulk/new`, { intent: "preview", ruleId: String(rule), mode: "grid", gridId: String(grid), date: "", quantity: "1", note: "大扫除" });
    // An empty date is the claim form's "请选择日期".
    expect(preview.status).toBe(400);
    expect(shownErrors(preview.text)).toContainEqual({ cls: "field-error", id: "b-date-err", text: "请选择日期" });
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const ok = await c.post(`/v/${v1}/bulk/new`, { intent: "preview", ruleId: String(rule), mode: "grid", gridId: String(grid), date: today, quantity: "1", note: "大扫除" });
    expect(ok.status).toBe(200);
    expect(flat(ok.text)).toContain(`合计${withHead * points}分`);
    const key = hidden(ok.text, "key")!;
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const body: Record<string, string> = { intent: "file", key };
    for (const name of ["ruleId", "mode", "gridId", "date", "quantity", "note", "points", "households"]) body[name] = hidden(ok.text, name) ?? "";
    expect(body.households.split(",")).toHaveLength(households);

    const before = await counts();
    const first = await c.post(`/v/${v1}/bulk/new`, body);
    expect(first.status).toBe(302);
    const again = await c.post(`/v/${v1}/bulk/new`, body);
    expect(again.location).toBe(first.location);
    const batchId = Number(/\/bulk\/(\d+)$/.exec(first.location!)![1]);
    const after = await counts();
    expect(after[0] - before[0]).toBe(1);
    expect(after[1] - before[1]).toBe(withHead);

    const page = await c.get(first.location!);
    expect(page.status).toBe(200);
    expect(flat(page.text)).toContain(`登记${withHead}户`);
    // The filer may not approve the batch; the other committee member may.
    expect(page.text).not.toContain('data-testid="bulk-approve-all"');
    const refused = await c.post(first.location!, { intent: "approve_all" });
    expect(refused.status).toBe(400);
    expect(htmlText(refused.text)).toContain("不能审核自己提交的申报");
    const approved = await clients.get("committee2")!.post(first.location!, { intent: "approve_all" });
    expect(approved.status).toBe(200);
    expect(flat(approved.text)).toContain(`已通过${withHead}条`);
    expect(await q.value<number>("select count(*) as n from claims where source_kind = 'bulk' and source_id = ? and status = 'notice'", batchId)).toBe(withHead);

    // Another village's committee, and another village's path, find nothing.
    expect((await clients.get("committee")!.get(`/v/${v2}/bulk/${batchId}`)).status).toBe(403);
    const otherBatch = await clients.get("otherCommittee")!.get(`/v/${v2}/bulk/${batchId}`);
    expect(otherBatch.status).toBe(404);
    for (const bad of ["abc", "-1", "99999999", "１"]) expect((await c.get(`/v/${v1}/bulk/${encodeURIComponent(bad)}`)).status, bad).toBe(404);
  });

  it("a batch still being filed shows its progress and looks again by itself (a meta refresh without JavaScript)", async () => {
    // A batch row as a large batch has it mid-way (no waiting rows: the server's own runs find nothing to file).
    const filer = (await q.value<number>("select id from users where phone = ?", PHONES.committee))!;
    await q.run(
      "insert into bulk_batches (village_id, rule_id, key, filer_user_id, filer_role, chosen, occurred_at, quantity, points, note, households, filed, skipped, status, created_at, updated_at) values (?, ?, 'progress-test-key-0001', ?, 'committee', '全村所有户', ?, 1, 10, '', 2000, 600, 12, 'filing', ?, ?)",
      v1, rule, filer, Date.now() - 60_000, Date.now(), Date.now(),
    );
    const id = (await q.value<number>("select id from bulk_batches where key = 'progress-test-key-0001'"))!;
    const page = await clients.get("committee2")!.get(`/v/${v1}/bulk/${id}`);
    expect(page.status).toBe(200);
    expect(flat(page.text)).toContain("已处理612/2000户");
    expect(flat(page.text)).toContain("正在登记，页面会自动更新。刷新");
    expect(page.text).toMatch(/<noscript><meta http-equiv="refresh" content="3"\/?><\/noscript>/);
    expect(page.text).toContain('aria-valuenow="31"');
    // The list shows it too.
    expect(flat((await clients.get("committee")!.get(`/v/${v1}/bulk`)).text)).toContain("正在登记");
    // Done with it, before the server's scheduler would finish it (and write its audit row) during a later test.
    await q.run("update bulk_batches set status = 'done' where id = ?", id);
  });

  it("bad input on the pages: a Chinese message, nothing written", async () => {
    const c = clients.get("committee")!;
    const before = await counts();
    const cases: [Record<string, string>, string, string][] = [
      [{ intent: "preview", ruleId: String(rule), mode: "list", codes: "Z-NOPE, 不存在的户" }, "b-codes-err", "本村没有这些户号：Z-NOPE、不存在的户"],
      [{ intent: "preview", ruleId: String(rule), mode: "list", codes: "" }, "b-codes-err", "请填写户号名单"],
      [{ intent: "preview", ruleId: "", mode: "all" }, "b-ruleId-err", "请选择加分细则"],
      [{ intent: "preview", ruleId: String(rule), mode: "" }, "b-mode-err", "请选择发给哪些户"],
      [{ intent: "nope" }, "", "请求有误，请刷新页面后再试"],
      [{ intent: "file", key: "x" }, "", "请求有误，请刷新页面后再试"],
      [{}, "", "请求有误，请刷新页面后再试"],
    ];
    for (const [body, id, message] of cases) {
      const r = await c.post(`/v/${v1}/bulk/new`, { date: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10), quantity: "1", ...body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      const shown = shownErrors(r.text);
      expect(shown.some((s) => (id ? s.id === id : s.cls === "form-error") && s.text.includes(message)), JSON.stringify(shown)).toBe(true);
    }
    const huge = await c.post(`/v/${v1}/bulk/new`, { intent: "preview", ruleId: String(rule), mode: "list", codes: "1".repeat(200_000), date: "2026-01-01", quantity: "1" });
    expect(huge.status).toBe(400);
    expect(htmlText(huge.text)).toContain("户号名单太长了");
    const badBatch = await clients.get("committee2")!.post(`/v/${v1}/bulk/999999`, { intent: "approve_all" });
    expect(badBatch.status).toBe(404);
    expect(await counts()).toEqual(before);
    expect(server.errors()).not.toMatch(/Error/);
  });
});
