// 代跑 on phones (390×844): the demo 联户长 (13900000007) posts a need for a household of the group
// without a phone (an elderly head's), the demo villager (13900000001) takes it, the 联户长 confirms
// it was done, the committee approves the volunteer's claim (a second member too when the village
// asks two), the test clock moves past 公示 and the volunteer's household is credited; both
// households' records show it, and the taking/confirming buttons are big and inside the screen.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld({ TEST_CLOCK_CONTROL: "1" });
const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());

/** A target the thumb can hit: at least 44 px tall and wide, and inside the 390 px screen. */
async function bigAndInside(page: Page, selector: string) {
  const box = (await page.locator(selector).first().boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(44);
  expect(box.width).toBeGreaterThanOrEqual(44);
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
}

describe("代跑", () => {
  it("a 联户长 posts for an elderly household without a phone → a volunteer takes it → confirmed → reviewed → credited after 公示", async () => {
    const { browser, server, database } = world;
    const q = sqlOn(database);
    const volunteer = await phonePage(browser, server.url);
    await signIn(volunteer, "13900000001");
    const before = await spendable(volunteer);

    // The 联户长 posts: the group's households without a phone come first in the list.
    const leader = await phonePage(browser, server.url);
    await signIn(leader, "13900000007");
    await leader.goto("/errands");
    await shot(leader, "errands-1-leader-home");
    await leader.getByRole("link", { name: "我要找人代跑" }).click();
    await leader.waitForURL("**/errands/new");
    const noPhone = leader.locator(".errand-households label", { hasText: "无手机" }).first();
    await noPhone.waitFor();
    const household = (await noPhone.textContent())!.replace(/本联户|本网格|无手机|自己家/g, "").trim();
    await noPhone.click();
    await bigAndInside(leader, ".errand-households label");
    await leader.locator("#f-what").fill("去镇卫生院帮王奶奶拿降压药");
    await leader.locator("#f-place").fill("青山镇卫生院");
    await shot(leader, "errands-2-post-form");
    await leader.getByRole("button", { name: "发布需求" }).click();
    await leader.waitForURL(/\/errands\/\d+\?posted=1$/);
    const errandId = Number(new URL(leader.url()).pathname.split("/").pop());
    await expect(leader.getByTestId("errand-household").textContent()).resolves.toBe(household);
    await expect(leader.locator(".form-ok").textContent()).resolves.toContain("需求已发布");
    // Nothing to confirm before anyone took it.
    expect(await leader.getByRole("button", { name: /确认完成/ }).count()).toBe(0);
    await shot(leader, "errands-3-posted");

    // The volunteer sees it among the open needs and takes it with one big button.
    await volunteer.goto("/errands");
    const card = volunteer.locator(".errand-list li", { hasText: "去镇卫生院帮王奶奶拿降压药" }).first();
    await card.waitFor();
    await bigAndInside(volunteer, ".errand-list li a");
    await shot(volunteer, "errands-4-open-needs");
    await card.locator("a").click();
    await volunteer.waitForURL(`**/errands/${errandId}`);
    await bigAndInside(volunteer, "button[value=take]");
    await volunteer.getByRole("button", { name: /我来帮忙/ }).click();
    await expect(volunteer.locator(".form-ok").textContent()).resolves.toContain("你接了这条需求");
    // The answer comes before the page's data is read again: wait for the new state before reading the card.
    await volunteer.locator(".errand-card .tag.errand-taken").waitFor();
    // The volunteer never confirms their own errand: no button, a note instead.
    expect(await volunteer.getByRole("button", { name: /确认完成/ }).count()).toBe(0);
    await expect(volunteer.locator(".errand-card").textContent()).resolves.toContain("自己不能确认自己的代跑");
    await shot(volunteer, "errands-5-taken");

    // The 联户长 hears of it in 消息, and confirms.
    expect(await q.value("select count(*) as n from notifications n join users u on u.id = n.user_id where u.phone = '13900000007' and n.kind = 'errand.taken'")).toBe(1);
    await leader.goto(`/errands/${errandId}`);
    await expect(leader.getByTestId("errand-volunteer").textContent()).resolves.toContain("接下");
    await bigAndInside(leader, "button[value=confirm]");
    await leader.getByRole("button", { name: /已经办好，确认完成/ }).click();
    await expect(leader.locator(".form-ok").textContent()).resolves.toContain("志愿者的积分申报已提交");
    await leader.locator(".errand-card .tag.errand-done").waitFor();
    await expect(leader.getByTestId("errand-claim").textContent()).resolves.toContain("待审核");
    await shot(leader, "errands-6-confirmed");
    const claimId = await q.value<number>("select claim_id from errands where id = ?", errandId);
    expect(claimId).toBeGreaterThan(0);
    expect(await q.value("select count(*) as n from claims where source_kind = 'errand' and source_id = ?", errandId)).toBe(1);

    // The committee reviews it like any claim (two members when the village asks two approvals).
    const villageId = (await q.value<number>("select village_id from errands where id = ?", errandId))!;
    const needed = (await q.value<number>("select approvals_needed from villages where id = ?", villageId))!;
    for (const [i, phone] of ["13900000003", "13900000006"].slice(0, needed).entries()) {
      const committee = await phonePage(browser, server.url);
      await signIn(committee, phone);
      await committee.goto(`/v/${villageId}/review/${claimId}`);
      await expect(committee.locator("main").textContent()).resolves.toContain("红色代跑");
      if (i === 0) await shot(committee, "errands-7-review");
      await committee.getByRole("button", { name: "通过" }).click();
      await expect(committee.locator(".form-ok").textContent()).resolves.toMatch(i === needed - 1 ? /进入公示/ : /./);
    }
    await volunteer.goto("/");
    expect(await spendable(volunteer)).toBe(before); // not yet: 公示 runs

    // The test-only clock: past the notice period, and the scheduler's round credits the claim.
    const days = (await q.value<number>("select notice_days from villages where id = ?", villageId))!;
    const moved = await volunteer.request.post("/test/clock", { form: { advanceMs: String(days * 86_400_000 + 60_000) }, headers: { origin: server.url } });
    expect(moved.status()).toBe(200);
    await volunteer.goto("/");
    const points = (await q.value<number>("select points from claims where id = ?", claimId))!;
    expect(await spendable(volunteer)).toBe(before + points);
    await shot(volunteer, "errands-8-balance-after");

    // Both households' records: the volunteer's 我家接的代跑, the 联户长's 我发布的.
    await volunteer.goto("/errands");
    const ran = volunteer.locator("section", { hasText: "我家接的代跑" }).locator(".errand-list li", { hasText: "去镇卫生院帮王奶奶拿降压药" });
    await expect(ran.textContent()).resolves.toContain("已完成");
    await volunteer.goto(`/errands/${errandId}`);
    await expect(volunteer.getByTestId("errand-claim").textContent()).resolves.toContain("已入账");
    await shot(volunteer, "errands-9-record-credited");
    await leader.goto("/errands");
    await expect(leader.locator("section", { hasText: "我发布的" }).textContent()).resolves.toContain("去镇卫生院帮王奶奶拿降压药");
    // The household page counts the errands both ways.
    await volunteer.goto("/household");
    await expect(volunteer.getByTestId("household-errands").textContent()).resolves.toMatch(/帮别人 [1-9]\d* 次/);
  });

  it("the grid worker's page lists a need nobody took within a day; 长辈模式 keeps the buttons big", async () => {
    const { browser, server, database } = world;
    const q = sqlOn(database);
    const inspector = await phonePage(browser, server.url);
    await signIn(inspector, "13900000004");
    const villageId = (await q.value<number>("select village_id from user_roles r join users u on u.id = r.user_id where u.phone = '13900000004' and r.role = 'inspector'"))!;
    await inspector.goto(`/v/${villageId}/errands`);
    const untaken = inspector.locator("section", { hasText: "一天没人接的" }).locator(".errand-list li.untaken");
    expect(await untaken.count()).toBeGreaterThan(0);
    const bg = await untaken.first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(bg).not.toBe("rgba(0, 0, 0, 0)");
    await shot(inspector, "errands-10-grid-worker");

    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000001");
    await villager.goto("/errands");
    await villager.evaluate(() => document.documentElement.setAttribute("data-elder", "1"));
    const open = villager.locator("section", { hasText: "等人接的需求" }).locator(".errand-list li a").first();
    if (await open.count()) {
      const box = (await open.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(60);
    }
    await shot(villager, "errands-11-elder");
  });

  it("the village admin sees the village's errand rule on the settings page, with a big save button", async () => {
    const { browser, server, database } = world;
    const q = sqlOn(database);
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    const villageId = (await q.value<number>("select village_id from user_roles r join users u on u.id = r.user_id where u.phone = '13900000005'"))!;
    await admin.goto(`/v/${villageId}/admin/settings`);
    const select = admin.locator("#f-errandRuleId");
    await select.scrollIntoViewIfNeeded();
    expect(await select.evaluate((el: HTMLSelectElement) => el.selectedOptions[0].textContent)).toContain("红色代跑");
    await bigAndInside(admin, "#errand-setting button[type=submit]");
    await shot(admin, "errands-12-settings");
  });
});
