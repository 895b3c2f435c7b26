// Model-based property test of the ledger: random sequences of every point-moving operation,
// including replayed and conflicting idempotency keys, are run against the real ledger and a
// small in-memory model. After every step balances, holds and row counts must match the model;
// every few steps (and at the end of each sequence) the full invariant check must pass.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl, now } from "~/platform/clock.server";
import { engine, migrateToLatest } from "~/platform/database.server";
import {
  award,
  convertHold,
  deduct,
  householdBalance,
  LedgerError,
  placeHold,
  redeem,
  releaseExpiredHolds,
  releaseHold,
  reverse,
} from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { failedChecks, seedVillage, SYSTEM, type SeededVillage } from "./helpers";
import { sqlOn } from "../support/sql";
import { testDatabaseUrl } from "../support/postgres";

const BASE = Date.UTC(2026, 5, 15, 2, 0, 0); // 2026-06-15 10:00 China time: far from a year boundary
const H = 3; // households per sequence
const FULL_CHECK_EVERY = Number(process.env.MODEL_CHECK_EVERY ?? 10);
const NUM_RUNS = Number(process.env.MODEL_RUNS ?? 120);
// On PostgreSQL every statement is a round trip to the server (~20 per step): the same runs need
// about twice the time, so they get twice the budget.
const BUDGET_MS = testDatabaseUrl() ? 180_000 : 90_000;

type Op =
  | { t: "award"; h: number; amount: number }
  | { t: "deduct"; h: number; amount: number }
  | { t: "redeem"; h: number; amount: number }
  | { t: "hold"; h: number; amount: number; ttl: number }
  | { t: "release"; pick: number }
  | { t: "convert"; pick: number }
  | { t: "reverse"; pick: number; missing: boolean }
  | { t: "retry"; pick: number }
  | { t: "conflict"; pick: number; cross: boolean }
  | { t: "advance"; ms: number }
  | { t: "expire" }
  | { t: "invalid"; h: number; amount: number; fn: "award" | "deduct" | "redeem" | "hold" | "holdPast" };

type Kind = "award" | "deduct" | "redeem" | "hold" | "convert" | "reverse";
interface Leg {
  acc: number;
  amount: number;
  score: number;
}
interface MTxn {
  id: number;
  kind: string;
  legs: Leg[];
  reversed: boolean;
}
interface MHold {
  id: number;
  h: number;
  amount: number;
  expiresAt: number;
  status: "active" | "released" | "converted";
}
interface Call {
  kind: Kind;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  args: any;
  result: { txnId: number; created: boolean } | { holdId: number; created: boolean };
}

const ledgerFns: Record<Kind, (args: never) => unknown> = {
  award,
  deduct,
  redeem,
  hold: placeHold,
  convert: convertHold,
  reverse,
};
function invoke(kind: Kind, args: unknown): unknown {
  return (ledgerFns[kind] as (a: unknown) => unknown)(args);
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };
async function outcome(fn: () => unknown): Promise<Outcome> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    if (e instanceof LedgerError) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

class Model {
  bal = new Map<number, number>();
  score = new Map<number, number>();
  txns: MTxn[] = [];
  holds: MHold[] = [];
  calls: Call[] = [];
  constructor(readonly v: SeededVillage) {}
  acc(h: number): number {
    return this.v.householdAccountIds[h];
  }
  balance(acc: number): number {
    return this.bal.get(acc) ?? 0;
  }
  held(h: number, at: number, except = -1): number {
    return this.holds
      .filter((x) => x.h === h && x.status === "active" && x.expiresAt > at && x.id !== except)
      .reduce((s, x) => s + x.amount, 0);
  }
  spendable(h: number, at: number): number {
    return this.balance(this.acc(h)) - this.held(h, at);
  }
  post(id: number, kind: string, legs: Leg[]): void {
    expect(this.txns.some((t) => t.id === id), `txn id ${id} returned twice`).toBe(false);
    this.txns.push({ id, kind, legs, reversed: false });
    for (const l of legs) {
      this.bal.set(l.acc, this.balance(l.acc) + l.amount);
      if (l.score) this.score.set(l.acc, (this.score.get(l.acc) ?? 0) + l.score);
    }
  }
}

interface Counts {
  t: number;
  e: number;
  h: number;
  active: number;
  converted: number;
}

async function rowCounts(villageId: number): Promise<Counts> {
  return (await sqlOn().get<Counts>(
    `select (select count(*) from ledger_transactions) as t, (select count(*) from ledger_entries) as e,
            (select count(*) from holds where village_id = ?) as h,
            (select count(*) from holds where village_id = ? and status = 'active') as active,
            (select count(*) from holds where village_id = ? and status = 'converted') as converted`,
    villageId, villageId, villageId,
  ))!;
}

