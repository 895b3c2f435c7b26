// The township dashboard and the village report as people see them: on a 390×844 phone, with and
// without scripts (the page never scrolls sideways; a wide table scrolls in its own box; the charts
// fit), and in print emulation at A4 landscape width (no header, menu or form; charts beside their
// tables). Screenshots go to tests/.artifacts/ for people to look at.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();

/** Widths of the page and of the viewport: the page must not be wider than the phone. */
async function pageWidth(page: Page): Promise<{ scroll: number; client: number }> {
  return page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
}

/** Every figures table's box: its own width, how wide its table is, and where it sits. */
async function tableBoxes(page: Page) {
  return page.$$eval(".figures", (els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, client: el.clientWidth, scroll: el.scrollWidth, overflowX: getComputedStyle(el).overflowX };
    }),
  );
}

async function expectPhoneLayout(page: Page): Promise<void> {
  const w = await pageWidth(page);
  expect(w.scroll, "the page scrolls sideways").toBeLessThanOrEqual(w.client);
  const boxes = await tableBoxes(page);
  expect(boxes.length).toBeGreaterThan(0);
  for (const b of boxes) {
    expect(b.left).toBeGreaterThanOrEqual(0);
    expect(b.right).toBeLessThanOrEqual(390);
  }
  // At least one table is wider than the phone, and it scrolls inside its box.
  const wide = boxes.filter((b) => b.scroll > b.client + 1);
  expect(wide.length).toBeGreaterThan(0);
  for (const b of wide) expect(["auto", "scroll"]).toContain(b.overflowX);
  // The charts are drawn and fit the phone.
  const charts = await page.$$eval("figure.chart svg", (els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ left: r.left, width: r.width, height: r.height })));
  expect(charts.length).toBeGreaterThanOrEqual(4);
  for (const c of charts) {
    expect(c.width).toBeGreaterThan(250);
    expect(c.left + c.width).toBeLessThanOrEqual(390);
    expect(c.height).toBeGreaterThan(30);
  }
  // Range form: its fields and button are finger-sized.
  for (const el of await page.$$(".range-form input, .range-form button")) {
    const box = (await el.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
  }
}

/** Print emulation at A4 landscape's width: no header, menu or forms; the first chart beside its table. */
async function expectPrintLayout(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1123, height: 794 });
  await page.emulateMedia({ media: "print" });
  for (const sel of [".topbar", ".mainnav", ".range-form"]) {
    const shown = await page.$$eval(sel, (els) => els.some((el) => getComputedStyle(el).display !== "none"));
    expect(shown, `${sel} printed`).toBe(false);
  }
  const pair = await page.$eval(".chart-pair .pair", (el) => {
    const chart = el.querySelector("figure.chart")!.getBoundingClientRect();
    const table = el.querySelector(".figures")!.getBoundingClientRect();
    return { chartRight: chart.right, tableLeft: table.left, chartTop: chart.top, tableTop: table.top };
  });
  expect(pair.chartRight).toBeLessThanOrEqual(pair.tableLeft + 1);
  expect(Math.abs(pair.chartTop - pair.tableTop)).toBeLessThan(40);
  // Tables are printed whole, not cut off in a scrolling box, and fit the paper's width.
  for (const b of await tableBoxes(page)) {
    expect(b.overflowX).toBe("visible");
    expect(b.scroll, "a table wider than its box on paper").toBeLessThanOrEqual(b.client + 1);
  }
  const w = await pageWidth(page);
  expect(w.scroll, "the printed page is wider than A4 landscape").toBeLessThanOrEqual(w.client);
  await shot(page, name);
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize({ width: 390, height: 844 });
}

describe("the township dashboard", () => {
  it("opens from the township page and fits a phone, with scripts", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, "13900000000");
    await page.goto("/township");
    await shot(page, "reports-township-link");
    await page.getByTestId("dashboard-link").click();
    await page.waitForURL(/\/township\/dashboard/);
    await page.getByRole("heading", { name: "乡镇看板" }).waitFor();
    await expect(page.getByTestId("attention").isVisible()).resolves.toBe(true);
    await expectPhoneLayout(page);
    await shot(page, "reports-dashboard-390");
    await expectPrintLayout(page, "reports-dashboard-print");
    await page.context().close();
  });

  it("without scripts: months chosen in the form, a wrong month refused in Chinese, a figure compared by village", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, "13900000000");
    await page.goto("/township/dashboard");
    await page.locator("#f-from").fill("2026-07");
    await page.locator("#f-to").fill("2026-09");
    await page.locator(".range-form").getByRole("button", { name: "查看" }).click();
    await page.waitForURL(/from=2026-07/);
    await expect(page.locator(".range-line").innerText()).resolves.toContain("2026年7月 至 2026年9月");
    expect(await page.$$eval("#issued tbody tr", (rows) => rows.length)).toBe(3);
    await page.locator("#figure").selectOption("redeemed");
    await page.getByRole("button", { name: "逐月对比" }).click();
    await page.waitForURL(/figure=redeemed/);
    await expect(page.getByTestId("matrix").isVisible()).resolves.toBe(true);
    await shot(page, "reports-dashboard-matrix-nojs");
    await page.goto("/township/dashboard?from=2026-13&to=abc");
    await expect(page.locator("#f-from-err").innerText()).resolves.toBe("开始月份应为 年-月，如 2026-03");
    await expect(page.locator("#f-to-err").innerText()).resolves.toBe("结束月份应为 年-月，如 2026-03");
    await shot(page, "reports-dashboard-bad-month");
    await page.context().close();
  });
});

describe("the village report", () => {
  it("fits a phone for the village admin, shows the grids, and prints", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, "13900000005");
    await page.goto("/v/1/report");
    await expect(page.getByRole("heading", { name: /村报表/ }).isVisible()).resolves.toBe(true);
    expect(await page.$$eval("[data-testid=grid-activity] tbody tr", (rows) => rows.length)).toBeGreaterThan(0);
    await expectPhoneLayout(page);
    await shot(page, "reports-village-390");
    await expectPrintLayout(page, "reports-village-print");
    // Another village's report is not this admin's.
    const other = await page.goto("/v/2/report");
    expect(other!.status()).toBe(403);
    await page.context().close();
  });
});
