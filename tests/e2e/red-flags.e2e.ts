// 流动红旗 on phones (390×844): the village admin sets how many flags a round hands out, a committee
// member publishes this month's round, settles the tie at the boundary with a reason, and the flag
// shows on the holder's home page, on the 公示栏 with its history, and as a certificate that prints
// on A4 or A5 landscape. Screenshots are kept in tests/.artifacts (red-flags-*).
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, phonePage, shot, signIn, startWorld } from "./browser";
import { sqlOn } from "../support/sql";

const world = startWorld();
const HOLDER_PHONE = "13900000087";

/** What the phone's screen shows without scrolling, with `testId` scrolled to the top (shot() keeps the whole page). */
async function screen(page: Page, name: string, testId: string): Promise<void> {
  await page.getByTestId(testId).first().evaluate((el) => el.scrollIntoView({ block: "start" }));
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Nothing on the page is wider than the phone. */
async function fitsWidth(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
}

async function tapTarget(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.height, `${selector} height`).toBeGreaterThanOrEqual(44);
  expect(box!.x + box!.width, `${selector} inside the screen`).toBeLessThanOrEqual(390);
}

/** Every page's size in points, from the PDF's MediaBox entries. */
const pageSizes = (pdf: Buffer) => [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
const near = ([w, h]: number[], [W, H]: number[]) => Math.abs(w - W) < 2 && Math.abs(h - H) < 2;

describe("流动红旗", () => {
  it("a round published hands its red flag: the tie settled by the committee, shown on the holder's home, the 公示栏 and a certificate", async () => {
    const q = sqlOn(world.database);
    const round = (await q.get<{ id: number; village_id: number; starts_at: number }>("select id, village_id, starts_at from sanitation_rounds where status = 'open' order by village_id, id limit 1"))!;
    const villageId = Number(round.village_id);
    const month = `${new Date(Number(round.starts_at) + 8 * 3600_000).getUTCMonth() + 1}月`;
    // However the demo scored this round: enough flags that the last one falls on a tie, when there is one.
    const totals = (await q.all<{ total: number }>("select total from inspections where round_id = ? and status = 'scored' order by total desc", round.id)).map((r) => Number(r.total));
    expect(totals.length).toBeGreaterThan(1);
    const shared = totals.find((t, i) => totals.indexOf(t) !== i);
    const flags = shared === undefined ? 1 : totals.filter((t) => t > shared).length + 1;

    // The notice board before: the demo's last month's holders.
    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    await villager.goto(`/v/${villageId}/notice`);
    await villager.getByTestId("flag-notice").waitFor();
    await shot(villager, "red-flags-1-notice-before");
    await screen(villager, "red-flags-1b-notice-before-screen", "flag-notice");

    // The admin sets the number of flags, counted across the whole village.
    const admin = await phonePage(world.browser, world.server.url);
    await signIn(admin, "13900000005");
    await admin.goto(`/v/${villageId}/admin/settings`);
    await admin.locator("#f-redFlags").fill("21");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.locator("#f-redFlags-err").waitFor();
    expect(await admin.locator("#f-redFlags-err").innerText()).toContain("流动红旗面数应为 0 到 20 的整数");
    await admin.locator("#f-redFlags").fill(String(flags));
    await admin.locator("#f-redFlagScope-village").check();
    await tapTarget(admin, "label.flag-scope");
    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.locator(".form-ok").waitFor();
    await admin.locator("#f-redFlags").scrollIntoViewIfNeeded();
    await shot(admin, "red-flags-2-settings");
    await screen(admin, "red-flags-2b-settings-screen", "flag-settings");
    await fitsWidth(admin);
    expect(await q.get("select red_flags, red_flag_scope from villages where id = ?", villageId)).toMatchObject({ red_flags: flags, red_flag_scope: "village" });

    // A committee member who scored nothing publishes the round.
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto(`/v/${villageId}/rounds/${round.id}`);
    await committee.getByTestId("publish").click();
    await committee.getByText("已于").waitFor();
    const slots = await q.all<{ id: number; household_id: number | null; tied_json: string | null }>("select id, household_id, tied_json from red_flags where round_id = ? order by slot", round.id);
    expect(slots).toHaveLength(flags);

    let holder: number;
    const waiting = slots.find((s) => s.household_id === null);
    if (shared !== undefined) {
      // The tie waits for the committee: from the 公示栏 to the round's flags, one of the tied, a reason.
      expect(waiting).toBeDefined();
      await committee.goto(`/v/${villageId}/notice`);
      await committee.getByRole("link", { name: "去决定 ›" }).click();
      await committee.waitForURL(/\/rounds\/\d+\/flags$/);
      const tie = committee.getByTestId(`flag-tie-${waiting!.id}`);
      await tie.getByRole("button", { name: "决定" }).click();
      await tie.locator(".form-error, .field-error").first().waitFor();
      await shot(committee, "red-flags-3-tie-error");
      const choice = tie.locator("input[name=householdId]:not([disabled])").first();
      holder = Number(await choice.getAttribute("value"));
      expect(JSON.parse(waiting!.tied_json!)).toContain(holder);
      await choice.check();
      await tapTarget(committee, ".flag-tie .choice");
      await tie.getByLabel("理由").fill("复看时门前屋后最整洁");
      await tie.getByRole("button", { name: "决定" }).click();
      await committee.getByText("已决定，红旗已交给这一户。").waitFor();
      await shot(committee, "red-flags-4-tie-decided");
      await fitsWidth(committee);
      expect(Number((await q.get<{ household_id: number }>("select household_id from red_flags where id = ?", waiting!.id))!.household_id)).toBe(holder);
    } else {
      holder = Number(slots[0].household_id);
    }
    // Last month's holders handed their flags over.
    expect(Number((await q.get<{ n: number }>("select count(*) as n from red_flags where village_id = ? and ended_at is null and round_id <> ?", villageId, round.id))!.n)).toBe(0);

    // The holder's home page: a login for a member of that household (the demo's password).
    const hash = (await q.value<string>("select password_hash from users where phone = '13900000001'"))!;
    const member = (await q.get<{ id: number; name: string }>(
      "select id, name from members where household_id = ? and active = 1 and id not in (select member_id from users where member_id is not null) order by is_head desc, id limit 1",
      holder,
    ))!;
    const uid = await q.value<number>(
      "insert into users (phone, password_hash, display_name, member_id, must_change_password, disabled, created_at) values (?, ?, ?, ?, 0, 0, ?) returning id",
      HOLDER_PHONE, hash, member.name, member.id, Date.now(),
    );
    await q.run("insert into user_roles (user_id, role, village_id, created_at) values (?, 'villager', ?, ?)", uid, villageId, Date.now());
    const home = await phonePage(world.browser, world.server.url);
    await signIn(home, HOLDER_PHONE);
    await home.goto("/");
    const banner = home.getByTestId("flag-banner");
    await banner.waitFor();
    expect(await banner.innerText()).toContain(`本户获得流动红旗（${month}卫生评比）`);
    // On the first screen, inside the phone's width, in red.
    const box = (await banner.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    expect(await banner.evaluate((el) => getComputedStyle(el).borderTopColor)).toBe("rgb(198, 40, 40)");
    await tapTarget(home, "[data-testid=flag-banner] a");
    await shot(home, "red-flags-5-holder-home");
    await fitsWidth(home);
    // 长辈模式 keeps the banner.
    await home.evaluate(() => document.documentElement.setAttribute("data-elder", "1"));
    expect(await banner.isVisible()).toBe(true);
    await home.evaluate(() => document.documentElement.removeAttribute("data-elder"));

    // The 公示栏: the holder among the current holders, and the history by round.
    const number = (await q.value<string>("select number from households where id = ?", holder))!;
    await villager.goto(`/v/${villageId}/notice`);
    const holders = villager.getByTestId("flag-holders");
    await holders.waitFor();
    expect(await holders.innerText()).toContain(`${number}号户`);
    expect(await villager.getByTestId("flag-notice").innerText()).not.toContain("去决定"); // the committee's link only
    await shot(villager, "red-flags-6-notice-after");
    await screen(villager, "red-flags-6b-notice-after-screen", "flag-notice");
    await fitsWidth(villager);
    await villager.getByRole("link", { name: "历届红旗户 ›" }).click();
    await villager.waitForURL(/\/flags$/);
    const latest = villager.getByTestId(`flag-round-${round.id}`);
    await latest.waitFor();
    expect(await latest.innerText()).toContain(`${number}号户`);
    expect(await villager.locator(".flag-round").count()).toBeGreaterThan(1); // past holders, round by round
    await shot(villager, "red-flags-7-history");
    await fitsWidth(villager);

    // The certificate from the banner, and its paper.
    await home.getByRole("link", { name: "看奖状 ›" }).click();
    await home.waitForURL(/\/certificate$/);
    const cert = home.getByTestId("flag-certificate");
    await cert.waitFor();
    expect(await cert.innerText()).toContain(`${number}号户`);
    await shot(home, "red-flags-8-certificate");
    await fitsWidth(home);
    const certPath = new URL(home.url()).pathname;
    const context = await world.browser.newContext({ baseURL: world.server.url, locale: "zh-CN" });
    const printer = await context.newPage();
    await signIn(printer, HOLDER_PHONE);
    await printer.goto(certPath);
    await printer.getByTestId("flag-certificate").waitFor();
    const a4 = pageSizes(await printer.pdf({ preferCSSPageSize: true }));
    expect(a4).toHaveLength(1);
    expect(near(a4[0], [842, 595]), `A4 landscape: ${a4[0]}`).toBe(true);
    await printer.goto(`${certPath}?size=a5`);
    await printer.getByTestId("flag-certificate").waitFor();
    const a5 = pageSizes(await printer.pdf({ preferCSSPageSize: true }));
    expect(a5).toHaveLength(1);
    expect(near(a5[0], [595, 420]), `A5 landscape: ${a5[0]}`).toBe(true);
    await printer.setViewportSize({ width: 1123, height: 794 });
    await printer.goto(certPath);
    await printer.emulateMedia({ media: "print" });
    await shot(printer, "red-flags-9-certificate-a4-print");
    await context.close();
  });
});