async function accountBalance(id: number): Promise<number> {
  return (await sqlOn().get<{ balance: number }>("select balance from accounts where id = ?", id))!.balance;
}

async function verify(m: Model, context: string): Promise<void> {
  const at = now();
  for (let h = 0; h < H; h++) {
    const balance = m.balance(m.acc(h));
    const held = m.held(h, at);
    expect(await householdBalance(m.v.householdIds[h]), `household ${h} after ${context}`).toEqual({
      balance,
      held,
      spendable: balance - held,
      score: m.score.get(m.acc(h)) ?? 0,
    });
  }
  expect(await accountBalance(m.v.storeAccountId), `store after ${context}`).toBe(m.balance(m.v.storeAccountId));
  expect(await accountBalance(m.v.issuanceAccountId), `issuance after ${context}`).toBe(m.balance(m.v.issuanceAccountId));
  const holds = await sqlOn().all("select id, amount, status, expires_at from holds where village_id = ? order by id", m.v.villageId);
  expect(holds, `holds after ${context}`).toEqual(
    m.holds.map((x) => ({ id: x.id, amount: x.amount, status: x.status, expires_at: x.expiresAt })),
  );
}

async function expectFullCheck(context: string): Promise<void> {
  expect(failedChecks(await checkLedger(engine().writer)), `checkLedger after ${context}`).toEqual([]);
}

let runNo = 0;
const stats: Record<string, number> = {};
function tally(op: Op, o: Outcome): Outcome {
  const k = `${op.t}:${o.ok ? "ok" : o.code}`;
  stats[k] = (stats[k] ?? 0) + 1;
  return o;
}

