// One of several processes checking out against one database (see ../storm.test.ts).
// Env: DATABASE_PATH (or DATABASE_URL, inherited on PostgreSQL), WORKER_ID, CONFIG (JSON), OUT (file for the JSON report).
import fs from "node:fs";
import { confirmOrder, createOrder, type Keeper } from "~/store/checkout.server";
import { counterCheckout } from "~/store/counter.server";
import { codeOf } from "../fixture";

export interface StormConfig {
  startAt: number;
  keeper: Keeper;
  villagerUserId: number;
  storeId: number;
  poor: number; // household whose balance covers only some orders
  poorMember: number;
  rice: number; // good for the balance storm
  pin: string;
  attempts: number; // create+confirm attempts per worker for the poor household
  counterAttempts: number;
  raceOrders: number[]; // pending orders racing for the last units of one good
  replayOrder: number;
  replays: number; // confirms of the replay order by this worker
}

export interface StormReport {
  worker: number;
  phoneOk: number[];
  counterOk: number[];
  refusals: Record<string, number>;
  raceOk: number[];
  replayCreated: number;
  replayOk: number;
  errors: string[];
}

const cfg = JSON.parse(process.env.CONFIG!) as StormConfig;
const worker = Number(process.env.WORKER_ID);
const report: StormReport = { worker, phoneOk: [], counterOk: [], refusals: {}, raceOk: [], replayCreated: 0, replayOk: 0, errors: [] };
const refuse = (code: string) => (report.refusals[code] = (report.refusals[code] ?? 0) + 1);

async function retryBusy<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || i > 50) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

while (Date.now() < cfg.startAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);

try {
  for (let i = 0; i < cfg.attempts; i++) {
    const made = await retryBusy(() =>
      createOrder({ householdId: cfg.poor, memberId: cfg.poorMember, userId: cfg.villagerUserId, storeId: cfg.storeId, lines: [{ goodId: cfg.rice, qty: 1 }], nonce: `w${worker}-${i}` }),
    );
    if (!made.ok) {
      refuse(made.code);
      continue;
    }
    const done = await retryBusy(async () => confirmOrder(cfg.keeper, made.orderId, await codeOf(made.orderId)));
    if (done.ok && done.created) report.phoneOk.push(made.orderId);
    else report.errors.push(`confirm of a fresh order: ${JSON.stringify(done)}`);
    if (i < cfg.counterAttempts) {
      const sale = await counterCheckout(cfg.keeper, { householdId: cfg.poor, memberId: cfg.poorMember, storeId: cfg.storeId, lines: [{ goodId: cfg.rice, qty: 1 }], pin: cfg.pin, nonce: `c${worker}-${i}` });
      if (sale.ok) report.counterOk.push(sale.order.id);
      else refuse(`counter:${sale.code}`);
    }
  }
  const order = [...cfg.raceOrders].sort(() => Math.random() - 0.5);
  for (const id of order) {
    const r = await retryBusy(async () => confirmOrder(cfg.keeper, id, await codeOf(id)));
    if (r.ok && r.created) report.raceOk.push(id);
    else if (!r.ok) refuse(`race:${r.code}`);
  }
  for (let i = 0; i < cfg.replays; i++) {
    const r = await retryBusy(async () => confirmOrder(cfg.keeper, cfg.replayOrder, await codeOf(cfg.replayOrder)));
    if (r.ok) {
      report.replayOk++;
      if (r.created) report.replayCreated++;
    } else report.errors.push(`replay: ${r.message}`);
  }
} catch (e) {
  report.errors.push(String((e as Error).stack ?? e));
}
fs.writeFileSync(process.env.OUT!, JSON.stringify(report));
process.exit(0);
