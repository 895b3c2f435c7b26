// Shared helpers for the ledger test suite (not a test file itself).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { sqlOn } from "../support/sql";
import { createHousehold } from "~/people/households.server";
import { issuanceAccountId, openStoreAccount } from "~/ledger/ledger.server";
import { createVillage, ensureTownship } from "~/people/villages.server";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const WORKERS = path.join(import.meta.dirname, "workers");
export const SYSTEM = { userId: null, role: "system" } as const;

export interface SeededVillage {
  villageId: number;
  householdIds: number[];
  householdAccountIds: number[];
  storeId: number;
  storeAccountId: number;
  issuanceAccountId: number;
}

/** A new village with `households` households and one store, all with accounts. */
export async function seedVillage(tag: string, households: number): Promise<SeededVillage> {
  const townshipId = await ensureTownship("测试镇");
  const villageId = await createVillage({ townshipId, name: `村${tag}`, code: `V${tag}` });
  const householdIds: number[] = [];
  for (let i = 0; i < households; i++) {
    const { householdId } = await createHousehold({
      villageId,
      gridId: null,
      number: String(i + 1).padStart(3, "0"),
      address: "",
      members: [{ name: `户主${i}`, relation: "户主" }],
    });
    householdIds.push(householdId);
  }
  const q = sqlOn();
  const householdAccountIds: number[] = [];
  for (const h of householdIds) householdAccountIds.push((await q.get<{ id: number }>("select id from accounts where household_id = ?", h))!.id);
  const storeId = (await q.get<{ id: number }>("insert into stores (village_id, name, created_at) values (?, ?, 0) returning id", villageId, `超市${tag}`))!.id;
  return {
    villageId,
    householdIds,
    householdAccountIds,
    storeId,
    storeAccountId: await openStoreAccount(villageId, storeId),
    issuanceAccountId: await issuanceAccountId(villageId),
  };
}

export function failedChecks(results: { name: string; ok: boolean; detail: string }[]) {
  return results.filter((r) => !r.ok);
}

/** Spawns a TypeScript worker under tsx. */
export function spawnWorker(script: string, env: Record<string, string>, withStdin = false): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", path.join(WORKERS, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: [withStdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

export { mulberry32 } from "./workers/rng";
