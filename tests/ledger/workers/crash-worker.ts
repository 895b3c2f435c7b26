// Commits transfers in a loop until it is killed (see ../crash.test.ts).
// Protocol on stdout, one line each, written synchronously:
//   READY                  database open, waiting for "GO <json>" on stdin
//   B <json request>       about to send this request to the ledger
//   T <txnId> <created>    the request committed a transaction (printed only after commit)
//   H <holdId> <created>   the request committed a hold
//   X <code>               the ledger refused the request
// The GO line may carry a request that was in flight when the previous process was killed:
// it is sent again first, exactly as before, as a client retrying after a lost response would.
import fs from "node:fs";
import { unitOfWork } from "~/platform/database.server";
import { award, convertHold, deduct, householdBalance, LedgerError, placeHold, redeem, reverse } from "~/ledger/ledger.server";
import { mulberry32, pick, randInt } from "./rng";

export type CrashRequest =
  | { op: "award" | "deduct"; args: Parameters<typeof award>[0] }
  | { op: "redeem"; args: Parameters<typeof redeem>[0] }
  | { op: "hold"; args: Parameters<typeof placeHold>[0] }
  | { op: "convert"; args: Parameters<typeof convertHold>[0] }
  | { op: "reverse"; args: Parameters<typeof reverse>[0] };

const cfg = JSON.parse(process.env.CONFIG!) as { householdIds: number[]; storeAccountId: number };
const actor = { userId: null, role: "system" };

function say(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  for (let off = 0; off < buf.length; ) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function readLine(): string {
  const buf = Buffer.alloc(1 << 16);
  let text = "";
  while (!text.includes("\n")) {
    const n = fs.readSync(0, buf, 0, buf.length, null);
    if (n === 0) process.exit(0);
    text += buf.subarray(0, n).toString("utf8");
  }
  return text.slice(0, text.indexOf("\n"));
}

let lag = () => false;

/** Now and then dawdle between commit and reply, widening the "committed but never acknowledged" window. */
function replyLag(): void {
  if (lag()) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}

/** Sends one request; returns the txn or hold id it committed, or null when refused. */
async function send(req: CrashRequest): Promise<number | null> {
  say(`B ${JSON.stringify(req)}`);
  try {
    if (req.op === "hold") {
      const r = await placeHold(req.args);
      replyLag();
      say(`H ${r.holdId} ${r.created}`);
      return r.holdId;
    }
    let r: { txnId: number; created: boolean };
    switch (req.op) {
      case "award":
        r = await award(req.args);
        break;
      case "deduct":
        r = await deduct(req.args);
        break;
      case "redeem":
        r = await redeem(req.args);
        break;
      case "convert":
        r = await convertHold(req.args);
        break;
      case "reverse":
        r = await reverse(req.args);
        break;
    }
    replyLag();
    say(`T ${r.txnId} ${r.created}`);
    return r.txnId;
  } catch (e) {
    if (!(e instanceof LedgerError)) throw e;
    say(`X ${e.code}`);
    return null;
  }
}

// Open the database before the clock starts: prepare statements, and connect both the reading and
// the writing side (each its own connection pool on PostgreSQL).
await householdBalance(cfg.householdIds[0]);
await unitOfWork(async () => {});
say("READY");
const go = JSON.parse(readLine().slice(3)) as { loop: number; retry: CrashRequest | null };
if (go.retry) await send(go.retry);

const rand = mulberry32(go.loop + 1);
const lagRand = mulberry32(go.loop + 7919);
lag = () => lagRand() < 0.25;
const mine: number[] = [];
const deadline = Date.now() + 20_000; // the parent kills us long before; never run away if it died
for (let i = 0; Date.now() < deadline; i++) {
  const key = `L${go.loop}-${i}`;
  const householdId = pick(rand, cfg.householdIds);
  const r = rand();
  if (r < 0.35) {
    const id = await send({ op: "award", args: { householdId, amount: randInt(rand, 1, 50), idemKey: key, actor, memo: "奖励" } });
    if (id) mine.push(id);
  } else if (r < 0.6) {
    const args = { householdId, storeAccountId: cfg.storeAccountId, amount: randInt(rand, 1, 30), idemKey: key, actor, memo: "兑换" };
    const id = await send({ op: "redeem", args });
    if (id) mine.push(id);
  } else if (r < 0.85) {
    const holdId = await send({
      op: "hold",
      args: { householdId, amount: randInt(rand, 1, 30), expiresAt: Date.now() + 3_600_000, idemKey: `${key}-h`, actor },
    });
    if (holdId) {
      const id = await send({ op: "convert", args: { holdId, storeAccountId: cfg.storeAccountId, idemKey: `${key}-c`, actor, memo: "核销" } });
      if (id) mine.push(id);
    }
  } else if (r < 0.95) {
    if (mine.length) await send({ op: "reverse", args: { txnId: mine.splice(randInt(rand, 0, mine.length - 1), 1)[0], idemKey: key, actor, memo: "冲正" } });
  } else {
    await send({ op: "deduct", args: { householdId, amount: randInt(rand, 1, 10), idemKey: key, actor, memo: "违规" } });
  }
}
