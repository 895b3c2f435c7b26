// 定岗认责 on a phone (390×844): the committee defines a post; a villager (no JavaScript) applies; the
// committee accepts, which makes the villager a holder from this month; the grid's 网格员 (no
// JavaScript) confirms this month's duty with one big button; the claim that files waits in the
// committee's review queue, and the villager's page shows the month as done, waiting for review.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();

/** Targets in the page's main part smaller than 44 × 44 px (hidden ones and text inputs' labels aside). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.locator("main").evaluate((main) =>
    [...main.querySelectorAll<HTMLElement>("a, button, select, input, textarea, summary")].flatMap((el) => {
      if (el instanceof HTMLInputElement && el.type === "hidden") return [];
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return [];
      return r.width < 44 || r.height < 44 ? [`${el.tagName} ${el.textContent?.trim() || el.getAttribute("name")}: ${Math.round(r.width)}×${Math.round(r.height)}`] : [];
    }),
  );
}

/** Nothing in the page is wider than the phone: no sideways scrolling. */
async function noSidewaysScroll(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
}

describe("定岗认责", () => {
  it("committee defines a post, a villager applies, the committee accepts, the 网格员 confirms the month: a claim waits for review", async () => {
    const q = sqlOn(world.database);
    const villagerName = (await q.value<string>("select m.name from users u join members m on m.id = u.member_id where u.phone = ?", "13900000001"))!;

    // The committee member defines the post.
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto("/work");
    await committee.getByRole("link", { name: "定岗管理" }).first().click();
    await committee.waitForURL(/\/v\/1\/posts$/);
    await shot(committee, "posts-0-committee");
    await committee.locator("#new-name").fill("护河巡查员");
    await committee.locator("#new-duties").fill("每周沿河巡查一次，发现乱倒垃圾及时劝阻并报告。");
    await committee.locator("#new-allowance").fill("12");
    await committee.locator("#new-seats").fill("2");
    await committee.getByRole("button", { name: "新设岗位" }).click();
    await committee.getByText("已新设岗位“护河巡查员”").waitFor();
    const postId = (await q.value<number>("select id from posts where village_id = 1 and name = ?", "护河巡查员"))!;
    expect(await q.get("select name, points, cap_member_month from rules where id = (select rule_id from posts where id = ?)", postId)).toEqual({ name: "定岗：护河巡查员", points: 12, cap_member_month: 12 });
    await noSidewaysScroll(committee);
    expect(await smallTargets(committee)).toEqual([]);

    // The villager applies, on a phone without scripts.
    const villager = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(villager, "13900000001");
    await villager.goto("/posts");
    const row = villager.locator(".post-list > li", { hasText: "护河巡查员" });
    await row.getByLabel("申请说明（可不填）").fill("我家就在河边，每天都路过");
    await row.getByRole("button", { name: "申请" }).click();
    await villager.getByText("已提交申请，请等村委处理").waitFor();
    await noSidewaysScroll(villager);
    expect(await smallTargets(villager)).toEqual([]);
    await shot(villager, "posts-1-villager-applied");

    // The committee accepts the application: the villager holds the post from this month.
    await committee.goto("/v/1/posts");
    const application = committee.locator(".post-list > li", { hasText: `${villagerName}` }).filter({ hasText: "申请护河巡查员" });
    await application.getByText("说明：我家就在河边，每天都路过").waitFor();
    await shot(committee, "posts-2-application");
    await application.getByRole("button", { name: "同意" }).click();
    await committee.getByText("已同意，从本月起在岗").waitFor();
    const holding = (await q.get<{ id: number; status: string }>("select id, status from post_holdings where post_id = ? order by id desc limit 1", postId))!;
    expect(holding.status).toBe("active");

    // The 网格员 confirms this month's duty with the big button, without scripts.
    const worker = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(worker, "13900000004");
    await worker.goto("/v/1/posts/confirm");
    const card = worker.locator(`[data-holding="${holding.id}"]`);
    await card.waitFor();
    const yes = card.getByRole("button", { name: "已履职，确认" });
    const box = (await yes.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(box.width).toBeGreaterThan(250); // the whole card's width: easy to hit walking a grid
    await noSidewaysScroll(worker);
    expect(await smallTargets(worker)).toEqual([]);
    await shot(worker, "posts-3-confirm");
    await yes.click();
    await worker.locator(`[data-holding="${holding.id}"]`).getByText("已确认履职").first().waitFor();
    await shot(worker, "posts-4-confirmed");

    // One claim, from the post, pending review, for the villager's member.
    const claim = (await q.get<{ id: number; status: string; points: number; note: string }>(
      "select c.id, c.status, c.points, c.note from claims c join post_months pm on pm.id = c.source_id where c.source_kind = 'post' and pm.holding_id = ?",
      holding.id,
    ))!;
    expect(claim).toMatchObject({ status: "pending", points: 12 });
    expect(claim.note).toContain("护河巡查员");
    // The month's answer is given: the card offers no button any more.
    await worker.goto("/v/1/posts/confirm");
    expect(await worker.locator(`[data-holding="${holding.id}"]`).getByRole("button", { name: "已履职，确认" }).count()).toBe(0);

    // The committee's review queue has it; the villager's record shows the month waiting for review.
    await committee.goto("/v/1/review");
    await expect(committee.getByText("定岗：护河巡查员").first().textContent()).resolves.toContain("定岗：护河巡查员");
    await villager.goto("/posts");
    const mine = villager.locator(".post-list > li", { hasText: "护河巡查员" }).first();
    await expect(mine.textContent()).resolves.toMatch(/已履职，积分待审核/);
    const status = await mine.locator(".post-status.done").evaluate((el) => getComputedStyle(el).color);
    expect(status).toBe("rgb(27, 94, 32)"); // --green
    await shot(villager, "posts-5-villager-record");
  });
});
