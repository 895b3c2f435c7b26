// Two inspectors, in two processes on one database (the SQLite file, or the PostgreSQL database the
// workers reach through the inherited DATABASE_URL), save the same household at the same
// moment from pages that showed it unscored: one save wins, the other is refused and told who
// scored it; one inspection row, and publishing files one claim for the household.
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { publishRound } from "~/sanitation/publish.server";
import { exited, spawnWorker } from "../ledger/helpers";
import { sqlOn } from "../support/sql";
import { count, openNovemberRound, sanitationVillage } from "./fixture";

const WORKER = path.join("..", "..", "sanitation", "workers", "save-worker.ts"); // relative to tests/ledger/workers
const DAY = 86_400_000;
const chinaDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

function start(cfg: object): { proc: ChildProcess; out: Promise<string>; ready: Promise<void> } {
  const proc = spawnWorker(WORKER, { CONFIG: JSON.stringify(cfg) }, true);
  let text = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.setEncoding("utf8");
  proc.stdout!.on("data", (d: string) => {
    text += d;
    if (text.includes("READY")) onReady();
  });
  let err = "";
  proc.stderr!.on("data", (d) => (err += d));
  const out = exited(proc).then(() => {
    onReady();
    return text.replace("READY\n", "").trim() + err;
  });
  return { proc, out, ready };
}

describe("two inspectors save the same household at once", () => {
  it("in separate processes: one result, the other refused, no duplicate claim (three households)", async () => {
    const v = await sanitationVillage("RACE");
    // Worker processes run on the real clock: a round around today.
    const roundId = await openNovemberRound(v, { startsOn: chinaDate(Date.now() - DAY), endsOn: chinaDate(Date.now() + DAY) });
    for (const householdId of [v.B, v.C, v.D]) {
      const a = start({ villageId: v.villageId, roundId, householdId, userId: v.inspector1, scores: [45, 45] });
      const b = start({ villageId: v.villageId, roundId, householdId, userId: v.inspector2, scores: [40, 40] });
      await Promise.all([a.ready, b.ready]);
      a.proc.stdin!.write("GO\n");
      b.proc.stdin!.write("GO\n");
      const outs = await Promise.all([a.out, b.out]);
      const won = outs.filter((o) => o.startsWith("OK "));
      expect(won, outs.join(" | ")).toHaveLength(1);
      const lost = outs.find((o) => !o.startsWith("OK "))!;
      expect(lost).toMatch(/^REFUSED 409 这户刚由检查员[一二]评了 (90|80) 分/);
      expect(await count("select count(*) as n from inspections where round_id = ? and household_id = ?", roundId, householdId)).toBe(1);
      const row = (await sqlOn().get<{ total: number; version: number }>("select total, version from inspections where round_id = ? and household_id = ?", roundId, householdId))!;
      expect(`OK ${row.total}`).toBe(won[0]);
      expect(row.version).toBe(1);
    }
    const out = await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId);
    expect(out.ok).toBe(true);
    const perHousehold = await sqlOn().all<{ n: number }>("select household_id, count(*) as n from claims where source_kind = 'round' and source_id = ? group by household_id", roundId);
    // Both racing scores (90 优秀, 80 良好) carry a rule: exactly one claim for each household.
    expect(perHousehold).toHaveLength(3);
    expect(perHousehold.every((c) => c.n === 1)).toBe(true);
  }, 60_000);
});
