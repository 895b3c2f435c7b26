// Several OS processes check out at once against one database (the SQLite file, or PostgreSQL): the
// same household's orders beyond its balance (phone and counter), the codes issued for the last
// units of a good, and one order confirmed 50 times at once. Exactly the affordable number succeed,
// nothing goes negative, each order is confirmed once, and every ledger invariant holds afterwards.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createOrder } from "~/store/checkout.server";
import { engine, migrateToLatest } from "~/platform/database.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { setPin } from "~/store/pin.server";
import { exited, failedChecks, spawnWorker } from "../ledger/helpers";
import { raw, headOf, stockOf, storeFixture } from "./fixture";
import type { StormConfig, StormReport } from "./workers/storm-worker";

const WORKERS = 4;
const PRICE = 50;
const BALANCE = 520; // covers 10 bags of rice, not 11
const RACE_UNITS = 5;
const RACE_ORDERS = 16;
const REPLAYS = 50;

describe("checkout storm across processes", () => {
  it(`${WORKERS} processes: exactly the affordable orders and the units in stock succeed, a replayed confirm succeeds once`, async () => {
    await migrateToLatest();
    const f = await storeFixture("st", {
      households: 3 + RACE_ORDERS,
      points: [BALANCE, 1000, 0, ...Array(RACE_ORDERS).fill(100)],
      goods: [{ name: "大米", price: PRICE, stock: 500 }, { name: "食用油", price: 80, stock: RACE_UNITS }, { name: "香皂", price: 8, stock: 10 }],
    });
    const poor = f.householdIds[0];
    await setPin({ userId: f.keeper.userId, role: "village_admin", villageId: f.villageId }, poor, f.villageId, "246810");
    // A pending code holds its bottle: only RACE_UNITS codes are issued, the others are refused when asked.
    const race: number[] = [];
    const turnedAway: string[] = [];
    for (const [i, h] of f.householdIds.slice(3).entries()) {
      const r = await createOrder({ householdId: h, memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["食用油"], qty: 1 }], nonce: `race${i}` });
      if (r.ok) race.push(r.orderId);
      else turnedAway.push(r.code);
    }
    expect(race).toHaveLength(RACE_UNITS);
    expect(turnedAway).toEqual(Array(RACE_ORDERS - RACE_UNITS).fill("stock"));
    const replay = await createOrder({ householdId: f.householdIds[1], memberId: null, userId: f.villagerUserId, storeId: f.storeId, lines: [{ goodId: f.goods["香皂"], qty: 2 }], nonce: "replay" });
    if (!replay.ok) throw new Error(replay.message);

    const cfg: StormConfig = {
      startAt: Date.now() + 2500, keeper: f.keeper, villagerUserId: f.villagerUserId, storeId: f.storeId, poor, poorMember: await headOf(poor),
      rice: f.goods["大米"], pin: "246810", attempts: 8, counterAttempts: 2, raceOrders: race, replayOrder: replay.orderId, replays: Math.floor(REPLAYS / WORKERS),
    };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-storm-"));
    let reports: StormReport[];
    try {
      const children = Array.from({ length: WORKERS }, (_, w) => {
        const child = spawnWorker("../../store/workers/storm-worker.ts", {
          DATABASE_PATH: process.env.DATABASE_PATH!, WORKER_ID: String(w), CONFIG: JSON.stringify({ ...cfg, replays: w < REPLAYS % WORKERS ? cfg.replays + 1 : cfg.replays }),
          OUT: path.join(out, `w${w}.json`),
        });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        child.stdout!.resume();
        return exited(child).then((r) => ({ ...r, stderr }));
      });
      const results = await Promise.all(children);
      for (const [w, r] of results.entries()) expect(r, `worker ${w}:\n${r.stderr}`).toMatchObject({ code: 0 });
      reports = results.map((_, w) => JSON.parse(fs.readFileSync(path.join(out, `w${w}.json`), "utf8")) as StormReport);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    expect(reports.flatMap((r) => r.errors)).toEqual([]);

    // The poor household: 32 phone attempts and 8 counter attempts, exactly 10 bags affordable.
    const sold = reports.flatMap((r) => [...r.phoneOk, ...r.counterOk]);
    expect(sold.length).toBe(Math.floor(BALANCE / PRICE));
    expect(new Set(sold).size).toBe(sold.length);
    expect(await householdBalance(poor)).toMatchObject({ balance: BALANCE - sold.length * PRICE, held: 0 });
    expect(await raw().get("select count(*) as n from orders where household_id = ? and status = 'confirmed'", poor)).toEqual({ n: sold.length });
    expect(reports.reduce((n, r) => n + (r.refusals.balance ?? 0) + (r.refusals["counter:balance"] ?? 0), 0)).toBeGreaterThan(0);
    expect(await stockOf(f.goods["大米"])).toBe(500 - sold.length);

    // The last units: every issued code confirmed exactly once by the racing workers, stock 0, none refused at the counter.
    const raceOk = reports.flatMap((r) => r.raceOk);
    expect(raceOk.length).toBe(RACE_UNITS);
    expect(new Set(raceOk).size).toBe(RACE_UNITS);
    expect(await stockOf(f.goods["食用油"])).toBe(0);
    expect(await raw().get(`select count(*) as n from orders where id in (${race.join(",")}) and status = 'confirmed'`)).toEqual({ n: RACE_UNITS });
    expect(reports.reduce((n, r) => n + (r.refusals["race:stock"] ?? 0), 0)).toBe(0);

    // The replayed confirm: 50 calls, one confirmation, one ledger transaction, the same receipt for all.
    expect(reports.reduce((n, r) => n + r.replayOk, 0)).toBe(REPLAYS);
    expect(reports.reduce((n, r) => n + r.replayCreated, 0)).toBe(1);
    expect(await raw().get("select count(*) as n from ledger_transactions where cause_kind = 'order' and cause_id = ?", replay.orderId)).toEqual({ n: 1 });
    expect(await stockOf(f.goods["香皂"])).toBe(8);

    // Nothing negative, stock equals its movements, and check:ledger passes.
    expect(await raw().get("select count(*) as n from goods where stock < 0")).toEqual({ n: 0 });
    expect(await raw().get("select count(*) as n from goods g where stock <> (select coalesce(sum(delta), 0) from stock_movements s where s.good_id = g.id)")).toEqual({ n: 0 });
    expect(await raw().get("select count(*) as n from accounts where kind = 'household' and balance < 0")).toEqual({ n: 0 });
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });
});
