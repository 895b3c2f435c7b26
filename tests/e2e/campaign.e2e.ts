// An honour campaign on phones, from nomination to a confirmed winner: the committee creates it (a
// bad value refused first), a villager and the committee nominate, the committee accepts, the
// test-only clock opens voting, two representatives vote (one changes the vote), nobody sees counts
// before the close, the clock closes voting, the committee confirms, a second committee member
// approves the claim, and the winner shows on the notice board and on the household's page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let database: Engine;
const DAY = 86_400_000;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ TEST_CLOCK_CONTROL: "1" }), launch()]);
  database = openDatabase(server.database);
});
afterAll(async () => {
  await database?.close();
  await browser?.close();
  await server?.stop();
});

const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(database).get<T>(text, ...args))!;
const all = <T>(text: string, ...args: unknown[]) => sqlOn(database).all<T>(text, ...args);

async function advance(page: Page, ms: number): Promise<void> {
  const moved = await page.request.post("/test/clock", { form: { advanceMs: String(ms) }, headers: { origin: server.url } });
  expect(moved.status()).toBe(200);
}

/** Page errors collected, so a hydration failure fails the test. */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

describe("an honour campaign", () => {
  it("nomination → acceptance → secret voting → close → confirm → claim approved → notice board and household page", async () => {
    // A wife in one household, a head in another (not the demo villager's 008).
    const nominee = await one<{ id: number; name: string; number: string; household_id: number }>(
      `select m.id, m.name, h.number, h.id as household_id from members m join households h on h.id = m.household_id
       where h.village_id = 1 and m.relation = '配偶' and h.number not in ('008') order by h.number limit 1`,
    );
    const other = await one<{ name: string; number: string }>(
      `select m.name, h.number from members m join households h on h.id = m.household_id
       where h.village_id = 1 and m.is_head = 1 and h.number not in ('008', ?) order by h.number limit 1`, nominee.number,
    );

    // The committee creates the campaign from its 工作 page.
    const committee = await phonePage(browser, server.url);
    const committeeErrors = watch(committee);
    await signIn(committee, "13900000003");
    await committee.getByRole("link", { name: "工作" }).click();
    await committee.getByRole("link", { name: "评选管理" }).click();
    await committee.waitForURL(/\/v\/1\/campaigns$/);
    await committee.locator(".campaign-list li").first().waitFor();
    await shot(committee, "campaign-01-committee-list");
    await committee.getByRole("link", { name: "发起评选" }).click();
    await committee.waitForURL(/\/campaigns\/new$/);
    await committee.locator("#f-title").fill("测试好婆婆评选");
    // A short campaign: a day of nominations from the suggested start, then a day of voting (China time inputs).
    const from = await committee.locator("#f-nominateFrom").inputValue();
    const plusDays = (n: number) => new Date(Date.parse(`${from}Z`) + n * DAY).toISOString().slice(0, 16);
    await committee.locator("#f-nominateUntil").fill(plusDays(1));
    await committee.locator("#f-voteFrom").fill(plusDays(1));
    await committee.locator("#f-voteUntil").fill(plusDays(2));
    await committee.locator("#f-quorum").fill("１５０");
    await committee.locator("#f-cat1Winners").fill("1");
    await committee.locator("#f-cat2Name").fill("");
    await committee.locator("#f-cat3Name").fill("");
    await committee.getByRole("button", { name: "发起评选" }).click();
    await expect(committee.locator("#f-quorum-err").textContent()).resolves.toBe("最低投票率应为 0 到 100 的整数");
    await shot(committee, "campaign-02-create-refused");
    await committee.locator("#f-quorum").fill("10");
    await committee.getByRole("button", { name: "发起评选" }).click();
    await committee.waitForURL(/\/v\/1\/campaigns\/\d+\?created=1$/);
    const campaignId = Number(/campaigns\/(\d+)/.exec(committee.url())![1]);
    // The address changes before the new page is drawn, and both pages have an h1: wait for the new one.
    await committee.locator("h1", { hasText: "提名中" }).waitFor({ timeout: 10_000 });
    await expect(committee.locator("h1").textContent()).resolves.toContain("提名中");
    await shot(committee, "campaign-03-created");

    // A villager (and representative) finds it on the notice board and nominates a grandmother.
    const villager = await phonePage(browser, server.url);
    const villagerErrors = watch(villager);
    await signIn(villager, "13900000001");
    await villager.getByRole("link", { name: "公示栏" }).click();
    await villager.getByTestId("campaign-notice").getByRole("link", { name: "测试好婆婆评选" }).click();
    await villager.waitForURL(`**/campaigns/${campaignId}`);
    await villager.locator("#s-q").fill(nominee.number);
    await villager.getByRole("button", { name: "查找" }).click();
    await villager.getByText(`${nominee.name}（${nominee.number}号户）`).click();
    await villager.locator("#f-reason").fill("照顾瘫痪的公公十多年，待儿媳像亲闺女");
    await shot(villager, "campaign-04-nominate");
    await villager.getByRole("button", { name: "提交提名" }).click();
    await expect(villager.locator(".form-ok").first().textContent()).resolves.toContain(`已提名 ${nominee.name}`);
    await expect(villager.getByTestId("my-nominations").textContent()).resolves.toContain("待审核");
    await shot(villager, "campaign-05-nominated");

    // The committee nominates a second person, then accepts both.
    await committee.locator("#s-q").fill(other.number);
    await committee.getByRole("button", { name: "查找" }).click();
    await committee.getByText(`${other.name}（${other.number}号户）`).click();
    await committee.locator("#f-reason").fill("村里公认的好婆婆");
    await committee.getByRole("button", { name: "提交提名" }).click();
    await committee.locator(".form-ok", { hasText: `已提名 ${other.name}` }).waitFor();
    const acceptButtons = committee.getByRole("button", { name: "确定为候选" });
    for (let left = 2; left > 0; left--) {
      await acceptButtons.first().click();
      await expect.poll(() => acceptButtons.count()).toBe(left - 1);
    }
    await shot(committee, "campaign-06-accepted");

    // Voting opens (the test-only clock moves a day); the villager votes, then changes the vote.
    await advance(villager, DAY + 60_000);
    await villager.goto(`/campaigns/${campaignId}`);
    await shot(villager, "campaign-07-ballot");
    const ballot = villager.locator("[data-testid^=ballot-]").first();
    await ballot.getByText(`${other.name}（${other.number}号户）`).click();
    await ballot.getByRole("button", { name: "投票" }).click();
    await ballot.locator(".form-ok").waitFor();
    await shot(villager, "campaign-07b-voted");
    await ballot.getByText(`${nominee.name}（${nominee.number}号户）`).click();
    await ballot.getByRole("button", { name: "改票" }).click();
    await ballot.locator(".form-ok", { hasText: "已改好" }).waitFor();
    await expect(ballot.locator("legend").textContent()).resolves.toContain("已投：1 个");
    // The committee member is a representative too: he votes from the villager's page.
    await committee.goto(`/campaigns/${campaignId}`);
    const hisBallot = committee.locator("[data-testid^=ballot-]").first();
    await hisBallot.getByText(`${nominee.name}（${nominee.number}号户）`).click();
    await hisBallot.getByRole("button", { name: "投票" }).click();
    await hisBallot.locator(".form-ok").waitFor();
    // Before the close no page shows a count, not even the committee's.
    await committee.goto(`/v/1/campaigns/${campaignId}`);
    await committee.getByTestId("secret").waitFor();
    await expect(committee.getByTestId("result").count()).resolves.toBe(0);
    expect(await committee.locator("main").textContent()).not.toMatch(/\d+\s*票/);
    await shot(committee, "campaign-08-voting-committee");

    // Voting closes: counts and turnout; the committee confirms.
    await advance(committee, DAY);
    await committee.goto(`/v/1/campaigns/${campaignId}`);
    const result = committee.getByTestId("result");
    await expect(result.getByTestId("turnout").textContent()).resolves.toMatch(/投票 2 人 \/ 能投票 \d+ 人/);
    await expect(result.locator("li.won").textContent()).resolves.toContain(`${nominee.name}（${nominee.number}号户）`);
    await expect(result.locator("li.won .votes").textContent()).resolves.toBe("2 票");
    await shot(committee, "campaign-09-result");
    await committee.getByRole("button", { name: "确认结果并提交积分申报" }).click();
    await expect(committee.locator(".form-ok").first().textContent()).resolves.toContain("1 条积分申报已提交");
    await shot(committee, "campaign-10-confirmed");

    // The second committee member approves the claim; 公示 starts.
    const checker = await phonePage(browser, server.url);
    await signIn(checker, "13900000006");
    await checker.goto("/v/1/review");
    await checker.getByRole("link", { name: /好婆婆/ }).first().click();
    await checker.waitForURL(/\/review\/\d+$/);
    // The URL changes before the claim page renders (client navigation): wait for its text.
    await checker.getByText("民主评议：测试好婆婆评选·好婆婆（2 票）").first().waitFor();
    await checker.getByRole("button", { name: "通过" }).click();
    await expect(checker.locator(".form-ok").textContent()).resolves.toContain("进入公示");

    // The notice board names the winner; the household's page keeps the honour.
    await villager.goto("/v/1/notice");
    const board = villager.getByTestId("campaign-notice");
    await expect(board.textContent()).resolves.toContain(`好婆婆：${nominee.name}（${nominee.number}号户）`);
    await board.scrollIntoViewIfNeeded();
    await shot(villager, "campaign-11-notice-board");
    await villager.goto(`/campaigns/${campaignId}`);
    await expect(villager.getByTestId("result").textContent()).resolves.toContain("评选结果");
    await shot(villager, "campaign-12-villager-result");
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    await admin.goto(`/v/1/admin/households/${nominee.household_id}`);
    await expect(admin.getByTestId("honours").textContent()).resolves.toContain("测试好婆婆评选");
    await shot(admin, "campaign-13-admin-household");
    expect(committeeErrors).toEqual([]);
    expect(villagerErrors).toEqual([]);
  });

  it("the village admin marks a representative on the household page; the villager's household page shows its honours", async () => {
    const admin = await phonePage(browser, server.url);
    await signIn(admin, "13900000005");
    const h = await one<{ id: number }>("select h.id from households h where h.village_id = 1 and h.number = '010'");
    await admin.goto(`/v/1/admin/households/${h.id}`);
    const section = admin.getByTestId("representatives");
    const before = await section.getByRole("button", { name: "设为代表" }).count();
    await section.getByRole("button", { name: "设为代表" }).first().click();
    await section.locator(".form-ok").waitFor();
    await shot(admin, "campaign-14-representatives");
    await expect.poll(() => section.getByRole("button", { name: "设为代表" }).count()).toBe(before - 1);
    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000001");
    await villager.goto("/household");
    await expect(villager.getByTestId("honours").textContent()).resolves.toContain("最美家庭");
    await shot(villager, "campaign-15-household-honours");
  });

  it("a tie is decided on the phone with a reason; a turnout under the quorum says the result is void", async () => {
    const committee = await phonePage(browser, server.url);
    const villager = await phonePage(browser, server.url);
    await signIn(committee, "13900000003");
    await signIn(villager, "13900000001");
    const post = async (page: Page, path: string, form: Record<string, string>) => {
      const r = await page.request.post(path, { form, headers: { origin: server.url }, maxRedirects: 0 });
      expect([200, 302], `${path} ${await r.text()}`).toContain(r.status());
    };
    // The server's clock has moved; its China time comes from its own page (the form's suggested start).
    await committee.goto("/v/1/campaigns/new");
    const from = await committee.locator("#f-nominateFrom").inputValue();
    const at = (days: number) => new Date(Date.parse(`${from}Z`) + days * DAY).toISOString().slice(0, 16);
    const rule = (await one<{ id: number }>("select id from rules where village_id = 1 and name = '好媳妇'")).id;
    const wives = await all<{ id: number }>("select m.id from members m join households h on h.id = m.household_id where h.village_id = 1 and m.relation = '儿媳' order by h.number, m.id limit 3");
    const made: { id: number; category: number; nominations: number[] }[] = [];
    for (const [title, quorum] of [["同票的评选", "10"], ["投票率不够的评选", "90"]] as const) {
      await post(committee, "/v/1/campaigns/new", {
        title, nominateFrom: at(0), nominateUntil: at(1), voteFrom: at(1), voteUntil: at(2), voters: "representatives", quorum,
        cat1Name: "好媳妇", cat1Kind: "member", cat1Winners: "1", cat1Rule: String(rule),
      });
      const id = (await one<{ id: number }>("select max(id) as id from campaigns")).id;
      const category = (await one<{ id: number }>("select id from campaign_categories where campaign_id = ?", id)).id;
      for (const w of wives) await post(committee, `/v/1/campaigns/${id}`, { intent: "nominate", categoryId: String(category), nomineeId: String(w.id), reason: "孝敬老人" });
      const nominations = (await all<{ id: number }>("select id from campaign_nominations where campaign_id = ? order by id", id)).map((n) => n.id);
      for (const n of nominations) await post(committee, `/v/1/campaigns/${id}`, { intent: "nomination.accept", nominationId: String(n) });
      made.push({ id, category, nominations });
    }
    await advance(committee, DAY + 60_000);
    const [tie, thin] = made;
    await post(committee, `/campaigns/${tie.id}`, { intent: "ballot", categoryId: String(tie.category), choice: String(tie.nominations[0]) });
    await post(villager, `/campaigns/${tie.id}`, { intent: "ballot", categoryId: String(tie.category), choice: String(tie.nominations[1]) });
    await post(villager, `/campaigns/${thin.id}`, { intent: "ballot", categoryId: String(thin.category), choice: String(thin.nominations[0]) });
    await advance(committee, DAY);

    await committee.goto(`/v/1/campaigns/${tie.id}`);
    await expect(committee.getByRole("button", { name: "确认结果并提交积分申报" }).isDisabled()).resolves.toBe(true);
    await shot(committee, "campaign-16-tie");
    const form = committee.locator(".tie-form");
    await form.getByRole("checkbox").first().check();
    await form.getByLabel("决定理由").fill("村两委会议表决：照顾瘫痪公公的事迹更突出");
    await form.getByRole("button", { name: "记录决定" }).click();
    await committee.locator(".tie-note", { hasText: "村两委会议表决" }).waitFor();
    await expect(committee.getByRole("button", { name: "确认结果并提交积分申报" }).isEnabled()).resolves.toBe(true);
    await shot(committee, "campaign-17-tie-decided");

    await committee.goto(`/v/1/campaigns/${thin.id}`);
    await expect(committee.getByTestId("turnout").textContent()).resolves.toContain("这次投票结果无效");
    await expect(committee.getByRole("button", { name: "确认结果并提交积分申报" }).isDisabled()).resolves.toBe(true);
    await shot(committee, "campaign-18-quorum-short");
    await villager.goto(`/campaigns/${thin.id}`);
    await expect(villager.getByTestId("turnout").textContent()).resolves.toContain("没有达到最低投票率 90%");
    await shot(villager, "campaign-19-quorum-short-villager");
  });

  it("without JavaScript a representative casts a ballot with a plain form post and sees it recorded", async () => {
    const committee = await phonePage(browser, server.url);
    await signIn(committee, "13900000003");
    const post = async (path: string, form: Record<string, string>) => {
      const r = await committee.request.post(path, { form, headers: { origin: server.url }, maxRedirects: 0 });
      expect([200, 302], `${path} ${await r.text()}`).toContain(r.status());
    };
    // A fresh campaign with two standing candidates, set up by the committee; the clock then opens voting.
    await committee.goto("/v/1/campaigns/new");
    const from = await committee.locator("#f-nominateFrom").inputValue();
    const at = (days: number) => new Date(Date.parse(`${from}Z`) + days * DAY).toISOString().slice(0, 16);
    const rule = (await one<{ id: number }>("select id from rules where village_id = 1 and name = '好媳妇'")).id;
    await post("/v/1/campaigns/new", {
      title: "不用脚本也能投票", nominateFrom: at(0), nominateUntil: at(1), voteFrom: at(1), voteUntil: at(2), voters: "representatives", quorum: "10",
      cat1Name: "好媳妇", cat1Kind: "member", cat1Winners: "2", cat1Rule: String(rule),
    });
    const id = (await one<{ id: number }>("select max(id) as id from campaigns")).id;
    const category = (await one<{ id: number }>("select id from campaign_categories where campaign_id = ?", id)).id;
    const wives = await all<{ id: number; name: string; number: string }>(
      `select m.id, m.name, h.number from members m join households h on h.id = m.household_id
       where h.village_id = 1 and m.relation = '儿媳' and m.active = 1 order by h.number desc, m.id limit 2`,
    );
    for (const w of wives) await post(`/v/1/campaigns/${id}`, { intent: "nominate", categoryId: String(category), nomineeId: String(w.id), reason: "孝敬老人" });
    const nominations = (await all<{ id: number }>("select id from campaign_nominations where campaign_id = ? order by id", id)).map((n) => n.id);
    for (const n of nominations) await post(`/v/1/campaigns/${id}`, { intent: "nomination.accept", nominationId: String(n) });
    await advance(committee, DAY + 60_000);

    const villager = await phonePage(browser, server.url, { javaScript: false });
    await signIn(villager, "13900000001");
    await villager.goto(`/campaigns/${id}`);
    const ballot = villager.getByTestId(`ballot-${category}`);
    await ballot.getByText(`${wives[1].name}（${wives[1].number}号户）`).click();
    await shot(villager, "campaign-20-nojs-ballot");
    // The browser itself posts the form and loads the answer as a new page: no script does it.
    const [request] = await Promise.all([
      villager.waitForRequest((r) => r.method() === "POST" && r.isNavigationRequest()),
      ballot.getByRole("button", { name: "投票" }).click(),
    ]);
    expect(new URL(request.url()).pathname).toBe(`/campaigns/${id}`);
    await villager.waitForLoadState("load");
    const answered = villager.getByTestId(`ballot-${category}`);
    await expect(answered.locator(".form-ok").innerText()).resolves.toContain("“好媳妇”的票已投出");
    await expect(answered.locator("legend").innerText()).resolves.toContain("已投：1 个");
    await expect(answered.getByRole("checkbox", { name: new RegExp(wives[1].name) }).isChecked()).resolves.toBe(true);
    await expect(answered.getByRole("button", { name: "改票" }).count()).resolves.toBe(1);
    await shot(villager, "campaign-21-nojs-voted");
    const me = await one<{ member_id: number }>("select u.member_id from users u where u.phone = '13900000001'");
    expect(await all(
      `select ch.nomination_id from campaign_ballots b join campaign_ballot_choices ch on ch.ballot_id = b.id where b.campaign_id = ? and b.voter_key = ?`,
      id, `member:${me.member_id}`,
    )).toEqual([{ nomination_id: nominations[1] }]);
  });

  it("every campaign page renders and hydrates without an error, for its role", async () => {
    const pages: [string, string[]][] = [
      ["13900000001", ["/campaigns", "/campaigns/1", "/campaigns/2", "/household", "/v/1/notice", "/v/1/notice?print=1"]],
      ["13900000003", ["/v/1/campaigns", "/v/1/campaigns/new", "/v/1/campaigns/1", "/v/1/campaigns/2", "/work"]],
      ["13900000000", ["/v/1/campaigns", "/v/1/campaigns/1"]],
      ["13900000005", ["/v/1/admin/households/1"]],
    ];
    for (const [phone, paths] of pages) {
      const page = await phonePage(browser, server.url);
      const errors = watch(page);
      await signIn(page, phone);
      for (const p of paths) {
        await page.goto(p);
        await page.waitForLoadState("networkidle");
        expect(await page.locator(".error-page").count(), `${phone} ${p}`).toBe(0);
      }
      expect(errors, phone).toEqual([]);
      await page.context().close();
    }
  });
});