/** Runs one op against ledger and model; returns the expected change in row counts. */
async function step(m: Model, op: Op, key: string): Promise<Partial<Counts>> {
  const v = m.v;
  const at = now();
  const ctx = JSON.stringify(op);
  const ok = (o: Outcome) => {
    tally(op, o);
    expect(o, ctx).toMatchObject({ ok: true });
    return (o as { value: unknown }).value;
  };
  const refused = (o: Outcome, code: string) => tally(op, o) && expect(o, ctx).toMatchObject({ ok: false, code });
  const created = (kind: Kind, args: unknown, value: unknown) => {
    expect(value, ctx).toMatchObject({ created: true });
    m.calls.push({ kind, args, result: value as Call["result"] });
  };

  switch (op.t) {
    case "award": {
      const args = { householdId: v.householdIds[op.h], amount: op.amount, idemKey: key, actor: SYSTEM, memo: "志愿服务", ruleId: 7 };
      const r = ok(await outcome(() => award(args))) as { txnId: number };
      created("award", args, r);
      m.post(r.txnId, "award", [
        { acc: v.issuanceAccountId, amount: -op.amount, score: 0 },
        { acc: m.acc(op.h), amount: op.amount, score: op.amount },
      ]);
      return { t: 1, e: 2 };
    }
    case "deduct": {
      const args = { householdId: v.householdIds[op.h], amount: op.amount, idemKey: key, actor: SYSTEM, memo: "违规扣分" };
      const r = ok(await outcome(() => deduct(args))) as { txnId: number };
      created("deduct", args, r);
      m.post(r.txnId, "deduction", [
        { acc: m.acc(op.h), amount: -op.amount, score: -op.amount },
        { acc: v.issuanceAccountId, amount: op.amount, score: 0 },
      ]);
      return { t: 1, e: 2 };
    }
    case "redeem": {
      const args = { householdId: v.householdIds[op.h], storeAccountId: v.storeAccountId, amount: op.amount, idemKey: key, actor: SYSTEM, memo: "柜台兑换" };
      const o = await outcome(() => redeem(args));
      if (m.spendable(op.h, at) < op.amount) {
        refused(o, "insufficient");
        return {};
      }
      const r = ok(o) as { txnId: number };
      created("redeem", args, r);
      m.post(r.txnId, "redemption", [
        { acc: m.acc(op.h), amount: -op.amount, score: 0 },
        { acc: v.storeAccountId, amount: op.amount, score: 0 },
      ]);
      return { t: 1, e: 2 };
    }
    case "hold": {
      const args = { householdId: v.householdIds[op.h], amount: op.amount, expiresAt: at + op.ttl, idemKey: key, actor: SYSTEM, cause: { kind: "order", id: runNo } };
      const o = await outcome(() => placeHold(args));
      if (m.spendable(op.h, at) < op.amount) {
        refused(o, "insufficient");
        return {};
      }
      const r = ok(o) as { holdId: number };
      created("hold", args, r);
      m.holds.push({ id: r.holdId, h: op.h, amount: op.amount, expiresAt: args.expiresAt, status: "active" });
      return { h: 1, active: 1 };
    }
    case "release": {
      if (!m.holds.length) return {};
      const hold = m.holds[op.pick % m.holds.length];
      const o = await outcome(() => releaseHold(hold.id));
      if (hold.status === "converted") {
        refused(o, "hold_settled");
        return {};
      }
      ok(o);
      if (hold.status === "released") return {};
      hold.status = "released";
      return { active: -1 };
    }
    case "convert": {
      if (!m.holds.length) return {};
      const hold = m.holds[op.pick % m.holds.length];
      const args = { holdId: hold.id, storeAccountId: v.storeAccountId, idemKey: key, actor: SYSTEM, memo: "核销" };
      const o = await outcome(() => convertHold(args));
      if (hold.status !== "active" || hold.expiresAt <= at) {
        refused(o, "hold_settled");
        return {};
      }
      if (m.balance(m.acc(hold.h)) - m.held(hold.h, at, hold.id) - hold.amount < 0) {
        refused(o, "insufficient");
        return {};
      }
      const r = ok(o) as { txnId: number };
      created("convert", args, r);
      hold.status = "converted";
      m.post(r.txnId, "redemption", [
        { acc: m.acc(hold.h), amount: -hold.amount, score: 0 },
        { acc: v.storeAccountId, amount: hold.amount, score: 0 },
      ]);
      return { t: 1, e: 2, active: -1, converted: 1 };
    }
    case "reverse": {
      if (op.missing || !m.txns.length) {
        refused(await outcome(() => reverse({ txnId: 1e9, idemKey: key, actor: SYSTEM, memo: "录错" })), "not_found");
        return {};
      }
      const orig = m.txns[op.pick % m.txns.length];
      const args = { txnId: orig.id, idemKey: key, actor: SYSTEM, memo: "录错" };
      const o = await outcome(() => reverse(args));
      if (orig.kind === "reversal") {
        refused(o, "invalid");
        return {};
      }
      if (orig.reversed) {
        refused(o, "already_reversed");
        return {};
      }
      const r = ok(o) as { txnId: number };
      created("reverse", args, r);
      orig.reversed = true;
      m.post(
        r.txnId,
        "reversal",
        orig.legs.map((l) => ({ acc: l.acc, amount: -l.amount, score: -l.score })),
      );
      return { t: 1, e: orig.legs.length };
    }
    case "retry": {
      // The same request again (double tap, replayed form): same result, nothing moves.
      if (!m.calls.length) return {};
      const c = m.calls[op.pick % m.calls.length];
      const o = await outcome(() => invoke(c.kind, structuredClone(c.args)));
      tally(op, o);
      expect(o, `${ctx} replaying ${c.kind} ${JSON.stringify(c.args)}`).toEqual({ ok: true, value: { ...c.result, created: false } });
      return {};
    }
    case "conflict": {
      // Same key, different request: refused, nothing moves.
      if (!m.calls.length) return {};
      const c = m.calls[op.pick % m.calls.length];
      const args = structuredClone(c.args);
      let o: Outcome;
      if (op.cross && c.kind !== "hold") {
        o = await outcome(() => deduct({ householdId: v.householdIds[0], amount: 1, idemKey: args.idemKey, actor: SYSTEM, memo: "另一笔" }));
      } else {
        if ("amount" in args) args.amount += 1;
        else args.memo += "（改）";
        o = await outcome(() => invoke(c.kind, args));
      }
      refused(o, "idempotency_conflict");
      return {};
    }
    case "advance":
      clockControl.advance(op.ms);
      return {};
    case "expire": {
      const due = m.holds.filter((x) => x.status === "active" && x.expiresAt <= at);
      const n = await releaseExpiredHolds();
      expect(n, ctx).toBe(due.length);
      if (n > 0) tally(op, { ok: false, code: "released", message: "" });
      for (const x of due) x.status = "released";
      return { active: -due.length };
    }
    case "invalid": {
      const householdId = v.householdIds[op.h];
      const base = { householdId, idemKey: key, actor: SYSTEM, memo: "无效" };
      const o =
        op.fn === "award" ? await outcome(() => award({ ...base, amount: op.amount }))
        : op.fn === "deduct" ? await outcome(() => deduct({ ...base, amount: op.amount }))
        : op.fn === "redeem" ? await outcome(() => redeem({ ...base, storeAccountId: v.storeAccountId, amount: op.amount }))
        : op.fn === "hold" ? await outcome(() => placeHold({ ...base, amount: op.amount, expiresAt: at + 60_000 }))
        : await outcome(() => placeHold({ ...base, amount: 1, expiresAt: at }));
      refused(o, "invalid");
      return {};
    }
  }
}

