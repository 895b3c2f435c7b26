// 长辈模式 (large type) and finger-sized targets, measured in headless Chromium at 390×844: the 大字
// switch in the header of every page, one tap, kept by the device before sign-in and by the account
// after it (also in a fresh browser); in large type every text is at least 22 px with line height
// at least 1.3 and contrast at least 4.5:1, and the main targets at least 60 × 60; in normal mode
// every target at least 44 × 44. Also: a field's error goes once the field is changed, and file and
// date inputs say in Chinese what to tap and what was chosen.
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { ARTIFACTS, phonePage, startWorld, shot, signIn } from "./browser";

const world = startWorld();

async function phone(javaScript = true): Promise<Page> {
  return phonePage(world.browser, world.server.url, { javaScript });
}

const VILLAGER = "13900000001";
const OTHER_VILLAGER = "13900000011";
const COMMITTEE = "13900000003";
const VILLAGE_ADMIN = "13900000005";

/** The whole page, and its first screen alone (a long page's full picture is too tall to read). */
async function shots(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-screen.png`) });
}

const isElder = (page: Page) => page.evaluate(() => document.documentElement.dataset.elder === "1");
const switchOf = (page: Page) => page.locator("header.topbar").getByRole("button", { name: "大字" });

/** One tap on 大字; with JavaScript the page stays, without it the form post comes back to the same page. */
async function tap(page: Page, javaScript = true): Promise<void> {
  const before = await isElder(page);
  if (javaScript) {
    await switchOf(page).click();
    await page.waitForFunction((was) => (document.documentElement.dataset.elder === "1") !== was, before);
  } else {
    await Promise.all([page.waitForNavigation(), switchOf(page).click()]);
  }
}

interface Box {
  what: string;
  width: number;
  height: number;
}

/**
 * Every visible tap target of the page and the box a finger can hit: a checkbox or radio is hit
 * through its label when it sits in one.
 */
function targets(page: Page, selector: string): Promise<Box[]> {
  return page.evaluate((sel) => {
    const out: Box[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el instanceof HTMLInputElement && el.type === "hidden") continue;
      if (el.closest(".sr-only")) continue;
      const style = getComputedStyle(el);
      // The invisible file input lying over its Chinese button is hit through the button.
      if (style.visibility === "hidden" || style.opacity === "0") continue;
      const hit = el instanceof HTMLInputElement && (el.type === "checkbox" || el.type === "radio") ? (el.closest("label") ?? el) : el;
      const r = hit.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const words = (el.textContent || el.getAttribute("aria-label") || el.getAttribute("name") || "").trim().replace(/\s+/g, " ").slice(0, 24);
      out.push({ what: `<${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).replace(/\s+/g, ".")}` : ""}> ${words}`, width: r.width, height: r.height });
    }
    return out;
  }, selector);
}

const small = (boxes: Box[], min: number) => boxes.filter((b) => b.height < min - 0.5 || b.width < min - 0.5).map((b) => `${b.what} ${Math.round(b.width)}×${Math.round(b.height)}`);

interface TextFact {
  text: string;
  size: number;
  lineHeight: number;
  contrast: number;
  /** Text of a control that cannot be used now (a − at zero): no contrast rule for it. */
  disabled: boolean;
}

/** Every visible element with text of its own: its font size, line height and contrast against what is behind it. */
function texts(page: Page): Promise<TextFact[]> {
  return page.evaluate(() => {
    const rgba = (c: string): number[] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top: number[], below: number[]) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
    const background = (el: Element): number[] => {
      const layers: number[][] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      return layers.reverse().reduce((acc, l) => over(l, acc), [255, 255, 255, 1]);
    };
    const luminance = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const out: TextFact[] = [];
    for (const el of Array.from(document.querySelectorAll<HTMLElement>("body *"))) {
      if (["SCRIPT", "STYLE", "NOSCRIPT", "OPTION", "TITLE"].includes(el.tagName)) continue;
      const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim()).map((n) => n.textContent!.trim()).join(" ");
      if (!own) continue;
      if (el.closest(".sr-only")) continue;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (r.width === 0 || r.height === 0 || style.visibility === "hidden") continue;
      const size = parseFloat(style.fontSize);
      const lineHeight = style.lineHeight === "normal" ? 1.2 : parseFloat(style.lineHeight) / size;
      const bg = background(el);
      const fg = over(rgba(style.color), bg);
      const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      const disabled = !!el.closest("button:disabled, input:disabled, select:disabled, [aria-disabled=true]");
      out.push({ text: own.slice(0, 20), size, lineHeight, contrast: (a + 0.05) / (b + 0.05), disabled });
    }
    return out;
  });
}

