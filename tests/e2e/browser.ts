// Headless Debian Chromium driven by playwright-core, phone-sized, screenshots kept for people to look at.
import fs from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";

export const ARTIFACTS = path.resolve("tests/.artifacts");

export async function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...extraArgs,
    ],
  });
}

export async function phonePage(browser: Browser, baseURL: string, opts: { javaScript?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({
    baseURL, viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: "zh-CN", isMobile: true, hasTouch: true,
    javaScriptEnabled: opts.javaScript ?? true,
  });
  const page = await context.newPage();
  if (opts.javaScript ?? true) waitForHydrationOnGoto(page);
  keepLog(page);
  return page;
}

/** What each phone saw happen, printed when a test of the file fails. */
const logs = new Map<Page, string[]>();
beforeEach(({ onTestFailed }) => onTestFailed(() => describePages()));

function keepLog(page: Page): void {
  const log: string[] = [];
  logs.set(page, log);
  page.once("close", () => logs.delete(page));
  const note = (line: string) => log.push(`${new Date().toISOString().slice(11, 23)} ${line}`.slice(0, 500)) > 40 && log.shift();
  page.on("console", (m) => m.type() === "error" && note(`console: ${m.text()}`));
  page.on("pageerror", (e) => note(`page error: ${e.message}`));
  page.on("requestfailed", (r) => note(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => (r.request().method() !== "GET" || r.status() >= 400) && note(`${r.request().method()} ${r.url()} → ${r.status()}`));
  page.on("framenavigated", (f) => f === page.mainFrame() && note(`at ${f.url()}`));
}

/** Every open phone's address, its last events and what it shows (a screenshot each in tests/.artifacts). */
async function describePages(): Promise<void> {
  const lines: string[] = ["—— what the phones showed when the test failed ——"];
  let n = 0;
  for (const [page, log] of logs) {
    if (page.isClosed()) continue;
    n += 1;
    lines.push(`phone ${n}: ${page.url()}`, ...log.map((l) => `  ${l}`));
    const text = await page.locator("main").first().innerText({ timeout: 2000 }).catch(() => "(no main)");
    lines.push(`  shows: ${text.replace(/\s+/g, " ").slice(0, 800)}`);
    await shot(page, `failed-${n}`).catch(() => undefined);
  }
  console.error(lines.join("\n"));
}

/**
 * After `goto` returns, the page's scripts may still be loading: a tap then posts natively and reloads,
 * and typing is not yet watched. Opening an HTML page waits for the app's hydrated mark (root.tsx).
 */
function waitForHydrationOnGoto(page: Page): void {
  const goto = page.goto.bind(page);
  page.goto = async (url, options) => {
    const response = await goto(url, options);
    if (response?.headers()["content-type"]?.startsWith("text/html")) {
      await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
    }
    return response;
  };
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function signIn(page: Page, phone: string, password = "jifen2026"): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("手机号").fill(phone);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

export interface World {
  server: TestServer;
  browser: Browser;
  /** The server's database, for reading what the pages wrote. */
  database: Engine;
}

/**
 * What an e2e file drives: a test server on its own copy of the demo township, a browser and the
 * server's database, started before the file's tests and stopped after them.
 */
export function startWorld(env: Record<string, string> = {}): World {
  const world = {} as World;
  beforeAll(async () => {
    [world.server, world.browser] = await Promise.all([startServer(env), launch()]);
    world.database = openDatabase(world.server.database);
  });
  beforeEach(({ onTestFailed }) => onTestFailed(() => console.error(`server errors: ${world.server?.errors().slice(-3000) || "(none)"}`)));
  afterAll(async () => {
    await world.database?.close();
    await world.browser?.close();
    await world.server?.stop();
  });
  return world;
}

/** The village 1 keeper, on a phone without scripts, types a villager's 8-digit code and confirms it; returns the keeper's page. */
export async function keeperConfirmsTyped(browser: Browser, baseURL: string, code: string): Promise<Page> {
  const keeper = await phonePage(browser, baseURL, { javaScript: false });
  await signIn(keeper, "13900000002");
  await keeper.goto("/v/1/store/scan");
  await keeper.getByLabel("输入 8 位兑换码").fill(code);
  await keeper.getByRole("button", { name: "查找兑换码" }).click();
  await keeper.getByRole("button", { name: /确认兑换/ }).click();
  await keeper.getByTestId("receipt").waitFor();
  return keeper;
}
