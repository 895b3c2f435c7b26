// The committee's review queue and the villager's records, on a phone (issue 15): a member cannot
// select a claim of their own household (the row says why), the longest waiting claim comes first,
// a decision opens the next claim, the rows are finger-sized; the villager's statement and claims
// list speak of what was done, not of internal numbers, newest first, with pending points as pending.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, startWorld, shot, signIn } from "./browser";

const world = startWorld();

const COMMITTEE = "13900000003"; // 李杰, who lives in the demo's household 023 of village 1
const VILLAGER = "13900000001";

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

interface Waiting { id: number; household_id: number; filer_user_id: number }

/** Village 1's pending claims, the longest waiting first, and the member's household and user id. */
async function queueFacts(phone: string) {
  const me = (await sqlOn(world.database).get<{ id: number; household_id: number }>(
    "select u.id, m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", phone,
  ))!;
  const waiting = await sqlOn(world.database).all<Waiting>(
    "select id, household_id, filer_user_id from claims where village_id = 1 and status = 'pending' order by created_at, id",
  );
  const approvedByMe = new Set((await sqlOn(world.database).all<{ claim_id: number }>("select claim_id from claim_approvals where user_id = ?", me.id)).map((r) => r.claim_id));
  const mayDecide = waiting.filter((c) => c.household_id !== me.household_id && c.filer_user_id !== me.id && !approvedByMe.has(c.id));
  return { me, waiting, mayDecide };
}

const rowOf = (page: Page, id: number) => page.locator(`form[method="post"] .entries > li:has(a[href$="/review/${id}"])`);

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`not visible: ${selector}`);
  return b;
}

