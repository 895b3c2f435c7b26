// Runs the scheduler's credit job until killed (see ../credit-crash.test.ts). Prints READY, waits for
// "GO", then "C <claimId>" after each credit has committed, pausing a little between credits so
// the parent's SIGKILL lands between two of them. Prints DONE when nothing is due.
import fs from "node:fs";
import { creditDueClaims } from "~/claims/claims.server";
import { closeDatabase } from "~/platform/database.server";

const pause = Number(process.env.PAUSE_MS ?? "15");
const say = (line: string) => fs.writeSync(1, `${line}\n`);
say("READY");
const buf = Buffer.alloc(64);
fs.readSync(0, buf, 0, buf.length, null);
await creditDueClaims(500, (id) => {
  say(`C ${id}`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
});
say("DONE");
// On PostgreSQL the idle pool would keep the process alive for another 10 s.
await closeDatabase();
