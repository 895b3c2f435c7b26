// The exports through the production server: the page's form answered by a redirect to the file,
// the file's headers (type, Chinese name with an ASCII fallback), its rows against the database,
// who may export what, the audit page showing the export in Chinese, and bad input answered with a
// Chinese 400 that writes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { htmlText } from "../support/sweep";
import { readCsv, readXlsx } from "./read-back";

const PHONES = { villager: "13900000001", committee: "13900000003", village_admin: "13900000005", township_admin: "13900000000" } as const;
type Who = keyof typeof PHONES;

let server: TestServer;
let database: Engine;
let q: Sql;
let clients: Map<Who, Client>;
let own: { id: number; name: string };
let other: { id: number; name: string };
let villageNames: string[];

// The last year up to today (China time): the demo's history, whatever its figures.
const DAY = 86_400_000;
const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const TO = chinaDay(Date.now());
const FROM = chinaDay(Date.now() - 364 * DAY);
const START = Date.parse(`${FROM}T00:00:00+08:00`);
const UNTIL = Date.parse(`${TO}T00:00:00+08:00`) + DAY;
const range = (format: "csv" | "xlsx") => `from=${FROM}&to=${TO}&format=${format}`;

async function download(who: Who, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer; text: string }> {
  const c = clients.get(who)!;
  const res = await fetch(server.url + path, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") }, redirect: "manual" });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString("utf8") };
}

const audits = async () => Number(await q.value("select count(*) from audit_log"));

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  const villages = await q.all<{ id: number; name: string }>("select id, name from villages order by id");
  [own, other] = villages;
  villageNames = villages.map((v) => v.name);
  clients = await signInEach(server.url, PHONES);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("the village's ledger file", () => {
  it("is the village's entries of the range, CSV and xlsx, with a Chinese file name and an ASCII fallback", async () => {
    const expected = await q.all<{ id: number; amount: number }>(
      "select e.id, e.amount from ledger_entries e join accounts a on a.id = e.account_id where a.village_id = ? and e.created_at >= ? and e.created_at < ? order by e.id",
      own.id, START, UNTIL,
    );
    expect(expected.length).toBeGreaterThan(0);
    const csv = await download("village_admin", `/v/${own.id}/exports/ledger?${range("csv")}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const name = `${own.name}积分流水_${FROM}至${TO}.csv`;
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="jifen-ledger-${FROM}-${TO}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`);
    const sheet = readCsv(csv.bytes);
    expect(sheet.rows.map((r) => Number(r["流水号"]))).toEqual(expected.map((e) => Number(e.id)));
    expect(sheet.rows.reduce((s, r) => s + Number(r["积分变动"]), 0)).toBe(expected.reduce((s, e) => s + Number(e.amount), 0));

    const xlsx = await download("committee", `/v/${own.id}/exports/ledger?${range("xlsx")}`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.headers.get("content-disposition")).toContain(`filename*=UTF-8''${encodeURIComponent(`${own.name}积分流水_${FROM}至${TO}.xlsx`)}`);
    const book = await readXlsx(xlsx.bytes);
    expect(book.rows.map((r) => r["流水号"])).toEqual(expected.map((e) => Number(e.id)));
  });

  it("is written to the audit log, which the audit page shows in Chinese", async () => {
    const before = await audits();
    const r = await download("village_admin", `/v/${own.id}/exports/households?${range("csv")}`);
    expect(r.status).toBe(200);
    expect(await audits()).toBe(before + 1);
    const row = await q.get<{ action: string; village_id: number; actor: string; after_json: string }>(
      "select a.action, a.village_id, u.phone as actor, a.after_json from audit_log a join users u on u.id = a.actor_user_id order by a.id desc limit 1",
    );
    expect(row).toMatchObject({ action: "export.households", village_id: own.id, actor: PHONES.village_admin });
    expect(JSON.parse(row!.after_json)).toEqual({ from: FROM, to: TO, format: "csv", scope: "village" });
    const page = await clients.get("village_admin")!.get(`/v/${own.id}/admin/audit`);
    expect(page.status).toBe(200);
    // The newest entry: the first of the list.
    const first = htmlText(/<ul class="audit">\s*<li>([\s\S]*?)<\/ul>\s*<\/li>/.exec(page.text)?.[1] ?? "");
    for (const words of ["导出住户积分", `村：${own.name}`, "开始日期：", FROM, "结束日期：", "文件格式：CSV 表格", "导出范围：本村"]) expect(first).toContain(words);
  });
});

describe("a HEAD request for a file", () => {
  it("gets the file's headers, and neither reads nor logs anything", async () => {
    const before = await audits();
    const c = clients.get("village_admin")!;
    const res = await fetch(`${server.url}/v/${own.id}/exports/orders?${range("xlsx")}`, { method: "HEAD", headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain(encodeURIComponent(`${own.name}兑换单_${FROM}至${TO}.xlsx`));
    expect(await audits()).toBe(before);
  });
});

describe("the export page", () => {
  it("shows the form, and sends a full choice on to the file", async () => {
    const admin = clients.get("village_admin")!;
    const page = await admin.get(`/v/${own.id}/exports`);
    expect(page.status).toBe(200);
    for (const words of ["导出表格", "积分流水", "住户积分", "积分申报", "兑换单", "月度结算", "下载 Excel 表格", "下载 CSV 表格"]) expect(page.text).toContain(words);
    const before = await audits();
    const go = await admin.get(`/v/${own.id}/exports?kind=claims&from=${FROM}&to=${TO}&format=xlsx`);
    expect(go.status).toBe(302);
    expect(go.location).toBe(`/v/${own.id}/exports/claims?from=${FROM}&to=${TO}&format=xlsx`);
    expect(await audits()).toBe(before); // the redirect exports nothing yet
  });

  it("answers a bad choice with the form and a Chinese message on the field, 400, and writes nothing", async () => {
    const before = await audits();
    const page = await clients.get("committee")!.get(`/v/${own.id}/exports?kind=ledger&from=2026-03-09&to=2026-03-08&format=csv`);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/<p class="field-error" id="f-to-err">开始日期不能晚于结束日期<\/p>/);
    expect(await audits()).toBe(before);
  });

  it("lets the township pick one village or the whole township", async () => {
    const township = clients.get("township_admin")!;
    const page = await township.get("/township/exports");
    expect(page.status).toBe(200);
    for (const name of villageNames) expect(page.text).toContain(`>${name}</option>`);
    const go = await township.get(`/township/exports?village=${other.id}&kind=orders&from=${FROM}&to=${TO}&format=csv`);
    expect(go.location).toBe(`/township/exports/orders?from=${FROM}&to=${TO}&format=csv&village=${other.id}`);
    const bad = await township.get(`/township/exports?village=99999999&kind=orders&from=${FROM}&to=${TO}&format=csv`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="f-village-err">请从列表中选择村</p>');
  });
});

describe("who may export what", () => {
  it("a village's admin and committee their own village only; a villager nothing", async () => {
    const path = (v: number) => `/v/${v}/exports/claims?${range("csv")}`;
    expect((await download("village_admin", path(own.id))).status).toBe(200);
    expect((await download("committee", path(own.id))).status).toBe(200);
    const before = await audits();
    for (const [who, v] of [["village_admin", other.id], ["committee", other.id], ["villager", own.id]] as const) {
      const r = await download(who, path(v));
      expect(r.status, `${who} → village ${v}`).toBe(403);
      expect(r.text).toContain("没有权限");
      expect((await download(who, `/township/exports/claims?${range("csv")}`)).status).toBe(403);
    }
    expect(await audits()).toBe(before);
  });

  it("the township admin any village, or every village in one file with a 村 column, logged in each village", async () => {
    expect((await download("township_admin", `/v/${other.id}/exports/settlements?${range("csv")}`)).status).toBe(200);
    const before = await audits();
    const r = await download("township_admin", `/township/exports/ledger?${range("csv")}`);
    expect(r.status).toBe(200);
    const sheet = readCsv(r.bytes);
    expect(sheet.header[0]).toBe("村");
    const expected = await q.all<{ id: number; village: string }>(
      "select e.id, v.name as village from ledger_entries e join accounts a on a.id = e.account_id join villages v on v.id = a.village_id where e.created_at >= ? and e.created_at < ? order by e.id",
      START, UNTIL,
    );
    expect(sheet.rows.map((x) => [Number(x["流水号"]), x["村"]])).toEqual(expected.map((e) => [Number(e.id), e.village]));
    expect(new Set(sheet.rows.map((x) => x["村"]))).toEqual(new Set(expected.map((e) => e.village)));
    expect(await audits()).toBe(before + villageNames.length);
    const township = (await q.value<string>("select name from townships order by id limit 1")) || "全乡镇";
    expect(r.headers.get("content-disposition")).toContain(encodeURIComponent(`${township}积分流水_${FROM}至${TO}.csv`));
    const one = readCsv((await download("township_admin", `/township/exports/households?${range("csv")}&village=${other.id}`)).bytes);
    expect(new Set(one.rows.map((x) => x["村"]))).toEqual(new Set([other.name]));
    expect(one.rows.length).toBe(Number(await q.value("select count(*) from households where village_id = ?", other.id)));
  });
});

describe("a file's address with bad input", () => {
  it.each([
    { name: "from after to", path: `/v/{own}/exports/ledger?from=2026-03-09&to=2026-03-08&format=csv`, status: 400, words: "开始日期不能晚于结束日期" },
    { name: "more than three years", path: `/v/{own}/exports/ledger?from=2020-01-01&to=2023-01-01&format=csv`, status: 400, words: "一次最多导出 3 年" },
    { name: "no such day", path: `/v/{own}/exports/orders?from=2026-02-30&to=2026-03-08&format=xlsx`, status: 400, words: "日期格式应为 年-月-日" },
    { name: "no dates", path: `/v/{own}/exports/orders?format=xlsx`, status: 400, words: "请选择开始日期" },
    { name: "markup for a date", path: `/v/{own}/exports/orders?from=%3Cscript%3E&to=2026-03-08&format=xlsx`, status: 400, words: "日期格式应为 年-月-日" },
    { name: "an unknown format", path: `/v/{own}/exports/orders?from=2026-03-01&to=2026-03-08&format=pdf`, status: 400, words: "请选择文件格式" },
    { name: "an unknown export", path: `/v/{own}/exports/passwords?from=2026-03-01&to=2026-03-08&format=csv`, status: 404, words: "没有这种导出" },
    { name: "a township file for no village", path: `/township/exports/ledger?from=2026-03-01&to=2026-03-08&format=csv&village=abc`, status: 400, words: "请从列表中选择村" },
  ])("$name → $status with a Chinese page, nothing written", async ({ path, status, words }) => {
    const before = await audits();
    const r = await download("township_admin", path.replace("{own}", String(own.id)));
    expect(r.status).toBe(status);
    expect(r.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(r.text).toContain(`错误 ${status}`);
    expect(r.text).toContain(words);
    expect(r.text).not.toContain("<script>");
    expect(await audits()).toBe(before);
  });
});
