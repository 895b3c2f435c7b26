// One of several processes hammering the same database (see ../concurrency.test.ts).
// Env: DATABASE_PATH (or the inherited DATABASE_URL), WORKER_ID, OPS, SEED, CONFIG (JSON), OUT (file for the JSON report).
import fs from "node:fs";
import { unitOfWork } from "~/platform/database.server";
import {
  award,
  convertHold,
  deduct,
  LedgerError,
  placeHold,
  redeem,
  releaseExpiredHolds,
  releaseHold,
} from "~/ledger/ledger.server";
import { mulberry32, pick, randInt } from "./rng";

export interface WorkerConfig {
  householdIds: number[];
  /** index into householdIds of the only household that ever gets deductions */
  naughty: number;
  storeAccountId: number;
  /** expiry shared by every process for the deliberately shared hold keys */
  sharedExpiresAt: number;
  sharedKeys: number;
}

/** A successful call as the caller saw it. */
export interface Rec {
  op: "award" | "deduct" | "redeem" | "hold" | "convert" | "release";
  key: string;
  id: number; // txn id, or hold id for "hold" and "release"
  created: boolean;
  h: number; // household index (-1 for convert/release)
  amount: number; // points moved (hold amount for hold; 0 for convert/release)
  holdId?: number;
}

export interface Report {
  worker: number;
  ops: number;
  recs: Rec[];
  refusals: Record<string, number>;
  busyRetries: number;
  violations: string[];
}

const cfg = JSON.parse(process.env.CONFIG!) as WorkerConfig;
const worker = Number(process.env.WORKER_ID);
const OPS = Number(process.env.OPS);
const rand = mulberry32(Number(process.env.SEED) * 1000 + worker);
const actor = { userId: null, role: "system" };
const H = cfg.householdIds.length;

const report: Report = { worker, ops: 0, recs: [], refusals: {}, busyRetries: 0, violations: [] };
const myHolds: number[] = [];
const done: { op: Rec["op"]; call: () => Promise<{ created: boolean; txnId?: number; holdId?: number }>; id: number }[] = [];

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs a ledger call; retries the very same request on SQLITE_BUSY (which is what idempotency keys are for). */
async function attempt<T>(fn: () => Promise<T>): Promise<T | LedgerError> {
  for (let tries = 0; ; tries++) {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof LedgerError) return e;
      const code = (e as { code?: string }).code;
      if ((code === "SQLITE_BUSY" || code === "SQLITE_BUSY_SNAPSHOT") && tries < 50) {
        report.busyRetries++;
        sleep(randInt(rand, 1, 20));
        continue;
      }
      throw e;
    }
  }
}

function refused(op: string, e: LedgerError, allowed: string[]) {
  const k = `${op}:${e.code}`;
  report.refusals[k] = (report.refusals[k] ?? 0) + 1;
  if (!allowed.includes(e.code)) report.violations.push(`${op} refused with unexpected ${e.code}: ${e.message}`);
}

async function expire() {
  const res = await attempt(() => releaseExpiredHolds());
  if (res instanceof LedgerError) refused("expire", res, []);
}

function shared(): number | null {
  return rand() < 0.2 ? randInt(rand, 0, cfg.sharedKeys - 1) : null;
}

