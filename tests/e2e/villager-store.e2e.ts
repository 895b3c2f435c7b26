// The villager's store and code page on a 390×844 phone, with and without JavaScript: a refused
// 生成兑换码 says why where the villager is looking (beside the sticky button, inside the viewport),
// the bar keeps a running total and refuses early what the household cannot afford, the code page
// shows what this order holds and what is left, refreshes itself without scripts, and 取消兑换 asks
// once, then says it is cancelled; the recent orders list names each order's state.
import path from "node:path";
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { ARTIFACTS, keeperConfirmsTyped, phonePage, startWorld, shot, signIn } from "./browser";

const world = startWorld();

const VILLAGER = "13900000001";
const VIEWPORT = { width: 390, height: 844 };
const q = () => sqlOn(world.database);
const one = async <T>(text: string, ...args: unknown[]) => (await q().get<T>(text, ...args))!;

interface Good { id: number; name: string; price: number; stock: number; available: number }

/** The store's active, unlimited goods with what live codes leave of their stock, dearest first. */
async function unlimitedGoods(): Promise<Good[]> {
  const goods = await q().all<Omit<Good, "available">>(
    "select id, name, price, stock from goods where village_id = 1 and active = 1 and monthly_limit is null order by price desc, id desc",
  );
  const out: Good[] = [];
  for (const g of goods) {
    const held = await one<{ n: number }>(
      "select coalesce(sum(i.qty), 0) as n from order_items i join orders o on o.id = i.order_id where o.status = 'pending' and o.expires_at > ? and i.good_id = ?",
      Date.now(), g.id,
    );
    out.push({ ...g, available: g.stock - Number(held.n) });
  }
  return out;
}

async function villagerPage(javaScript = true): Promise<Page> {
  const page = await phonePage(world.browser, world.server.url, { javaScript });
  await signIn(page, VILLAGER);
  return page;
}

const spendableOn = async (page: Page) => Number(await page.getByTestId("store-spendable").textContent());
/** A good's card on the shelf (found by its quantity box). */
const card = (page: Page, goodId: number) => page.locator(`li.good:has(input[name="qty.${goodId}"])`);
const plus = (page: Page, good: { name: string }) => page.getByRole("button", { name: `${good.name}多一个`, exact: true });
const minus = (page: Page, good: { name: string }) => page.getByRole("button", { name: `${good.name}少一个`, exact: true });

/** Asserts the element's whole box lies inside the phone's screen as it is scrolled now. */
async function expectOnScreen(el: Locator, what: string): Promise<void> {
  await el.waitFor({ state: "visible" });
  const box = await el.boundingBox();
  expect(box, what).not.toBeNull();
  expect(box!.y, `${what}: top ${box!.y}`).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `${what}: bottom ${box!.y + box!.height}`).toBeLessThanOrEqual(VIEWPORT.height);
  expect(box!.x, what).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width, what).toBeLessThanOrEqual(VIEWPORT.width);
}

/** Asserts that at least one of the elements (a message may show in two places) is wholly on screen. */
async function expectOneOnScreen(els: Locator, what: string): Promise<void> {
  await els.first().waitFor({ state: "visible" });
  const boxes = (await Promise.all((await els.all()).map((el) => el.boundingBox()))).filter((b) => b !== null);
  const inside = boxes.filter((b) => b.y >= 0 && b.y + b.height <= VIEWPORT.height && b.x >= 0 && b.x + b.width <= VIEWPORT.width);
  expect(inside.length, `${what}: shown at ${boxes.map((b) => `top ${Math.round(b.y)}`).join(", ")}`).toBeGreaterThan(0);
}

/** What the phone's screen shows right now (not the full page): where the message is, as seen. */
const screen = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

/** The 生成兑换码 button as a thumb finds it: the sticky bar, wherever the page is scrolled. */
const makeCode = (page: Page) => page.getByRole("button", { name: "生成兑换码" });

/** Cancels a pending order through the page, as the villager would (asked once, then done). */
async function cancelThroughPage(page: Page, orderId: number): Promise<void> {
  await page.goto(`/store/orders/${orderId}`);
  await page.getByRole("link", { name: "取消兑换" }).click();
  await page.getByRole("button", { name: "确定取消兑换" }).click();
  await page.getByTestId("order-cancelled").waitFor();
}

const orderIdOf = (page: Page) => Number(/\/store\/orders\/(\d+)/.exec(page.url())![1]);

