// 积分清零 at 390×844: the village admin chooses year-end expiry; the test clock moves to ten days
// before the year ends and the household's home shows how many points expire on which day (also in
// 长辈模式); after the year ends the scheduler expires the spendable points, not the held ones; the
// statement shows the entry; the committee sees it on its page and can reverse it with a reason.
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld({ TEST_CLOCK_CONTROL: "1" });
const VIEWPORT = { width: 390, height: 844 };
const DAY = 86_400_000;
const q = () => sqlOn(world.database);

/** Moves the server's clock by ms (and runs the scheduler's round); returns the server's now. */
async function advance(page: Page, ms: number): Promise<number> {
  const r = await page.request.post("/test/clock", { form: { advanceMs: String(Math.max(0, Math.round(ms))) }, headers: { origin: world.server.url } });
  expect(r.status()).toBe(200);
  return ((await r.json()) as { now: number }).now;
}

/** The first instant of the next China-time year after `at`. */
function nextYearStart(at: number): { year: number; start: number } {
  const year = new Date(at + 8 * 3600_000).getUTCFullYear();
  return { year, start: Date.UTC(year + 1, 0, 1) - 8 * 3600_000 };
}

async function expectInside(el: Locator, what: string): Promise<void> {
  await el.waitFor({ state: "visible" });
  const box = (await el.boundingBox())!;
  expect(box.x, what).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, what).toBeLessThanOrEqual(VIEWPORT.width);
  expect(box.y + box.height, `${what}: within the first screen`).toBeLessThanOrEqual(VIEWPORT.height);
}

const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());
const fontSize = (el: Locator) => el.evaluate((n) => parseFloat(getComputedStyle(n).fontSize));

