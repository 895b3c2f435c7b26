// An appeal (申诉) on a phone, 390×844: the inspector records a deduction for the villager's
// household, the committee approves it (0 days of 公示 here: credited at once), the villager appeals
// it from the statement with a reason and a photo, the member who approved it is told to leave it to
// another, a second committee member revokes it, and the statement shows the reversal and the
// balance is back where it was.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { phonePage, shot, signIn, startWorld } from "./browser";
import { sqlOn } from "../support/sql";

const world = startWorld();
const SECOND = "13900000096";

const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());

async function photo(page: Page): Promise<Buffer> {
  await page.setContent('<div style="width:320px;height:240px;background:linear-gradient(135deg,#1565c0,#90caf9)"><p style="font:32px sans-serif;color:#fff;padding:24px">门前干净</p></div>');
  return page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
}

/** Nothing on the page is wider than the phone. */
async function fitsWidth(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
}

async function tapTarget(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).first().boundingBox();
  expect(box, selector).not.toBeNull();
  expect(box!.height, `${selector} height`).toBeGreaterThanOrEqual(44);
  expect(box!.width, `${selector} width`).toBeGreaterThanOrEqual(44);
  expect(box!.x + box!.width, `${selector} inside the screen`).toBeLessThanOrEqual(390);
}

