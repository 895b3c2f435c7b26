// The printables in headless Chromium: the 积分存折 on a phone (390×844) and on paper (A4, A5), a
// whole grid printed one household per sheet, and the 积分排行 on a phone and as an A3 poster.
// Screenshots in tests/.artifacts (printables-*.png): the phone pages, and the print versions at
// the paper's width at 96 dpi.
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { ARTIFACTS, phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();
const VILLAGER = "13900000001";
const COMMITTEE = "13900000003";
const VILLAGE_ADMIN = "13900000005";

/** Paper at 96 dpi, in CSS pixels, and in PDF points. */
const PAPER = {
  A4: { px: { width: 794, height: 1123 }, pt: [595, 842] },
  A5: { px: { width: 559, height: 794 }, pt: [420, 595] },
  A3: { px: { width: 1123, height: 1587 }, pt: [842, 1191] },
} as const;
/** Every page's size in points, from the PDF's MediaBox entries. */
const pageSizes = (pdf: Buffer) => [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
const isSize = ([w, h]: number[], [pw, ph]: readonly number[]) => Math.abs(w - pw) < 2 && Math.abs(h - ph) < 2;

/** The whole page, and what the first screen shows (a long page's whole picture is too tall to read). */
async function shots(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-screen.png`) });
}

/** Nothing wider than the screen: no sideways scrolling on a phone. */
async function fitsWidth(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, "page scrolls sideways").toBeLessThanOrEqual(width);
}

/** Links and buttons the page's own part shows are finger-sized (44 × 44). */
async function fingerSized(page: Page, scope: string): Promise<void> {
  const small = await page.locator(`${scope} a:visible, ${scope} button:visible, ${scope} select:visible, ${scope} input:visible`).evaluateAll((els) =>
    els.map((e) => ({ e, r: e.getBoundingClientRect() })).filter(({ r }) => r.width < 44 || r.height < 44).map(({ e, r }) => `${e.textContent?.trim() || e.getAttribute("name")} ${Math.round(r.width)}×${Math.round(r.height)}`),
  );
  expect(small).toEqual([]);
}

/** In print: no header, menu, choices or buttons; returns what is still shown of them. */
async function chromeShownInPrint(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll("header.topbar, nav.mainnav, .no-print, form, button")]
      .filter((e) => getComputedStyle(e).display !== "none" && e.getBoundingClientRect().height > 0)
      .map((e) => e.outerHTML.slice(0, 80)),
  );
}

describe("积分存折", () => {
  it("a villager opens it from the statement on a phone, and it fits the screen", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGER);
    await page.goto("/statement");
    await page.getByRole("link", { name: /打印积分存折/ }).click();
    await page.waitForURL(/\/passbook$/);
    const sheet = page.getByTestId("passbook-sheet");
    await sheet.waitFor();
    await shots(page, "printables-1-passbook-phone");
    await fitsWidth(page);
    await fingerSized(page, "section.card");
    const box = (await sheet.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    // Every line has a balance, and the last one is the household's balance now.
    const balances = await sheet.locator("tbody tr:not(.pb-carry):not(.pb-total) td:last-child").allInnerTexts();
    expect(balances.length).toBeGreaterThan(0);
    const now = (await sqlOn(world.database).get<{ balance: number }>(
      "select a.balance from users u join members m on m.id = u.member_id join accounts a on a.household_id = m.household_id where u.phone = ?",
      VILLAGER,
    ))!.balance;
    expect(Number(balances.at(-1))).toBe(now);
    await expect(sheet.locator(".pb-total td").last().innerText()).resolves.toBe(String(now));
    // The print button comes with scripts; it is there.
    await expect(page.getByRole("button", { name: "打印" }).isVisible()).resolves.toBe(true);
  });

  it("prints on A4 and on A5 without the app's header, menu or choices", async () => {
    for (const size of ["A4", "A5"] as const) {
      const page = await phonePage(world.browser, world.server.url);
      await signIn(page, VILLAGER);
      await page.goto(`/passbook?size=${size}`);
      await page.getByTestId("passbook-sheet").waitFor();
      await page.setViewportSize(PAPER[size].px);
      await page.emulateMedia({ media: "print" });
      await shot(page, `printables-2-passbook-${size.toLowerCase()}-print`);
      expect(await chromeShownInPrint(page)).toEqual([]);
      const sheet = page.getByTestId("passbook-sheet");
      const box = (await sheet.boundingBox())!;
      // The sheet takes the paper's width (less margins), not a phone's column.
      expect(box.width).toBeGreaterThan(PAPER[size].px.width * 0.8);
      expect(await sheet.evaluate((e) => getComputedStyle(e).breakAfter)).toBe("page");
      // The table fits the sheet: nothing cut off at the right edge.
      const table = (await sheet.locator("table").boundingBox())!;
      expect(table.x + table.width).toBeLessThanOrEqual(box.x + box.width + 1);
      await page.context().close();
    }
  });

  it("prints every page on the paper chosen", async () => {
    for (const size of ["A4", "A5"] as const) {
      const context = await world.browser.newContext({ baseURL: world.server.url, locale: "zh-CN" });
      const page = await context.newPage();
      await signIn(page, VILLAGER);
      await page.goto(`/passbook?size=${size}`);
      await page.getByTestId("passbook-sheet").waitFor();
      const sizes = pageSizes(await page.pdf({ preferCSSPageSize: true }));
      expect(sizes.length).toBeGreaterThan(0);
      for (const s of sizes) expect(isSize(s, PAPER[size].pt), `${size} page ${s}`).toBe(true);
      await context.close();
    }
  });

  it("the committee prints a whole grid: one sheet per household of the grid, each on its own page", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, COMMITTEE);
    await page.goto("/v/1/passbook");
    await shot(page, "printables-3-village-passbook-pick");
    await fingerSized(page, "section.card");
    // The first grid on the list, A4 (the defaults), one button.
    await page.getByRole("button", { name: "打印整个网格" }).click();
    await page.waitForURL(/grid=\d+/);
    const gridId = Number(new URL(page.url()).searchParams.get("grid"));
    await page.getByTestId("passbook-sheet").first().waitFor();
    await shots(page, "printables-4-grid-phone");
    await fitsWidth(page);
    const inGrid = (await sqlOn(world.database).all<{ id: number }>("select id from households where village_id = 1 and grid_id = ? order by number limit 30", gridId)).map((h) => h.id);
    await page.setViewportSize(PAPER.A4.px);
    await page.emulateMedia({ media: "print" });
    await shot(page, "printables-5-grid-a4-print");
    expect(await chromeShownInPrint(page)).toEqual([]);
    const printed = await page.getByTestId("passbook-sheet").evaluateAll((els) =>
      els.map((e) => ({ household: Number((e as HTMLElement).dataset.household), breakAfter: getComputedStyle(e).breakAfter })),
    );
    expect(printed.map((p) => p.household)).toEqual(inGrid);
    expect(printed.filter((p) => p.breakAfter === "page").length).toBe(inGrid.length);
    // On paper: at least one page per household, each a fresh page (a sheet starts at a page's top).
    const context = await world.browser.newContext({ baseURL: world.server.url, locale: "zh-CN" });
    const desk = await context.newPage();
    await signIn(desk, COMMITTEE);
    await desk.goto(`/v/1/passbook?grid=${gridId}`);
    await desk.getByTestId("passbook-sheet").first().waitFor();
    const sizes = pageSizes(await desk.pdf({ preferCSSPageSize: true }));
    expect(sizes.length).toBeGreaterThanOrEqual(inGrid.length);
    for (const s of sizes) expect(isSize(s, PAPER.A4.pt), `page ${s}`).toBe(true);
    await context.close();
  });

  it("the village admin reaches a household's passbook from its page", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGE_ADMIN);
    const h = (await sqlOn(world.database).get<{ id: number }>("select id from households where village_id = 1 order by id limit 1"))!.id;
    await page.goto(`/v/1/admin/households/${h}`);
    await page.getByRole("link", { name: /打印积分存折/ }).click();
    await page.waitForURL(new RegExp(`/v/1/passbook\\?household=${h}$`));
    await expect(page.getByTestId("passbook-sheet").getAttribute("data-household")).resolves.toBe(String(h));
    await shot(page, "printables-6-admin-household-passbook");
  });
});

describe("积分排行", () => {
  it("a villager sees the village's ranking with their own place, on a phone", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGER);
    await page.goto("/passbook");
    await page.getByRole("link", { name: /本村积分排行/ }).click();
    await page.waitForURL(/\/v\/1\/rankings$/);
    await page.getByTestId("ranking-list").waitFor();
    await shots(page, "printables-7-rankings-phone");
    await fitsWidth(page);
    await fingerSized(page, "section.card");
    await expect(page.getByTestId("ranking-mine").innerText()).resolves.toMatch(/我家 \d{4} 年排第\s*\d+\s*名/);
    // Places never go down the list, and ties share one.
    const places = (await page.locator(".rk-list li").evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.place))));
    expect(places[0]).toBe(1);
    for (let i = 1; i < places.length; i++) expect(places[i]).toBeGreaterThanOrEqual(places[i - 1]);
    // Masked by default: no name on the list has its middle shown.
    const names = await page.locator(".rk-list .rk-name").evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ""));
    for (const n of names.filter((x) => !x.endsWith("号户"))) expect(n, n).toMatch(/^.\*+.?$/u);
  });

  it("prints an A3 poster with no app chrome", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, COMMITTEE);
    await page.goto("/v/1/rankings");
    await page.getByRole("link", { name: /打印排行榜/ }).click();
    await page.waitForURL(/\/rankings\/poster/);
    await page.getByTestId("ranking-poster").waitFor();
    await shot(page, "printables-8-poster-phone");
    await fitsWidth(page);
    // The poster hides the app's header and menu on the screen too.
    expect(await page.locator("header.topbar").isVisible()).toBe(false);
    await page.setViewportSize(PAPER.A3.px);
    await page.emulateMedia({ media: "print" });
    await shot(page, "printables-9-poster-a3-print");
    expect(await chromeShownInPrint(page)).toEqual([]);
    const rows = await page.locator(".rk-poster-list li").count();
    expect(rows).toBeGreaterThan(10);
    // Two columns side by side on A3.
    const cols = await page.locator(".rk-poster-list").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().x));
    expect(cols.length).toBe(2);
    expect(cols[1]).toBeGreaterThan(cols[0] + 300);
    // The title fits on the paper.
    const title = (await page.locator(".rk-title").boundingBox())!;
    expect(title.x + title.width).toBeLessThanOrEqual(PAPER.A3.px.width);

    const context = await world.browser.newContext({ baseURL: world.server.url, locale: "zh-CN" });
    const desk = await context.newPage();
    await signIn(desk, COMMITTEE);
    await desk.goto("/v/1/rankings/poster");
    await desk.getByTestId("ranking-poster").waitFor();
    const sizes = pageSizes(await desk.pdf({ preferCSSPageSize: true }));
    expect(sizes.length).toBe(1);
    expect(isSize(sizes[0], PAPER.A3.pt), `poster page ${sizes[0]}`).toBe(true);
    // The longest poster (POSTER_ROWS_MAX rows, a long tie) is drawn dense and still fits one sheet:
    // the demo's rows copied to 20 in each column, as the server draws 40.
    await desk.evaluate(() => {
      document.querySelector(".rk-board")!.classList.add("dense");
      for (const list of document.querySelectorAll(".rk-poster-list")) {
        const first = list.querySelector("li")!;
        while (list.children.length < 20) list.appendChild(first.cloneNode(true));
      }
    });
    expect(await desk.locator(".rk-poster-list li").count()).toBe(40);
    expect(pageSizes(await desk.pdf({ preferCSSPageSize: true })).length).toBe(1);
    await context.close();
  });

  it("the village admin chooses full names on the settings page", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGE_ADMIN);
    await page.goto("/v/1/admin/settings");
    await page.getByLabel("排行榜和海报上的户主姓名").selectOption("full");
    await page.getByRole("button", { name: "保存", exact: true }).click();
    await page.locator(".form-ok").waitFor();
    await shot(page, "printables-10-settings");
    expect(await sqlOn(world.database).value<number>("select ranking_full_names from villages where id = 1")).toBe(1);
    await page.goto("/v/1/rankings/poster");
    const names = await page.locator(".rk-poster-list .rk-name").evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ""));
    expect(names.some((n) => n.length >= 2 && !n.includes("*"))).toBe(true);
    expect(names.every((n) => !n.includes("*"))).toBe(true);
  });
});