/** What the large-type rules find wrong on the page; empty when it keeps them all. */
async function largeTypeFaults(page: Page): Promise<string[]> {
  const faults: string[] = [];
  for (const t of await texts(page)) {
    if (t.size < 22 - 0.01) faults.push(`"${t.text}" is ${t.size}px`);
    if (t.lineHeight < 1.3 - 0.01) faults.push(`"${t.text}" line height ${t.lineHeight.toFixed(2)}`);
    if (t.contrast < 4.5 && !t.disabled) faults.push(`"${t.text}" contrast ${t.contrast.toFixed(2)}:1`);
  }
  const main = await targets(page, "button, .button, input, select, textarea, .mainnav a, .actions a");
  faults.push(...small(main, 60));
  // Large type must not push anything off the side of the screen.
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (wide > 0) faults.push(`the page is ${wide}px wider than the screen`);
  return faults;
}

/** The page's body text and its first main button, as measured. */
async function bodyAndButton(page: Page, button: string) {
  const body = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  const box = (await page.locator(button).first().boundingBox())!;
  return { body, buttonHeight: box.height, buttonWidth: box.width };
}

describe("大字 (长辈模式)", () => {
  it("on the sign-in page: one tap, kept by the device, carried into the account at sign-in, and large everywhere", async () => {
    const page = await phone();
    await page.goto("/login");
    await expect(switchOf(page).getAttribute("aria-pressed")).resolves.toBe("false");
    expect(await isElder(page)).toBe(false);
    const normal = await bodyAndButton(page, "main button[type=submit]");
    expect(normal.body).toBeLessThan(22);
    await shot(page, "elder-off-login");

    await tap(page);
    expect(new URL(page.url()).pathname).toBe("/login");
    await expect(switchOf(page).getAttribute("aria-pressed")).resolves.toBe("true");
    await page.reload();
    expect(await isElder(page)).toBe(true); // the device remembers
    const large = await bodyAndButton(page, "main button[type=submit]");
    expect(large.body).toBeGreaterThanOrEqual(22);
    expect(large.buttonHeight).toBeGreaterThanOrEqual(60);
    expect(large.buttonWidth).toBeGreaterThanOrEqual(60);
    expect(await largeTypeFaults(page)).toEqual([]);
    await shot(page, "elder-on-login");

    // Signed in, the choice made at the sign-in page holds: the account has it now.
    await signIn(page, VILLAGER);
    await expect.poll(() => isElder(page)).toBe(true); // the page signed in to has drawn
    for (const [path, name, button] of [
      ["/", "home", "main a"],
      ["/store", "store", "main button"],
      ["/statement", "statement", "main a"],
    ] as const) {
      await page.goto(path);
      expect(await isElder(page), path).toBe(true);
      const m = await bodyAndButton(page, button);
      expect(m.body, path).toBeGreaterThanOrEqual(22);
      expect(await largeTypeFaults(page), path).toEqual([]);
      expect((await switchOf(page).boundingBox())!.height, path).toBeGreaterThanOrEqual(60);
      await shots(page, `elder-on-${name}`);
    }
    const menu = await targets(page, ".mainnav a");
    expect(menu.length).toBeGreaterThan(0);
    expect(small(menu, 60)).toEqual([]);

    // The 10-minute code in large type still offers a fresh one, with a big button.
    const good = (await sqlOn(world.database).get<{ id: number }>(
      "select id from goods where village_id = 1 and active = 1 and stock > 3 and price <= 15 order by id limit 1",
    ))!;
    await page.goto("/store");
    // The shelf form's own fields (the store, the page's nonce) and one of the good: what 生成兑换码 posts.
    const fields: [string, string][] = await page.locator("main form input[type=hidden]").evaluateAll((els) => els.map((e) => [(e as HTMLInputElement).name, (e as HTMLInputElement).value]));
    const made = await page.request.post("/store?index", {
      form: { ...Object.fromEntries(fields), [`qty.${good.id}`]: "1" }, headers: { origin: world.server.url }, maxRedirects: 0,
    });
    const order = /\/store\/orders\/\d+/.exec(made.headers().location ?? "")?.[0];
    expect(order, `store answered ${made.status()}`).toBeTruthy();
    await page.goto(order!);
    const fresh = page.getByRole("button", { name: /换一个新码|重新生成兑换码/ }).first();
    await fresh.waitFor({ state: "visible" });
    expect((await fresh.boundingBox())!.height).toBeGreaterThanOrEqual(60);
    expect(await largeTypeFaults(page)).toEqual([]);
    await shots(page, "elder-on-code");

    // A fresh browser: the account, not the device, decides once signed in.
    const other = await phone();
    await other.goto("/login");
    expect(await isElder(other)).toBe(false);
    await signIn(other, VILLAGER);
    await expect.poll(() => isElder(other)).toBe(true); // the page signed in to has drawn
    // Off there: off for the account, so the first browser's next page is normal too.
    await tap(other);
    await other.reload();
    expect(await isElder(other)).toBe(false);
    await page.goto("/statement");
    expect(await isElder(page)).toBe(false);
    await shots(page, "elder-off-statement");
  });

  it("on a signed-in page: one tap, kept for the account, also in a fresh browser", async () => {
    const page = await phone();
    await signIn(page, OTHER_VILLAGER);
    expect(await isElder(page)).toBe(false);
    for (const [path, name] of [["/", "home"], ["/store", "store"]] as const) {
      await page.goto(path);
      await shots(page, `elder-off-${name}`);
    }
    await page.goto("/");
    await tap(page);
    expect(new URL(page.url()).pathname).toBe("/");
    await page.reload();
    expect(await isElder(page)).toBe(true);

    const fresh = await phone();
    await fresh.goto("/login");
    expect(await isElder(fresh)).toBe(false); // a device that never chose
    await signIn(fresh, OTHER_VILLAGER);
    await expect.poll(() => isElder(fresh)).toBe(true); // the page signed in to has drawn
    await tap(fresh);
    expect(await isElder(fresh)).toBe(false);
  });

  it("works without JavaScript: a plain form post that comes back to the same page", async () => {
    const page = await phone(false);
    await page.goto("/login");
    await tap(page, false);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await isElder(page)).toBe(true);
    await page.reload();
    expect(await isElder(page)).toBe(true);
    await signIn(page, OTHER_VILLAGER);
    expect(await isElder(page)).toBe(true);
    await page.goto("/statement");
    await tap(page, false);
    expect(new URL(page.url()).pathname).toBe("/statement");
    expect(await isElder(page)).toBe(false);
    await page.reload();
    expect(await isElder(page)).toBe(false);
  });
});

