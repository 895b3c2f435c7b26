// Guessing a villager's code: every wrong code, on every path that takes one (typed lookup, QR
// lookup, the confirm post), counts against one per-keeper limit of 10 misses in 10 minutes, and a
// blocked keeper is refused everywhere, a right code included. Guesses sent at once, from one
// process or several, cannot get more than 10 answers.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { confirmOrder, createOrder, lookupOrderByCode, orderView, type Result } from "~/store/checkout.server";
import { engine } from "~/platform/database.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { raw, codeOf as qrOf, stockOf, storeFixture, type StoreFixture } from "./fixture";
import { runRace } from "./race";

afterEach(() => clockControl.reset());

let nonce = 0;
async function pending(f: StoreFixture, h = 0): Promise<{ orderId: number; code: string; qr: string }> {
  const r = await createOrder({ householdId: f.householdIds[h], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["大米"], qty: 1 }], nonce: `g${++nonce}` });
  if (!r.ok) throw new Error(r.message);
  return { orderId: r.orderId, code: (await raw().value<string>("select code from orders where id = ?", r.orderId))!, qr: await qrOf(r.orderId) };
}
/** Another 8-digit code than the order's (the first digit changed). */
const wrong = (code: string, i = 0) => `${(Number(code[0]) + 1 + (i % 9)) % 10}${code.slice(1)}`;
const codeOfResult = <T>(r: Result<T>) => (r.ok ? "ok" : r.code);
const misses = async (userId: number) => (await raw().value<number>("select failures from login_throttle where key = ?", `code:${userId}`)) ?? 0;
const fakeQr = (i: number) => `JFDH:${String(i).padStart(22, "Z")}`;

async function snapshot(f: StoreFixture, orderId: number) {
  return { balance: await householdBalance(f.householdIds[0]), stock: await stockOf(f.goods["大米"]), status: (await orderView(orderId))!.status, ledger: await raw().get("select count(*) as n from ledger_entries") };
}

