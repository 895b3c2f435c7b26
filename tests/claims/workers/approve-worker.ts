// One committee member approving one claim in its own process (see ../cap-race.test.ts).
// Prints READY, waits for a line on stdin (the start signal), approves, prints OK or ERR <message>.
import fs from "node:fs";
import { approveClaim, ClaimError } from "~/claims/claims.server";
import { closeDatabase, unitOfWork } from "~/platform/database.server";

const cfg = JSON.parse(process.env.CONFIG!) as { villageId: number; claimId: number; userId: number };
const say = (line: string) => fs.writeSync(1, `${line}\n`);
await unitOfWork(async () => {}); // open the database before the start signal, so both start level (the driver, a first transaction)
say("READY");
const buf = Buffer.alloc(64);
fs.readSync(0, buf, 0, buf.length, null);
try {
  await approveClaim(cfg.villageId, cfg.claimId, { userId: cfg.userId, role: "committee" });
  say("OK");
} catch (e) {
  if (!(e instanceof ClaimError)) throw e;
  say(`ERR ${e.message}`);
}
// On PostgreSQL the idle pool would keep the process alive for another 10 s.
await closeDatabase();
