// The counter and the work tiles seen through a 390×844 phone: the keeper's home opens on 扫码核销 and
// 柜台兑换 (large, before the notice board); the 8-digit box is on the first screen when the camera is
// not running (with and without JavaScript); after a confirm the result says to hand over the goods
// and 继续扫下一个 is on the first screen; a committee member's tiles show what waits, as counted
// in the database.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { Client } from "../support/harness";
import { sqlOn } from "../support/sql";
import { launch, phonePage, startWorld, shot, signIn } from "./browser";

const VIEW = { width: 390, height: 844 };
const KEEPER = "13900000002"; // store keeper of village 1, no household
const COMMITTEE = "13900000006"; // committee member of village 1, no household
const COMMITTEE_HOUSEHOLD = "13900000003"; // committee member of village 1 with a household: jobs under /work
const VILLAGER = "13900000001";

const world = startWorld();

const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(world.database).get<T>(text, ...args))!;
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";

/** Whether the element lies wholly inside the phone's first screen as the page is scrolled now. */
async function onScreen(el: Locator): Promise<{ top: number; bottom: number; inside: boolean }> {
  const box = (await el.boundingBox())!;
  return { top: box.y, bottom: box.y + box.height, inside: box.y >= 0 && box.y + box.height <= VIEW.height };
}

/** A villager's phone order (one unit of a cheap good) made over plain HTTP; returns its 8-digit code. */
async function phoneCode(): Promise<string> {
  const c = new Client(world.server.url);
  await c.login(VILLAGER);
  const page = await c.get("/store");
  const good = await one<{ id: number }>("select id from goods where village_id = 1 and active = 1 and stock > 5 and monthly_limit is null order by price, id limit 1");
  const r = await c.post("/store", { storeId: hidden(page.text, "storeId"), nonce: hidden(page.text, "nonce"), [`qty.${good.id}`]: "1" });
  expect(r.status, r.text.slice(0, 300)).toBe(302);
  const shown = await c.get(r.location!);
  return /data-code="(\d{8})"/.exec(shown.text)![1];
}

/** Live codes the keeper could scan now: pending, unexpired orders of the village's stores. */
async function liveCodes(): Promise<number> {
  return (await one<{ n: number }>("select count(*) as n from orders o join stores s on s.id = o.store_id where s.village_id = 1 and o.status = 'pending' and o.expires_at > ?", Date.now())).n;
}

/** The text of every link in the page's main part, in order. */
const mainLinks = (page: Page) => page.locator("main a").evaluateAll((as) => as.map((a) => (a.textContent ?? "").trim()));

describe("the keeper's home is the counter", () => {
  it("shows 扫码核销 and 柜台兑换 first, large, on the first screen, then the notice board; the tab says what it is", async () => {
    await phoneCode(); // one code waits at the counter
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, KEEPER);
    await page.goto("/");
    await shot(page, "kc-keeper-home");
    expect(await page.title()).not.toContain("我的积分");
    const links = await mainLinks(page);
    const scan = links.findIndex((t) => t.startsWith("扫码核销"));
    const counter = links.findIndex((t) => t.startsWith("柜台兑换"));
    const board = links.findIndex((t) => t.startsWith("公示栏"));
    expect(scan).toBeGreaterThanOrEqual(0);
    expect(counter).toBeGreaterThanOrEqual(0);
    expect(board).toBeGreaterThan(scan);
    expect(board).toBeGreaterThan(counter);
    for (const name of ["扫码核销", "柜台兑换"]) {
      const tile = page.locator("main a", { hasText: name }).first();
      expect((await tile.boundingBox())!.height).toBeGreaterThanOrEqual(60);
      expect((await onScreen(tile)).inside).toBe(true);
    }
    // The scan tile counts the codes waiting, as the database does.
    const waiting = page.locator("main a", { hasText: "扫码核销" }).first().locator("[data-count]");
    expect(Number(await waiting.getAttribute("data-count", { timeout: 3000 }))).toBe(await liveCodes());
  });

  it("every keeper page's tab names the page", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, KEEPER);
    const pages: [string, string][] = [
      ["/v/1/store", "店务"], ["/v/1/store/scan", "扫码核销"], ["/v/1/store/counter", "柜台兑换"], ["/v/1/store/orders", "兑换单"],
      ["/v/1/store/day", "日结"], ["/v/1/store/stock", "库存"], ["/v/1/store/cards", "户卡"], ["/v/1/store/settlement", "月结算"],
    ];
    for (const [path, name] of pages) {
      await page.goto(path);
      expect(await page.title(), path).toBe(`${name} · 积分超市`);
    }
  });
});