const hArb = fc.integer({ min: 0, max: H - 1 });
const nat = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant("award" as const), h: hArb, amount: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("deduct" as const), h: hArb, amount: fc.integer({ min: 1, max: 60 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("redeem" as const), h: hArb, amount: fc.integer({ min: 1, max: 80 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant("hold" as const), h: hArb, amount: fc.integer({ min: 1, max: 80 }), ttl: fc.integer({ min: 1, max: 600_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("release" as const), pick: nat }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("convert" as const), pick: nat }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("reverse" as const), pick: nat, missing: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("retry" as const), pick: nat }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("conflict" as const), pick: nat, cross: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 400_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("expire" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("invalid" as const),
      h: hArb,
      amount: fc.constantFrom(0, -5, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53),
      fn: fc.constantFrom("award" as const, "deduct" as const, "redeem" as const, "hold" as const, "holdPast" as const),
    }),
  },
);

async function runSequence(ops: Op[]): Promise<void> {
  runNo++;
  // Settle every hold left by earlier sequences so releaseExpiredHolds counts only ours.
  clockControl.advance(3_600_000);
  while (await releaseExpiredHolds() > 0);
  const m = new Model(await seedVillage(`m${runNo}`, H));
  await verify(m, "seeding");
  for (const [i, op] of ops.entries()) {
    const before = await rowCounts(m.v.villageId);
    const delta = await step(m, op, `run${runNo}-op${i}`);
    const expected = { ...before };
    for (const [k, d] of Object.entries(delta)) expected[k as keyof Counts] += d;
    expect(await rowCounts(m.v.villageId), `row counts after step ${i} ${JSON.stringify(op)}`).toEqual(expected);
    await verify(m, `step ${i} ${JSON.stringify(op)}`);
    if (i % FULL_CHECK_EVERY === FULL_CHECK_EVERY - 1) await expectFullCheck(`step ${i}`);
  }
  await expectFullCheck(`run ${runNo}`);
}

const MODEL_SEED = process.env.MODEL_SEED === "random" ? undefined : Number(process.env.MODEL_SEED ?? 20261123);

