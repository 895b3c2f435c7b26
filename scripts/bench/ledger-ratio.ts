// Child process of `npm run bench`: the ledger module's transfer rate against bare better-sqlite3
// inserts of the same rows, on a temporary database opened by the app (same pragmas).
// A = ledger.award(), B = bare prepared statements; each transfer is its own IMMEDIATE transaction.
// Rounds alternate A,B,A,B,... in blocks of 500 so both see the same growing tables and the same machine noise.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gc, int, median, reply, type LedgerRatioResult } from "./common";

const N = Number(process.env.BENCH_LEDGER_N) || 20_000;
const WARMUP = 3_000;
const ROUNDS = 3;
const BLOCK = 500; // transfers per interleaved block
const HOUSEHOLDS = 200;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-bench-ledger-"));
process.env.DATABASE_PATH = path.join(dir, "ledger.sqlite");

try {
  const { engine, migrateToLatest, transact, closeDatabase } = await import("../../app/platform/database.server");
  const { createVillage, ensureTownship } = await import("../../app/people/villages.server");
  const { insertHousehold } = await import("../../app/people/households.server");
  const ledger = await import("../../app/ledger/ledger.server");
  const { chinaMonth, chinaYear, now } = await import("../../app/platform/clock.server");

  await migrateToLatest();
  const sqlite = engine().sqlite;
  const villageId = createVillage({ townshipId: ensureTownship("基准镇"), name: "基准村", code: "BENCH" });
  const issuance = await ledger.issuanceAccountId(villageId);
  const households = transact(() =>
    Array.from({ length: HOUSEHOLDS }, (_, h) => {
      const r = insertHousehold({ villageId, gridId: null, number: String(h + 1), address: "", members: [{ name: `户主${h + 1}`, relation: "户主" }] });
      const account = (sqlite.prepare("select id from accounts where household_id = ?").get(r.householdId) as { id: number }).id;
      return { id: r.householdId, account, member: r.memberIds[0] };
    }),
  );
  const actor = { userId: null, role: "committee" };

  // A: the ledger module, as a route's action would call it.
  async function viaLedger(keys: string[], from: number, to: number): Promise<void> {
    for (let i = from; i < to; i++) {
      const h = households[i % HOUSEHOLDS];
      await ledger.award({ householdId: h.id, amount: 1 + (i % 20), idemKey: keys[i], actor, memberId: h.member, memo: "志愿服务" });
    }
  }

  const DUMMY_HASH = "f".repeat(64);

  // B: the same rows with bare prepared statements, written straight into a throwaway database:
  // the one place outside ledger/ledger.server.ts that touches ledger tables, because it is the yardstick.: one transaction row, two entries with
  // precomputed dummy hashes, two balance updates, the score and the household's month upserts.
  const insertTxn = sqlite.prepare(
    `insert into ledger_transactions (village_id, kind, idem_key, request_hash, reverses_id, actor_user_id,
      actor_role, member_id, rule_id, cause_kind, cause_id, memo, created_at)
     values (?, 'award', ?, ?, null, null, ?, ?, null, null, null, ?, ?)`,
  );
  const insertEntry = sqlite.prepare(
    "insert into ledger_entries (txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const addBalance = sqlite.prepare("update accounts set balance = balance + ? where id = ?");
  const addScore = sqlite.prepare(
    `insert into account_scores (account_id, year, score) values (?, ?, ?)
     on conflict (account_id, year) do update set score = score + excluded.score`,
  );
  const addMonth = sqlite.prepare(
    `insert into account_months (account_id, month, entries, income, spent) values (?, ?, 1, ?, 0)
     on conflict (account_id, month) do update set entries = entries + 1, income = income + excluded.income`,
  );
  const bareTransfer = sqlite.transaction((key: string, h: (typeof households)[number], amount: number, year: number, at: number) => {
    const txnId = insertTxn.run(villageId, key, DUMMY_HASH, actor.role, h.member, "志愿服务", at).lastInsertRowid;
    insertEntry.run(txnId, issuance, -amount, 0, year, at, DUMMY_HASH, DUMMY_HASH);
    insertEntry.run(txnId, h.account, amount, amount, year, at, DUMMY_HASH, DUMMY_HASH);
    addBalance.run(-amount, issuance);
    addBalance.run(amount, h.account);
    addScore.run(h.account, year, amount);
    addMonth.run(h.account, chinaMonth(at), amount);
  });

  function bare(keys: string[], from: number, to: number): void {
    for (let i = from; i < to; i++) {
      const at = now();
      bareTransfer.immediate(keys[i], households[i % HOUSEHOLDS], 1 + (i % 20), chinaYear(at), at);
    }
  }

  /**
   * One round: n transfers of each kind, interleaved in blocks of BLOCK (A block, B block, ...)
   * so that both see the same disk and CPU weather; wall and CPU time are summed per kind.
   */
  function round(tag: string, n: number): { ledger: number; bare: number; ledgerCpuUs: number; bareCpuUs: number } {
    const kA = Array.from({ length: n }, (_, i) => `${tag}-ledger-${i}`);
    const kB = Array.from({ length: n }, (_, i) => `${tag}-bare-${i}`);
    const wall = [0, 0];
    const cpu = [0, 0];
    gc();
    for (let from = 0; from < n; from += BLOCK) {
      const to = Math.min(n, from + BLOCK);
      for (const [k, run] of [[0, () => viaLedger(kA, from, to)], [1, () => bare(kB, from, to)]] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        run();
        wall[k] += performance.now() - t0;
        const c = process.cpuUsage(c0);
        cpu[k] += (c.user + c.system) / 1000;
      }
    }
    return { ledger: n / (wall[0] / 1000), bare: n / (wall[1] / 1000), ledgerCpuUs: (cpu[0] * 1000) / n, bareCpuUs: (cpu[1] * 1000) / n };
  }

  round("warm", WARMUP);
  const result: LedgerRatioResult = { n: N, ledger: [], bare: [], ledgerCpuUs: [], bareCpuUs: [], ledgerMedian: 0, bareMedian: 0, ratio: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const x = round(`r${r}`, N);
    result.ledger.push(x.ledger);
    result.bare.push(x.bare);
    result.ledgerCpuUs.push(x.ledgerCpuUs);
    result.bareCpuUs.push(x.bareCpuUs);
    console.log(
      `  round ${r + 1}/${ROUNDS}: ledger ${int(x.ledger)} transfers/s (${int(x.ledgerCpuUs)} µs CPU each), ` +
        `bare ${int(x.bare)} transfers/s (${int(x.bareCpuUs)} µs CPU each), ratio ${(x.ledger / x.bare).toFixed(2)}`,
    );
  }
  const expected = 2 * (WARMUP + ROUNDS * N);
  const txns = (sqlite.prepare("select count(*) as n from ledger_transactions").get() as { n: number }).n;
  if (txns !== expected) throw new Error(`expected ${expected} transactions, found ${txns}`);
  result.ledgerMedian = median(result.ledger);
  result.bareMedian = median(result.bare);
  result.ratio = result.ledgerMedian / result.bareMedian;
  await closeDatabase();
  reply(result);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
