// The township dashboard's figures, kept for a short while per range. Computing them costs ~10 ms of
// database reads (every village's monthly rows and household accounts); one server process answers
// one request at a time, so sixteen township staff opening the page at once would wait for sixteen
// of those. A figure at most FRESH_MS old is what the page promises ("数据截至"); concurrent misses
// share one computation. Per process: a second process keeps its own.
import { now } from "~/platform/clock.server";

export const FRESH_MS = 30_000;
const MAX_ENTRIES = 16;

const entries = new Map<string, { at: number; value: Promise<unknown> }>();

export function remembered<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const at = now();
  const hit = entries.get(key);
  // A clock moved back (tests) counts as stale too.
  if (hit && at >= hit.at && at - hit.at < FRESH_MS) return hit.value as Promise<T>;
  const value = compute();
  entries.delete(key);
  entries.set(key, { at, value });
  // A Map keeps insertion order: the first key is the one computed longest ago.
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  // A failed computation is not kept (the caller that awaits it sees the error).
  void value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}
