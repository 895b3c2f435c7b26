// 积分清零 / 过期: each mode with the test clock, held points, runs twice and at once, the committee's
// reversal, the household's notice window, and the settings' refusals. Both engines.
import { afterEach, describe, expect, it } from "vitest";
import { award, deduct, householdBalance, placeHold, redeem } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { expiryNotice, reverseExpiry, runExpiry, villageExpiries } from "~/expiry/expiry.server";
import { expirySettingsFields } from "~/expiry/settings.server";
import { settingsSchema } from "~/rules/rules.server";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { failedChecks, seedVillage, SYSTEM } from "../ledger/helpers";

const actor = SYSTEM;
/** An instant in China time (UTC+8). */
const china = (y: number, m: number, d: number, h = 12, min = 0) => Date.UTC(y, m - 1, d, h - 8, min);

async function policy(villageId: number, mode: string, since: number, months = 12, noticeDays = 30) {
  await sqlOn().run("update villages set expiry_mode = ?, expiry_months = ?, expiry_notice_days = ?, expiry_since = ? where id = ?", mode, months, noticeDays, since, villageId);
}

async function expiries(householdId: number) {
  return sqlOn().all<{ id: number; idem_key: string; amount: number }>(
    "select t.id, t.idem_key, e.amount from ledger_transactions t join ledger_entries e on e.txn_id = t.id join accounts a on a.id = e.account_id where t.kind = 'expiry' and a.household_id = ? order by t.id",
    householdId,
  );
}

async function committeeUser(): Promise<number> {
  return (await sqlOn().get<{ id: number }>(
    "insert into users (phone, password_hash, display_name, must_change_password, disabled, created_at) values (?, 'x', '村委', 0, 0, 0) returning id",
    `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`,
  ))!.id;
}

afterEach(() => clockControl.reset());

describe("year-end expiry", () => {
  it("expires every spendable point of the year at 1 January, keeps held points, posts once per household", async () => {
    const v = await seedVillage("YE", 3);
    const [h1, h2, h3] = v.householdIds;
    clockControl.set(china(2026, 11, 1));
    await policy(v.villageId, "year_end", china(2026, 11, 1));
    await award({ householdId: h1, amount: 100, idemKey: "ye-a1", actor, memo: "志愿服务" });
    await award({ householdId: h2, amount: 50, idemKey: "ye-a2", actor, memo: "志愿服务" });
    await redeem({ householdId: h2, storeAccountId: v.storeAccountId, amount: 30, idemKey: "ye-r2", actor, memo: "兑换" });
    // h3 has nothing: no expiry for it.
    clockControl.set(china(2026, 12, 31, 23, 50));
    await placeHold({ householdId: h1, amount: 20, expiresAt: china(2027, 1, 1, 0, 30), idemKey: "ye-h1", actor });
    // Before the year ends nothing is due.
    expect((await runExpiry()).posted).toBe(0);
    clockControl.set(china(2027, 1, 1, 0, 1));
    const round = await runExpiry();
    expect(round.posted).toBe(2);
    expect((await expiries(h1)).map((e) => [e.idem_key, e.amount])).toEqual([[`expiry:${h1}:2026`, -80]]);
    expect((await expiries(h2)).map((e) => e.amount)).toEqual([-20]);
    expect(await expiries(h3)).toEqual([]);
    const b1 = await householdBalance(h1, 2026);
    expect([b1.balance, b1.held, b1.spendable]).toEqual([20, 20, 0]);
    // The score of 2026 is left as it was; only the spendable balance went.
    expect(b1.score).toBe(100);
    // Done: marked for the village, and a re-run posts nothing.
    expect(await sqlOn().get("select period, households, points from expiry_runs where village_id = ?", v.villageId)).toEqual({ period: "2026", households: 2, points: 100 });
    expect((await runExpiry()).posted).toBe(0);
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });

  it("keeps points earned in the new year when the run comes late, and a hold comes out of the old points", async () => {
    const v = await seedVillage("YL", 1);
    const [h1] = v.householdIds;
    clockControl.set(china(2026, 12, 1));
    await policy(v.villageId, "year_end", china(2026, 12, 1));
    await award({ householdId: h1, amount: 100, idemKey: "yl-a1", actor, memo: "旧积分" });
    // The server was down over new year: the run comes on 3 January, after a new award and a hold.
    clockControl.set(china(2027, 1, 3, 9));
    await award({ householdId: h1, amount: 10, idemKey: "yl-a2", actor, memo: "新积分" });
    await placeHold({ householdId: h1, amount: 20, expiresAt: china(2027, 1, 3, 10), idemKey: "yl-h1", actor });
    await runExpiry();
    // Old 100, 20 of them held: 80 expire; the held 20 and the new 10 stay.
    expect((await expiries(h1)).map((e) => e.amount)).toEqual([-80]);
    expect((await householdBalance(h1)).balance).toBe(30);
  });

  it("is not due for a year that ended before the village chose it", async () => {
    const v = await seedVillage("YN", 1);
    clockControl.set(china(2026, 6, 1));
    await award({ householdId: v.householdIds[0], amount: 40, idemKey: "yn-a1", actor, memo: "志愿服务" });
    clockControl.set(china(2027, 1, 5));
    await policy(v.villageId, "year_end", china(2027, 1, 5));
    await runExpiry();
    expect(await expiries(v.householdIds[0])).toEqual([]);
  });
});

