// Activity check-in seen through phones: the organiser shows the rotating QR, a villager's phone opens
// the URL it encodes (signing in on the way), is checked in once, and the organiser sees them arrive.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let organiser: Page;
let qrPath = "";
let db: Engine;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  db = openDatabase(server.database);
});
afterAll(async () => {
  await db?.close();
  await browser?.close();
  await server?.stop();
});

const qrUrl = (page: Page) => page.getByTestId("checkin-qr").getAttribute("data-checkin-url");

describe("activity check-in by the rotating QR", () => {
  it("the organiser opens the activity under way and shows its QR", async () => {
    organiser = await phonePage(browser, server.url);
    await signIn(organiser, "13900000003"); // committee member, organiser of the demo activity under way
    await organiser.getByRole("link", { name: "活动管理" }).first().click();
    await organiser.waitForURL(/\/v\/\d+\/activities$/);
    await shot(organiser, "activity-staff-list");
    await organiser.getByRole("link", { name: /垃圾分类宣传 进行中/ }).click(); // the demo's past ones of that name have ended
    await organiser.waitForURL(/\/v\/\d+\/activities\/\d+$/);
    await organiser.getByTestId("show-qr").click();
    await organiser.waitForURL(/\/qr$/);
    qrPath = new URL(organiser.url()).pathname;
    const img = organiser.getByTestId("checkin-qr");
    // waitForURL can resolve before the new route has rendered (client navigation commits the URL first).
    await img.waitFor({ state: "visible" });
    expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    const box = (await img.boundingBox())!;
    expect(box.width).toBeGreaterThan(250); // big enough for a camera at arm's length
    const url = (await qrUrl(organiser))!;
    expect(url).toMatch(new RegExp(`^${server.url.replace("127.0.0.1", "(127\\.0\\.0\\.1|localhost)")}/v/\\d+/activities/\\d+/checkin\\?t=\\d+\\.[A-Za-z0-9_-]{22}$`));
    await shot(organiser, "activity-qr");
  });

  it("a villager's phone opens the QR's URL, signs in, is checked in once and sees the confirmation", async () => {
    const url = (await qrUrl(organiser))!;
    const villager = await phonePage(browser, server.url);
    await villager.goto(url);
    // Not signed in yet: the sign-in page, which comes back to the check-in afterwards.
    await villager.waitForURL(/\/login\?next=/);
    await shot(villager, "activity-checkin-login");
    await villager.getByLabel("手机号").fill("13900000001");
    await villager.getByLabel("密码").fill("jifen2026");
    await villager.getByRole("button", { name: "登录" }).click();
    await villager.waitForURL(/\/checkin\?p=/);
    const result = villager.getByTestId("checkin-result");
    await expect(result.innerText()).resolves.toContain("签到成功");
    const name = (await villager.locator(".who").innerText()).trim();
    await shot(villager, "activity-checkin-ok");
    // Scanning again (the same code, now signed in) records nothing more.
    await villager.goto(url);
    await expect(villager.getByTestId("checkin-result").innerText()).resolves.toContain("你已经签到过了");
    await shot(villager, "activity-checkin-again");

    // The organiser's page shows the villager among those checked in.
    await organiser.reload();
    const attendees = await organiser.getByTestId("qr-attendees").innerText();
    expect(attendees).toContain(name);
    expect(attendees.split(name).length - 1).toBe(1);
    await shot(organiser, "activity-qr-attendee");
    await organiser.goto(qrPath.replace(/\/qr$/, ""));
    const row = organiser.getByTestId("roster").locator("li", { hasText: name });
    await expect(row.innerText()).resolves.toContain("扫码签到");
    await shot(organiser, "activity-manage-after-checkin");
  });

  it("a forged code says so in Chinese and records nothing", async () => {
    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000004");
    const attendance = async () => (await sqlOn(db).value<number>("select count(*) as n from activity_attendance"))!;
    const before = await attendance();
    await villager.goto(`${qrPath.replace(/\/qr$/, "/checkin")}?t=${Math.floor(Date.now() / 30_000)}.AAAAAAAAAAAAAAAAAAAAAA`);
    const text = await villager.getByTestId("checkin-result").innerText();
    expect(text).toContain("签到没有成功");
    expect(text).toContain("这个二维码无效");
    expect(await attendance()).toBe(before);
    await shot(villager, "activity-checkin-forged");
  });

  it("with JavaScript the QR changes by itself when the 30-second window turns", async () => {
    await organiser.goto(qrPath);
    const first = await qrUrl(organiser);
    await organiser.waitForFunction((u) => document.querySelector("[data-testid=checkin-qr]")?.getAttribute("data-checkin-url") !== u, first, { timeout: 35_000 });
    expect(await qrUrl(organiser)).not.toBe(first);
  });

  it("without JavaScript the page reloads itself with the next code", async () => {
    const page = await phonePage(browser, server.url, { javaScript: false });
    await signIn(page, "13900000003");
    await page.goto(qrPath);
    const first = await qrUrl(page);
    expect(first).toBeTruthy();
    // No script runs in this page: poll from outside until the meta refresh has loaded the next code.
    for (let i = 0; i < 40 && (await qrUrl(page)) === first; i++) await new Promise((r) => setTimeout(r, 1000));
    expect(await qrUrl(page)).not.toBe(first);
  });

  it("without JavaScript: the committee creates an activity, a villager signs up another member of the household, the committee cancels, the villager sees it cancelled", async () => {
    const committee = await phonePage(browser, server.url, { javaScript: false });
    await signIn(committee, "13900000003");
    await committee.getByRole("link", { name: "活动管理" }).first().click();
    await committee.waitForURL(/\/v\/\d+\/activities$/);
    await committee.getByRole("link", { name: "发起活动" }).click();
    await committee.getByLabel("活动名称").fill("修补村口路灯");
    await committee.getByLabel("地点").fill("村口");
    await committee.getByLabel("名额（人）").fill("2");
    await committee.getByLabel("积分细则").selectOption({ index: 1 });
    await committee.getByRole("button", { name: "发布活动" }).click();
    await committee.waitForURL(/\/activities\/\d+\?created=1$/);
    const activityPath = new URL(committee.url()).pathname;
    const id = activityPath.split("/").pop()!;

    const villager = await phonePage(browser, server.url, { javaScript: false });
    await signIn(villager, "13900000001");
    await villager.goto("/activities");
    await villager.getByRole("link", { name: /修补村口路灯/ }).click();
    await villager.waitForURL(`**/activities/${id}`);
    // The second member of the household (not the login itself) is signed up.
    const second = villager.getByTestId("household-signups").locator("li").nth(1);
    const other = (await second.locator(".who").innerText()).trim();
    await second.getByRole("button", { name: "报名" }).click();
    await expect(villager.locator(".form-ok").innerText()).resolves.toContain(`${other}报名成功`);
    await shot(villager, "activity-signup-nojs");

    await committee.goto(activityPath);
    await committee.getByLabel("取消原因").fill("路灯已由供电所修好");
    await committee.getByRole("button", { name: "取消活动" }).click();
    await expect(committee.locator(".form-ok").innerText()).resolves.toContain("活动已取消");

    await villager.goto("/activities");
    const item = villager.locator(`li[data-activity="${id}"]`);
    const text = await item.innerText();
    expect(text).toContain("已取消");
    expect(text).toContain("路灯已由供电所修好");
    expect(text).toContain(other);
    await shot(villager, "activity-cancelled-seen-by-villager");
  });
});
