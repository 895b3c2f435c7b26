// Crash safety: a child process commits transfers in a loop and reports each one only after its
// commit; the parent kills it with SIGKILL at a random moment, again and again. Every reported
// transaction must survive, half-written transactions must not exist, and the request that was
// in flight at the kill, sent again by the next process, must apply at most once.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engine, migrateToLatest } from "~/platform/database.server";
import { checkLedger } from "~/ledger/check.server";
import { testDatabaseUrl } from "../support/postgres";
import { sqlOn } from "../support/sql";
import { exited, failedChecks, mulberry32, ROOT, seedVillage, spawnWorker, WORKERS } from "./helpers";
import type { CrashRequest } from "./workers/crash-worker";

const LOOPS = Number(process.env.CRASH_LOOPS ?? 50);
// Long enough for several commits per child (each an async unit of work with an fsync), so that the
// kills land mid-work as the checks at the end demand. On PostgreSQL a commit is some twenty round
// trips to the server (20–60 ms measured on a busy machine, against a few here on SQLite).
const MAX_DELAY_MS = Number(process.env.CRASH_MAX_DELAY_MS ?? (testDatabaseUrl() ? 1500 : 250));
const PRESPAWN = Number(process.env.CRASH_PRESPAWN ?? 2);
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
// A child under tsx needs ~0.5 s of CPU to start; the same worker bundled by esbuild (what tsx
// itself uses to transpile) starts in ~0.1 s, which is what lets 50+ kills fit the time budget.
// CRASH_TSX=1 runs the worker source under tsx instead.
const USE_TSX = process.env.CRASH_TSX === "1";
let bundleDir = "";
let bundle = "";

