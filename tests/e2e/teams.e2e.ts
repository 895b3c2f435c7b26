// 志愿队伍 at 390×844: the committee appoints a villager to a squad and marks them leader, the villager
// sees the team with its hours, the township admin sees every team's hours side by side and filters by
// month; the period filter also works without JavaScript.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let db: Engine;
let village = 0;
let squad = 0;
let pick = { id: 0, name: "" };

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  db = openDatabase(server.database);
  const q = sqlOn(db);
  village = (await q.value<number>("select id from villages order by id limit 1"))!;
  squad = (await q.value<number>("select id from volunteer_teams where village_id = ? and name = '环境整治队'", village))!;
  // A villager with a name nobody else in the village shares, not in the squad yet.
  pick = (await q.get<{ id: number; name: string }>(
    `select m.id, m.name from members m where m.village_id = ? and m.active = 1
       and m.id not in (select member_id from volunteer_team_members where team_id = ?)
       and (select count(*) from members o where o.village_id = m.village_id and o.name = m.name) = 1
     order by m.id limit 1`,
    village, squad,
  ))!;
});
afterAll(async () => {
  await db?.close();
  await browser?.close();
  await server?.stop();
});

/** Nothing on the page is wider than the phone. */
async function fitsWidth(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

/** Every visible button and link in `selector` is at least 44 px tall. */
async function tallTargets(page: Page, selector: string): Promise<void> {
  const boxes = await page.locator(selector).evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).map((e) => e.getBoundingClientRect().height));
  expect(boxes.length).toBeGreaterThan(0);
  for (const h of boxes) expect(h).toBeGreaterThanOrEqual(44);
}

describe("volunteer teams on a phone", () => {
  it("the committee appoints a villager to the squad and marks them leader", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000003");
    await page.goto("/work");
    await page.getByRole("link", { name: "志愿队伍" }).first().click();
    await page.waitForURL(/\/v\/\d+\/teams$/);
    await page.getByTestId("team-list").waitFor();
    await shot(page, "teams-village-list");
    await fitsWidth(page);
    await page.locator(`[data-team="${squad}"] a`).click();
    await page.waitForURL(new RegExp(`/v/${village}/teams/${squad}`));
    await page.getByLabel("姓名、户号或手机号").fill(pick.name);
    await page.getByRole("button", { name: "查找" }).click();
    const row = page.locator(`[data-candidate="${pick.id}"]`);
    await row.waitFor();
    await tallTargets(page, "[data-testid=candidates] button");
    await row.getByRole("button", { name: "加入队伍" }).click();
    await expect.poll(() => page.locator(".form-ok").textContent()).toContain(`已把 ${pick.name} 加入队伍`);
    const member = page.locator(`[data-testid=team-members] [data-member="${pick.id}"]`);
    await member.getByRole("button", { name: "设为队长" }).click();
    await expect.poll(() => page.locator(".form-ok").textContent()).toContain(`${pick.name} 现在是队长`);
    await expect.poll(() => member.locator(".tag").first().textContent()).toBe("队长");
    await tallTargets(page, "[data-testid=team-members] button");
    await fitsWidth(page);
    await shot(page, "teams-manage");
    expect(await sqlOn(db).value<number>("select is_leader from volunteer_team_members where team_id = ? and member_id = ?", squad, pick.id)).toBe(1);
  });

  it("the villager sees their team, its leaders and its hours", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000001");
    await page.goto("/teams");
    const item = page.locator(`[data-team="${squad}"]`);
    await expect.poll(() => item.textContent()).toContain("我在队里");
    await fitsWidth(page);
    await shot(page, "teams-villager-list");
    await item.locator("a").click();
    await page.waitForURL(new RegExp(`/teams/${squad}`));
    const hours = Number(await page.getByTestId("team-hours").textContent());
    expect(hours).toBeGreaterThan(0); // the demo's 扫雪除冰 was the squad's, with attendance
    // The three figures sit side by side inside the card.
    const stats = await page.locator("[data-testid=team-stats] > div").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
    expect(stats).toHaveLength(3);
    expect(new Set(stats.map((b) => Math.round(b.top))).size).toBe(1);
    for (const b of stats) expect(b.right).toBeLessThanOrEqual(390);
    await expect.poll(() => page.locator("[data-testid=team-members] .tag", { hasText: "队长" }).count()).toBeGreaterThan(0);
    await fitsWidth(page);
    await shot(page, "teams-villager-team");
  });

  it("the township admin sees every team's hours side by side and picks a month", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000000");
    await page.goto("/work");
    await page.getByRole("link", { name: "志愿队伍" }).first().click();
    await page.waitForURL(/\/township\/teams$/);
    await page.getByTestId("teams-table").waitFor();
    const rows = page.locator("[data-testid=teams-table] tbody tr");
    expect(await rows.count()).toBe(await sqlOn(db).value<number>("select count(*) from volunteer_teams"));
    const total = Number((await page.locator("[data-testid=township-team-totals] b").textContent()) ?? "NaN");
    const sum = (await page.locator("[data-testid=teams-table] [data-testid=team-hours]").allTextContents()).reduce((n, t) => n + Number(t), 0);
    expect(Math.abs(total - sum)).toBeLessThan(0.11);
    await fitsWidth(page);
    // The hours column is on screen, not behind the table's sideways scroll.
    const wrap = await page.locator(".table-wrap").evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    await shot(page, "teams-township");
    const option = page.locator("#f-period option").nth(2); // this year's latest month
    const month = (await option.getAttribute("value"))!;
    await page.locator("#f-period").selectOption(month);
    await page.getByRole("button", { name: "查看" }).click();
    await page.waitForURL(new RegExp(`period=${month}`));
    await expect.poll(() => page.getByTestId("township-team-totals").textContent()).toContain(`${Number(month.slice(5))} 月`);
  });

  it("the period filter works without JavaScript", async () => {
    const page = await phonePage(browser, server.url, { javaScript: false });
    await signIn(page, "13900000001");
    await page.goto(`/teams/${squad}`);
    const last = String(new Date(Date.now() + 8 * 3600_000).getUTCFullYear() - 1);
    await page.locator("#f-period").selectOption(last);
    await page.getByRole("button", { name: "查看" }).click();
    await page.waitForURL(new RegExp(`period=${last}`));
    expect(await page.locator("h2", { hasText: "队伍活动" }).textContent()).toContain(`${last} 年`);
  });

  it("the activity form offers the village's squads and the township's team", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000003");
    await page.goto(`/v/${village}/activities/new`);
    const labels = await page.locator("#f-teamId option").allTextContents();
    expect(labels).toContain("青山镇志愿服务总队（乡镇）");
    expect(labels).toContain("环境整治队");
    const box = (await page.locator("#f-teamId").boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await page.locator("#f-teamId").scrollIntoViewIfNeeded();
    await shot(page, "teams-activity-form");
  });
});