describe("the scan page", () => {
  it("with no camera, the 8-digit box and its button are on the first screen", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, KEEPER);
    await page.goto("/v/1/store/scan");
    // Headless Chromium has no camera: the box settles on "not open".
    await page.getByText("打不开摄像头", { exact: false }).first().waitFor({ timeout: 15_000 });
    await shot(page, "kc-scan-nocamera");
    const box = await onScreen(page.getByLabel("输入 8 位兑换码"));
    expect(box.inside, `code box at ${box.top}–${box.bottom}`).toBe(true);
    expect((await onScreen(page.getByRole("button", { name: "查找兑换码" }))).inside).toBe(true);
  });

  it("with the camera running, the box is still on the first screen, under the picture", async () => {
    const cam = await launch(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]);
    try {
      const page = await phonePage(cam, world.server.url);
      await signIn(page, KEEPER);
      await page.goto("/v/1/store/scan");
      await page.getByText("把兑换码或户卡放进画面").waitFor({ timeout: 15_000 });
      await shot(page, "kc-scan-camera");
      expect((await onScreen(page.getByTestId("scan-video"))).inside).toBe(true);
      const box = await onScreen(page.getByLabel("输入 8 位兑换码"));
      expect(box.inside, `code box at ${box.top}–${box.bottom}`).toBe(true);
    } finally {
      await cam.close();
    }
  });

  it("without JavaScript too", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, KEEPER);
    await page.goto("/v/1/store/scan");
    await shot(page, "kc-scan-nojs");
    expect((await onScreen(page.getByLabel("输入 8 位兑换码"))).inside).toBe(true);
    expect((await onScreen(page.getByRole("button", { name: "查找兑换码" }))).inside).toBe(true);
  });

  for (const js of [true, false]) {
    it(`confirm first, then hand over; 继续扫下一个 on the first screen (${js ? "with" : "without"} JavaScript)`, async () => {
      const code = await phoneCode();
      const page = await phonePage(world.browser, world.server.url, { javaScript: js });
      await signIn(page, KEEPER);
      await page.goto("/v/1/store/scan");
      await page.getByLabel("输入 8 位兑换码").fill(code);
      await page.getByRole("button", { name: "查找兑换码" }).click();
      await page.getByTestId("review").waitFor();
      await shot(page, `kc-scan-review-${js ? "js" : "nojs"}`);
      // The button confirms; the goods are handed over after it.
      const confirm = page.locator('[data-testid="review"] button[type="submit"]');
      expect((await confirm.innerText()).trim()).toBe("确认兑换");
      await confirm.click();
      await page.getByTestId("receipt").waitFor();
      await shot(page, `kc-scan-done-${js ? "js" : "nojs"}`);
      expect(await page.getByTestId("receipt").innerText()).toContain("已确认，请把商品交给村民");
      const next = await onScreen(page.getByRole("link", { name: "继续扫下一个" }));
      expect(next.inside, `继续扫下一个 at ${next.top}–${next.bottom}`).toBe(true);
    });
  }
});

