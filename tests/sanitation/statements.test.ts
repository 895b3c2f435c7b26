// Door to door an inspector opens the list, a household and saves, dozens of times a day, over grids
// of a hundred households or more: what those cost the database must not grow with the grid (one
// query per household on the list was the old shape). Counted as statements run, on every connection
// of either engine.
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { createHousehold } from "~/people/households.server";
import { nextHousehold, scoringHousehold, scoringList } from "~/sanitation/inspections.server";
import { roundIn } from "~/sanitation/rounds.server";
import { onPostgres } from "../support/sql";
import { openNovemberRound, sanitationVillage, score, type SanitationVillage } from "./fixture";

let statements = 0;
const restore: (() => void)[] = [];

beforeAll(() => {
  // Every statement of every connection goes through these four methods of better-sqlite3, or on
  // PostgreSQL through pg's Client.query (each pooled connection is a pg.Client).
  const [proto, names] = onPostgres()
    ? [pg.Client.prototype as unknown as Record<string, (...a: unknown[]) => unknown>, ["query"]]
    : [Object.getPrototypeOf(new SQLite(":memory:").prepare("select 1")) as Record<string, (...a: unknown[]) => unknown>, ["run", "get", "all", "iterate"]];
  for (const name of names) {
    const original = proto[name];
    proto[name] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return original.apply(this, args);
    };
    restore.push(() => (proto[name] = original));
  }
});
afterAll(() => {
  for (const r of restore) r();
  clockControl.reset();
});

async function counted(fn: () => Promise<unknown>): Promise<number> {
  const before = statements;
  await fn();
  return statements - before;
}

/** Statements of the inspector's list, the next household, a household's page and a save, in a grid of this village. */
async function costs(v: SanitationVillage, roundId: number, household: number) {
  const round = await roundIn(v.villageId, roundId);
  return {
    list: await counted(() => scoringList(round, v.inspector2)),
    next: await counted(() => nextHousehold(round, v.inspector2, household)),
    page: await counted(() => scoringHousehold(round, v.inspector2, household)),
    save: await counted(() => score(v, v.inspector2, roundId, household, [40, 40])),
  };
}

describe("scoring costs the same whatever the size of the grid", () => {
  it("5 households or 45: the same statements for the list, the next household, a household and a save", async () => {
    clockControl.set(Date.UTC(2026, 10, 10, 2));
    const v = await sanitationVillage("COST");
    const roundId = await openNovemberRound(v);
    const small = await costs(v, roundId, v.C);
    for (let i = 0; i < 40; i++) {
      await createHousehold({ villageId: v.villageId, gridId: v.g1, number: String(100 + i), address: "", members: [{ name: `户主${i}`, relation: "户主" }] });
    }
    const large = await costs(v, roundId, v.D);
    for (const [what, n] of Object.entries(small)) expect(n, `${what}: no statement counted`).toBeGreaterThan(0);
    expect(large).toEqual(small);
  });
});
