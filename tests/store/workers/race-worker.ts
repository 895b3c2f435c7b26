// One of several processes racing against one database (see ../holds.test.ts and ../code-guess.test.ts).
// Env: DATABASE_PATH (or DATABASE_URL, inherited on PostgreSQL), CONFIG (JSON), OUT (file for the JSON report).
// mode "create": 生成兑换码 for each household at once (one group commit batch per process).
// mode "guess": the keeper's confirm post with a wrong code, sent `guesses` times at once.
import fs from "node:fs";
import { confirmOrder, createOrder, type Keeper, type Result } from "~/store/checkout.server";

export type RaceConfig =
  | { mode: "create"; startAt: number; households: number[]; goodId: number; storeId: number; villagerUserId: number; tag: string }
  | { mode: "guess"; startAt: number; keeper: Keeper; orderId: number; guesses: string[] };

export interface RaceReport {
  ok: number[];
  refused: { code: string; message: string }[];
  errors: string[];
}

const cfg = JSON.parse(process.env.CONFIG!) as RaceConfig;
const report: RaceReport = { ok: [], refused: [], errors: [] };

/** Another process holding the write lock past busy_timeout loses the whole batch: nothing of it was written, so try again. */
async function retryBusy<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      const err = e as { code?: string; cause?: { code?: string } };
      if ((err.code ?? err.cause?.code) !== "SQLITE_BUSY" || i > 50) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

function record(r: Result<{ orderId?: number; order?: { id: number } }>): void {
  if (r.ok) report.ok.push(r.orderId ?? r.order!.id);
  else report.refused.push({ code: r.code, message: r.message });
}

while (Date.now() < cfg.startAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);

try {
  if (cfg.mode === "create") {
    const made = await Promise.all(
      cfg.households.map((h) =>
        retryBusy(() => createOrder({ householdId: h, memberId: null, userId: cfg.villagerUserId, storeId: cfg.storeId, lines: [{ goodId: cfg.goodId, qty: 1 }], nonce: `${cfg.tag}-${h}` })),
      ),
    );
    made.forEach(record);
  } else {
    const tried = await Promise.all(cfg.guesses.map((g) => retryBusy(() => confirmOrder(cfg.keeper, cfg.orderId, g))));
    tried.forEach(record);
  }
} catch (e) {
  report.errors.push(String((e as Error).stack ?? e));
}
fs.writeFileSync(process.env.OUT!, JSON.stringify(report));
process.exit(0);