describe("wrong redemption codes, counted on every path", () => {
  it("the confirm post counts wrong codes: after 10, the right code is refused and nothing moves", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const f = await storeFixture("gc1");
    const o = await pending(f);
    const before = await snapshot(f, o.orderId);
    for (let i = 0; i < 10; i++) {
      expect(await confirmOrder(f.keeper, o.orderId, wrong(o.code, i))).toMatchObject({ ok: false, code: "not_found", message: "找不到这次兑换，请重新扫码" });
      // Counted and kept although the confirm itself was refused (its savepoint returned, not rolled back).
      expect(await misses(f.keeper.userId)).toBe(i + 1);
    }
    const right = await confirmOrder(f.keeper, o.orderId, o.code);
    expect(right).toMatchObject({ ok: false, code: "throttled", message: "输错次数太多，请 10 分钟后再试" });
    expect(await confirmOrder(f.keeper, o.orderId, o.qr)).toMatchObject({ ok: false, code: "throttled" });
    expect((await snapshot(f, o.orderId))).toEqual(before);
    expect(await misses(f.keeper.userId)).toBe(10); // refusals while blocked are not counted on top

    // Blocked means blocked on every path: the typed code and the QR, the right ones included.
    expect(codeOfResult(await lookupOrderByCode(f.keeper, o.code, { typed: true }))).toBe("throttled");
    expect(codeOfResult(await lookupOrderByCode(f.keeper, o.qr, { typed: false }))).toBe("throttled");

    // Another keeper of the same store is not affected.
    const other = { ...f.keeper, userId: f.committee.userId };
    expect(codeOfResult(await lookupOrderByCode(other, o.code, { typed: true }))).toBe("ok");

    // After the window the right code works again (the first code expired meanwhile: the villager makes a new one).
    clockControl.advance(10 * 60_000 + 1);
    expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, o.code))).toBe("expired");
    const fresh = await pending(f);
    const done = await confirmOrder(f.keeper, fresh.orderId, fresh.code);
    expect(done).toMatchObject({ ok: true, created: true, order: { status: "confirmed" } });
    expect(await stockOf(f.goods["大米"])).toBe(before.stock - 1);
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
  });

  it("an unknown QR token counts like a wrong typed code; a real one that was used does not", async () => {
    const f = await storeFixture("gc2");
    const o = await pending(f);
    const used = await pending(f, 1);
    expect((await confirmOrder(f.keeper, used.orderId, used.qr)).ok).toBe(true);
    for (let i = 0; i < 3; i++) expect(codeOfResult(await lookupOrderByCode(f.keeper, used.qr, { typed: false }))).toBe("used");
    expect(await misses(f.keeper.userId)).toBe(0);
    for (let i = 0; i < 10; i++) expect(await lookupOrderByCode(f.keeper, fakeQr(i), { typed: false })).toMatchObject({ ok: false, code: "not_found", message: "兑换码无效，请让村民重新生成" });
    expect(codeOfResult(await lookupOrderByCode(f.keeper, o.qr, { typed: false }))).toBe("throttled");
    expect(codeOfResult(await lookupOrderByCode(f.keeper, o.code, { typed: true }))).toBe("throttled");
    expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, o.qr))).toBe("throttled");
    expect((await orderView(o.orderId))!.status).toBe("pending");
    // A card is not a code: the counter (which asks for the PIN) stays open to a blocked keeper.
    expect(await lookupOrderByCode(f.keeper, `JFHK:${f.householdIds[0]}`, { typed: false })).toMatchObject({ ok: true, scanned: { kind: "card" } });
  });

  it("misses on different paths add up to one limit", async () => {
    const f = await storeFixture("gc3");
    const o = await pending(f);
    for (let i = 0; i < 4; i++) expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, wrong(o.code, i)))).toBe("not_found");
    for (let i = 0; i < 3; i++) expect(codeOfResult(await lookupOrderByCode(f.keeper, fakeQr(i), { typed: false }))).toBe("not_found");
    for (let i = 0; i < 3; i++) expect(codeOfResult(await lookupOrderByCode(f.keeper, wrong(o.code, i), { typed: true }))).toBe("not_found");
    expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, o.code))).toBe("throttled");
    // Confirming another village's order, or one that does not exist, is a wrong code too.
    const g = await storeFixture("gc3b");
    const k2 = { ...g.keeper };
    const abroad = await pending(f, 1);
    for (let i = 0; i < 9; i++) expect(codeOfResult(await confirmOrder(k2, abroad.orderId, abroad.code))).toBe("not_found");
    expect(codeOfResult(await confirmOrder(k2, 999_999, "12345678"))).toBe("not_found");
    expect(codeOfResult(await confirmOrder(k2, abroad.orderId, abroad.code))).toBe("throttled");
  });

  it("wrong codes sent at once get 10 answers, the rest are refused as blocked", async () => {
    const f = await storeFixture("gc4");
    const o = await pending(f);
    const before = await snapshot(f, o.orderId);
    const tries = await Promise.all(Array.from({ length: 30 }, (_, i) => confirmOrder(f.keeper, o.orderId, wrong(o.code, i))));
    expect(tries.filter((r) => codeOfResult(r) === "not_found")).toHaveLength(10);
    expect(tries.filter((r) => codeOfResult(r) === "throttled")).toHaveLength(20);
    expect(await misses(f.keeper.userId)).toBe(10);
    expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, o.code))).toBe("throttled");
    expect((await snapshot(f, o.orderId))).toEqual(before);
  });

  it("wrong codes sent at once from 4 processes get 10 answers in all", async () => {
    const f = await storeFixture("gc5");
    const o = await pending(f);
    const before = await snapshot(f, o.orderId);
    const startAt = Date.now() + 2500;
    const reports = await runRace(
      Array.from({ length: 4 }, (_, w) => ({ mode: "guess" as const, startAt, keeper: f.keeper, orderId: o.orderId, guesses: Array.from({ length: 8 }, (_, i) => wrong(o.code, w * 8 + i)) })),
    );
    const refused = reports.flatMap((r) => r.refused.map((x) => x.code));
    expect(reports.flatMap((r) => r.ok)).toEqual([]);
    expect(refused.filter((c) => c === "not_found")).toHaveLength(10);
    expect(refused.filter((c) => c === "throttled")).toHaveLength(22);
    expect(await misses(f.keeper.userId)).toBe(10);
    expect(codeOfResult(await confirmOrder(f.keeper, o.orderId, o.code))).toBe("throttled");
    expect((await snapshot(f, o.orderId))).toEqual(before);
  });
});
