// The foundation seen through a phone: a villager's balance, and a roster import by the village admin.
import fs from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "../support/harness";
import { ARTIFACTS, launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("villager", () => {
  it("signs in and sees the balance, the members and the latest entries", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000001");
    const spendable = page.getByTestId("spendable");
    await expect(spendable.textContent()).resolves.toMatch(/^-?\d+$/);
    await page.getByText("家庭成员").waitFor({ state: "visible" });
    expect(await page.locator(".entries li").count()).toBeGreaterThan(0);
    const fontSize = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
    expect(fontSize).toBeGreaterThanOrEqual(18);
    await shot(page, "villager-home");
    await page.getByRole("link", { name: "全部明细 ›" }).click();
    await page.waitForURL("**/statement");
    await page.locator(".entries li").first().waitFor({ state: "visible" });
    await shot(page, "villager-statement");
  });
});

describe("without JavaScript", () => {
  it("signs in with a plain form post, sees the balance and signs out", async () => {
    const page = await phonePage(browser, server.url, { javaScript: false });
    await signIn(page, "13900000011");
    await expect(page.getByTestId("spendable").textContent()).resolves.toMatch(/^-?\d+$/);
    await page.getByRole("button", { name: "退出" }).click();
    await page.waitForURL("**/login");
    await page.goto("/");
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});

describe("village admin", () => {
  it("imports a roster with an error (nothing written), then a valid one", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000005");
    await page.goto("/");
    const adminLink = page.getByRole("link", { name: "村务管理" }).first();
    await adminLink.click();
    await page.waitForURL(/\/v\/\d+\/admin/);
    const villagePath = new URL(page.url()).pathname.match(/^\/v\/\d+/)![0];

    const header = "户号,网格,门牌地址,姓名,与户主关系,手机号\n";
    const bad = header + "E901,第一网格,北街 1 号,周立国,户主,13712340001\nE901,第一网格,北街 1 号,吴芳,户主,1371234\n";
    const good = header + "E901,第一网格,北街 1 号,周立国,户主,13712340001\nE901,第一网格,北街 1 号,吴芳,配偶,\nE902,第二网格,北街 3 号,郑海,户主,\n";
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const badFile = path.join(ARTIFACTS, "roster-bad.csv");
    const goodFile = path.join(ARTIFACTS, "roster-good.csv");
    fs.writeFileSync(badFile, "\uFEFF" + bad);
    fs.writeFileSync(goodFile, "\uFEFF" + good);

    await page.goto(`${villagePath}/admin/import`);
    await page.locator('input[type="file"]').setInputFiles(badFile);
    await page.getByRole("button", { name: "检查并导入" }).click();
    await page.waitForSelector("table >> text=行号");
    const errorText = await page.locator("main").innerText();
    expect(errorText).toContain("3");
    await shot(page, "admin-import-errors");

    await page.goto(`${villagePath}/admin?q=E901`);
    expect(await page.locator("main").innerText()).toContain("没有找到符合的住户");

    await page.goto(`${villagePath}/admin/import`);
    await page.locator('input[type="file"]').setInputFiles(goodFile);
    await page.getByRole("button", { name: "检查并导入" }).click();
    await page.waitForSelector("text=导入成功");
    const summary = await page.locator("main").innerText();
    expect(summary).toMatch(/2\s*户/);
    expect(summary).toMatch(/3\s*人/);
    await shot(page, "admin-import-done");

    await page.goto(`${villagePath}/admin?q=E90`);
    const list = await page.locator("main").innerText();
    expect(list).toContain("E901");
    expect(list).toContain("E902");
  });
});
