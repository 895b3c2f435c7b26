// The printables through the production server on the demo township: who may open which passbook
// and ranking, what odd query strings do (never a 500), a grid printed one sheet per household of
// that grid only, and the village's name setting taking effect on the poster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { maskName } from "~/printables/labels";
import { Client, signInEach, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { errorPage, htmlText, shownErrors } from "../support/sweep";

const PHONES = {
  villager: "13900000001", // head of a household in village 1
  keeper: "13900000002", // store keeper of village 1, no household
  committee: "13900000003",
  admin: "13900000005",
  township: "13900000000",
} as const;
type Who = keyof typeof PHONES;

let server: TestServer;
let database: Engine;
let q: Sql;
let clients: Map<Who, Client>;
const ids = { v1: 0, v2: 0, own: 0, ownNumber: "", ownGrid: 0, otherGrid: 0, v2Household: 0, v2Grid: 0 };
const sheets = (html: string) => [...html.matchAll(/data-testid="passbook-sheet" data-household="(\d+)"/g)].map((m) => Number(m[1]));

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  clients = await signInEach(server.url, PHONES);
  const [v1, v2] = (await q.all<{ id: number }>("select id from villages order by id")).map((v) => v.id);
  const own = (await q.get<{ id: number; number: string; grid_id: number }>(
    "select h.id, h.number, h.grid_id from users u join members m on m.id = u.member_id join households h on h.id = m.household_id where u.phone = ?",
    PHONES.villager,
  ))!;
  Object.assign(ids, {
    v1, v2, own: own.id, ownNumber: own.number, ownGrid: own.grid_id,
    otherGrid: (await q.get<{ id: number }>("select id from grids where village_id = ? and id <> ? order by id limit 1", v1, own.grid_id))!.id,
    v2Household: (await q.get<{ id: number }>("select id from households where village_id = ? order by id limit 1", v2))!.id,
    v2Grid: (await q.get<{ id: number }>("select id from grids where village_id = ? order by id limit 1", v2))!.id,
  });
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

const get = (who: Who, path: string) => clients.get(who)!.get(path);

describe("积分存折 over HTTP", () => {
  it("shows a villager their own household, whatever household a link names", async () => {
    const r = await get("villager", `/passbook?household=${ids.v2Household}`);
    expect(r.status).toBe(200);
    expect(sheets(r.text)).toEqual([ids.own]);
    expect(htmlText(r.text)).toContain(`户号${ids.ownNumber}`);
  });

  it("links the rankings from the notice board for those who may open them, not for a keeper without a household", async () => {
    const link = `href="/v/${ids.v1}/rankings"`;
    expect((await get("villager", `/v/${ids.v1}/notice`)).text).toContain(link);
    expect((await get("committee", `/v/${ids.v1}/notice`)).text).toContain(link);
    const keeper = await get("keeper", `/v/${ids.v1}/notice`);
    expect(keeper.status).toBe(200);
    expect(keeper.text).not.toContain(link);
    expect((await get("keeper", `/v/${ids.v1}/rankings`)).status).toBe(403);
  });

  it("refuses the village's printing page to villagers and keepers, and another village's to its admin", async () => {
    expect((await get("villager", `/v/${ids.v1}/passbook?household=${ids.own}`)).status).toBe(403);
    expect((await get("keeper", `/v/${ids.v1}/passbook`)).status).toBe(403);
    expect((await get("admin", `/v/${ids.v2}/passbook?household=${ids.v2Household}`)).status).toBe(403);
    expect((await get("committee", `/v/${ids.v1}/passbook?household=${ids.own}`)).status).toBe(200);
    expect((await get("township", `/v/${ids.v2}/passbook?household=${ids.v2Household}`)).status).toBe(200);
  });

  it("answers a household or grid of another village, or an id that is no id, with 404", async () => {
    for (const path of [
      `?household=${ids.v2Household}`, `?grid=${ids.v2Grid}`, "?household=abc", "?household=-1", "?grid=1e3", "?household=99999999", `?household=${"9".repeat(40)}`, "?grid=<b>1</b>",
    ]) {
      const r = await get("admin", `/v/${ids.v1}/passbook${path}`);
      expect(r.status, path).toBe(404);
      expect(errorPage(r.text), path).toContain("找不到");
    }
    expect((await get("township", "/v/99999999/passbook")).status).toBe(404);
  });

  it("says in Chinese when no household has the 户号 typed, and sends no markup back", async () => {
    for (const number of ["没有这户", "<script>alert(1)</script>", "长".repeat(300)]) {
      const r = await get("admin", `/v/${ids.v1}/passbook?${new URLSearchParams({ number })}`);
      expect(r.status).toBe(404);
      const shown = shownErrors(r.text);
      expect(shown.find((s) => s.id === "pb-number-err")?.text).toMatch(/本村没有户号为.*的住户/);
      expect(r.text).not.toContain("<script>alert(1)</script>");
    }
    const found = await get("admin", `/v/${ids.v1}/passbook?number=${encodeURIComponent(ids.ownNumber)}&by=number&grid=${ids.otherGrid}`);
    expect(sheets(found.text)).toEqual([ids.own]);
    // The choosing form sends both fields; the button pressed says which counts.
    const grid = await get("admin", `/v/${ids.v1}/passbook?number=${encodeURIComponent(ids.ownNumber)}&by=grid&grid=${ids.otherGrid}`);
    expect(sheets(grid.text)).not.toContain(ids.own);
    expect(sheets(grid.text).length).toBeGreaterThan(0);
    for (const [number, msg] of [["", "请填写户号"], ["  ", "请填写户号"], ["0\u200b01", "户号不能包含看不见的特殊字符"]]) {
      const r = await get("admin", `/v/${ids.v1}/passbook?${new URLSearchParams({ number, by: "number", grid: String(ids.ownGrid) })}`);
      expect(r.status).toBe(400);
      expect(shownErrors(r.text).find((s) => s.id === "pb-number-err")?.text).toContain(msg);
      expect(r.text).not.toContain("\u200b");
    }
  });

  it("falls back to this year and A4 for a year or paper that is not on offer", async () => {
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    for (const query of ["year=abc", "year=1999", "year=99999", `year=${year + 1}`, "year=-2026", "size=A9", "size=<b>", "page=-1", "page=abc", `page=${"9".repeat(30)}`]) {
      const r = await get("villager", `/passbook?${query}`);
      expect(r.status, query).toBe(200);
      expect(htmlText(r.text), query).toContain(`${year} 年度`);
      expect(r.text, query).toContain('data-size="A');
    }
    expect((await get("villager", "/passbook?size=a5")).text).toContain('data-size="A5"');
    expect(htmlText((await get("villager", `/passbook?year=${year - 1}`)).text)).toContain(`${year - 1} 年度`);
  });

  it("prints a grid as one sheet per household of that grid, and no other household", async () => {
    const inGrid = (await q.all<{ id: number }>("select id from households where village_id = ? and grid_id = ? order by number", ids.v1, ids.ownGrid)).map((h) => h.id);
    const printed: number[] = [];
    for (let page = 1; page <= 10; page++) {
      const r = await get("committee", `/v/${ids.v1}/passbook?grid=${ids.ownGrid}&page=${page}`);
      expect(r.status).toBe(200);
      const got = sheets(r.text);
      if (got.length === 0 || printed.includes(got[0])) break;
      printed.push(...got);
    }
    expect(printed).toEqual(inGrid);
    expect(new Set(printed).size).toBe(printed.length);
  });
});

describe("积分排行 over HTTP", () => {
  it("lets a villager see their own village and their own grid, nothing else", async () => {
    const village = await get("villager", `/v/${ids.v1}/rankings`);
    expect(village.status).toBe(200);
    expect(village.text).toContain('data-testid="ranking-mine"');
    expect((await get("villager", `/v/${ids.v1}/rankings?grid=${ids.ownGrid}`)).status).toBe(200);
    expect((await get("villager", `/v/${ids.v1}/rankings/poster?grid=${ids.ownGrid}`)).status).toBe(200);
    expect((await get("villager", `/v/${ids.v1}/rankings?grid=${ids.otherGrid}`)).status).toBe(404);
    expect((await get("villager", `/v/${ids.v1}/rankings/poster?grid=${ids.otherGrid}`)).status).toBe(404);
    for (const path of [`/v/${ids.v2}/rankings`, `/v/${ids.v2}/rankings/poster`, `/v/${ids.v2}/rankings?grid=${ids.v2Grid}`]) {
      const r = await get("villager", path);
      expect(r.status, path).toBe(403);
      expect(r.text).toContain("没有权限");
    }
    expect((await get("keeper", `/v/${ids.v1}/rankings`)).status).toBe(403);
  });

  it("lets the committee choose any grid of its village, and the township admin any village", async () => {
    expect((await get("committee", `/v/${ids.v1}/rankings?grid=${ids.otherGrid}`)).status).toBe(200);
    expect((await get("committee", `/v/${ids.v1}/rankings?grid=${ids.v2Grid}`)).status).toBe(404);
    expect((await get("committee", `/v/${ids.v2}/rankings`)).status).toBe(403);
    expect((await get("township", `/v/${ids.v2}/rankings/poster?grid=${ids.v2Grid}`)).status).toBe(200);
    expect((await get("township", "/v/99999999/rankings")).status).toBe(404);
    for (const grid of ["abc", "-1", "1e3", "<b>", "9".repeat(40)]) expect((await get("committee", `/v/${ids.v1}/rankings?grid=${encodeURIComponent(grid)}`)).status, grid).toBe(404);
    for (const query of ["year=abc", "year=1800", "page=0", "page=99999", "grid="]) expect((await get("committee", `/v/${ids.v1}/rankings?${query}`)).status, query).toBe(200);
  });

  it("shows masked names until the village admin chooses full names on the settings page", async () => {
    const top = await q.get<{ name: string }>(
      `select m.name from households h join accounts a on a.household_id = h.id join account_scores s on s.account_id = a.id and s.year = ?
       join members m on m.household_id = h.id and m.is_head = 1 and m.active = 1
       where h.village_id = ? and length(m.name) > 2
         -- not the name of a viewer below: the page's header shows who is signed in
         and m.name not in (select display_name from users where phone in (?, ?))
       order by s.score desc limit 1`,
      new Date(Date.now() + 8 * 3_600_000).getUTCFullYear(),
      ids.v1,
      PHONES.villager,
      PHONES.committee,
    );
    expect(top, "a head with a name of three characters has a score this year").toBeDefined();
    const poster = async () => htmlText((await get("committee", `/v/${ids.v1}/rankings/poster`)).text);
    const list = async () => htmlText((await get("villager", `/v/${ids.v1}/rankings`)).text);
    expect(await poster()).toContain(maskName(top!.name));
    expect(await poster()).not.toContain(top!.name);
    const settings = await get("admin", `/v/${ids.v1}/admin/settings`);
    expect(settings.text).toMatch(/<option value="masked" selected/);

    const audits = async () => (await q.value<number>("select count(*) as n from audit_log where action = 'village.settings'"))!;
    const before = await audits();
    const saved = await clients.get("admin")!.post(`/v/${ids.v1}/admin/settings`, { noticeDays: "3", approvalsNeeded: "1", rankingNames: "full", expiryMode: "never", expiryMonths: "12", expiryNoticeDays: "30" });
    expect(saved.status).toBe(200);
    expect(await q.value<number>("select ranking_full_names from villages where id = ?", ids.v1)).toBe(1);
    expect(await audits()).toBe(before + 1);
    // The village's audit page says what changed in words, not the stored value.
    expect(htmlText((await get("admin", `/v/${ids.v1}/admin/audit`)).text)).toMatch(/排行榜上的姓名：隐去中间的字\s*→\s*全名/);
    expect(await poster()).toContain(top!.name);
    expect(await list()).toContain(top!.name);
    // Another village keeps its own choice.
    expect(await q.value<number>("select ranking_full_names from villages where id = ?", ids.v2)).toBe(0);

    // A choice that is not on the list changes nothing.
    for (const rankingNames of ["", "FULL", "1", "<b>full</b>", "full\u200b", "长".repeat(10000)]) {
      const bad = await clients.get("admin")!.post(`/v/${ids.v1}/admin/settings`, { noticeDays: "3", approvalsNeeded: "1", rankingNames });
      expect(bad.status).toBe(400);
      expect(shownErrors(bad.text).find((s) => s.id === "f-rankingNames-err")?.text).toBe("请选择积分排行上姓名怎样显示");
    }
    const missing = await clients.get("admin")!.post(`/v/${ids.v1}/admin/settings`, { noticeDays: "3", approvalsNeeded: "1" });
    expect(missing.status).toBe(400);
    expect(await q.value<number>("select ranking_full_names from villages where id = ?", ids.v1)).toBe(1);
    expect(await audits()).toBe(before + 1);

    const back = await clients.get("admin")!.post(`/v/${ids.v1}/admin/settings`, { noticeDays: "3", approvalsNeeded: "1", rankingNames: "masked", expiryMode: "never", expiryMonths: "12", expiryNoticeDays: "30" });
    expect(back.status).toBe(200);
    expect(await poster()).not.toContain(top!.name);
    // The committee cannot change it.
    expect((await clients.get("committee")!.post(`/v/${ids.v1}/admin/settings`, { noticeDays: "3", approvalsNeeded: "1", rankingNames: "full" })).status).toBe(403);
    expect(await q.value<number>("select ranking_full_names from villages where id = ?", ids.v1)).toBe(0);
  });
});
