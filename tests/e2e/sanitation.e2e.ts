// A sanitation round on phones: the demo inspector scores three households door to door (one with
// a photo), the committee publishes the round, and its 红黑榜 appears on the notice board and as
// an A3 poster. Screenshots at 390×844 are kept in tests/.artifacts.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let db: Engine;
let roundId = 0;
let villageId = 0;
const scored: string[] = [];
const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(db).get<T>(text, ...args))!;
const all = <T>(text: string, ...args: unknown[]) => sqlOn(db).all<T>(text, ...args);

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  db = openDatabase(server.database);
  const open = await one<{ id: number; village_id: number }>("select id, village_id from sanitation_rounds where status = 'open' order by village_id, id limit 1");
  roundId = open.id;
  villageId = open.village_id;
});
afterAll(async () => {
  await db?.close();
  await browser?.close();
  await server?.stop();
});

async function photo(page: Page): Promise<Buffer> {
  await page.setContent('<div style="width:320px;height:240px;background:linear-gradient(135deg,#795548,#d7ccc8)"><p style="font:32px sans-serif;color:#fff;padding:24px">院内杂物</p></div>');
  return page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
}

/** What the phone's screen shows without scrolling (shot() keeps the whole page). */
async function screen(page: Page, name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Every page's size in points, from the PDF's MediaBox entries. */
const pageSizes = (pdf: Buffer) => [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
const isA3 = ([w, h]: number[]) => Math.abs(w - 842) < 2 && Math.abs(h - 1191) < 2; // 297 × 420 mm

const progress = async (page: Page) => (await page.getByTestId("progress").innerText()).match(/已评 (\d+)\/(\d+)/)!.slice(1).map(Number);

describe("a sanitation round on the phone", () => {
  it("the inspector scores three households, one tap each, and the progress moves", async () => {
    const page = await phonePage(browser, server.url);
    const png = await photo(page);
    await signIn(page, "13900000004");
    await page.goto("/work");
    await page.getByRole("link", { name: "卫生评比" }).click();
    await page.waitForURL(/\/rounds$/);
    await shot(page, "sanitation-1-inspector-rounds");
    await page.getByTestId(`score-round-${roundId}`).click();
    await page.waitForURL(/\/score$/);
    await page.getByTestId("progress").waitFor();
    const [done0, total] = await progress(page);
    expect(await page.locator(".score-list").innerText()).toContain("回避"); // the inspector's own household
    await shot(page, "sanitation-2-score-list");
    await page.getByRole("link", { name: "评下一户" }).click();

    for (let n = 0; n < 3; n++) {
      const title = page.getByTestId("household-title");
      await title.waitFor();
      const name = (await title.innerText()).trim();
      scored.push(name.split("号户")[0]);
      if (n === 0) {
        await page.locator("#f-s0").fill("10");
        await page.locator("#f-s1").fill("８"); // a full-width digit from a Chinese keyboard
        for (const k of [2, 3, 4]) await page.locator(`#f-s${k}`).fill("5");
        await page.locator("#f-note").fill("院子堆了柴草");
        await page.locator("#f-photos").setInputFiles({ name: "yard.png", mimeType: "image/png", buffer: png });
        await shot(page, "sanitation-3-score-household");
      }
      if (n === 1) {
        // A bad value is refused next to the field and nothing is saved.
        await page.locator("#f-s2").fill("99");
        await page.getByTestId("save-next").click();
        await page.locator("#f-s2-err").waitFor();
        expect(await page.locator("#f-s2-err").innerText()).toContain("厕所卫生应为 0 到 20 的整数");
        await shot(page, "sanitation-4-score-error");
        await page.locator("#f-s2").fill("18");
      }
      await page.getByTestId("save-next").click();
      // Saved: the next household's page opens with the saved one's result on top.
      await page.waitForFunction((prev) => {
        const t = document.querySelector("[data-testid=household-title]")?.textContent?.trim();
        return t !== undefined && t !== prev && !!document.querySelector(".form-ok");
      }, name);
      expect(await page.locator(".form-ok").first().innerText()).toContain(`已保存 ${scored[n]}号户`);
      if (n === 0) await shot(page, "sanitation-5-saved-next");
    }
    await page.goto(`/v/${villageId}/rounds/${roundId}/score`);
    expect(await progress(page)).toEqual([done0 + 3, total]);
    await shot(page, "sanitation-6-progress");
    const rows = await all<{ number: string; total: number; tier: string }>("select h.number, i.total, i.tier from inspections i join households h on h.id = i.household_id where i.round_id = ? and h.number in (?, ?, ?)", roundId, ...scored);
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.number === scored[0])).toMatchObject({ tier: "不合格" });
    expect((await one<{ n: number }>("select count(*) as n from inspection_photos p join inspections i on i.id = p.inspection_id join households h on h.id = i.household_id where i.round_id = ? and h.number = ?", roundId, scored[0])).n).toBe(1);
  });

  it("without JavaScript, a plain form post saves a household and opens the next one", async () => {
    const page = await phonePage(browser, server.url, { javaScript: false });
    await signIn(page, "13900000004");
    await page.goto(`/v/${villageId}/rounds/${roundId}/score`);
    const [done0, total] = await progress(page);
    await page.getByRole("link", { name: "评下一户" }).click();
    await page.waitForURL(/\/score\/\d+$/);
    const householdId = Number(new URL(page.url()).pathname.split("/").pop());
    const name = (await page.getByTestId("household-title").innerText()).trim();
    const number = name.split("号户")[0];
    await page.locator("#f-s0").fill("20");
    await page.locator("#f-s1").fill("１５"); // full-width digits, as a Chinese keyboard types them
    await page.locator("#f-note").fill("无脚本提交");
    const documentPosts: string[] = []; // with scripts off the browser itself posts the form as a page load
    page.on("request", (r) => {
      if (r.resourceType() === "document" && r.method() === "POST") documentPosts.push(new URL(r.url()).pathname);
    });
    await Promise.all([page.waitForURL((u) => u.searchParams.get("saved") === String(householdId)), page.getByTestId("save-next").click()]);
    expect(documentPosts).toEqual([`/v/${villageId}/rounds/${roundId}/score/${householdId}`]);
    // The server answered the post with a redirect to the next household, the saved one named on top.
    expect(new URL(page.url()).pathname).not.toBe(`/v/${villageId}/rounds/${roundId}/score/${householdId}`);
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`/v/${villageId}/rounds/${roundId}/score/\\d+$`));
    expect((await page.getByTestId("household-title").innerText()).trim()).not.toBe(name);
    expect(await page.locator(".form-ok").first().innerText()).toContain(`已保存 ${number}号户`);
    await shot(page, "sanitation-5b-no-javascript-saved-next");
    const row = await one<{ scores_json: string; note: string; total: number; status: string }>("select scores_json, note, total, status from inspections where round_id = ? and household_id = ?", roundId, householdId);
    expect(row).toMatchObject({ status: "scored", note: "无脚本提交" });
    expect(JSON.parse(row.scores_json).slice(0, 2)).toEqual([20, 15]);
    await page.goto(`/v/${villageId}/rounds/${roundId}/score`);
    expect(await progress(page)).toEqual([done0 + 1, total]);
    await page.context().close();
  });

  it("the committee publishes: one claim per scored household with a tier rule, and the 红黑榜 goes up", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000003");
    await page.goto(`/v/${villageId}/rounds/${roundId}`);
    await page.getByTestId("publish").waitFor();
    await shot(page, "sanitation-7-round-table");
    await screen(page, "sanitation-7b-round-top");
    // Scored households whose tier carries a rule (the checklist is JSON text: read here, not with an engine's JSON functions).
    const { checklist_json } = await one<{ checklist_json: string }>("select checklist_json from sanitation_rounds where id = ?", roundId);
    const tiers = JSON.parse(checklist_json).tiers as { name: string; ruleId?: number | null }[];
    const scoredTiers = await all<{ tier: string }>("select tier from inspections where round_id = ? and status = 'scored'", roundId);
    const withRule = scoredTiers.filter((i) => tiers.some((t) => t.name === i.tier && t.ruleId != null)).length;
    await page.getByTestId("publish").click();
    await page.locator(".form-ok").first().waitFor();
    expect(await page.locator(".form-ok").first().innerText()).toContain(`生成 ${withRule} 条积分申报`);
    await shot(page, "sanitation-8-published");
    const claims = await all<{ n: number }>("select household_id, count(*) as n from claims where source_kind = 'round' and source_id = ? group by household_id", roundId);
    expect(claims).toHaveLength(withRule);
    expect(claims.every((c) => c.n === 1)).toBe(true);

    await page.goto(`/v/${villageId}/notice`);
    const board = page.getByTestId("redblack");
    await board.waitFor();
    const text = await board.innerText();
    expect(text).toMatch(/红榜/);
    expect(text).toMatch(/黑榜/);
    expect(text).toContain(`${scored[0]}号户`); // the 不合格 household scored above is on the black list
    await screen(page, "sanitation-9-notice-board");
    await page.getByRole("link", { name: /打印红黑榜/ }).click();
    await page.waitForURL(/\/poster$/);
    await page.getByTestId("redblack").waitFor();
    await shot(page, "sanitation-10-poster");
    // The printed poster: A3 at 96 dpi with the print style sheet.
    await page.setViewportSize({ width: 1123, height: 1587 });
    await page.emulateMedia({ media: "print" });
    await shot(page, "sanitation-11-poster-a3-print");
  });

  it("prints only the poster on A3: the notice board's print version keeps the printer's paper", async () => {
    const context = await browser.newContext({ baseURL: server.url, locale: "zh-CN" });
    const page = await context.newPage();
    await signIn(page, "13900000003");
    await page.goto(`/v/${villageId}/notice?print=1`);
    await page.getByTestId("redblack").waitFor();
    const notice = pageSizes(await page.pdf({ preferCSSPageSize: true }));
    expect(notice.length).toBeGreaterThan(0);
    for (const size of notice) expect(isA3(size), `notice board page ${size}`).toBe(false);
    await page.goto(`/v/${villageId}/rounds/${roundId}/poster`);
    await page.getByTestId("redblack").waitFor();
    const poster = pageSizes(await page.pdf({ preferCSSPageSize: true }));
    expect(poster.length).toBeGreaterThan(0);
    for (const size of poster) expect(isA3(size), `poster page ${size}`).toBe(true);
    await context.close();
  });

  it("a villager sees the month's result on the household page", async () => {
    const page = await phonePage(browser, server.url);
    await signIn(page, "13900000001");
    await page.goto("/household");
    await page.getByTestId("inspection-history").waitFor();
    await shot(page, "sanitation-12-household");
    await page.goto("/inspections");
    await page.getByTestId("inspection-history").waitFor();
    await shot(page, "sanitation-13-inspections");
  });

  it("the other sanitation pages on a phone: checklist, new round, 回避, a re-inspection request answered", async () => {
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    await admin.goto(`/v/${villageId}/admin/checklists`);
    await admin.locator(".list a.item").first().click();
    await admin.waitForURL(/\/checklists\/\d+$/);
    await admin.locator("#f-item0Max").fill("abc");
    await admin.getByRole("button", { name: "保存修改" }).click();
    await admin.locator("#f-item0Max-err").waitFor();
    await shot(admin, "sanitation-14-checklist-error");

    const committee = await phonePage(browser, server.url);
    await signIn(committee, "13900000006");
    await committee.goto(`/v/${villageId}/rounds/new`);
    await committee.getByLabel("评比名称").waitFor();
    await shot(committee, "sanitation-15-new-round");

    const inspector = await phonePage(browser, server.url);
    await signIn(inspector, "13900000004");
    await inspector.goto(`/v/${villageId}/rounds/recusals`);
    await inspector.getByLabel("户号").fill("001");
    await inspector.getByLabel("亲属关系").fill("表兄家");
    await inspector.getByRole("button", { name: "申报回避" }).click();
    await inspector.getByText("已申报回避 001 号户").waitFor();
    await shot(inspector, "sanitation-16-recusals");

    // The villager asks for re-inspection of last month; a committee member who does not live there accepts.
    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000001");
    await villager.goto("/inspections");
    const form = villager.locator("form").filter({ hasText: "提交复查申请" }).first();
    await form.getByRole("button", { name: "提交复查申请" }).click();
    await villager.locator(".field-error").first().waitFor();
    expect(await villager.locator(".field-error").first().innerText()).toBe("请填写复查理由");
    await form.locator("textarea").fill("检查那天刚好在翻修院子");
    await form.getByRole("button", { name: "提交复查申请" }).click();
    await villager.getByText("复查申请已提交").waitFor();
    await shot(villager, "sanitation-17-request-sent");
    const published = (await one<{ id: number }>("select id from sanitation_rounds where village_id = ? and status = 'published' and id <> ? order by id desc limit 1", villageId, roundId)).id;
    await committee.goto(`/v/${villageId}/rounds/${published}`);
    await committee.getByRole("button", { name: "同意复查" }).click();
    await committee.getByText("已同意复查").waitFor();
    await screen(committee, "sanitation-18-request-accepted");
  });
});
