// One phone of a voter, in its own process, changing a ballot at the same instants as another
// (see ../ballot-race.test.ts). Env: DATABASE_PATH or DATABASE_URL, CONFIG (JSON). Prints READY once
// its connection is open, reads the start time (epoch ms) from a line on stdin, then prints a JSON report.
import fs from "node:fs";
import { castBallot, type Voter } from "~/campaigns/ballots.server";
import { clockControl } from "~/platform/clock.server";
import { closeDatabase, unitOfWork } from "~/platform/database.server";

const cfg = JSON.parse(process.env.CONFIG!) as { voter: Voter; campaignId: number; categoryId: number; rounds: number[][]; clockAt: number };
clockControl.set(cfg.clockAt); // the campaign's voting window, on the injectable clock
await unitOfWork(async () => {}); // open and warm the connection before the start line (the driver, a first transaction)
fs.writeSync(1, "READY\n");
const buf = Buffer.alloc(64);
const startAt = Number(buf.toString("utf8", 0, fs.readSync(0, buf, 0, buf.length, null)).trim());
// lateBy: how long after its start time a change began (> 0: it did not start level with the other phone's).
const results: { ok: boolean; message: string | null; lateBy: number }[] = [];
for (const [round, choices] of cfg.rounds.entries()) {
  const at = startAt + round * 150;
  const lateBy = Date.now() - at;
  while (Date.now() < at) {
    /* spin: a sleep would blur the start */
  }
  const out = await castBallot(cfg.voter, cfg.campaignId, cfg.categoryId, choices);
  results.push({ ok: out.ok, message: out.ok ? null : JSON.stringify(out.errors), lateBy });
}
process.stdout.write(JSON.stringify(results));
await closeDatabase(); // PostgreSQL's idle pooled connections would keep the process alive for seconds
