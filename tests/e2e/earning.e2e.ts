// Earning points through a phone: a villager files a claim with a photo, the committee approves it,
// the notice board shows it, the test-only clock moves past the 公示 period, and the balance rises.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/harness";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ TEST_CLOCK_CONTROL: "1" }), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());

/** A real PNG, drawn by the browser itself: what a phone camera's picture is to our content check. */
async function photo(page: Page): Promise<Buffer> {
  await page.setContent('<div style="width:320px;height:240px;background:linear-gradient(135deg,#2e7d32,#a5d6a7)"><p style="font:32px sans-serif;color:#fff;padding:24px">村口清扫</p></div>');
  return page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
}

describe("earning points", () => {
  it("claim with a photo → approval → notice board → 公示 ends → balance rises", async () => {
    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000001");
    const before = await spendable(villager);
    const png = await photo(villager);

    await villager.goto("/claims/new");
    await villager.locator("#f-memberId").selectOption({ index: 1 });
    await villager.locator("#f-ruleId").selectOption({ label: "清扫村道：+3 分/次" });
    await villager.locator("#f-quantity").fill("1");
    await villager.locator("#f-note").fill("清扫村口到祠堂的路");
    await villager.locator("#f-photos").setInputFiles({ name: "road.png", mimeType: "image/png", buffer: png });
    await shot(villager, "earning-1-claim-form");
    await villager.getByRole("button", { name: "提交申报" }).click();
    await villager.waitForURL("**/claims?filed=1");
    const row = villager.locator(".entries li").first();
    await expect(row.textContent()).resolves.toContain("待审核");
    await shot(villager, "earning-2-claim-list");

    const committee = await phonePage(browser, server.url);
    await signIn(committee, "13900000003");
    await committee.getByRole("link", { name: "审核申报" }).first().click();
    await committee.waitForURL(/\/v\/\d+\/review$/);
    const villagePath = new URL(committee.url()).pathname.match(/^\/v\/\d+/)![0];
    await shot(committee, "earning-3-review-queue");
    await committee.getByRole("link", { name: /清扫村道/ }).first().click();
    await committee.waitForURL(/\/review\/\d+$/);
    const img = committee.locator(".photos img").first();
    await img.waitFor();
    expect(await img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(320);
    await shot(committee, "earning-4-review-detail");
    await committee.getByRole("button", { name: "通过" }).click();
    await expect(committee.locator(".form-ok").textContent()).resolves.toContain("进入公示");

    await villager.goto(`${villagePath}/notice`);
    const item = villager.locator(".notice-item", { hasText: "清扫村道" }).first();
    await expect(item.textContent()).resolves.toMatch(/还剩 3 天/);
    await shot(villager, "earning-5-notice-board");
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before); // not yet: 公示 runs

    // The test-only clock: three days and a minute later, and the scheduler's round.
    const moved = await villager.request.post("/test/clock", { form: { advanceMs: String(3 * 86_400_000 + 60_000) }, headers: { origin: server.url } });
    expect(moved.status()).toBe(200);
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before + 3);
    await shot(villager, "earning-6-balance-after");
    await villager.goto("/claims");
    await expect(villager.locator(".entries li").first().textContent()).resolves.toContain("已入账");
    await shot(villager, "earning-7-claim-credited");
    await villager.goto(`${villagePath}/notice?print=1`);
    await expect(villager.locator("[data-testid^=credited-]").first().textContent()).resolves.toContain("清扫村道");
    await shot(villager, "earning-8-notice-print");
  });

  it("every earning page renders and hydrates without an error, for its role", async () => {
    const pages: [string, string[]][] = [
      ["13900000001", ["/claims", "/claims/new", "/v/1/notice", "/v/1/notice?print=1"]],
      ["13900000003", ["/v/1/review", "/v/1/claims/new", "/v/1/notice"]],
      ["13900000004", ["/v/1/claims/new"]],
      ["13900000005", ["/v/1/admin/rules", "/v/1/admin/settings"]],
    ];
    for (const [phone, paths] of pages) {
      const page = await phonePage(browser, server.url);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await signIn(page, phone);
      for (const p of paths) {
        await page.goto(p);
        await page.waitForLoadState("networkidle");
        expect(await page.locator(".error-page").count(), `${phone} ${p}`).toBe(0);
      }
      expect(errors, phone).toEqual([]);
      await page.context().close();
    }
  });

  it("the village admin adds a rule (refused first, then accepted) and sets 公示 days", async () => {
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    await admin.goto("/v/1/admin/rules");
    await admin.getByText("填写新细则").click();
    await admin.locator("#new-name").fill("扶贫帮困捐款");
    await admin.locator("#new-points").fill("0");
    await admin.getByRole("button", { name: "新增" }).click();
    await expect(admin.locator("#new-points-err").textContent()).resolves.toBe("分值不能为 0");
    await admin.locator("#new-points").fill("8");
    await admin.locator("#new-member_year").fill("16");
    await admin.getByRole("button", { name: "新增" }).click();
    await admin.locator(".form-ok").first().waitFor();
    await expect(admin.locator(".rule-row", { hasText: "扶贫帮困捐款" }).textContent()).resolves.toContain("每人每年 16 分");
    await shot(admin, "earning-9-rules");
    await admin.goto("/v/1/admin/settings");
    await admin.locator("#f-noticeDays").fill("5");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.locator(".form-ok").waitFor();
    await expect(admin.locator("#f-noticeDays").inputValue()).resolves.toBe("5");
    await shot(admin, "earning-10-settings");
  });
});
