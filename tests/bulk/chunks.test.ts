// A large batch is filed in chunks of CHUNK households, one unit of work each, with its progress on
// the batch row. A chunk that fails (here: the claim module throws an unexpected error, once before
// writing and once after writing its claims) leaves nothing of itself behind, and the next run
// resumes where the batch stopped: every household ends with exactly one claim.
import { describe, expect, it, vi } from "vitest";

const fault = vi.hoisted(() => ({ when: null as null | "before" | "after" }));
vi.mock("~/claims/claims.server", async (importOriginal) => {
  const real = await importOriginal<typeof import("~/claims/claims.server")>();
  return {
    ...real,
    fileClaimBatch: async (input: Parameters<typeof real.fileClaimBatch>[0]) => {
      const when = fault.when;
      fault.when = null;
      if (when === "before") throw new Error("磁盘已满（测试）");
      const ids = await real.fileClaimBatch(input);
      if (when === "after") throw new Error("连接中断（测试）");
      return ids;
    },
  };
});

import { batchView, CHUNK, createBatch, fileNextChunk, resumeBulkBatches } from "~/bulk/bulk.server";
import { now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { bulkVillage } from "./fixture";

describe("chunked filing", () => {
  it("files CHUNK households per unit of work, records progress, and resumes after a failed chunk without losing or doubling a claim", async () => {
    const v = await bulkVillage("BKC", 230); // 460 households and one without a head: three chunks
    const q = sqlOn();
    const ids = (await q.all<{ id: number }>("select id from households where village_id = ? order by id", v.villageId)).map((r) => r.id);
    const { batchId } = await createBatch(v.villageId, { userId: v.committee1, role: "committee" }, {
      key: "chunk-test-key-0001", ruleId: v.rules.clean, householdIds: ids, occurredAt: now() - 60_000, quantity: 1, note: "", points: 10, chosen: "全村所有户",
    });
    const progress = async () => (await batchView(v.villageId, batchId)).batch;
    const claims = () => q.value<number>("select count(*) as n from claims where village_id = ?", v.villageId);

    expect(await fileNextChunk(batchId)).toEqual({ filed: CHUNK, skipped: 0, done: false });
    expect(await progress()).toMatchObject({ households: 461, filed: CHUNK, skipped: 0, status: "filing" });

    // The second chunk fails before writing, then after writing its claims: nothing of it stays.
    fault.when = "before";
    await expect(fileNextChunk(batchId)).rejects.toThrow("磁盘已满（测试）");
    fault.when = "after";
    await expect(fileNextChunk(batchId)).rejects.toThrow("连接中断（测试）");
    expect(await claims()).toBe(CHUNK);
    expect(await progress()).toMatchObject({ filed: CHUNK, status: "filing" });
    expect(await q.value<number>("select count(*) as n from bulk_batch_households where batch_id = ? and status = 'waiting'", batchId)).toBe(461 - CHUNK);

    // The scheduler's round resumes it to the end.
    expect(await resumeBulkBatches()).toBe(1);
    expect(await progress()).toMatchObject({ households: 461, filed: 460, skipped: 1, status: "done" });
    expect(await claims()).toBe(460);
    expect(await q.value<number>("select count(distinct household_id) as n from claims where village_id = ?", v.villageId)).toBe(460);
    // Every filed row names its own claim, for its own household.
    expect(await q.value<number>(
      "select count(*) as n from bulk_batch_households b join claims c on c.id = b.claim_id where b.batch_id = ? and c.household_id = b.household_id and c.source_id = b.batch_id",
      batchId,
    )).toBe(460);
    expect(await resumeBulkBatches()).toBe(0);
    expect(await fileNextChunk(batchId)).toEqual({ filed: 0, skipped: 0, done: true });
  });
});
