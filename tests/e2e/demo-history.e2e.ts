// The demo's year went through the real flows (db/seed/history.server.ts): a committee member who
// opens an award from September finds its claim, who filed and who approved it; the villager's
// statement names the rule; the keeper's orders, 日结 and 月结算 of past days and months are not empty.
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();
const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(world.database).get<T>(text, ...args))!;

const chinaDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/** The last September before today, "YYYY-09". */
function lastSeptember(): string {
  const today = chinaDay(Date.now());
  const year = Number(today.slice(0, 4)) - (today.slice(5, 7) <= "09" ? 1 : 0);
  return `${year}-09`;
}

describe("the demo's history, as the people who run it see it", () => {
  it("an award from September opens to its claim: rule, filer, the committee member who approved it, 已入账", async () => {
    const month = lastSeptember();
    const from = Date.parse(`${month}-01T00:00:00+08:00`);
    const until = Date.parse(`${month.slice(0, 4)}-10-01T00:00:00+08:00`);
    // The demo household's award credited in September, with the claim behind it.
    const award = await one<{ txn: number; claim: number; rule: string; points: number; approver: string; filer: string }>(
      `select t.id as txn, c.id as claim, r.name as rule, c.points, u.display_name as approver, f.display_name as filer
       from ledger_transactions t join claims c on c.id = t.cause_id and t.cause_kind = 'claim' join rules r on r.id = c.rule_id
       join claim_approvals a on a.claim_id = c.id join users u on u.id = a.user_id join users f on f.id = c.filer_user_id
       join members m on m.household_id = c.household_id join users v on v.member_id = m.id and v.phone = '13900000001'
       where t.kind = 'award' and t.created_at >= ? and t.created_at < ? order by t.id limit 1`,
      from, until,
    );
    expect(award, `an award to the demo household in ${month}`).toBeDefined();

    // The villager's statement names the rule of that September entry.
    const villager = await phonePage(world.browser, world.server.url);
    await signIn(villager, "13900000001");
    await villager.goto(`/statement?month=${month}`);
    await villager.waitForLoadState("networkidle");
    expect(await villager.locator("main").innerText()).toContain(award.rule);
    await shot(villager, "demo-history-1-statement");

    // A committee member who does not live in the village opens the claim: what it was, who filed, who approved, credited.
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000006");
    await committee.goto(`/v/1/review/${award.claim}`);
    const card = committee.locator("section.card").first();
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain(`申报 #${award.claim}：${award.rule}`);
    expect(text).toContain(`+${award.points} 分`);
    expect(text).toContain(award.filer);
    expect(text).toContain(award.approver);
    expect(text).toContain("已入账");
    await shot(committee, "demo-history-2-september-claim");
  });

  it("the keeper's past day has its orders and its 日结, last month its settlement", async () => {
    // The latest day with sales, closed by the keeper that evening.
    const day = await one<{ day: string }>("select d.day from day_closes d join stores s on s.id = d.store_id where s.village_id = 1 order by d.day desc limit 1");
    expect(day).toBeDefined();
    const keeper = await phonePage(world.browser, world.server.url);
    await signIn(keeper, "13900000002");

    await keeper.goto(`/v/1/store/orders?day=${day.day}`);
    await keeper.waitForLoadState("networkidle");
    const orders = keeper.locator("main a[href*='/store/orders/']");
    expect(await orders.count()).toBeGreaterThan(0);
    await shot(keeper, "demo-history-3-keeper-orders");

    await keeper.goto(`/v/1/store/day?day=${day.day}`);
    await keeper.getByTestId("day-orders").waitFor();
    expect(Number(await keeper.getByTestId("day-orders").innerText())).toBeGreaterThan(0);
    expect(Number(await keeper.getByTestId("day-points").innerText())).toBeGreaterThan(0);
    expect(await keeper.locator("main").innerText()).toContain("已日结");
    await shot(keeper, "demo-history-4-keeper-day");

    const today = chinaDay(Date.now());
    const [y, m] = today.slice(0, 7).split("-").map(Number);
    const lastMonth = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
    const committee = await phonePage(world.browser, world.server.url);
    await signIn(committee, "13900000003");
    await committee.goto(`/v/1/store/settlement?month=${lastMonth}`);
    await committee.getByTestId("settle-yuan").waitFor();
    expect(Number(await committee.getByTestId("settle-yuan").innerText())).toBeGreaterThan(0);
    // Settled on the 3rd of this month, unless today is earlier than that.
    if (Number(today.slice(8, 10)) > 3) expect(await committee.locator("main").innerText()).toContain("已结算");
    await shot(committee, "demo-history-5-settlement");
  });
});