describe("expiry N months after earning", () => {
  it("expires the oldest points first: recent awards stay, redemptions and deductions used the old ones", async () => {
    const v = await seedVillage("MO", 1);
    const [h1] = v.householdIds;
    await policy(v.villageId, "months", china(2025, 12, 1), 12);
    clockControl.set(china(2026, 1, 10));
    await award({ householdId: h1, amount: 100, idemKey: "mo-a1", actor, memo: "一月" });
    clockControl.set(china(2026, 2, 10));
    await deduct({ householdId: h1, amount: 30, idemKey: "mo-d1", actor, memo: "扣分" });
    clockControl.set(china(2026, 6, 10));
    await award({ householdId: h1, amount: 50, idemKey: "mo-a2", actor, memo: "六月" });
    clockControl.set(china(2026, 7, 10));
    await redeem({ householdId: h1, storeAccountId: v.storeAccountId, amount: 20, idemKey: "mo-r1", actor, memo: "兑换" });
    // 1 Feb 2027: what was earned before Feb 2026 (the January 100, less the 30 and 20 it paid for) goes.
    clockControl.set(china(2027, 2, 1, 0, 5));
    await runExpiry();
    expect((await expiries(h1)).map((e) => [e.idem_key, e.amount])).toEqual([[`expiry:${h1}:2027-02`, -50]]);
    expect((await householdBalance(h1)).balance).toBe(50);
    // March to June: the June award is not 12 months old yet.
    for (const m of [3, 4, 5, 6]) {
      clockControl.set(china(2027, m, 1, 0, 5));
      await runExpiry();
    }
    expect((await expiries(h1)).length).toBe(1);
    // 1 July 2027: the June 2026 award is past 12 months.
    clockControl.set(china(2027, 7, 1, 0, 5));
    await runExpiry();
    expect((await expiries(h1)).map((e) => [e.idem_key, e.amount])).toEqual([[`expiry:${h1}:2027-02`, -50], [`expiry:${h1}:2027-07`, -50]]);
    expect((await householdBalance(h1)).balance).toBe(0);
    const memo = await sqlOn().value<string>("select memo from ledger_transactions where idem_key = ?", `expiry:${h1}:2027-07`);
    expect(memo).toBe("2026年6月及以前得到的积分已满 12 个月，过期清零");
  });
});

