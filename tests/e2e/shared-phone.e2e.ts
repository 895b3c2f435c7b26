// A family shares one phone: after signing out, the back button must not bring the balance or the
// statement back on screen, whether the page ran JavaScript or not.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/harness";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the villager saw while signed in must not be what the page shows now. */
async function expectSignedOutView(page: Page, balance: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.getByRole("heading", { name: "登录" }).waitFor({ state: "visible", timeout: 10_000 });
  expect(await page.getByTestId("spendable").count()).toBe(0);
  expect(await page.locator(".entries li").count()).toBe(0);
  const text = await page.locator("body").innerText();
  expect(text).not.toContain("可用积分");
  expect(text).not.toContain("全部明细");
  expect(balance).toMatch(/^-?\d+$/);
}

for (const javaScript of [true, false]) {
  describe(javaScript ? "with JavaScript" : "without JavaScript", () => {
    it("signs out, then the back button shows the sign-in page, not the balance or the statement", async () => {
      const page = await phonePage(browser, server.url, { javaScript });
      await signIn(page, "13900000001");
      // Full page loads (a reopened tab, a tapped bookmark): with JavaScript too, the home page and
      // the statement are then documents of their own, and going back to one is the browser's business.
      await page.goto("/");
      const balance = (await page.getByTestId("spendable").textContent())!.trim();
      await page.goto("/statement");
      await page.locator(".entries li").first().waitFor({ state: "visible" });

      await page.getByRole("button", { name: "退出" }).click();
      await page.waitForURL("**/login");

      await page.goBack(); // the statement
      await expectSignedOutView(page, balance);
      await page.goBack(); // the home page with the balance
      await expectSignedOutView(page, balance);
      await shot(page, `shared-phone-back-after-sign-out-${javaScript ? "js" : "nojs"}`);
      await page.context().close();
    });
  });
}
