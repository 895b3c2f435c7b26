// A county-sized export streams: a generated ledger of 50,000 entries is read in batches of at most
// 1,000 rows, one short query each; nothing is read ahead of a reader that stops reading; and the
// heap grows by a bounded amount however long the file is, where reading the same export in one
// query (the control) grows it several times more.
import v8 from "node:v8";
import vm from "node:vm";
import { beforeAll, describe, expect, it } from "vitest";
import { exportFile } from "~/exports/exports.server";
import type { ExportFormat } from "~/exports/labels";
import { rangeSchema } from "~/exports/range.server";
import type { BatchOptions } from "~/exports/sources.server";
import { post } from "~/ledger/ledger.server";
import { insertUser } from "~/people/users.server";
import { clockControl } from "~/platform/clock.server";
import { seedVillage, type SeededVillage } from "../ledger/helpers";
import { sqlOn } from "../support/sql";
import { china } from "./fixture";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const ENTRIES_PER_POST = 1000;
const POSTS = 50;
const N = POSTS * (ENTRIES_PER_POST + 1); // each post: 1,000 household legs and the issuance leg
const BATCH = 1000;
const WINDOW = 20_000;

let v: SeededVillage;
let admin: number;

beforeAll(async () => {
  v = await seedVillage("ST", 20);
  admin = await insertUser({ phone: "13712345601", passwordHash: "x", displayName: "导出员", memberId: null, mustChangePassword: false, roles: [{ role: "village_admin", villageId: v.villageId }] });
  clockControl.set(china(5, 10));
  const accounts = [...v.householdAccountIds, v.issuanceAccountId];
  for (let p = 0; p < POSTS; p++) {
    const legs = Array.from({ length: ENTRIES_PER_POST }, (_, i) => ({ accountId: v.householdAccountIds[i % v.householdAccountIds.length], amount: 1, scoreDelta: 1, scoreYear: 2026 }));
    legs.push({ accountId: v.issuanceAccountId, amount: -ENTRIES_PER_POST, scoreDelta: 0, scoreYear: 2026, issuance: true } as (typeof legs)[number]);
    await post({ villageId: v.villageId, kind: "award", idemKey: `stream:${p}`, actor: { userId: null, role: "system" }, legs, memo: `批量奖励 ${p}`, checkedAccounts: accounts });
  }
  clockControl.reset();
  expect(Number(await sqlOn().value("select count(*) from ledger_entries e join accounts a on a.id = e.account_id where a.village_id = ?", v.villageId))).toBe(N);
}, 600_000);

function open(format: ExportFormat, batch: Partial<BatchOptions> & { onBatch?: (rows: number) => void }, drained?: () => Promise<void>) {
  return exportFile({
    drained,
    kind: "ledger", range: rangeSchema.parse({ from: "2026-05-01", to: "2026-05-31", format }), villageId: v.villageId, township: false,
    actor: { userId: admin, role: "village_admin", villageId: v.villageId }, batch: { size: BATCH, window: WINDOW, ...batch },
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a 50,000-entry ledger export", () => {
  it("is read in batches of at most 1,000 rows: as many queries as the rows and id windows need, no more", async () => {
    const batches: number[] = [];
    const res = await open("csv", { onBatch: (rows) => batches.push(rows) });
    const text = await res.text();
    const lines = text.split("\r\n").length - 2; // header, and the empty string after the last CRLF
    expect(lines).toBe(N);
    expect(Math.max(...batches)).toBe(BATCH);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(N);
    const top = Number(await sqlOn().value("select max(id) from ledger_entries"));
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(N / BATCH) + Math.ceil(top / WINDOW) + 1);
  });

  it.each(["csv", "xlsx"] as const)("reads nothing ahead of a %s reader that stops, and stops when the download is dropped", async (format) => {
    let batches = 0;
    const res = await open(format, { onBatch: () => batches++ });
    const reader = res.body!.getReader();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect((await reader.read()).done).toBe(false);
      // While the reader waits, nothing more is read: the count after a pause stays after a second one.
      await pause(150);
      const paused = batches;
      await pause(300);
      expect(batches).toBe(paused);
      waits.push(paused);
    }
    // CSV: the header, then a batch for each chunk taken. xlsx: a batch at a time until the zip gives
    // out bytes (a few on a busy machine), and the bytes of one batch come out in several chunks.
    expect(waits[0]).toBeGreaterThanOrEqual(1);
    expect(Math.max(...waits)).toBeLessThanOrEqual(format === "csv" ? 5 : 10);
    await reader.cancel();
    const atCancel = batches;
    await pause(300);
    expect(batches).toBe(atCancel);
    expect(atCancel).toBeLessThan(N / BATCH / 4); // far from read through
  });

  it.each(["csv", "xlsx"] as const)("reads no batch while a slow %s download has too much still unsent, and reads on once it is taken", async (format) => {
    let batches = 0;
    let asked = 0;
    let release = () => {};
    let full = true;
    // The server's load context answers this from the response's unsent bytes (scripts/server/drained.mjs).
    const drained = () => {
      asked++;
      return full ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    };
    const res = await open(format, { onBatch: () => batches++ }, drained);
    const reader = res.body!.getReader();
    const first = reader.read();
    await pause(300);
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(batches).toBe(0);
    full = false;
    release();
    // CSV: the header came before any batch; then the first batch once the client took what was sent.
    let bytes = 0;
    for (let i = 0; i < 3; i++) bytes += ((i === 0 ? await first : await reader.read()).value?.byteLength ?? 0);
    expect(bytes).toBeGreaterThan(0);
    expect(batches).toBeGreaterThanOrEqual(1);
    await reader.cancel();
  });

  /**
   * The memory's growth over what it was before the export (the JS heap and the byte buffers),
   * sampled after a full collection each time a batch has just been read (its rows all alive) and
   * every few chunks the reader takes.
   */
  async function memoryGrowth(format: ExportFormat, batch: Partial<BatchOptions>): Promise<{ growth: number; bytes: number }> {
    const used = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = used();
    let peak = base;
    let bytes = 0;
    let chunks = 0;
    const res = await open(format, { ...batch, onBatch: () => (peak = Math.max(peak, used())) });
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (++chunks % 4 === 0) peak = Math.max(peak, used());
    }
    return { growth: peak - base, bytes };
  }

  it("grows the heap by a bounded amount, where the same export in one query grows it several times more", async () => {
    const MB = 1024 * 1024;
    const csv = await memoryGrowth("csv", {});
    const xlsx = await memoryGrowth("xlsx", {});
    // The control: the whole range in one batch (one query, every row in memory at once).
    const whole = await memoryGrowth("csv", { size: 10 * N, window: Number.MAX_SAFE_INTEGER });
    console.log(`heap growth: csv ${(csv.growth / MB).toFixed(1)} MB for ${(csv.bytes / MB).toFixed(1)} MB, xlsx ${(xlsx.growth / MB).toFixed(1)} MB for ${(xlsx.bytes / MB).toFixed(1)} MB; one query: ${(whole.growth / MB).toFixed(1)} MB`);
    expect(csv.bytes).toBeGreaterThan(4 * MB);
    expect(csv.growth).toBeLessThan(8 * MB);
    expect(xlsx.growth).toBeLessThan(8 * MB);
    expect(whole.growth).toBeGreaterThan(3 * Math.max(csv.growth, xlsx.growth));
  });
});