describe("with JavaScript", () => {
  it("keeps a running total in the sticky bar and refuses early what the household cannot afford", async () => {
    const page = await villagerPage();
    await page.goto("/store");
    await shot(page, "villager-store-before-choosing");
    const spendable = await spendableOn(page);
    const goods = (await unlimitedGoods()).filter((g) => g.available > 3 && g.price * 2 <= spendable);
    const a = goods[goods.length - 1]; // the cheapest
    const b = goods[0]; // the dearest
    await expect(page.getByTestId("cart-total").textContent()).resolves.toBe("0");
    expect(await makeCode(page).isDisabled()).toBe(true);

    await card(page, a.id).scrollIntoViewIfNeeded();
    await plus(page, a).tap();
    await plus(page, a).tap();
    await expect(page.locator(`input[name="qty.${a.id}"]`).inputValue()).resolves.toBe("2");
    await expect(page.getByTestId("cart-total").textContent()).resolves.toBe(String(2 * a.price));
    await expect(page.getByTestId("cart-left").textContent()).resolves.toBe(String(spendable - 2 * a.price));
    await minus(page, a).tap();
    await expect(page.getByTestId("cart-total").textContent()).resolves.toBe(String(a.price));
    await expectOnScreen(page.getByTestId("cart-total"), "the running total");
    expect(await makeCode(page).isEnabled()).toBe(true);
    await shot(page, "villager-store-chosen");
    await screen(page, "villager-store-chosen-screen");

    // The − / + buttons are thumb-sized.
    for (const button of [plus(page, a), minus(page, a)]) {
      const box = (await button.boundingBox())!;
      expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
    }

    // Typing more than the points allow: the button goes off and the bar says why, on screen.
    const tooMany = Math.floor(spendable / b.price) + 1;
    await card(page, b.id).scrollIntoViewIfNeeded();
    await page.locator(`input[name="qty.${b.id}"]`).fill(String(Math.min(tooMany, 99)));
    expect(await makeCode(page).isDisabled()).toBe(true);
    await expectOnScreen(page.getByTestId("cart-reason"), "the reason the button is off");
    expect(await page.getByTestId("cart-reason").textContent()).toBe(`积分不够：可用 ${spendable} 分，还差 ${a.price + b.price * Math.min(tooMany, 99) - spendable} 分，请减少数量`);
    await screen(page, "villager-store-cannot-afford-screen");
    // With points left below a good's price, its + is off.
    await page.locator(`input[name="qty.${b.id}"]`).fill(String(Math.floor((spendable - a.price) / b.price)));
    const left = Number(await page.getByTestId("cart-left").textContent());
    expect(left).toBeLessThan(b.price);
    expect(await plus(page, b).isDisabled()).toBe(true);
    expect(await makeCode(page).isEnabled()).toBe(true);

    // 只看买得起的 is a plain link (?afford=1): the chosen quantities stay chosen, and a good dearer
    // than the whole balance (made so here: the demo's goods all fit) is not shown.
    const dear = goods.find((g) => g.id !== a.id && g.id !== b.id)!;
    await q().run("update goods set price = ? where id = ?", spendable + 1, dear.id);
    try {
      await page.getByTestId("afford-only").click();
      await page.locator('[data-testid="afford-only"][aria-current="page"]').waitFor();
      await expect(page.getByTestId("cart-total").textContent()).resolves.toBe(String(a.price + b.price * Math.floor((spendable - a.price) / b.price)));
      expect(await page.locator(".good .name").allTextContents()).not.toContain(dear.name);
      expect(await page.locator("h2.cat-head").count()).toBeGreaterThan(1);
      await shot(page, "villager-store-afford-only");
      await page.getByRole("link", { name: "全部商品" }).click();
      await page.locator('[data-testid="afford-only"]:not([aria-current])').waitFor();
      expect(await page.locator(".good .name").allTextContents()).toContain(dear.name);
    } finally {
      await q().run("update goods set price = ? where id = ?", dear.price, dear.id);
    }
    await page.context().close();
  });

  it("a refused 生成兑换码 (可用积分不足) shows its message beside the button, inside the screen", async () => {
    const page = await villagerPage();
    await page.goto("/store");
    const spendable = await spendableOn(page);
    // k of a good use up the points all but less than its price; another code for one of it then
    // holds enough that this cart no longer fits (the villager made it on a second phone).
    const g = (await unlimitedGoods()).find((x) => x.price <= spendable && x.available >= Math.floor(spendable / x.price) + 1 && Math.floor(spendable / x.price) <= 99)!;
    const k = Math.floor(spendable / g.price);
    await card(page, g.id).scrollIntoViewIfNeeded();
    await page.locator(`input[name="qty.${g.id}"]`).fill(String(k));
    expect(await makeCode(page).isEnabled()).toBe(true);

    const other = await villagerPage();
    await other.goto("/store");
    await other.locator(`input[name="qty.${g.id}"]`).fill("1");
    await makeCode(other).click();
    await other.waitForURL(/\/store\/orders\/\d+/);
    const otherOrder = orderIdOf(other);

    // The villager is looking at the good, far down the page, and taps the sticky button.
    await card(page, g.id).scrollIntoViewIfNeeded();
    await makeCode(page).click();
    const alert = page.getByRole("alert").filter({ hasText: "可用积分不足" });
    await expectOnScreen(alert, "the 可用积分不足 message");
    expect(page.url()).not.toMatch(/\/store\/orders\//);
    await screen(page, "villager-store-refused-balance-screen");
    // The message belongs to this page: another page of the store does not show it again.
    await page.getByTestId("afford-only").click();
    await page.locator('[data-testid="afford-only"][aria-current="page"]').waitFor();
    expect(await page.getByRole("alert").filter({ hasText: "可用积分不足" }).count()).toBe(0);

    await cancelThroughPage(other, otherOrder);
    await other.context().close();
    await page.context().close();
  });

  it("a good taken off the shelf meanwhile is named beside the button (today: no message at all)", async () => {
    const page = await villagerPage();
    await page.goto("/store");
    const g = (await unlimitedGoods()).filter((x) => x.available > 2).at(-1)!;
    await card(page, g.id).scrollIntoViewIfNeeded();
    await page.locator(`input[name="qty.${g.id}"]`).fill("1");
    await q().run("update goods set active = 0 where id = ?", g.id);
    try {
      await makeCode(page).click();
      const alert = page.getByRole("alert").filter({ hasText: `${g.name}已下架` });
      await expectOnScreen(alert, "the 已下架 message");
      expect(await alert.textContent()).toContain("已从所选中去掉");
      // What is left in the cart is what the form would send: nothing.
      await expect(page.getByTestId("cart-total").textContent()).resolves.toBe("0");
      await screen(page, "villager-store-refused-gone-screen");
      // Changing the cart clears the stale message.
      const next = (await unlimitedGoods()).find((x) => x.id !== g.id && x.available > 2)!;
      await page.locator(`input[name="qty.${next.id}"]`).fill("1");
      expect(await page.getByRole("alert").filter({ hasText: "已下架" }).count()).toBe(0);
    } finally {
      await q().run("update goods set active = 1 where id = ?", g.id);
    }
    await page.context().close();
  });

  it("the code page shows what this order holds and what is left; 取消兑换 asks once, then says so; the list names each state", async () => {
    const page = await villagerPage();
    await page.goto("/store");
    const spendable = await spendableOn(page);
    const g = (await unlimitedGoods()).filter((x) => x.available > 2 && x.price <= spendable).at(-1)!;
    await plus(page, g).tap();
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(844);
    await makeCode(page).click();
    await page.waitForURL(/\/store\/orders\/\d+/);
    const orderId = orderIdOf(page);
    // The code opens at the top of its page (the QR first), wherever the shelf was scrolled.
    await page.getByTestId("code-card").waitFor();
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await expect(page.getByTestId("order-held").textContent()).resolves.toBe(String(g.price));
    await expect(page.getByTestId("order-left").textContent()).resolves.toBe(String(spendable - g.price));
    expect(await page.locator("body").innerText()).not.toContain("扫码核销后才会扣积分");
    await shot(page, "villager-code-page");

    await page.getByRole("link", { name: "取消兑换" }).click();
    await page.getByTestId("cancel-confirm").waitFor();
    // Asking is not cancelling.
    expect((await one<{ status: string }>("select status from orders where id = ?", orderId)).status).toBe("pending");
    await shot(page, "villager-code-cancel-ask");
    await page.getByRole("button", { name: "确定取消兑换" }).click();
    await page.getByTestId("order-cancelled").waitFor();
    expect(await page.getByTestId("order-cancelled").innerText()).toContain(`冻结的 ${g.price} 分已经退回`);
    expect((await one<{ status: string }>("select status from orders where id = ?", orderId)).status).toBe("cancelled");
    await shot(page, "villager-code-cancelled");

    await page.getByRole("link", { name: "回到超市" }).click();
    await page.waitForURL(/\/store$/);
    const row = page.getByTestId("recent-orders").locator("li", { hasText: `No.${String(orderId).padStart(6, "0")}` });
    await expect(row.innerText()).resolves.toContain("已取消");
    const rows = await page.getByTestId("recent-orders").locator("li").allInnerTexts();
    for (const r of rows) expect(r).toMatch(/待核销|已核销|已取消|已过期|已作废/);
    await page.context().close();
  });

  it("turns the stepper large in 长辈模式 (data-elder on <html>)", async () => {
    const page = await villagerPage();
    await page.goto("/store");
    await page.evaluate(() => document.documentElement.setAttribute("data-elder", "1"));
    const g = (await unlimitedGoods())[0];
    await card(page, g.id).scrollIntoViewIfNeeded();
    await card(page, g.id).locator("img").evaluate((img: HTMLImageElement) => img.decode());
    const box = (await plus(page, g).boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(60);
    await screen(page, "villager-store-elder-screen");
    await page.context().close();
  });
});

describe("without JavaScript", () => {
  it("a refused 生成兑换码 reloads with its message inside the first screen", async () => {
    const page = await villagerPage(false);
    await page.goto("/store");
    await shot(page, "villager-store-nojs");
    // No − / + without scripts (they could not work): the number box alone.
    expect(await plus(page, { name: "挂面" }).isVisible()).toBe(false);
    const spendable = await spendableOn(page);
    const g = (await unlimitedGoods()).find((x) => x.price <= spendable && Math.floor(spendable / x.price) + 1 <= Math.min(99, x.available))!;
    await card(page, g.id).scrollIntoViewIfNeeded();
    await page.locator(`input[name="qty.${g.id}"]`).fill(String(Math.floor(spendable / g.price) + 1));
    await makeCode(page).click();
    await page.waitForLoadState("load");
    const alert = page.getByRole("alert").filter({ hasText: "可用积分不足" });
    await expectOnScreen(alert, "the 可用积分不足 message after the reload");
    await screen(page, "villager-store-nojs-refused-balance-screen");

    // A monthly limit on a good far down the shelf: the message names it, beside the button.
    const limited = await one<{ id: number; name: string; monthly_limit: number }>(
      "select id, name, monthly_limit from goods where village_id = 1 and active = 1 and monthly_limit is not null and stock > 5 order by id desc limit 1",
    );
    await page.goto("/store");
    await card(page, limited.id).scrollIntoViewIfNeeded();
    await page.locator(`input[name="qty.${limited.id}"]`).fill(String(limited.monthly_limit + 1));
    await makeCode(page).click();
    await page.waitForLoadState("load");
    // Beside the good (far down) and beside the button: the one beside the button is on screen.
    const limitMessage = page.locator(".form-error, .field-error").filter({ hasText: limited.name });
    await expectOneOnScreen(limitMessage, "the monthly limit message after the reload");
    expect(await limitMessage.first().textContent()).toMatch(/每月限|本月已兑满/);
    await expect(page.locator(`#q${limited.id}-err`).textContent()).resolves.toMatch(/每月限|本月已兑满/);
    await screen(page, "villager-store-nojs-refused-limit-screen");
    await page.context().close();
  });

  it("the code page shows the hold, refreshes itself until the keeper confirms, and cancels with one question", async () => {
    const page = await villagerPage(false);
    await page.goto("/store");
    const spendable = await spendableOn(page);
    const g = (await unlimitedGoods()).filter((x) => x.available > 2 && x.price <= spendable).at(-1)!;
    await page.locator(`input[name="qty.${g.id}"]`).fill("1");
    await makeCode(page).click();
    await page.waitForURL(/\/store\/orders\/\d+/);
    await expect(page.getByTestId("order-held").textContent()).resolves.toBe(String(g.price));
    await expect(page.getByTestId("order-left").textContent()).resolves.toBe(String(spendable - g.price));
    await page.getByTestId("noscript-refresh").waitFor();
    expect(await page.getByRole("link", { name: "刷新" }).isVisible()).toBe(true);
    await shot(page, "villager-code-page-nojs");
    const code = (await page.getByTestId("order-code").getAttribute("data-code"))!;

    // The keeper confirms by typing the 8 digits; the villager's page shows the receipt by itself.
    const keeper = await keeperConfirmsTyped(world.browser, world.server.url, code);
    await page.getByTestId("receipt").waitFor({ timeout: 25_000 });
    await shot(page, "villager-code-receipt-nojs");
    await keeper.context().close();

    // 取消兑换 without scripts: a page that asks, then the answer.
    await page.goto("/store");
    await page.locator(`input[name="qty.${g.id}"]`).fill("1");
    await makeCode(page).click();
    await page.waitForURL(/\/store\/orders\/\d+/);
    const orderId = orderIdOf(page);
    await page.getByRole("link", { name: "取消兑换" }).click();
    await page.getByTestId("cancel-confirm").waitFor();
    expect((await one<{ status: string }>("select status from orders where id = ?", orderId)).status).toBe("pending");
    await page.getByRole("button", { name: "确定取消兑换" }).click();
    await page.getByTestId("order-cancelled").waitFor();
    expect((await one<{ status: string }>("select status from orders where id = ?", orderId)).status).toBe("cancelled");
    await page.goto("/store");
    const list = await page.getByTestId("recent-orders").innerText();
    expect(list).toContain("已取消");
    expect(list).toContain("已核销");
    await page.context().close();
  });
});