describe("appeals", () => {
  it("a household appeals a deduction, a committee member who did not approve it revokes it, the balance is restored", async () => {
    const q = sqlOn(world.database);
    const village = Number(await q.value("select id from villages order by id limit 1"));
    await q.run("update villages set notice_days = 0 where id = ?", village);
    // A second committee member of the village (the demo's password), who had no hand in the deduction.
    const hash = (await q.value<string>("select password_hash from users where phone = '13900000003'"))!;
    const uid = await q.value<number>(
      "insert into users (phone, password_hash, display_name, member_id, must_change_password, disabled, created_at) values (?, ?, '村委周测试', null, 0, 0, ?) returning id",
      SECOND, hash, Date.now(),
    );
    await q.run("insert into user_roles (user_id, role, village_id, created_at) values (?, 'committee', ?, ?)", uid, village, Date.now());
    const memberId = Number(await q.value("select member_id from users where phone = '13900000001'"));
    const rule = (await q.get<{ id: number; name: string; points: number }>(
      "select id, name, points from rules where village_id = ? and points < 0 and active = 1 and unit = 'time' order by points desc, id limit 1",
      village,
    ))!;

    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    const before = await spendable(villager);
    const png = await photo(villager);

    // The inspector records the deduction; the committee approves it.
    const inspector = await phonePage(world.browser, world.server.url);
    await signIn(inspector, "13900000004");
    await inspector.goto(`/v/${village}/claims/new`);
    await inspector.locator("#f-memberId").selectOption(String(memberId));
    await inspector.locator("#f-ruleId").selectOption(String(rule.id));
    await inspector.locator("#f-quantity").fill("1");
    await inspector.locator("#f-photos").setInputFiles({ name: "heap.png", mimeType: "image/png", buffer: png });
    await inspector.getByRole("button", { name: "提交申报" }).click();
    await inspector.locator(".form-ok").waitFor();
    const claimId = Number(/申报 #(\d+)/.exec((await inspector.locator(".form-ok").textContent()) ?? "")?.[1]);
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto(`/v/${village}/review/${claimId}`);
    await committee.getByRole("button", { name: "通过" }).click();
    await committee.waitForURL((u) => !u.pathname.endsWith(`/review/${claimId}`) || u.search.includes("done"));
    expect(await q.value("select status from claims where id = ?", claimId)).toBe("credited");
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before + rule.points);

    // The villager's statement offers 申诉 on the deduction.
    await villager.goto("/statement");
    const row = villager.locator(".entries li", { hasText: rule.name }).first();
    await expect(row.textContent()).resolves.toContain("扣分");
    await tapTarget(villager, ".entries li a.appeal-link");
    await fitsWidth(villager);
    await shot(villager, "appeals-1-statement");
    await row.getByRole("link", { name: "申诉" }).click();
    await villager.waitForURL(/\/appeals\/new\?txn=\d+$/);
    await expect(villager.getByTestId("appeal-entry").textContent()).resolves.toContain(`${rule.points} 分`);
    // Sent empty first: the reason is asked for, in Chinese, next to the field.
    await villager.getByRole("button", { name: "提交申诉" }).click();
    await expect(villager.locator("#f-reason-err").textContent()).resolves.toBe("请填写申诉理由");
    await villager.locator("#f-reason").fill("那天我家门前的垃圾是施工队留下的，有照片");
    await villager.locator("#f-photos").setInputFiles({ name: "front.png", mimeType: "image/png", buffer: png });
    await fitsWidth(villager);
    await shot(villager, "appeals-2-form");
    await villager.getByRole("button", { name: "提交申诉" }).click();
    await villager.waitForURL(/\/appeals\/\d+\?filed=1$/);
    const appealId = Number(/\/appeals\/(\d+)/.exec(villager.url())![1]);
    await expect(villager.locator(".form-ok").textContent()).resolves.toContain("申诉已提交");
    const img = villager.locator(".photos img").first();
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(320);
    await shot(villager, "appeals-3-status");

    // The member who approved the deduction is told to leave it to another.
    await committee.goto(`/v/${village}/appeals/${appealId}`);
    await expect(committee.getByTestId("appeal-blocked").textContent()).resolves.toContain("你参与了原来的审核");
    expect(await committee.locator("input[name=verdict]").count()).toBe(0);
    await shot(committee, "appeals-4-blocked");

    // The second member finds it through the menu, and revokes it with a reason.
    const second = await phonePage(world.browser, world.server.url);
    await signIn(second, SECOND);
    await second.getByRole("link", { name: "申诉处理" }).first().click();
    await second.waitForURL(/\/appeals$/);
    await shot(second, "appeals-5-queue");
    await second.locator(`a[href$="/appeals/${appealId}"]`).click();
    await second.waitForURL(new RegExp(`/appeals/${appealId}$`));
    await tapTarget(second, ".appeal-verdicts label");
    await fitsWidth(second);
    await shot(second, "appeals-6-decide");
    await second.getByLabel("撤销这条记录（冲正）").check();
    await second.locator("#f-note").fill("核实是施工队留下的，撤销扣分");
    await second.getByRole("button", { name: "提交处理结果" }).click();
    await expect(second.locator(".form-ok").textContent()).resolves.toContain("已处理：已撤销");
    await expect(second.getByTestId("appeal-decision").textContent()).resolves.toContain("已撤销");
    await shot(second, "appeals-7-decided");

    // The statement: the reversal, saying why; the deduction marked; the balance as before.
    await villager.goto("/statement");
    const reversal = villager.locator(".entries li").first();
    await expect(reversal.textContent()).resolves.toContain("申诉改判：撤销");
    await expect(reversal.locator(".amount").textContent()).resolves.toBe(`+${-rule.points}`);
    await expect(villager.locator(".entries li", { hasText: "申诉：已撤销" }).count()).resolves.toBe(1);
    await fitsWidth(villager);
    await shot(villager, "appeals-8-statement-after");
    await villager.goto(`/appeals/${appealId}`);
    await expect(villager.getByTestId("appeal-decision").textContent()).resolves.toContain("核实是施工队留下的");
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before);

    // 长辈模式: the statement's 申诉 links are 60 px targets in large type.
    await villager.getByRole("button", { name: "大字" }).click();
    await expect.poll(() => villager.evaluate(() => document.documentElement.dataset.elder)).toBe("1");
    await villager.goto("/statement");
    const link = villager.locator(".entries li a.appeal-link").first();
    const box = (await link.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(60);
    expect(await link.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(22);
    await fitsWidth(villager);
    await shot(villager, "appeals-9-statement-elder");
  });
});
