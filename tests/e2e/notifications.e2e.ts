// 消息 on a 390×844 phone: a villager files a claim, a committee member approves it, the villager's
// header shows 1 unread, the inbox shows the notice, tapping it opens the claim and the count goes
// to 0. The header's badge must fit the bar, also in 长辈模式, and the inbox works without scripts.
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { ARTIFACTS, phonePage, shot as fullShot, signIn, startWorld } from "./browser";

const world = startWorld();

/** The whole page, and its first screen alone (a long inbox's full picture is too tall to read). */
async function shot(page: Page, name: string): Promise<void> {
  await fullShot(page, name);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-screen.png`) });
}
const WIDTH = 390;

/** The header's badge text, or null when there is none. */
async function badge(page: Page): Promise<string | null> {
  const b = page.getByTestId("unread-badge");
  // The header is read again after each post: a badge counted here may be gone a moment later.
  return (await b.count()) ? await b.locator("[aria-hidden=true]").textContent({ timeout: 5000 }).catch(() => null) : null;
}

/** Everything in the top bar lies inside the screen, on one row, and the 消息 link is a big enough target. */
async function barFits(page: Page): Promise<void> {
  const bar = (await page.locator(".topbar").boundingBox())!;
  const link = (await page.getByTestId("inbox-link").boundingBox())!;
  expect(link.x).toBeGreaterThanOrEqual(0);
  expect(link.x + link.width).toBeLessThanOrEqual(WIDTH);
  expect(link.height).toBeGreaterThanOrEqual(44);
  expect(link.width).toBeGreaterThanOrEqual(44);
  expect(link.y).toBeGreaterThanOrEqual(bar.y);
  expect(link.y + link.height).toBeLessThanOrEqual(bar.y + bar.height);
  const b = page.getByTestId("unread-badge");
  if (await b.count()) {
    // The count stays on the link: inside the bar, and clear of the 大字 switch beside it.
    const box = (await b.boundingBox())!;
    const next = (await page.locator(".topbar .elder-toggle").boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(link.x);
    expect(box.x + box.width).toBeLessThanOrEqual(Math.min(link.x + link.width, next.x));
    expect(box.y).toBeGreaterThanOrEqual(bar.y);
    expect(box.y + box.height).toBeLessThanOrEqual(bar.y + bar.height);
  }
  // One row: the brand, 消息, 大字 and 退出 share a line (their tops within a few pixels).
  const tops = await page.locator(".topbar .brand, .topbar .inbox-link, .topbar .link-button").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
  expect(Math.max(...tops) - Math.min(...tops)).toBeLessThan(12);
  // What is drawn (a screen reader's words are clipped to nothing and not measured).
  const right = await page.locator(".topbar *:not(.sr-only)").evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
  expect(right).toBeLessThanOrEqual(WIDTH);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
}

describe("notifications", () => {
  it("claim filed → approved → 1 unread in the header → inbox → tap opens the claim → 0", async () => {
    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    // The demo's history left notices behind: start from a read inbox.
    await villager.getByTestId("inbox-link").click();
    await villager.waitForURL("**/messages");
    if ((await badge(villager)) !== null) {
      await villager.getByRole("button", { name: "全部标为已读" }).click();
      await villager.locator(".form-ok").waitFor();
      await villager.getByTestId("unread-badge").waitFor({ state: "detached" });
    }
    expect(await badge(villager)).toBeNull();

    await villager.goto("/claims/new");
    await villager.locator("#f-memberId").selectOption({ index: 1 });
    await villager.locator("#f-ruleId").selectOption({ label: "清扫村道：+3 分/次" });
    await villager.locator("#f-quantity").fill("1");
    await villager.locator("#f-note").fill("清扫村口");
    await villager.getByRole("button", { name: "提交申报" }).click();
    await villager.waitForURL("**/claims?filed=1");
    const claimId = Number((await villager.locator(".entries li").first().getAttribute("data-testid"))!.replace("claim-", ""));
    expect(claimId).toBeGreaterThan(0);
    expect(await badge(villager)).toBeNull(); // filing tells nobody: the committee counts what waits

    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto("/messages");
    const waiting = committee.getByTestId("live-claims");
    await expect(waiting.textContent()).resolves.toMatch(/[1-9]\d* 条申报等待审核/);
    await shot(committee, "notifications-1-committee-inbox");
    await waiting.click();
    await committee.waitForURL(/\/v\/\d+\/review$/);
    const villagePath = new URL(committee.url()).pathname.match(/^\/v\/\d+/)![0];
    await committee.goto(`${villagePath}/review/${claimId}`);
    await committee.getByRole("button", { name: "通过" }).click();
    await expect(committee.locator(".form-ok").textContent()).resolves.toContain("进入公示");

    await villager.goto("/");
    expect(await badge(villager)).toBe("1");
    await expect(villager.getByTestId("inbox-link").getAttribute("href")).resolves.toBe("/messages");
    // Screen readers hear the count as words.
    await expect(villager.getByTestId("unread-badge").locator(".sr-only").textContent()).resolves.toBe("，1 条未读");
    await barFits(villager);
    await shot(villager, "notifications-2-header-badge");

    await villager.getByTestId("inbox-link").click();
    await villager.waitForURL("**/messages");
    const first = villager.locator(".notices button").first();
    await expect(first.textContent()).resolves.toContain("申报已通过审核");
    expect(await first.getAttribute("class")).toContain("unread");
    expect(await first.locator(".notice-title").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("700");
    const box = (await first.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(WIDTH);
    await shot(villager, "notifications-3-inbox");

    await first.click();
    await villager.waitForURL((u) => u.pathname === "/claims");
    expect(new URL(villager.url()).hash).toBe(`#claim-${claimId}`);
    await villager.getByTestId(`claim-${claimId}`).waitFor();
    await expect(villager.getByTestId(`claim-${claimId}`).textContent()).resolves.toContain("公示");
    expect(await badge(villager)).toBeNull();
    await shot(villager, "notifications-4-claim-opened");
    await villager.goto("/messages");
    const read = villager.locator(".notices button").first();
    expect(await read.getAttribute("class")).not.toContain("unread");
    expect(await read.locator(".notice-title").evaluate((el) => getComputedStyle(el).fontWeight)).toBe("400");
  });

  it("many unread (99+) and 长辈模式 still fit the bar; the inbox works without scripts", async () => {
    const q = (await import("../support/sql")).sqlOn(world.database);
    const user = (await q.value<number>("select id from users where phone = ?", "13900000004"))!;
    const village = (await q.value<number>("select village_id from user_roles where user_id = ? and village_id is not null limit 1", user))!;
    for (let i = 0; i < 120; i++) {
      await q.run(
        "insert into notifications (user_id, village_id, kind, title, body, link, dedupe_key, created_at) values (?, ?, 'points.expiring', ?, '', '/', ?, ?)",
        user, village, `测试 ${i}`, `e2e:${i}`, Date.now() + i,
      );
    }
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, "13900000004");
    expect(await badge(page)).toBe("99+");
    await barFits(page);
    await page.getByRole("button", { name: "大字" }).click();
    await page.waitForLoadState();
    expect(await page.locator("html").getAttribute("data-elder")).toBe("1");
    await barFits(page);
    const link = (await page.getByTestId("inbox-link").boundingBox())!;
    expect(link.height).toBeGreaterThanOrEqual(60);
    await shot(page, "notifications-5-elder-99plus");

    await page.getByTestId("inbox-link").click();
    await page.waitForURL("**/messages");
    await expect(page.locator(".pager").textContent()).resolves.toContain("第 1 /");
    await page.getByRole("button", { name: "全部标为已读" }).click();
    await expect(page.locator(".form-ok").textContent()).resolves.toContain("标为已读");
    expect(await badge(page)).toBeNull();
    await shot(page, "notifications-6-elder-inbox-read");
  });
});
