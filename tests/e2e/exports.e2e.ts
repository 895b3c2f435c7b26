// The export page on a phone (390×844), with and without JavaScript: reached from the village admin's
// page, every choice a big target, nothing wider than the screen, and a tap on a download button
// brings a file with its Chinese name, which reads back as the database has it. A bad range shows a
// Chinese message on the page instead.
import fs from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { ARTIFACTS, phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();
const VILLAGE_ADMIN = "13900000005";
const TOWNSHIP_ADMIN = "13900000000";
const DAY = 86_400_000;
const chinaDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const TO = chinaDay(Date.now());
const FROM = chinaDay(Date.now() - 90 * DAY);

/** The page is no wider than the phone, and each of its buttons and choices is at least 44 × 44. */
async function fitsThePhone(page: Page): Promise<void> {
  // After a client-side navigation the URL changes before React has drawn the page: wait for the form.
  await page.locator("form.export-form").waitFor();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const targets = [
    ...(await page.locator("form.export-form button").all()),
    ...(await page.locator("form.export-form label.export-kind").all()),
    ...(await page.locator("form.export-form input[type=date]").all()),
  ];
  expect(targets.length).toBe(2 + 5 + 2);
  for (const t of targets) {
    const box = (await t.boundingBox())!;
    expect(box.height, await t.innerText().catch(() => "")).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
}

async function choose(page: Page, kind: string, from: string, to: string): Promise<void> {
  await page.getByRole("radio", { name: new RegExp(kind) }).check();
  await page.getByLabel("开始日期").fill(from);
  await page.getByLabel("结束日期（含这一天）").fill(to);
}

describe("the export page on a phone", () => {
  it("downloads a CSV with a Chinese name from the page reached from the village admin's page", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, VILLAGE_ADMIN);
    await page.goto("/v/1/admin");
    // The admin's first screen, where the link is: the whole list of households is too long to read.
    const link = (await page.getByTestId("exports-link").boundingBox())!;
    expect(link.height).toBeGreaterThanOrEqual(44);
    expect(link.y + link.height).toBeLessThanOrEqual(844);
    await page.screenshot({ path: path.join(ARTIFACTS, "exports-admin-link.png") });
    await page.getByTestId("exports-link").click();
    await page.waitForURL("**/v/1/exports");
    await fitsThePhone(page);
    await shot(page, "exports-page");
    await choose(page, "住户积分", FROM, TO);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 CSV 表格" }).click()]);
    const village = (await sqlOn(world.database).value<string>("select name from villages where id = 1"))!;
    expect(download.suggestedFilename()).toBe(`${village}住户积分_${FROM}至${TO}.csv`);
    const bytes = fs.readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(bytes.toString("utf8"), { bom: true, record_delimiter: "\r\n" });
    expect(rows[0].slice(0, 3)).toEqual(["户号", "网格", "户主"]);
    expect(rows.length - 1).toBe(Number(await sqlOn(world.database).value("select count(*) from households where village_id = 1")));
    // The page stays where it was, ready for the next export.
    expect(new URL(page.url()).pathname).toBe("/v/1/exports");
  });

  it("downloads an Excel workbook without JavaScript, and shows a bad range in Chinese", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, VILLAGE_ADMIN);
    await page.goto("/v/1/exports");
    await fitsThePhone(page);
    await choose(page, "积分流水", FROM, TO);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 Excel 表格" }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`积分流水_${FROM}至${TO}\\.xlsx$`));
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    const sheet = book.worksheets[0];
    expect(sheet.name).toBe("积分流水");
    expect(sheet.getRow(1).getCell(1).value).toBe("流水号");
    const entries = Number(await sqlOn(world.database).value(
      "select count(*) from ledger_entries e join accounts a on a.id = e.account_id where a.village_id = 1 and e.created_at >= ? and e.created_at < ?",
      Date.parse(`${FROM}T00:00:00+08:00`), Date.parse(`${TO}T00:00:00+08:00`) + DAY,
    ));
    expect(sheet.rowCount - 1).toBe(entries);

    await choose(page, "兑换单", TO, FROM);
    await Promise.all([page.waitForNavigation(), page.getByRole("button", { name: "下载 Excel 表格" }).click()]);
    const error = page.locator("#f-to-err");
    await expect(error.innerText()).resolves.toBe("开始日期不能晚于结束日期");
    expect(await error.isVisible()).toBe(true);
    await fitsThePhone(page);
    await shot(page, "exports-page-error");
  });

  it("lets the township admin pick a village or the whole township", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, TOWNSHIP_ADMIN);
    await page.goto("/township");
    await page.screenshot({ path: path.join(ARTIFACTS, "exports-township-link.png") });
    await page.getByTestId("exports-link").click();
    await page.waitForURL("**/township/exports");
    await fitsThePhone(page);
    const select = (await page.getByLabel("哪个村").boundingBox())!;
    expect(select.height).toBeGreaterThanOrEqual(44);
    await shot(page, "exports-township");
    await choose(page, "月度结算", FROM, TO);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "下载 CSV 表格" }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`月度结算_${FROM}至${TO}\\.csv$`));
    const rows: string[][] = parse(fs.readFileSync((await download.path())!).toString("utf8"), { bom: true, record_delimiter: "\r\n" });
    expect(rows[0][0]).toBe("村");
  });
});