describe("runs at once", () => {
  it("two rounds at once post each household's expiry once", async () => {
    const v = await seedVillage("RC", 6);
    clockControl.set(china(2026, 12, 1));
    await policy(v.villageId, "year_end", china(2026, 12, 1));
    for (const [i, h] of v.householdIds.entries()) await award({ householdId: h, amount: 10 + i, idemKey: `rc-a${i}`, actor, memo: "志愿服务" });
    clockControl.set(china(2027, 1, 1, 0, 1));
    const [a, b] = await Promise.all([runExpiry(), runExpiry()]);
    expect(a.posted + b.posted).toBe(6);
    for (const h of v.householdIds) expect((await expiries(h)).length).toBe(1);
    expect(Number(await sqlOn().value("select count(*) from expiry_runs where village_id = ?", v.villageId))).toBe(1);
    const again = await Promise.all([runExpiry(), runExpiry()]);
    expect(again[0].posted + again[1].posted).toBe(0);
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });
});

describe("the committee's reversal", () => {
  it("restores the points with the reason, once, with an audit row", async () => {
    const v = await seedVillage("RV", 1);
    const [h1] = v.householdIds;
    const user = await committeeUser();
    const staff = { userId: user, role: "committee" as const, villageId: v.villageId };
    clockControl.set(china(2026, 12, 1));
    await policy(v.villageId, "year_end", china(2026, 12, 1));
    await award({ householdId: h1, amount: 60, idemKey: "rv-a1", actor, memo: "志愿服务" });
    clockControl.set(china(2027, 1, 1, 0, 1));
    await runExpiry();
    expect((await householdBalance(h1)).balance).toBe(0);
    const list = await villageExpiries(v.villageId, 1);
    expect(list.rows.map((r) => [r.period, r.householdId, r.points, r.reversedAt])).toEqual([["2026", h1, 60, null]]);
    const key = "a".repeat(32);
    const txnId = list.rows[0].txnId;
    const first = await reverseExpiry(staff, v.villageId, { txnId, key, reason: "该户年底在外打工，村委同意保留" });
    expect(first).toEqual({ ok: true, created: true });
    expect((await householdBalance(h1)).balance).toBe(60);
    // The same form sent again: nothing more.
    expect(await reverseExpiry(staff, v.villageId, { txnId, key, reason: "该户年底在外打工，村委同意保留" })).toEqual({ ok: true, created: false });
    // Another form for the same expiry: refused in Chinese.
    const other = await reverseExpiry(staff, v.villageId, { txnId, key: "b".repeat(32), reason: "再撤一次" });
    expect(other).toMatchObject({ ok: false, errors: { _form: "这笔过期已经撤销过了" } });
    expect((await householdBalance(h1)).balance).toBe(60);
    const audit = await sqlOn().all<{ action: string; after_json: string }>("select action, after_json from audit_log where village_id = ? and action = 'expiry.reverse'", v.villageId);
    expect(audit.length).toBe(1);
    expect(JSON.parse(audit[0].after_json)).toEqual({ reason: "该户年底在外打工，村委同意保留" });
    const row = (await villageExpiries(v.villageId, 1)).rows[0];
    expect(row.reversedAt).not.toBeNull();
    expect(row.reversedMemo).toBe("撤销积分过期：该户年底在外打工，村委同意保留");
    // The village's period stays done: the reversal is not undone by the next round.
    await runExpiry();
    expect((await householdBalance(h1)).balance).toBe(60);
    // Another village's expiry is not found from this one.
    const w = await seedVillage("RW", 1);
    expect(await reverseExpiry(staff, w.villageId, { txnId, key: "c".repeat(32), reason: "别的村" })).toMatchObject({ ok: false, status: 404 });
  });
});

