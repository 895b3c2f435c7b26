// The committee's review queue pages through every pending claim; the heading counts them all.
import { describe, expect, it } from "vitest";
import { reviewQueue, REVIEW_PAGE_SIZE } from "~/claims/views.server";
import { fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { claimVillage } from "./fixture";

describe("review queue", () => {
  it("shows every pending claim exactly once across pages, oldest first, and counts them all", async () => {
    const v = await claimVillage("RQ");
    const item = (memberId: number) => ({ memberId, ruleId: v.rules.sweep, occurredAt: now() - 3600_000, quantity: 1, note: "" });
    const ids = await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: Array.from({ length: REVIEW_PAGE_SIZE + 7 }, (_, i) => item(i % 2 ? v.memberA : v.memberB)) });
    const first = await reviewQueue(v.villageId, { rule: null, grid: null, filer: null }, 1);
    expect(first).toMatchObject({ total: ids.length, page: 1, pages: 2 });
    const second = await reviewQueue(v.villageId, { rule: null, grid: null, filer: null }, 2);
    expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(ids);
    // A page past the end shows the last page; a filter narrows the count.
    expect((await reviewQueue(v.villageId, { rule: null, grid: null, filer: null }, 99)).page).toBe(2);
    expect(await reviewQueue(v.villageId, { rule: v.rules.hours, grid: null, filer: null }, 1)).toMatchObject({ total: 0, pages: 1, rows: [] });
  });
});