describe("the counter", () => {
  it("confirm first, then hand over; 下一位 on the first screen", async () => {
    const household = await one<{ id: number; number: string }>(
      "select h.id, h.number from users u join members m on m.id = u.member_id join households h on h.id = m.household_id where u.phone = ?", VILLAGER,
    );
    const good = await one<{ id: number }>("select id from goods where village_id = 1 and active = 1 and stock > 5 and monthly_limit is null order by price, id limit 1");
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, KEEPER);
    await page.goto(`/v/1/store/counter?household=${household.id}`);
    await page.locator(`input[name="qty.${good.id}"]`).fill("1");
    await page.getByLabel("请村民输入 6 位兑换密码").fill("135790");
    await page.getByRole("button", { name: "确认兑换", exact: true }).click();
    await page.getByTestId("receipt").waitFor();
    await shot(page, "kc-counter-done");
    expect(await page.getByTestId("receipt").innerText()).toContain("已确认，请把商品交给村民");
    const next = await onScreen(page.getByRole("link", { name: "下一位" }));
    expect(next.inside, `下一位 at ${next.top}–${next.bottom}`).toBe(true);
  });
});

describe("the household home", () => {
  it("has 去兑换, 明细 and 申报 as big links under the balance; what 长辈模式 leaves out is marked", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGER);
    await page.goto("/");
    await shot(page, "kc-household-home");
    expect(await page.title()).toBe("我的积分 · 积分超市");
    for (const [name, to] of [["去兑换", "/store"], ["明细", "/statement"], ["申报", "/claims"]]) {
      const link = page.getByRole("link", { name, exact: true });
      expect(await link.getAttribute("href")).toBe(to);
      const box = (await link.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.width).toBeGreaterThanOrEqual(44);
      expect((await onScreen(link)).inside).toBe(true);
    }
    // The balance and those three stay in 长辈模式; the rest carries .elder-hide.
    expect(await page.getByTestId("spendable").evaluate((el) => el.closest(".elder-hide") === null)).toBe(true);
    expect(await page.locator("nav.main-ways").evaluate((el) => el.closest(".elder-hide") === null)).toBe(true);
    for (const heading of ["家庭成员", "最近记录"]) {
      expect(await page.getByRole("heading", { name: heading }).evaluate((el) => el.closest(".elder-hide") !== null), heading).toBe(true);
    }
    expect(await page.getByTestId("score").evaluate((el) => el.closest(".elder-hide") !== null)).toBe(true);
  });
});

describe("the work tiles show what waits", () => {
  const pendingClaims = async () => (await one<{ n: number }>("select count(*) as n from claims where village_id = 1 and status = 'pending'")).n;
  const openRounds = async () => (await one<{ n: number }>("select count(*) as n from sanitation_rounds where village_id = 1 and status = 'open'")).n;

  it("a committee member's home counts the claims waiting for review and the rounds under way", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, COMMITTEE);
    await page.goto("/");
    await shot(page, "kc-committee-home");
    expect(await page.title()).not.toContain("我的积分");
    const review = page.locator("main a", { hasText: "审核申报" }).first().locator("[data-count]");
    expect(Number(await review.getAttribute("data-count", { timeout: 3000 }))).toBe(await pendingClaims());
    expect(await review.innerText()).toContain(String(await pendingClaims()));
    const rounds = page.locator("main a", { hasText: "卫生评比" }).first().locator("[data-count]");
    expect(Number(await rounds.getAttribute("data-count", { timeout: 3000 }))).toBe(await openRounds());
    const links = await mainLinks(page);
    expect(links.findIndex((t) => t.startsWith("公示栏"))).toBeGreaterThan(links.findIndex((t) => t.startsWith("审核申报")));
  });

  it("a committee member with a household sees the same count under 工作", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, COMMITTEE_HOUSEHOLD);
    await page.goto("/work");
    await shot(page, "kc-committee-work");
    const review = page.locator("main a", { hasText: "审核申报" }).first().locator("[data-count]");
    expect(Number(await review.getAttribute("data-count", { timeout: 3000 }))).toBe(await pendingClaims());
  });
});
