// More villagers than places, each in its own OS process, all signing up at the same instant:
// exactly `capacity` succeed, the rest are told the places are gone, and the database agrees.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { activityVillage, newActivity } from "./fixture";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PROCESSES = 8;
const CAPACITY = 3;
const ROUNDS = 4;

function run(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "workers/signup-worker.ts")], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("activity capacity under concurrency", () => {
  it(`${PROCESSES} processes race for ${CAPACITY} places, ${ROUNDS} times: exactly ${CAPACITY} get in each time`, async () => {
    const v = await activityVillage("RACE", PROCESSES);
    const activities: number[] = [];
    for (let i = 0; i < ROUNDS; i++) activities.push(await newActivity(v, { capacity: CAPACITY }));
    // Far enough ahead for every process to start tsx and open the database first.
    const startAt = Date.now() + 4000;
    const results = await Promise.all(
      v.villagers.map((s) =>
        run({ DATABASE_PATH: process.env.DATABASE_PATH!, SIGNER: JSON.stringify(s), ACTIVITIES: JSON.stringify(activities), START_AT: String(startAt) }),
      ),
    );
    for (const r of results) expect(r.code, r.err).toBe(0);
    const replies = results.flatMap((r) => JSON.parse(r.out) as { activityId: number; ok: boolean; message: string | null }[]);
    for (const a of activities) {
      const mine = replies.filter((r) => r.activityId === a);
      expect(mine).toHaveLength(PROCESSES);
      expect(mine.filter((r) => r.ok)).toHaveLength(CAPACITY);
      // Every refusal is the capacity one (not a busy database or a crash).
      expect(mine.filter((r) => !r.ok).map((r) => r.message)).toEqual(Array(PROCESSES - CAPACITY).fill("名额已满"));
      const rows = await sqlOn().value("select count(*) as n from activity_signups where activity_id = ? and status = 'active'", a);
      expect(rows).toBe(CAPACITY);
    }
  });
});
