// Runs race-worker.ts in several OS processes against the test's database (file or PostgreSQL) and collects their reports.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";
import { exited, spawnWorker } from "../ledger/helpers";
import type { RaceConfig, RaceReport } from "./workers/race-worker";

export async function runRace(configs: RaceConfig[]): Promise<RaceReport[]> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-race-"));
  try {
    const results = await Promise.all(
      configs.map((cfg, w) => {
        const child = spawnWorker("../../store/workers/race-worker.ts", { DATABASE_PATH: process.env.DATABASE_PATH!, CONFIG: JSON.stringify(cfg), OUT: path.join(out, `w${w}.json`) });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        child.stdout!.resume();
        return exited(child).then((r) => ({ ...r, stderr }));
      }),
    );
    for (const [w, r] of results.entries()) expect(r, `worker ${w}:\n${r.stderr}`).toMatchObject({ code: 0 });
    const reports = configs.map((_, w) => JSON.parse(fs.readFileSync(path.join(out, `w${w}.json`), "utf8")) as RaceReport);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    return reports;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