await unitOfWork(async () => {}); // open before the clock starts (the driver, a first transaction)
for (let i = 0; i < OPS; i++) {
  const r = rand();
  const uniq = `w${worker}-${i}`;
  if (r < 0.25) {
    // award: shared keys always mean the very same request in every process
    const j = shared();
    const h = j === null ? randInt(rand, 0, H - 1) : j % H;
    const amount = j === null ? randInt(rand, 1, 20) : 1 + (j % 20);
    const key = j === null ? `a-${uniq}` : `a-shared-${j}`;
    const call = () => award({ householdId: cfg.householdIds[h], amount, idemKey: key, actor, memo: j === null ? "奖励" : "共享奖励" });
    const res = await attempt(call);
    if (res instanceof LedgerError) refused("award", res, []);
    else {
      report.recs.push({ op: "award", key, id: res.txnId, created: res.created, h, amount });
      done.push({ op: "award", call, id: res.txnId });
    }
  } else if (r < 0.45) {
    const j = shared();
    const h = j === null ? randInt(rand, 0, H - 1) : j % H;
    const amount = j === null ? randInt(rand, 1, 30) : 1 + (j % 25);
    const key = j === null ? `r-${uniq}` : `r-shared-${j}`;
    const call = () =>
      redeem({ householdId: cfg.householdIds[h], storeAccountId: cfg.storeAccountId, amount, idemKey: key, actor, memo: "兑换" });
    const res = await attempt(call);
    if (res instanceof LedgerError) refused("redeem", res, ["insufficient"]);
    else {
      report.recs.push({ op: "redeem", key, id: res.txnId, created: res.created, h, amount });
      done.push({ op: "redeem", call, id: res.txnId });
    }
  } else if (r < 0.65) {
    const j = shared();
    const h = j === null ? randInt(rand, 0, H - 1) : j % H;
    const amount = j === null ? randInt(rand, 1, 25) : 1 + (j % 15);
    const key = j === null ? `h-${uniq}` : `h-shared-${j}`;
    const short = j === null && rand() < 0.3;
    const expiresAt = j !== null ? cfg.sharedExpiresAt : short ? Date.now() + randInt(rand, 20, 400) : Date.now() + 3_600_000;
    const call = () => placeHold({ householdId: cfg.householdIds[h], amount, expiresAt, idemKey: key, actor, cause: { kind: "order", id: j } });
    const res = await attempt(call);
    // A short hold may already be past its expiry by the time the write lock is ours.
    if (res instanceof LedgerError) refused("hold", res, short ? ["insufficient", "invalid"] : ["insufficient"]);
    else {
      report.recs.push({ op: "hold", key, id: res.holdId, created: res.created, h, amount });
      myHolds.push(res.holdId);
      done.push({ op: "hold", call, id: res.holdId });
    }
  } else if (r < 0.8) {
    if (!myHolds.length) {
      await expire();
      continue;
    }
    const holdId = pick(rand, myHolds);
    // The usual key is derived from the hold, so two processes confirming the same (shared) hold
    // send the same request; now and then a stray key competes for the same hold.
    const key = rand() < 0.9 ? `c-hold-${holdId}` : `c-${uniq}`;
    const call = () => convertHold({ holdId, storeAccountId: cfg.storeAccountId, idemKey: key, actor, memo: "核销" });
    const res = await attempt(call);
    if (res instanceof LedgerError) refused("convert", res, ["hold_settled", "insufficient"]);
    else {
      report.recs.push({ op: "convert", key, id: res.txnId, created: res.created, h: -1, amount: 0, holdId });
      done.push({ op: "convert", call, id: res.txnId });
    }
  } else if (r < 0.9) {
    if (!myHolds.length) {
      await expire();
      continue;
    }
    const holdId = pick(rand, myHolds);
    const res = await attempt(() => releaseHold(holdId));
    if (res instanceof LedgerError) refused("release", res, ["hold_settled"]);
    else report.recs.push({ op: "release", key: "", id: holdId, created: false, h: -1, amount: 0, holdId });
  } else if (r < 0.93) {
    const h = cfg.naughty;
    const amount = randInt(rand, 1, 30);
    const key = `d-${uniq}`;
    const call = () => deduct({ householdId: cfg.householdIds[h], amount, idemKey: key, actor, memo: "违规" });
    const res = await attempt(call);
    if (res instanceof LedgerError) refused("deduct", res, []);
    else {
      report.recs.push({ op: "deduct", key, id: res.txnId, created: res.created, h, amount });
      done.push({ op: "deduct", call, id: res.txnId });
    }
  } else if (r < 0.95) {
    await expire();
  } else {
    // Replay one of this process's earlier requests: same answer, nothing new.
    if (!done.length) {
      await expire();
      continue;
    }
    const d = pick(rand, done);
    const res = await attempt(d.call);
    const id = res instanceof LedgerError ? null : (res.txnId ?? res.holdId);
    if (res instanceof LedgerError || res.created || id !== d.id) {
      report.violations.push(`replay of ${d.op} #${d.id} gave ${res instanceof LedgerError ? res.code : JSON.stringify(res)}`);
    }
  }
}
report.ops = OPS;
fs.writeFileSync(process.env.OUT!, JSON.stringify(report));
