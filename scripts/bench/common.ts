// Shared pieces of `npm run bench`: where the dataset lives, formatting, statistics, child processes.
import { spawn } from "node:child_process";
import path from "node:path";

/** Bump when the generator changes what it writes: the cached dataset is then rebuilt. */
export const DATASET_VERSION = "township-v6";

export const DATASET_DIR = path.resolve("db/data/bench");
export const DATASET_FILE = path.join(DATASET_DIR, "township.sqlite");
/** Written last, only after a complete generation: its absence or another version means "regenerate". */
export const DATASET_META = path.join(DATASET_DIR, "township.json");

export const BENCH_PASSWORD = "bench-pass-2026";
/** The township admin dataset.ts creates: who opens the township dashboard under load. */
export const BENCH_TOWNSHIP_PHONE = "13700009999";

export interface DatasetMeta {
  version: string;
  generatedAt: string;
  generationSeconds: number;
  villages: number;
  households: number;
  members: number;
  transfers: number;
  entries: number;
  fileBytes: number;
  deep: { householdId: number; phone: string; entries: number; pages: number; page: number };
  typical: { householdId: number; phone: string; entries: number };
  /** Who runs the checkout load: one store keeper and one villager of the same village per connection. */
  checkout: CheckoutPair[];
}

export interface CheckoutPair {
  villageId: number;
  storeId: number;
  goodIds: number[];
  keeperPhone: string;
  villagerPhone: string;
}

// ---- statistics ---------------------------------------------------------------

export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile of an already sorted array. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Deterministic PRNG: the same seed writes the same township. */
export { mulberry32 as prng } from "../../app/platform/random";

// ---- formatting -----------------------------------------------------------------

export const int = (n: number) => Math.round(n).toLocaleString("en-US");
export const fixed = (n: number, d = 1) => n.toFixed(d);

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function bytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}

// ---- child processes ------------------------------------------------------------

/**
 * Runs a TypeScript file of this folder in a fresh node process (own heap, own database
 * connection) and resolves with the one message it sends back over IPC.
 */
export function runChild<T>(file: string, env: Record<string, string> = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--expose-gc", path.resolve("scripts/bench", file)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: T | undefined;
    child.on("message", (m) => (result = m as T));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`${file} failed (exit ${code ?? signal})`));
    });
  });
}

/** For a child entry point: send the result, then exit once it has been delivered. */
export function reply(result: unknown): void {
  if (!process.send) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  process.send(result, () => process.disconnect());
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
