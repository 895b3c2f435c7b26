// The work tiles of the home and 工作 pages: the viewer's jobs (nav.ts) with what waits behind each,
// counted by the capability that owns it. nav.ts stays free of server code; the counts join here.
import { waitingCount } from "~/claims/counts.server";
import { openRoundCount } from "~/sanitation/counts.server";
import { liveCodeCount } from "~/store/counts.server";
import type { NavItem } from "./nav";

export interface WorkTile {
  to: string;
  label: string;
  counter: boolean;
  hint: string | null;
  /** What waits, with how it is said; null when the job counts nothing. */
  waits: { n: number; kind: NonNullable<NavItem["waits"]>["kind"] } | null;
}

/** The tiles for these nav items, in their order, each with its count (one small query per counted tile). */
export async function workTiles(items: NavItem[], userId: number): Promise<WorkTile[]> {
  return Promise.all(
    items.map(async (n) => {
      const w = n.waits;
      const count = !w ? null : w.kind === "claims" ? await waitingCount(w.villageId) : w.kind === "codes" ? await liveCodeCount(userId, w.villageId) : await openRoundCount(w.villageId);
      return { to: n.to, label: n.label, counter: n.counter === true, hint: n.hint ?? null, waits: w && count !== null ? { n: count, kind: w.kind } : null };
    }),
  );
}
