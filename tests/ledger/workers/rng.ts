// The app's deterministic PRNG, so a failing seed can be replayed.
export { mulberry32 } from "../../../app/platform/random";

export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)];
}
