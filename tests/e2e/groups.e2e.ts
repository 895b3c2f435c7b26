// 我的联户 at 390×844: the demo 联户长 13900000007 opens his group from the menu (志愿互助), sees its households
// with 无手机 marked and no balances, opens a household without a phone and files a claim for its head
// (pending review, filed as 联户长; also without JavaScript); the village admin turns balances on in the
// settings and the leader sees them; the admin's 联户 pages fit the phone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let db: Engine;
let q: Sql;
let group = 0;
let noPhone = 0;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  db = openDatabase(server.database);
  q = sqlOn(db);
  group = (await q.value<number>("select g.id from household_groups g join users u on u.id = g.leader_user_id where u.phone = '13900000007'"))!;
  // A household of his group where nobody has a phone number on file.
  noPhone = (await q.value<number>(
    "select h.id from households h where h.group_id = ? and not exists (select 1 from members m where m.household_id = h.id and m.phone is not null) order by h.number limit 1",
    group,
  ))!;
});
afterAll(async () => {
  await db?.close();
  await browser?.close();
  await server?.stop();
});

async function fitsWidth(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

async function tallTargets(page: Page, selector: string): Promise<void> {
  const boxes = await page.locator(selector).evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.getBoundingClientRect().height));
  expect(boxes.length).toBeGreaterThan(0);
  for (const h of boxes) expect(h).toBeGreaterThanOrEqual(44);
}

describe("我的联户 on a phone", () => {
  it("opens from the menu and lists the group's households with 无手机 marked and no balances", async () => {
    expect(noPhone).toBeGreaterThan(0);
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000007");
    // 我的联户 is a tile behind the menu's 志愿互助.
    await page.locator("nav.mainnav").getByRole("link", { name: "志愿互助" }).click();
    await page.waitForURL(/\/together$/);
    await shot(page, "groups-together");
    await page.locator("main").getByRole("link", { name: /我的联户/ }).click();
    await page.waitForURL(/\/group$/);
    await page.getByRole("heading", { name: /我的联户/ }).waitFor();
    const n = await q.value<number>("select count(*) from households where group_id = ?", group);
    await expect(page.locator(".group-households > li").count()).resolves.toBe(Number(n));
    const marker = page.getByTestId(`household-${noPhone}`).locator(".no-phone");
    await expect(marker.textContent()).resolves.toBe("无手机");
    const bg = await marker.evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(bg).not.toBe("rgba(0, 0, 0, 0)");
    await expect(page.getByTestId("balance").count()).resolves.toBe(0);
    await fitsWidth(page);
    await tallTargets(page, ".group-households a.item, nav.mainnav a");
    // The list's rows stay inside the phone's width.
    const box = await page.getByTestId(`household-${noPhone}`).boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await shot(page, "groups-leader-list");
    await page.context().close();
  });

  it("files a claim for the head of a household without a phone: pending review, filed as 联户长", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000007");
    await page.goto("/group");
    await page.getByTestId(`household-${noPhone}`).getByRole("link").click();
    await page.waitForURL(new RegExp(`/group/h/${noPhone}$`));
    await page.getByText("无手机").first().waitFor();
    const rule = (await q.get<{ id: number; name: string }>("select id, name from rules where village_id = 1 and active = 1 and points > 0 and evidence_required = 0 and unit = 'time' order by points, id limit 1"))!;
    const head = (await q.get<{ id: number }>("select id from members where household_id = ? and is_head = 1", noPhone))!;
    await page.getByLabel("为谁申报").selectOption(String(head.id));
    await page.getByLabel("积分细则").selectOption(String(rule.id));
    await page.getByLabel("说明（选填）").fill("联户长替老人申报");
    await shot(page, "groups-leader-household-form");
    await page.getByRole("button", { name: "提交申报" }).click();
    await page.getByText(/已提交（申报 #\d+），等待村委审核/).waitFor();
    const claim = await q.get<{ status: string; filer_role: string; member_id: number }>("select status, filer_role, member_id from claims where note = '联户长替老人申报'");
    expect(claim).toEqual({ status: "pending", filer_role: "group_leader", member_id: head.id });
    // The claim shows in the household's recent claims, waiting for review.
    await expect(page.getByTestId("group-claims").getByText(rule.name).count()).resolves.toBeGreaterThan(0);
    await fitsWidth(page);
    await tallTargets(page, "#claim button, #claim select, a.back");
    await shot(page, "groups-leader-household-filed");
    await page.context().close();
  });

  it("files without JavaScript too, and a refused claim says why in Chinese", async () => {
    const page = await phonePage(browser, server.url, { javaScript: false });
    await signIn(page, "13900000007");
    await page.goto(`/group/h/${noPhone}`);
    await page.getByRole("button", { name: "提交申报" }).click();
    // Nothing chosen: the form comes back with its message.
    await page.locator(".field-error").first().waitFor();
    await expect(page.locator("#f-ruleId-err").textContent()).resolves.toContain("请选择积分细则");
    await shot(page, "groups-leader-refused-nojs");
    await page.context().close();
  });

  it("shows balances once the village allows it", async () => {
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    await admin.goto("/v/1/admin/settings");
    await admin.getByLabel("联户长能否看到本联户各户的积分余额").selectOption("show");
    await admin.locator("form:has(#f-leaderBalances)").getByRole("button", { name: "保存", exact: true }).click();
    await admin.getByText(/已保存/).waitFor();
    expect(await q.value("select group_leader_sees_balances from villages where id = 1")).toBe(1);
    await admin.goto("/v/1/admin/groups");
    await fitsWidth(admin);
    await tallTargets(admin, ".list a.item");
    await shot(admin, "groups-admin-list");
    await admin.goto(`/v/1/admin/groups/${group}`);
    await fitsWidth(admin);
    await shot(admin, "groups-admin-group");
    await admin.goto("/v/1/admin/grids");
    await fitsWidth(admin);
    await shot(admin, "groups-admin-grids");
    // The village report's 各联户: every household counted once, balances summed as the accounts hold them.
    await admin.goto("/v/1/report");
    const table = admin.getByTestId("group-points");
    await table.scrollIntoViewIfNeeded();
    const cells = await table.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent ?? "")));
    const households = Number(await q.value("select count(*) from households where village_id = 1"));
    const held = Number(await q.value("select coalesce(sum(a.balance), 0) from households h join accounts a on a.household_id = h.id where h.village_id = 1"));
    expect(cells.reduce((n, c) => n + Number(c[3]), 0)).toBe(households);
    expect(cells.reduce((n, c) => n + Number(c[6]), 0)).toBe(held);
    await fitsWidth(admin);
    await table.screenshot({ path: "tests/.artifacts/groups-report-table.png" });
    await admin.context().close();

    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000007");
    await page.goto("/group");
    const balances = page.getByTestId("balance");
    const n = await q.value<number>("select count(*) from households where group_id = ?", group);
    await expect(balances.count()).resolves.toBe(Number(n));
    const sum = Number(await q.value("select coalesce(sum(a.balance), 0) from households h join accounts a on a.household_id = h.id where h.group_id = ?", group));
    const shown = (await balances.allTextContents()).reduce((t, s) => t + Number(s.replace(/\D+/g, "")), 0);
    expect(shown).toBe(sum);
    await fitsWidth(page);
    await shot(page, "groups-leader-balances");
    await page.context().close();
  });
});