describe("the household's notice", () => {
  it("shows the amount and the last day only inside the D-day window, and only with points to lose", async () => {
    const v = await seedVillage("NT", 2);
    const [h1, h2] = v.householdIds;
    clockControl.set(china(2026, 10, 1));
    await policy(v.villageId, "year_end", china(2026, 10, 1), 12, 30);
    await award({ householdId: h1, amount: 70, idemKey: "nt-a1", actor, memo: "志愿服务" });
    // 1 Dec noon is 30.5 days before the run: not yet.
    clockControl.set(china(2026, 12, 1));
    expect(await expiryNotice(h1)).toBeNull();
    // The household's login gets one 消息 when the window opens, however many rounds run.
    const member = await sqlOn().value<number>("select id from members where household_id = ? order by id limit 1", h1);
    const login = (await sqlOn().get<{ id: number }>(
      "insert into users (phone, password_hash, display_name, member_id, must_change_password, disabled, created_at) values ('13800000077', 'x', '户主', ?, 0, 0, 0) returning id",
      member,
    ))!.id;
    const inbox = () => sqlOn().all<{ title: string; body: string }>("select title, body from notifications where user_id = ? and kind = 'points.expiring'", login);
    await runExpiry();
    expect(await inbox()).toEqual([]);
    clockControl.set(china(2026, 12, 2, 0, 1));
    expect(await expiryNotice(h1)).toEqual({ amount: 70, lastDay: "2026年12月31日" });
    await Promise.all([runExpiry(), runExpiry()]);
    await runExpiry();
    expect(await inbox()).toEqual([{ title: "积分即将过期", body: "您有 70 分将于 2026年12月31日 过期，请在此之前兑换。" }]);
    // Held points are not counted; a household with nothing has no notice.
    await placeHold({ householdId: h1, amount: 25, expiresAt: china(2026, 12, 2, 1), idemKey: "nt-h1", actor });
    expect(await expiryNotice(h1)).toEqual({ amount: 45, lastDay: "2026年12月31日" });
    expect(await expiryNotice(h2)).toBeNull();
    // After the run, the next one is a year away.
    clockControl.set(china(2027, 1, 1, 0, 1));
    await runExpiry();
    expect(await expiryNotice(h1)).toBeNull();
    // The monthly mode: the notice names the month's last day.
    await policy(v.villageId, "months", china(2027, 1, 1), 1, 10);
    await award({ householdId: h1, amount: 5, idemKey: "nt-a2", actor, memo: "一月" });
    clockControl.set(china(2027, 1, 20));
    expect(await expiryNotice(h1)).toBeNull(); // 12 days before 1 February
    clockControl.set(china(2027, 1, 25));
    // Run on 1 February keeps what was earned since 1 January: the 5 stays, nothing to tell.
    expect(await expiryNotice(h1)).toBeNull();
    clockControl.set(china(2027, 2, 25));
    expect(await expiryNotice(h1)).toEqual({ amount: 5, lastDay: "2027年2月28日" });
    // Notice days 0: never told.
    await policy(v.villageId, "months", china(2027, 1, 1), 1, 0);
    expect(await expiryNotice(h1)).toBeNull();
  });
});

describe("the settings", () => {
  const base = { noticeDays: "3", approvalsNeeded: "1", rankingNames: "masked", expiryMode: "year_end", expiryMonths: "12", expiryNoticeDays: "30" };
  const err = (over: Record<string, unknown>) => {
    const r = settingsSchema.safeParse({ ...base, ...over });
    return r.success ? null : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
  };
  it("accepts the three modes, full-width digits, and refuses anything else in Chinese", () => {
    for (const expiryMode of ["never", "year_end", "months"]) expect(err({ expiryMode })).toBeNull();
    expect(settingsSchema.parse({ ...base, expiryMonths: "２４", expiryNoticeDays: "０" })).toMatchObject({ expiryMonths: 24, expiryNoticeDays: 0 });
    for (const expiryMode of ["", "YEAR_END", "always", undefined]) expect(err({ expiryMode })).toEqual({ expiryMode: "请选择积分是否过期" });
    for (const expiryMonths of ["", "0", "61", "-5", "abc", "1.5", "999", undefined]) expect(err({ expiryMonths })).toEqual({ expiryMonths: "过期月数应为 1 到 60 的整数" });
    for (const expiryNoticeDays of ["", "91", "-1", "abc", undefined]) expect(err({ expiryNoticeDays })).toEqual({ expiryNoticeDays: "提前提醒天数应为 0 到 90 的整数" });
    expect(Object.keys(expirySettingsFields)).toEqual(["expiryMode", "expiryMonths", "expiryNoticeDays"]);
  });
});
