// 批量发放 on a phone (390×844): a committee member picks a rule and a grid, sees the preview's total,
// files it and sees the batch page; another committee member approves the whole batch; the test-only
// clock ends 公示; a household of that grid sees its balance rise by the rule's points.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld({ TEST_CLOCK_CONTROL: "1" });
const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());

/** The element lies inside the 390 px wide viewport and is at least 44 px tall (a finger's target). */
async function fitsAndTappable(page: Page, testId: string): Promise<void> {
  const box = (await page.getByTestId(testId).boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(box.height).toBeGreaterThanOrEqual(44);
}

/** An award rule of village 1 without caps (every chosen household is filed). */
async function uncappedRule(): Promise<{ name: string; points: number }> {
  return (await sqlOn(world.database).get<{ name: string; points: number }>(
    "select name, points from rules where village_id = 1 and active = 1 and points > 0 and unit = 'time' and cap_member_day is null and cap_member_month is null and cap_member_year is null and cap_household_day is null and cap_household_month is null and cap_household_year is null order by id limit 1",
  ))!;
}

/** Targets in the page's main part smaller than 44 × 44 px (a radio or checkbox counts with its label). */
async function smallTargets(page: Page): Promise<string[]> {
  return page.locator("main").evaluate((main) =>
    [...main.querySelectorAll<HTMLElement>("a, button, select, input, textarea")].flatMap((el) => {
      if (el instanceof HTMLInputElement && el.type === "hidden") return [];
      const target = el instanceof HTMLInputElement && (el.type === "radio" || el.type === "checkbox") ? el.closest("label") ?? el : el;
      const r = target.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return [];
      return r.width < 44 || r.height < 44 ? [`${el.tagName} ${el.textContent?.trim() || el.getAttribute("name")}: ${Math.round(r.width)}×${Math.round(r.height)}`] : [];
    }),
  );
}

describe("bulk award", () => {
  it("committee files a grid's award after the preview; another member approves; 公示 ends; the balance rises", async () => {
    const q = sqlOn(world.database);
    // The grid of 13900000001's household, and an award rule without caps.
    const home = (await q.get<{ grid: string; household: number }>(
      "select g.name as grid, m.household_id as household from users u join members m on m.id = u.member_id join households h on h.id = m.household_id join grids g on g.id = h.grid_id where u.phone = ?",
      "13900000001",
    ))!;
    const rule = await uncappedRule();
    const heads = (await q.value<number>(
      "select count(*) as n from households h join grids g on g.id = h.grid_id where g.name = ? and g.village_id = 1 and exists (select 1 from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1)",
      home.grid,
    ))!;

    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    const before = await spendable(villager);

    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto("/work");
    await shot(committee, "bulk-0-work");
    await committee.getByRole("link", { name: "批量发放" }).first().click();
    await committee.waitForURL(/\/v\/1\/bulk$/);
    expect(await smallTargets(committee)).toEqual([]);
    await committee.getByRole("link", { name: "新建批量发放" }).click();
    await committee.waitForURL(/\/v\/1\/bulk\/new$/);
    await committee.locator("#b-ruleId").selectOption({ label: `${rule.name}（${rule.points} 分/次）` });
    await committee.getByLabel(/一个网格/).check();
    await committee.locator("#b-gridId").selectOption({ label: home.grid });
    expect(await smallTargets(committee)).toEqual([]);
    await committee.locator("#b-note").fill("汛期巡堤");
    await shot(committee, "bulk-1-choose");
    await committee.getByRole("button", { name: "预览" }).click();
    await committee.getByTestId("bulk-preview").waitFor();
    expect(Number(await committee.getByTestId("bulk-count").textContent())).toBe(heads);
    expect(Number(await committee.getByTestId("bulk-total").textContent())).toBe(heads * rule.points);
    await fitsAndTappable(committee, "bulk-confirm");
    expect(await smallTargets(committee)).toEqual([]);
    await shot(committee, "bulk-2-preview");
    // Nothing is filed by a preview.
    expect(await q.value<number>("select count(*) as n from bulk_batches")).toBe(0);

    await committee.getByTestId("bulk-confirm").click();
    await committee.waitForURL(/\/v\/1\/bulk\/\d+$/);
    const batchPath = new URL(committee.url()).pathname;
    await expect(committee.getByTestId("bulk-status").textContent()).resolves.toBe("已登记完");
    expect(Number(await committee.getByTestId("bulk-filed").textContent())).toBe(heads);
    expect(Number(await committee.getByTestId("bulk-claims-pending").locator("strong").textContent())).toBe(heads);
    // The progress bar is full: its fill is as wide as the bar.
    const widths = await committee.locator(".bulk-progress").evaluate((bar) => [bar.getBoundingClientRect().width, bar.firstElementChild!.getBoundingClientRect().width]);
    expect(widths[1]).toBeCloseTo(widths[0], 0);
    // The filer may not approve their own batch: no button for them.
    expect(await committee.getByTestId("bulk-approve-all").count()).toBe(0);
    expect(await smallTargets(committee)).toEqual([]);
    await shot(committee, "bulk-3-batch-filed");
    expect(await q.value<number>("select count(*) as n from bulk_batches")).toBe(1);

    const second = await phonePage(world.browser, world.server.url);
    await signIn(second, "13900000006");
    await second.goto(batchPath);
    await fitsAndTappable(second, "bulk-approve-all");
    await second.getByTestId("bulk-approve-all").click();
    await expect(second.locator(".form-ok").textContent()).resolves.toContain(`已通过 ${heads} 条`);
    expect(Number(await second.getByTestId("bulk-claims-notice").locator("strong").textContent())).toBe(heads);
    await shot(second, "bulk-4-batch-approved");

    await villager.goto("/");
    expect(await spendable(villager)).toBe(before); // 公示 runs
    const moved = await villager.request.post("/test/clock", { form: { advanceMs: String(3 * 86_400_000 + 60_000) }, headers: { origin: world.server.url } });
    expect(moved.status()).toBe(200);
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before + rule.points);
    await second.goto(batchPath);
    expect(Number(await second.getByTestId("bulk-claims-credited").locator("strong").textContent())).toBe(heads);
    await shot(second, "bulk-5-batch-credited");
  });

  it("works without JavaScript: a pasted list of 户号 (full-width, commas, new lines) is previewed and filed", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, "13900000003");
    await page.goto("/v/1/bulk/new");
    const rule = await uncappedRule();
    await page.locator("#b-ruleId").selectOption({ label: `${rule.name}（${rule.points} 分/次）` });
    await page.getByLabel(/粘贴户号名单/).check();
    await page.locator("#b-codes").fill("００１，002\n003  ZZ9");
    await page.getByRole("button", { name: "预览" }).click();
    // An unknown 户号 refuses the whole list, naming it; nothing is filed.
    await expect(page.locator("#b-codes-err").textContent()).resolves.toContain("本村没有这些户号：ZZ9");
    await shot(page, "bulk-6-nojs-unknown");
    await page.locator("#b-codes").fill("００１，002\n003");
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByTestId("bulk-preview").waitFor();
    expect(Number(await page.getByTestId("bulk-count").textContent())).toBe(3);
    await page.getByTestId("bulk-confirm").click();
    await page.waitForURL(/\/v\/1\/bulk\/\d+$/);
    expect(Number(await page.getByTestId("bulk-filed").textContent())).toBe(3);
    await shot(page, "bulk-7-nojs-batch");
  });
});
