// Several OS processes write to one database at once: awards, holds, confirmations, releases,
// redemptions and deductions, with idempotency keys deliberately shared between processes.
// Afterwards the ledger must be exactly what the callers were told happened, and nothing more.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { engine, migrateToLatest } from "~/platform/database.server";
import { householdBalance } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { onPostgres, sqlOn } from "../support/sql";
import { exited, failedChecks, seedVillage, spawnWorker } from "./helpers";
import type { Rec, Report, WorkerConfig } from "./workers/concurrency-worker";

const WORKERS = Number(process.env.CONC_WORKERS ?? 4);
// On PostgreSQL every ledger append holds the chain's lock for some twenty round trips to the server
// (~35 operations a second across the four processes, measured on a busy machine): 3000 operations
// still reach each count required at the end several times over.
const TOTAL_OPS = Number(process.env.CONC_OPS ?? (onPostgres() ? 3_000 : 10_000));
const SEED = Number(process.env.CONC_SEED ?? Date.now() % 100_000);
const HOUSEHOLDS = 5;
const NAUGHTY = 4; // the only household that receives deductions

describe("concurrent writers on one database", () => {
  it(`${WORKERS} processes, ${TOTAL_OPS} mixed operations: every answer given is exactly what the ledger holds`, async () => {
    const started = Date.now();
    const file = process.env.DATABASE_PATH!;
    // The database is this test file's own (tests/setup/fresh-db.ts): a SQLite file, or on PostgreSQL
    // a database whose URL the workers inherit (DATABASE_URL). It is fully migrated before any
    // worker opens it, so no worker ever runs a migration.
    await migrateToLatest();
    if (engine().kind === "sqlite") expect(fs.existsSync(file)).toBe(true);
    const q = sqlOn();
    expect(await q.get("select count(*) as n from ledger_transactions")).toEqual({ n: 0 });
    const v = await seedVillage("cc", HOUSEHOLDS);
    const cfg: WorkerConfig = {
      householdIds: v.householdIds,
      naughty: NAUGHTY,
      storeAccountId: v.storeAccountId,
      sharedExpiresAt: Date.now() + 3_600_000,
      sharedKeys: 150,
    };
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-conc-"));
    const children = Array.from({ length: WORKERS }, (_, w) => {
      const child = spawnWorker("concurrency-worker.ts", {
        DATABASE_PATH: file,
        WORKER_ID: String(w),
        OPS: String(Math.floor(TOTAL_OPS / WORKERS) + (w < TOTAL_OPS % WORKERS ? 1 : 0)),
        SEED: String(SEED),
        CONFIG: JSON.stringify(cfg),
        OUT: path.join(out, `w${w}.json`),
      });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      child.stdout!.resume();
      return exited(child).then((r) => ({ ...r, stderr }));
    });
    // While they run, sample every household's spendable balance (balance minus live holds) in
    // single-statement snapshots: for households without deductions it may never be negative.
    const spendableSql = `select a.id, a.balance - coalesce((select sum(h.amount) from holds h where h.account_id = a.id and h.status = 'active'
                                          and h.expires_at > ?), 0) as spendable
       from accounts a where a.id in (${v.householdAccountIds.filter((_, i) => i !== NAUGHTY).join(",")})`;
    let samples = 0;
    const negativeSamples: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples++;
        for (const r of await q.all<{ id: number; spendable: number }>(spendableSql, Date.now())) {
          if (r.spendable < 0) negativeSamples.push(`account ${r.id} spendable ${r.spendable}`);
        }
        await sleep(5);
      }
    })();
    let reports: Report[];
    try {
      const results = await Promise.all(children).finally(async () => {
        sampling = false;
        await sampler;
      });
      for (const [w, r] of results.entries()) expect(r, `worker ${w} (seed ${SEED}) stderr:\n${r.stderr}`).toMatchObject({ code: 0 });
      reports = results.map((_, w) => JSON.parse(fs.readFileSync(path.join(out, `w${w}.json`), "utf8")) as Report);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
    const workersDone = Date.now();

    expect(reports.reduce((s, r) => s + r.ops, 0)).toBe(TOTAL_OPS);
    expect(reports.flatMap((r) => r.violations), `seed ${SEED}`).toEqual([]);
    const recs = reports.flatMap((r) => r.recs.map((x) => ({ ...x, worker: r.worker })));

    // 1. The full invariant check.
    expect(failedChecks(await checkLedger(engine().writer)), `seed ${SEED}`).toEqual([]);
    expect(await q.get("select coalesce(sum(amount), 0) as t from ledger_entries")).toEqual({ t: 0 });

    // 2. Each idempotency key was applied once: one row per key, exactly one caller was told
    //    "created", and every caller that used the key got the same id back.
    const byKey = new Map<string, (Rec & { worker: number })[]>();
    for (const r of recs) if (r.key) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    for (const [key, rs] of byKey) {
      expect(rs.filter((r) => r.created).length, `callers told "created" for ${key}`).toBe(1);
      expect(new Set(rs.map((r) => r.id)).size, `ids returned for ${key}`).toBe(1);
    }
    expect(await q.all("select idem_key, count(*) as n from ledger_transactions group by idem_key having count(*) > 1")).toEqual([]);
    expect(await q.all("select idem_key, count(*) as n from holds group by idem_key having count(*) > 1")).toEqual([]);
    const txns = await q.all<{ id: number; idem_key: string; kind: string }>("select id, idem_key, kind from ledger_transactions where village_id = ?", v.villageId);
    const holds = await q.all<{ id: number; idem_key: string; amount: number; status: string; settled_txn_id: number | null }>(
      "select id, idem_key, amount, status, settled_txn_id from holds where village_id = ?",
      v.villageId,
    );
    const keysOf = (ops: Rec["op"][]) => [...byKey.entries()].filter(([, rs]) => ops.includes(rs[0].op));
    // No write happened that no caller was told about, and none that a caller was told about is missing.
    expect(txns.length).toBe(keysOf(["award", "deduct", "redeem", "convert"]).length);
    expect(holds.length).toBe(keysOf(["hold"]).length);
    for (const t of txns) expect(byKey.get(t.idem_key)?.[0].id, `txn ${t.idem_key}`).toBe(t.id);
    for (const h of holds) expect(byKey.get(h.idem_key)?.[0].id, `hold ${h.idem_key}`).toBe(h.id);

    // 3. Balances and scores rebuilt from what the callers were told equal the stored ones.
    const holdAmount = new Map(holds.map((h) => [h.id, h.amount]));
    const holdHousehold = new Map(recs.filter((r) => r.op === "hold").map((r) => [r.id, r.h]));
    const balance = new Array(HOUSEHOLDS).fill(0);
    const score = new Array(HOUSEHOLDS).fill(0);
    let store = 0;
    for (const r of recs) {
      if (!r.created) continue;
      if (r.op === "award") (balance[r.h] += r.amount), (score[r.h] += r.amount);
      if (r.op === "deduct") (balance[r.h] -= r.amount), (score[r.h] -= r.amount);
      if (r.op === "redeem") (balance[r.h] -= r.amount), (store += r.amount);
      if (r.op === "convert") {
        const amount = holdAmount.get(r.holdId!)!;
        balance[holdHousehold.get(r.holdId!)!] -= amount;
        store += amount;
      }
    }
    for (let h = 0; h < HOUSEHOLDS; h++) {
      expect(await householdBalance(v.householdIds[h]), `household ${h}`).toMatchObject({ balance: balance[h], score: score[h] });
    }
    expect((await q.get<{ balance: number }>("select balance from accounts where id = ?", v.storeAccountId))!.balance).toBe(store);

    // 4. Holds: each converted hold was converted by exactly one transaction, the one every
    //    caller confirming it was told about; released holds were never converted.
    const convertsByHold = new Map<number, Set<number>>();
    for (const r of recs) if (r.op === "convert") convertsByHold.set(r.holdId!, (convertsByHold.get(r.holdId!) ?? new Set()).add(r.id));
    for (const h of holds) {
      const told = convertsByHold.get(h.id);
      if (h.status === "converted") expect(told && [...told], `hold ${h.id}`).toEqual([h.settled_txn_id]);
      else expect(told, `hold ${h.id} is ${h.status} but a caller was told it converted`).toBeUndefined();
    }
    for (const r of recs.filter((x) => x.op === "release")) {
      expect(holds.find((h) => h.id === r.id)?.status, `released hold ${r.id}`).toBe("released");
    }

    // 5. Nobody overdrew: replaying every household entry in order, the households that never
    //    got a deduction never went below zero, and no redemption took any household below zero.
    const entries = await q.all<{ account_id: number; amount: number; kind: string }>(
      `select e.account_id, e.amount, t.kind from ledger_entries e join ledger_transactions t on t.id = e.txn_id
       where e.account_id in (${v.householdAccountIds.join(",")}) order by e.id`,
    );
    const running = new Map<number, number>();
    const dips: string[] = [];
    let naughtyBelowZero = 0;
    for (const e of entries) {
      const b = (running.get(e.account_id) ?? 0) + e.amount;
      running.set(e.account_id, b);
      const h = v.householdAccountIds.indexOf(e.account_id);
      if (b < 0 && h === NAUGHTY) naughtyBelowZero++;
      if (b < 0 && (h !== NAUGHTY || e.kind === "redemption")) dips.push(`household ${h} at ${b} after ${e.kind}`);
    }
    expect(dips).toEqual([]);
    expect(negativeSamples.slice(0, 10), `${negativeSamples.length} of ${samples} samples`).toEqual([]);
    expect(samples).toBeGreaterThan(50);
    for (let h = 0; h < HOUSEHOLDS; h++) {
      if (h !== NAUGHTY) expect((await householdBalance(v.householdIds[h])).spendable, `household ${h} spendable`).toBeGreaterThanOrEqual(0);
    }

    // 6. The run was a real contest, not a quiet sequence.
    const refusals: Record<string, number> = {};
    for (const r of reports) for (const [k, n] of Object.entries(r.refusals)) refusals[k] = (refusals[k] ?? 0) + n;
    const contested = [...byKey.values()].filter((rs) => new Set(rs.map((r) => r.worker)).size > 1).length;
    const created = recs.filter((r) => r.created);
    const count = (op: string) => created.filter((r) => r.op === op).length;
    const summary = {
      seed: SEED,
      workersMs: workersDone - started,
      totalMs: Date.now() - started,
      txns: txns.length,
      holds: holds.length,
      byOp: Object.fromEntries(["award", "deduct", "redeem", "hold", "convert"].map((op) => [op, count(op)])),
      releases: recs.filter((r) => r.op === "release").length,
      contestedKeys: contested,
      replays: recs.filter((r) => !r.created && r.key).length,
      refusals,
      busyRetries: reports.reduce((s, r) => s + r.busyRetries, 0),
      naughtyBalance: (await householdBalance(v.householdIds[NAUGHTY])).balance,
      naughtyBelowZero,
      spendableSamples: samples,
    };
    console.log("concurrency:", JSON.stringify(summary));
    expect(contested).toBeGreaterThan(20);
    expect(refusals["redeem:insufficient"] ?? 0).toBeGreaterThan(10);
    expect(refusals["hold:insufficient"] ?? 0).toBeGreaterThan(10);
    expect(refusals["convert:hold_settled"] ?? 0).toBeGreaterThan(0);
    for (const op of ["award", "deduct", "redeem", "hold", "convert"]) expect(count(op), op).toBeGreaterThan(20);
    expect(summary.releases).toBeGreaterThan(20);
  }, onPostgres() ? 240_000 : 120_000);
});