describe("ledger against an in-memory model", () => {
  beforeAll(async () => {
    await migrateToLatest();
    // This test is about logic, not durability (crash.test.ts keeps synchronous = FULL): skip the
    // fsync per commit so thousands of steps fit the time budget on a busy machine. PostgreSQL's
    // durability is the server's setting, not this connection's.
    const current = engine();
    if (current.kind === "sqlite") current.sqlite.pragma("synchronous = OFF");
    clockControl.set(BASE);
  });
  afterAll(() => clockControl.reset());

  it("random operation sequences keep balances, holds and invariants in step with the model", async () => {
    const started = Date.now();
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60, size: "max" }), runSequence), {
      numRuns: NUM_RUNS,
      // A fixed seed by default: the coverage checks below must not depend on luck (with a random
      // seed, "a hold expired" was missed about one run in ten). MODEL_SEED=random explores anew;
      // a failure prints its seed for MODEL_SEED=<n>.
      seed: MODEL_SEED,
      // Shrinking replays whole sequences against a growing database; cap it so a failure
      // is reported (with the smallest case found so far) well inside the test timeout.
      interruptAfterTimeLimit: BUDGET_MS,
      markInterruptAsFailure: true,
    });
    // The sequences must have exercised the interesting paths, or the property proves little.
    const kinds = await sqlOn().all<{ kind: string; n: number }>("select kind, count(*) as n from ledger_transactions group by kind");
    const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
    expect(byKind.award).toBeGreaterThan(50);
    expect(byKind.redemption).toBeGreaterThan(20);
    expect(byKind.reversal).toBeGreaterThan(5);
    expect(byKind.deduction).toBeGreaterThan(5);
    const converted = (await sqlOn().get<{ n: number }>("select count(*) as n from holds where status = 'converted'"))!;
    expect(converted.n).toBeGreaterThan(5);
    console.log(`model test: ${NUM_RUNS} sequences in ${Date.now() - started} ms`, byKind, stats);
    for (const k of ["redeem:insufficient", "hold:insufficient", "convert:hold_settled", "retry:ok",
      "conflict:idempotency_conflict", "reverse:already_reversed", "release:hold_settled", "expire:released"]) {
      expect(stats[k] ?? 0, k).toBeGreaterThan(0);
    }
  }, BUDGET_MS + 60_000);

  it("refuses a redemption, hold or confirmation that would overdraw (holds included) and writes nothing", async () => {
    clockControl.advance(3_600_000);
    const v = await seedVillage("od", 2);
    const [h, other] = v.householdIds;
    const t = () => now() + 600_000;
    await award({ householdId: h, amount: 100, idemKey: "od-a", actor: SYSTEM, memo: "奖励" });
    await award({ householdId: other, amount: 1000, idemKey: "od-b", actor: SYSTEM, memo: "奖励" });
    const hold = await placeHold({ householdId: h, amount: 60, expiresAt: t(), idemKey: "od-h1", actor: SYSTEM });
    const before = await rowCounts(v.villageId);
    const code = async (fn: () => unknown) => ((await outcome(fn)) as { code?: string }).code;

    // 100 balance, 60 held: 40 spendable.
    expect(await code(() => redeem({ householdId: h, storeAccountId: v.storeAccountId, amount: 41, idemKey: "od-r1", actor: SYSTEM, memo: "兑换" }))).toBe("insufficient");
    expect(await code(() => placeHold({ householdId: h, amount: 41, expiresAt: t(), idemKey: "od-h2", actor: SYSTEM }))).toBe("insufficient");
    expect(await rowCounts(v.villageId)).toEqual(before);
    expect(await sqlOn().get("select count(*) as n from ledger_transactions where idem_key in ('od-r1')")).toEqual({ n: 0 });
    expect(await sqlOn().get("select count(*) as n from holds where idem_key in ('od-h2')")).toEqual({ n: 0 });
    expect(await householdBalance(h)).toMatchObject({ balance: 100, held: 60, spendable: 40 });

    // A deduction erodes the balance under the hold: the hold can no longer be confirmed.
    await deduct({ householdId: h, amount: 50, idemKey: "od-d1", actor: SYSTEM, memo: "违规" });
    const before2 = await rowCounts(v.villageId);
    expect(await code(() => convertHold({ holdId: hold.holdId, storeAccountId: v.storeAccountId, idemKey: "od-c1", actor: SYSTEM, memo: "核销" }))).toBe("insufficient");
    expect(await rowCounts(v.villageId)).toEqual(before2);
    await releaseHold(hold.holdId);

    // Below zero after deductions: no redemption at all until it is positive again.
    await deduct({ householdId: h, amount: 60, idemKey: "od-d2", actor: SYSTEM, memo: "违规" });
    expect(await householdBalance(h)).toMatchObject({ balance: -10, held: 0, spendable: -10 });
    const before3 = await rowCounts(v.villageId);
    expect(await code(() => redeem({ householdId: h, storeAccountId: v.storeAccountId, amount: 1, idemKey: "od-r2", actor: SYSTEM, memo: "兑换" }))).toBe("insufficient");
    expect(await code(() => placeHold({ householdId: h, amount: 1, expiresAt: t(), idemKey: "od-h3", actor: SYSTEM }))).toBe("insufficient");
    expect(await rowCounts(v.villageId)).toEqual(before3);
    await award({ householdId: h, amount: 11, idemKey: "od-a2", actor: SYSTEM, memo: "奖励" });
    expect((await redeem({ householdId: h, storeAccountId: v.storeAccountId, amount: 1, idemKey: "od-r3", actor: SYSTEM, memo: "兑换" })).created).toBe(true);
    expect(await householdBalance(h)).toMatchObject({ balance: 0, spendable: 0 });

    // Exactly the spendable amount is allowed; an expired hold no longer counts.
    const h2 = await placeHold({ householdId: other, amount: 999, expiresAt: now() + 1000, idemKey: "od-h4", actor: SYSTEM });
    expect(await code(() => redeem({ householdId: other, storeAccountId: v.storeAccountId, amount: 2, idemKey: "od-r4", actor: SYSTEM, memo: "兑换" }))).toBe("insufficient");
    expect((await redeem({ householdId: other, storeAccountId: v.storeAccountId, amount: 1, idemKey: "od-r5", actor: SYSTEM, memo: "兑换" })).created).toBe(true);
    clockControl.advance(1000);
    expect(await householdBalance(other)).toMatchObject({ balance: 999, held: 0, spendable: 999 });
    expect(await code(() => convertHold({ holdId: h2.holdId, storeAccountId: v.storeAccountId, idemKey: "od-c2", actor: SYSTEM, memo: "核销" }))).toBe("hold_settled");
    await expectFullCheck("overdraw scenario");
  });
});