describe("review queue", () => {
  it("own-household claims cannot be selected, the oldest comes first, rows are finger-sized", async () => {
    const page = await phonePage(world.browser, world.server.url);
    const errors = watch(page);
    await signIn(page, COMMITTEE);
    const { me, waiting, mayDecide } = await queueFacts(COMMITTEE);
    const own = waiting.filter((c) => c.household_id === me.household_id);
    expect(own.length, "the demo has a claim of the member's own household waiting").toBeGreaterThan(0);
    expect(mayDecide.length).toBeGreaterThan(2);

    await page.goto("/v/1/review");
    await page.waitForLoadState("networkidle");
    await shot(page, "review-records-1-queue");

    // The longest waiting claim (by when it was filed, not by its number) is listed first.
    const hrefs = await page.locator('form[method="post"] .entries > li a[href*="/review/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    // Soft: each of this test's checks reports on its own (each failed on the code before issue 15).
    expect.soft(hrefs[0]).toBe(`/v/1/review/${waiting[0].id}`);
    expect.soft(hrefs.map((h) => Number(h!.split("/").pop()))).toEqual(waiting.slice(0, hrefs.length).map((c) => c.id));

    // A claim of the member's own household: shown, its box not selectable, and the reason beside it.
    const ownRow = rowOf(page, own[0].id);
    await expect(ownRow.count()).resolves.toBe(1);
    expect.soft(await ownRow.innerText()).toContain("本户申报，需其他委员审核");
    const ownBox = ownRow.locator('input[type="checkbox"]');
    if (await ownBox.count()) {
      expect.soft(await ownBox.isDisabled()).toBe(true);
      await ownRow.locator("label").click({ force: true });
      expect.soft(await ownBox.isChecked()).toBe(false);
    }

    // Every selectable row: the label is the whole row (tapping its text selects it), ≥ 44 × 44;
    // the 查看 link is ≥ 44 × 44 too.
    const first = mayDecide[0].id;
    const row = await box(page, `form[method="post"] .entries > li:has(a[href$="/review/${first}"])`);
    const label = await box(page, `label[for="pick-${first}"]`);
    expect.soft(label.height).toBeGreaterThanOrEqual(44);
    expect.soft(label.width, "the row's label spans most of the row").toBeGreaterThanOrEqual(row.width * 0.6);
    const link = await box(page, `a[href="/v/1/review/${first}"]`);
    expect(link.height).toBeGreaterThanOrEqual(44);
    expect(link.width).toBeGreaterThanOrEqual(44);
    for (const c of mayDecide.slice(0, 8)) {
      const l = await box(page, `label[for="pick-${c.id}"]`);
      expect(Math.min(l.width, l.height), `claim ${c.id}`).toBeGreaterThanOrEqual(44);
      const a = await box(page, `a[href="/v/1/review/${c.id}"]`);
      expect(Math.min(a.width, a.height), `claim ${c.id}`).toBeGreaterThanOrEqual(44);
    }
    // A tap on the row's text (its middle, away from the box) selects the claim.
    await page.locator(`label[for="pick-${first}"]`).click({ position: { x: label.width / 2, y: 12 } });
    expect(await page.locator(`#pick-${first}`).isChecked()).toBe(true);
    await shot(page, "review-records-2-queue-selected");
    // 长辈模式 (large type), as the 大字 toggle sets it: the rows grow, the reason still shows.
    await page.evaluate(() => document.documentElement.setAttribute("data-elder", "1"));
    expect((await box(page, `label[for="pick-${first}"]`)).height).toBeGreaterThanOrEqual(60);
    await shot(page, "review-records-2b-queue-elder");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("after 通过 or 驳回 the next waiting claim opens; the reason's error goes once it is typed", async () => {
    const page = await phonePage(world.browser, world.server.url);
    const errors = watch(page);
    await signIn(page, COMMITTEE);
    const { mayDecide } = await queueFacts(COMMITTEE);
    const [a, b, c] = mayDecide.map((x) => x.id);

    await page.goto("/v/1/review");
    await page.locator(`a[href="/v/1/review/${a}"]`).click();
    await page.waitForURL(new RegExp(`/review/${a}$`));
    await page.getByRole("button", { name: "通过" }).click();
    await page.waitForURL(new RegExp(`/review/${b}\\?done=approved$`));
    await expect(page.locator(".form-ok").textContent()).resolves.toContain("已通过，进入公示");
    await expect(page.locator("h1").textContent()).resolves.toContain(`#${b}`);
    await shot(page, "review-records-3-next-after-approve");

    // 驳回 without a reason: the error shows; typing a reason clears it; 驳回 opens the next one.
    await page.getByRole("button", { name: "驳回" }).click();
    const err = page.locator("#f-reject-err");
    await err.waitFor();
    await shot(page, "review-records-4-reject-error");
    await page.locator("#f-reject").fill("照片与说明不符");
    // Hidden by the page-wide handler for fixed fields (app/ui/field.tsx), the field no longer marked invalid.
    await err.waitFor({ state: "hidden" });
    expect(await page.locator("#f-reject").getAttribute("aria-invalid")).not.toBe("true");
    await page.getByRole("button", { name: "驳回" }).click();
    await page.waitForURL(new RegExp(`/review/${c}\\?done=rejected$`));
    await expect(page.locator(".form-ok").textContent()).resolves.toContain("已驳回");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it("without JavaScript too: the own-household box is disabled, and 通过 opens the next claim", async () => {
    const page = await phonePage(world.browser, world.server.url, { javaScript: false });
    await signIn(page, COMMITTEE);
    const { me, waiting, mayDecide } = await queueFacts(COMMITTEE);
    const own = waiting.find((c) => c.household_id === me.household_id)!;
    await page.goto("/v/1/review");
    expect(await rowOf(page, own.id).locator('input[type="checkbox"]').isDisabled()).toBe(true);
    // The own-household claim's own page offers no 通过 and says why.
    await page.goto(`/v/1/review/${own.id}`);
    await expect(page.getByTestId("review-blocked").textContent()).resolves.toBe("本户申报，需其他委员审核");
    expect(await page.getByRole("button", { name: "通过" }).count()).toBe(0);
    await shot(page, "review-records-5-own-household-claim");
    await page.goto(`/v/1/review/${mayDecide[0].id}`);
    await page.getByRole("button", { name: "通过" }).click();
    await page.waitForURL(new RegExp(`/review/${mayDecide[1].id}\\?done=approved$`));
    await expect(page.locator(".form-ok").textContent()).resolves.toContain("已通过");
    await page.context().close();
  });
});

describe("the villager's records", () => {
  it("the statement has no #number; the claims list is newest first with pending points as pending", async () => {
    const page = await phonePage(world.browser, world.server.url);
    const errors = watch(page);
    await signIn(page, VILLAGER);
    await page.goto("/statement");
    const statement = await page.locator("main, .page").first().innerText();
    // Soft: each check reports on its own (each failed on the code before issue 15).
    expect.soft(statement).not.toMatch(/#\s*\d/);
    expect.soft(statement).toMatch(/最美家庭（\d{4}年\d{1,2}月\d{1,2}日）/); // a credited claim, named by its day
    await shot(page, "review-records-6-statement");
    await page.goto("/");
    expect.soft(await page.locator(".entries").first().innerText()).not.toMatch(/#\s*\d/);

    await page.goto("/claims");
    await page.waitForLoadState("networkidle");
    const list = page.locator(".entries > li");
    const text = await page.locator("main, .page").first().innerText();
    expect.soft(text).not.toMatch(/#\s*\d/);
    // Newest first by the day each row shows.
    const days = await list.locator(".when").evaluateAll((els) => els.map((e) => (e.textContent ?? "").slice(0, 10)));
    expect(days.length).toBeGreaterThan(2);
    expect.soft(days).toEqual([...days].sort().reverse());
    // A pending claim's points say so, look different from earned ones, and are not counted as earned.
    const pending = list.filter({ hasText: "待审核" }).first();
    const pendingAmount = pending.locator(".amount");
    expect.soft(await pendingAmount.innerText()).toMatch(/^待审核\s*\+\d+$/);
    const credited = list.filter({ hasText: "已入账" }).first().locator(".amount");
    const style = (l: typeof credited) => l.evaluate((el) => { const s = getComputedStyle(el); return `${s.color}|${s.borderStyle}`; });
    expect.soft(await style(pendingAmount)).not.toBe(await style(credited));
    await expect(page.getByTestId("claims-waiting").innerText()).resolves.toMatch(/入账后才能使用/);
    const more = await box(page, "a.claim-more");
    expect(more.height).toBeGreaterThanOrEqual(44);
    await shot(page, "review-records-7-claims");
    // 长辈模式 (large type) as another helper turns it on: the same page stays whole.
    await page.evaluate(() => document.documentElement.setAttribute("data-elder", "1"));
    await shot(page, "review-records-8-claims-elder");
    await page.evaluate(() => document.documentElement.removeAttribute("data-elder"));

    // The claim form: a field's error goes once the field is changed; the others stay until sent again.
    await page.goto("/claims/new");
    await page.waitForLoadState("networkidle");
    await page.locator("#f-ruleId").selectOption({ index: 0 });
    await page.locator("#f-quantity").fill("abc");
    await page.getByRole("button", { name: "提交申报" }).click();
    await page.locator("#f-quantity-err").waitFor();
    await page.locator("#f-ruleId-err").waitFor();
    await page.locator("#f-quantity").fill("1");
    await page.locator("#f-quantity-err").waitFor({ state: "hidden" });
    expect(await page.locator("#f-quantity").getAttribute("aria-invalid")).not.toBe("true");
    expect(await page.locator("#f-ruleId-err").isVisible()).toBe(true);
    await shot(page, "review-records-9-claim-form-fixed-field");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
