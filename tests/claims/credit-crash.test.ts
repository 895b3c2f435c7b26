// The scheduler's credit job killed between two credits, again and again, then run to the end:
// every claim is credited exactly once and the ledger checks pass (also through check:ledger).
import { spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { approveClaim, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { exited, failedChecks, mulberry32, ROOT, spawnWorker } from "../ledger/helpers";
import { onPostgres, sqlOn } from "../support/sql";
import { claimVillage, setVillage } from "./fixture";

const WORKER = path.join("..", "..", "claims", "workers", "credit-worker.ts");
const CLAIMS = 30;

function start(): { proc: ChildProcess; lines: string[]; ready: Promise<void>; done: Promise<unknown> } {
  const proc = spawnWorker(WORKER, { PAUSE_MS: "20" }, true);
  const lines: string[] = [];
  let partial = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (d: string) => {
    const parts = (partial + d).split("\n");
    partial = parts.pop()!;
    for (const l of parts) (l === "READY" ? onReady() : lines.push(l));
  });
  const done = exited(proc);
  void done.then(() => onReady());
  return { proc, lines, ready, done };
}

describe("crash between two credits, then restart", () => {
  it("credits each claim exactly once", async () => {
    const v = await claimVillage("CRASH");
    await setVillage(v.villageId, 1, 1);
    const q = sqlOn();
    const ids: number[] = [];
    for (let i = 0; i < CLAIMS; i++) {
      const memberId = [v.memberA, v.memberA2, v.memberB][i % 3];
      const [id] = await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: [{ memberId, ruleId: v.rules.sweep, occurredAt: now() - 60_000, quantity: 1 + (i % 4), note: "" }] });
      await approveClaim(v.villageId, id, { userId: memberId === v.memberB ? v.committee1 : v.committee2, role: "committee" });
      ids.push(id);
    }
    // The 公示 ended long ago (the children run on the real clock).
    await q.run("update claims set notice_until = 1 where village_id = ?", v.villageId);

    const rand = mulberry32(Number(process.env.CRASH_SEED ?? Date.now() % 100_000));
    const reported = new Set<number>();
    let kills = 0;
    let finished = false;
    for (let loop = 0; loop < 12 && !finished; loop++) {
      const child = start();
      await child.ready;
      child.proc.stdin!.write("GO\n");
      const last = loop === 11;
      if (!last) {
        await sleep(40 + Math.floor(rand() * 120));
        child.proc.kill("SIGKILL");
      }
      await child.done;
      for (const l of child.lines) {
        if (l === "DONE") finished = true;
        else if (l.startsWith("C ")) {
          const id = Number(l.slice(2));
          expect(reported.has(id), `claim ${id} credited twice`).toBe(false);
          reported.add(id);
        }
      }
      if (!finished) kills++;
    }
    if (!finished) {
      const child = start();
      await child.ready;
      child.proc.stdin!.write("GO\n");
      await child.done;
      expect(child.lines).toContain("DONE");
    }
    expect(kills).toBeGreaterThan(1);
    // Every claim credited, each by exactly one ledger transaction with its own key.
    const statuses = await q.all("select status, count(*) as n from claims where village_id = ? group by status order by status", v.villageId);
    expect(statuses).toEqual([{ status: "credited", n: CLAIMS }]);
    const perClaim = await q.all(
      "select cause_id, count(*) as n from ledger_transactions where cause_kind = 'claim' and village_id = ? group by cause_id having count(*) <> 1",
      v.villageId,
    );
    expect(perClaim).toEqual([]);
    const txns = await q.value("select count(*) as n from ledger_transactions where cause_kind = 'claim' and village_id = ?", v.villageId);
    expect(txns).toBe(CLAIMS);
    const expected = (h: number) => q.value("select coalesce(sum(points), 0) as s from claims where household_id = ?", h);
    expect((await householdBalance(v.householdA)).balance).toBe(await expected(v.householdA));
    expect((await householdBalance(v.householdB)).balance).toBe(await expected(v.householdB));
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
    // The script takes the file or, on PostgreSQL, the database's URL.
    const where = onPostgres() ? process.env.DATABASE_URL! : process.env.DATABASE_PATH!;
    const cli = spawnSync("npx", ["tsx", "scripts/check-ledger.ts", where], { cwd: ROOT, encoding: "utf8" });
    expect(cli.status, cli.stdout + cli.stderr).toBe(0);
  }, 120_000);
});