describe("expiry at year end", () => {
  it("settings → notice from D days before (also 长辈模式) → run after the year ends → statement → committee reverses", async () => {
    const admin = await phonePage(world.browser, world.server.url);
    await signIn(admin, "13900000005");
    const start = await advance(admin, 0);
    const { year, start: newYear } = nextYearStart(start);
    const daysLeft = Math.floor((newYear - start) / DAY);
    // Told from 10 days before; when the test starts earlier than that, first check nothing shows.
    const noticeDays = 10;

    await admin.goto("/v/1/admin/settings");
    await shot(admin, "expiry-1-settings-before");
    await admin.locator("#f-expiryMode-year_end").check();
    await admin.locator("#f-expiryNoticeDays").fill(String(noticeDays));
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await expect(admin.locator(".form-ok").textContent()).resolves.toContain("积分过期设置从现在起生效");
    expect(await admin.locator("#f-expiryMode-year_end").isChecked()).toBe(true);
    // Every choice is one finger-sized line.
    for (const value of ["never", "year_end", "months"]) {
      const box = (await admin.locator(`label:has(#f-expiryMode-${value})`).boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.x + box.width).toBeLessThanOrEqual(VIEWPORT.width);
    }
    await shot(admin, "expiry-2-settings-saved");

    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    if (daysLeft > noticeDays + 1) {
      await villager.goto("/");
      expect(await villager.getByTestId("expiry-notice").count()).toBe(0);
    }

    // Ten days minus an hour before the year ends: inside the window.
    await advance(villager, newYear - (noticeDays * DAY - 3600_000) - (await advance(villager, 0)));
    await signIn(villager, "13900000001"); // a week without a visit ends a session
    await villager.goto("/");
    const points = await spendable(villager);
    expect(points).toBeGreaterThan(0);
    const notice = villager.getByTestId("expiry-notice");
    await expect(notice.textContent()).resolves.toBe(`您有 ${points} 分将于 ${year}年12月31日 过期，请在此之前兑换。`);
    await expectInside(notice, "the notice");
    const normal = await fontSize(notice);
    expect(normal).toBeGreaterThanOrEqual(17);
    await shot(villager, "expiry-3-home-notice");

    // 长辈模式: the notice stays, larger.
    await villager.locator("header.topbar").getByRole("button", { name: "大字" }).click();
    await villager.waitForFunction(() => document.documentElement.dataset.elder === "1");
    await expectInside(notice, "the notice in 长辈模式");
    expect(await fontSize(notice)).toBeGreaterThan(normal);
    await shot(villager, "expiry-4-home-notice-elder");
    await villager.locator("header.topbar").getByRole("button", { name: "大字" }).click();
    await villager.waitForFunction(() => document.documentElement.dataset.elder !== "1");

    // Five minutes before the year ends the villager makes a code: those points are held.
    await advance(villager, newYear - 5 * 60_000 - (await advance(villager, 0)));
    const good = (await q().get<{ id: number; price: number }>(
      "select id, price from goods where village_id = 1 and active = 1 and stock > 5 and monthly_limit is null and price <= ? order by price limit 1",
      points,
    ))!;
    await signIn(villager, "13900000001");
    await villager.goto("/store");
    await villager.locator(`input[name="qty.${good.id}"]`).fill("1");
    await villager.getByRole("button", { name: "生成兑换码" }).click();
    await villager.waitForURL(/\/store\/orders\/\d+/);

    // Six minutes later: the year has ended and the scheduler's round has run.
    await advance(villager, 6 * 60_000);
    await villager.goto("/");
    expect(await spendable(villager)).toBe(0);
    await expect(villager.locator(".balance .hint").first().textContent()).resolves.toBe(`另有 ${good.price} 分兑换中`);
    expect(await villager.getByTestId("expiry-notice").count()).toBe(0);
    await shot(villager, "expiry-5-home-after");
    await villager.goto("/statement");
    const entry = villager.locator(".entries li", { hasText: `${year}年积分过期` }).first();
    await expect(entry.textContent()).resolves.toContain(`-${points - good.price}`);
    await shot(villager, "expiry-6-statement");

    // The committee's page: the villager's expiry, and 撤销 with a reason.
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto("/v/1/expiry");
    await expect(committee.locator("main").textContent()).resolves.toMatch(/共 \d+ 笔/);
    await shot(committee, "expiry-7a-committee-all");
    const household = (await q().get<{ number: string }>("select h.number from households h join members m on m.household_id = h.id join users u on u.member_id = m.id where u.phone = '13900000001'"))!;
    // The household's own expiries, found by its 户号.
    await committee.locator("#f-number").fill(household.number);
    await committee.getByRole("button", { name: "查看" }).click();
    await committee.waitForURL(/number=/);
    const row = committee.getByTestId("expiry-row").filter({ hasText: `${household.number}号户` }).first();
    await expect(row.textContent()).resolves.toContain(`${year}年过期 ${points - good.price} 分`);
    await shot(committee, "expiry-7-committee-list");
    // Scripts loaded and nothing in flight: the posts below are the page's own, not a half-hydrated form's.
    await committee.waitForLoadState("networkidle");
    await row.getByText("撤销这笔过期").click();
    // Empty reason: refused beside the field, nothing reversed.
    await row.getByRole("button", { name: /撤销，退回/ }).click();
    await expect(committee.locator("#f-reason-err").textContent()).resolves.toBe("请填写撤销理由");
    await committee.waitForLoadState("networkidle");
    const again = committee.getByTestId("expiry-row").filter({ hasText: `${household.number}号户` }).first();
    await again.locator("input[name=reason]").fill("外出务工，年底未能兑换，村委会议同意退回");
    const button = again.getByRole("button", { name: /撤销，退回/ });
    const box = (await button.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    await button.click();
    await committee.locator(".form-ok", { hasText: "已撤销这笔过期" }).waitFor();
    // The list is read again after the answer: wait for the row to say so rather than read it at once.
    await committee.getByTestId("expiry-row").filter({ hasText: `${household.number}号户` }).filter({ hasText: "外出务工" }).first().waitFor();
    await shot(committee, "expiry-8-committee-reversed");
    await villager.goto("/");
    expect(await spendable(villager)).toBe(points - good.price);
    // The audit log names it in Chinese.
    await signIn(admin, "13900000005");
    await admin.goto("/v/1/admin/audit");
    await expect(admin.locator("main").textContent()).resolves.toContain("撤销积分过期");
  });
});
