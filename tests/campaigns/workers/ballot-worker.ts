// One phone of a voter, in its own process, changing a ballot at the same instants as another
// (see ../ballot-race.test.ts). Env: DATABASE_PATH, CONFIG (JSON). Prints a JSON report.
import { castBallot, type Voter } from "~/campaigns/ballots.server";
import { clockControl } from "~/platform/clock.server";
import { unitOfWork } from "~/platform/database.server";

const cfg = JSON.parse(process.env.CONFIG!) as { voter: Voter; campaignId: number; categoryId: number; rounds: number[][]; startAt: number; clockAt: number };
clockControl.set(cfg.clockAt); // the campaign's voting window, on the injectable clock
await unitOfWork(async () => {}); // open and warm the connection before the start line (the driver, a first transaction)
const results: { ok: boolean; message: string | null }[] = [];
for (const [round, choices] of cfg.rounds.entries()) {
  const at = cfg.startAt + round * 150;
  while (Date.now() < at) {
    /* spin: a sleep would blur the start */
  }
  const out = await castBallot(cfg.voter, cfg.campaignId, cfg.categoryId, choices);
  results.push({ ok: out.ok, message: out.ok ? null : JSON.stringify(out.errors) });
}
process.stdout.write(JSON.stringify(results));