beforeAll(async () => {
  if (USE_TSX) return;
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-crash-"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(bundleDir, "node_modules")); // resolves the database drivers
  bundle = path.join(bundleDir, "crash-worker.mjs");
  await build({
    entryPoints: [path.join(WORKERS, "crash-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external: ["better-sqlite3", "pg"],
    alias: { "~": path.join(ROOT, "app") },
    outfile: bundle,
    logLevel: "warning",
  });
});
afterAll(() => {
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

interface Child {
  proc: ChildProcess;
  lines: string[];
  ready: Promise<void>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(env: Record<string, string>): Child {
  const proc = USE_TSX
    ? spawnWorker("crash-worker.ts", env, true)
    : spawn(process.execPath, [bundle], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const l of parts) {
      if (l === "READY") onReady();
      else lines.push(l);
    }
  });
  proc.stderr!.on("data", (d) => (stderr += d));
  const closed = new Promise((resolve) => proc.stdout!.on("close", resolve));
  const done = Promise.all([exited(proc), closed]).then(([r]) => ({ ...r, stderr }));
  void done.then(() => onReady()); // never hang on a child that died before READY
  return { proc, lines, ready, done };
}

async function committed(req: CrashRequest): Promise<number | null> {
  const table = req.op === "hold" ? "holds" : "ledger_transactions";
  const row = await sqlOn().get<{ id: number }>(`select id from ${table} where idem_key = ?`, req.args.idemKey);
  return row?.id ?? null;
}

describe("SIGKILL in the middle of committing", () => {
  it(`${LOOPS} kills: every reported commit survives, nothing is half-written, retries apply once`, async () => {
    const started = Date.now();
    await migrateToLatest();
    const v = await seedVillage("crash", 4);
    // The workers inherit DATABASE_URL (PostgreSQL) or are pointed at this file's SQLite database.
    const file = process.env.DATABASE_PATH!;
    const database = process.env.DATABASE_URL || file;
    const env = { DATABASE_PATH: file, CONFIG: JSON.stringify({ householdIds: v.householdIds, storeAccountId: v.storeAccountId }) };
    const rand = mulberry32(SEED);
    const queue: Child[] = [];
    const stats = { reported: 0, killedInFlight: 0, inFlightHadCommitted: 0, retriedReplays: 0, retriedFresh: 0, refused: 0, emptyLoops: 0 };
    let pending: CrashRequest | null = null;
    try {
      for (let i = 0; i < Math.min(PRESPAWN, LOOPS); i++) queue.push(start(env));
      for (let loop = 0; loop < LOOPS; loop++) {
        const cur = queue.shift()!;
        await cur.ready;
        expect(cur.proc.exitCode, `child died before READY (seed ${SEED})`).toBeNull();
        const retry = pending;
        const retryCommittedAs = retry ? await committed(retry) : null;
        cur.proc.stdin!.write(`GO ${JSON.stringify({ loop, retry })}\n`);
        if (loop + queue.length + 1 < LOOPS) queue.push(start(env));
        await sleep(Math.floor(rand() * MAX_DELAY_MS));
        cur.proc.kill("SIGKILL");
        const end = await cur.done;
        expect(end, `loop ${loop} (seed ${SEED}) stderr:\n${end.stderr}`).toMatchObject({ signal: "SIGKILL" });

        // Walk the child's report: every id it printed after a commit must be in the database,
        // under the key of the request it answered.
        let current: CrashRequest | null = null;
        let first = true;
        if (!cur.lines.length) stats.emptyLoops++;
        for (const line of cur.lines) {
          const [tag, rest] = [line.slice(0, 1), line.slice(2)];
          if (tag === "B") {
            current = JSON.parse(rest) as CrashRequest;
            continue;
          }
          expect(current, `response without request: ${line}`).not.toBeNull();
          const req: CrashRequest = current!;
          if (tag === "X") stats.refused++;
          else {
            const [id, created] = rest.split(" ");
            expect(["T", "H"]).toContain(tag);
            expect(await committed(req), `loop ${loop}: ${line} for ${JSON.stringify(req)} is not in the database`).toBe(Number(id));
            stats.reported++;
            if (first && retry) {
              // The resent in-flight request: a replay if the killed attempt had committed, else fresh.
              expect(req).toEqual(retry);
              expect(created, `retry of ${JSON.stringify(retry)} (committed before as ${retryCommittedAs})`).toBe(String(retryCommittedAs === null));
              if (retryCommittedAs !== null) expect(Number(id)).toBe(retryCommittedAs), stats.retriedReplays++;
              else stats.retriedFresh++;
            }
          }
          if (first && retry && tag === "X") expect(retryCommittedAs, "a committed request was refused on retry").toBeNull();
          first = false;
          current = null;
        }
        // What was in flight at the kill (if the child got as far as announcing anything) is resent next time.
        if (cur.lines.length) pending = current;
        if (current) {
          stats.killedInFlight++;
          if ((await committed(current)) !== null) stats.inFlightHadCommitted++;
        }
        if (loop % 10 === 9) expect(failedChecks(await checkLedger(engine().writer)), `after loop ${loop} (seed ${SEED})`).toEqual([]);
      }
    } finally {
      for (const c of queue) c.proc.kill("SIGKILL");
    }

    expect(failedChecks(await checkLedger(engine().writer)), `seed ${SEED}`).toEqual([]);
    const counts = await sqlOn().get("select (select count(*) from ledger_transactions) as txns, (select count(*) from ledger_entries) as entries");
    const cli = spawnSync("npx", ["tsx", "scripts/check-ledger.ts", database], { cwd: ROOT, encoding: "utf8" });
    expect(cli.status, `check:ledger output:\n${cli.stdout}\n${cli.stderr}`).toBe(0);
    expect(cli.stdout).toMatch(/全部 \d+ 项检查通过/);
    console.log("crash:", JSON.stringify({ seed: SEED, loops: LOOPS, ms: Date.now() - started, ...stats, ...(counts as object) }));
    // The kills must have landed while work was going on, not only between requests.
    expect(stats.reported).toBeGreaterThan(LOOPS * 5);
    expect(stats.killedInFlight).toBeGreaterThan(LOOPS / 4);
    // ...and some of them between a commit and its reply, so the retry really was a replay.
    if (LOOPS >= 50) expect(stats.retriedReplays).toBeGreaterThan(0);
  }, Math.max(180_000, LOOPS * 3_000));
});