describe("normal mode", () => {
  it("every target is finger-sized (≥ 44 × 44 px): menu entries, links in lists, checkboxes with their labels, small buttons", async () => {
    const page = await phone();
    await page.goto("/login");
    expect(small(await targets(page, "a, button, summary, select, input, textarea"), 44)).toEqual([]);
    await signIn(page, COMMITTEE);
    await page.locator(".mainnav a").first().waitFor({ state: "visible" });
    expect(await isElder(page)).toBe(false);
    const menu = await targets(page, ".mainnav a");
    expect(menu.length).toBeGreaterThan(3);
    expect(small(menu, 44)).toEqual([]);
    for (const path of ["/", "/store", "/statement", "/claims", "/household", "/work", "/together", "/errands", "/posts", "/teams", "/v/1/review", "/v/1/notice", "/v/1/rounds/new", "/campaigns/1"]) {
      await page.goto(path);
      expect(small(await targets(page, "a, button, summary, select, input, textarea"), 44), path).toEqual([]);
    }
    await page.goto("/v/1/review");
    const checks = await targets(page, "main input[type=checkbox]");
    expect(checks.length).toBeGreaterThan(0);
    expect(small(checks, 44)).toEqual([]);
  });
});

describe("forms", () => {
  it("a field's error goes once the field is changed, and an answer with an error shows it again", async () => {
    const page = await phone();
    await page.goto("/login");
    // Scripts loaded before each step: a tap before hydration posts natively and reloads the page,
    // and typing into that reloaded, not yet hydrated page cannot clear the error.
    await page.waitForLoadState("networkidle");
    await page.getByRole("button", { name: "登录" }).click();
    const error = page.locator("#f-phone-err");
    await expect(error.textContent()).resolves.toContain("请输入手机号");
    await page.waitForLoadState("networkidle");
    await page.getByLabel("手机号").pressSequentially("123");
    await error.waitFor({ state: "hidden" });
    await expect(page.getByLabel("手机号").getAttribute("aria-invalid")).resolves.not.toBe("true");
    await page.getByRole("button", { name: "登录" }).click();
    await page.locator("#f-phone-err", { hasText: "手机号应为 11 位数字" }).waitFor({ state: "visible" });

    // On a page whose script has surely run (its date field spells the date out), answered without a reload.
    const committee = await phone();
    await signIn(committee, COMMITTEE);
    await committee.goto("/v/1/rounds/new");
    await expect.poll(() => committee.getByTestId("f-startsOn-spelled").textContent()).toMatch(/^已选：/);
    await committee.getByLabel("评比名称").fill("");
    await committee.getByRole("button", { name: /建好评比/ }).click();
    const titleError = committee.locator("#f-title-err");
    await titleError.waitFor({ state: "visible" });
    await committee.getByLabel("评比名称").pressSequentially("2027年1月");
    await titleError.waitFor({ state: "hidden" });
    await expect(committee.getByLabel("评比名称").getAttribute("aria-invalid")).resolves.toBe("false");
  });

  it("a field fixed while the page re-reads its data after a refused save keeps its error hidden, and the next tap saves", async () => {
    const admin = await phone();
    await signIn(admin, VILLAGE_ADMIN);
    await admin.goto("/v/1/admin/settings");
    // After an answer the page re-reads its data; hold that until the field is fixed. A message put
    // back then jumped in above the button being tapped, and on a busy phone the tap went nowhere.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rereading = false;
    await admin.route(/\/admin\/settings\.data/, async (route) => {
      if (route.request().method() === "GET" && !rereading) {
        rereading = true;
        await held;
      }
      await route.continue();
    });
    await admin.locator("#f-redFlags").fill("21");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    const error = admin.locator("#f-redFlags-err");
    await error.waitFor();
    await expect.poll(() => rereading).toBe(true);
    await admin.locator("#f-redFlags").fill("2");
    await error.waitFor({ state: "hidden" });
    const reread = admin.waitForResponse((r) => r.request().method() === "GET" && r.url().includes("/admin/settings.data"));
    release();
    await reread;
    await admin.waitForFunction(() => !document.querySelector("button[type=submit][disabled]"));
    expect(await error.isVisible()).toBe(false);
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.locator(".form-ok").waitFor();
    expect(Number(await sqlOn(world.database).value("select red_flags from villages where id = 1"))).toBe(2);
  });

  it("dates and file pickers are labelled by the page, in Chinese", async () => {
    const committee = await phone();
    await signIn(committee, COMMITTEE);
    await committee.goto("/v/1/rounds/new");
    const starts = committee.getByTestId("f-startsOn-spelled");
    await expect.poll(() => starts.textContent()).toMatch(/^已选：\d{4}年\d{1,2}月\d{1,2}日 星期[日一二三四五六]$/);
    await committee.locator("#f-startsOn").fill("2027-03-08");
    await expect.poll(() => starts.textContent()).toBe("已选：2027年3月8日 星期一");
    await committee.locator("#f-startsOn").fill("");
    await expect.poll(() => starts.textContent()).toBe("还没有选，点上面的框选日期");
    await shot(committee, "elder-date-field");
    // Without a script the page cannot spell out what was chosen: it says the format it takes.
    const plain = await phone(false);
    await signIn(plain, COMMITTEE);
    await plain.goto("/v/1/rounds/new");
    await expect(plain.getByTestId("f-startsOn-spelled").textContent()).resolves.toBe("格式：年-月-日，如 2026-03-08");

    const admin = await phone();
    await signIn(admin, VILLAGE_ADMIN);
    await admin.goto("/v/1/admin/import");
    const input = admin.locator("#roster-file");
    const button = admin.locator(".file-pick-button");
    await button.waitFor({ state: "visible" }); // drawn once the script runs
    // The browser's own words ("Choose File", "No file chosen") are not seen: its input lies invisible over the button.
    await expect(input.evaluate((el) => getComputedStyle(el).opacity)).resolves.toBe("0");
    await expect(button.textContent()).resolves.toBe("选择文件");
    expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await expect(admin.getByTestId("roster-file-chosen").textContent()).resolves.toBe("还没有选");
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, "elder-roster.csv");
    fs.writeFileSync(file, "\uFEFF户号,网格,门牌地址,姓名,与户主关系,手机号\n");
    await input.setInputFiles(file);
    await expect.poll(() => admin.getByTestId("roster-file-chosen").textContent()).toBe("已选：elder-roster.csv");
    await shot(admin, "elder-file-picker");
  });
});
