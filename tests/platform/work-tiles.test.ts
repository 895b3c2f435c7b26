// The work tiles say what waits behind each job, as the database counts it: claims pending review in
// the village, rounds open for scoring; each village counts only its own. (The keeper's codes:
// tests/store/counts.test.ts, its own file because the store fixture numbers phones its own way.)
import { describe, expect, it } from "vitest";
import { fileClaimBatch, rejectClaim } from "~/claims/claims.server";
import { waitingCount } from "~/claims/counts.server";
import { now } from "~/platform/clock.server";
import { navFor } from "~/platform/nav";
import { workTiles } from "~/platform/work-tiles.server";
import { openRoundCount } from "~/sanitation/counts.server";
import { claimVillage } from "../claims/fixture";
import { openNovemberRound, sanitationVillage } from "../sanitation/fixture";
import { sqlOn } from "../support/sql";

const count = async (text: string, ...args: unknown[]) => Number((await sqlOn().get<{ n: number }>(text, ...args))!.n);

describe("审核申报: claims waiting for review", () => {
  it("counts the village's pending claims, not decided ones nor another village's", async () => {
    const v = await claimVillage("WT1");
    const other = await claimVillage("WT2");
    const item = (memberId: number) => ({ memberId, ruleId: v.rules.sweep, occurredAt: now() - 3600_000, quantity: 1, note: "" });
    const ids = await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: [item(v.memberA), item(v.memberB), item(v.memberA2)] });
    await fileClaimBatch({ villageId: other.villageId, filer: { userId: other.inspector, role: "inspector" }, items: [{ ...item(other.memberA), ruleId: other.rules.sweep }] });
    expect(await waitingCount(v.villageId)).toBe(3);
    await rejectClaim(v.villageId, ids[0], { userId: v.committee1, role: "committee" }, "重复申报");
    expect(await waitingCount(v.villageId)).toBe(2);
    expect(await waitingCount(v.villageId)).toBe(await count("select count(*) as n from claims where village_id = ? and status = 'pending'", v.villageId));
    expect(await waitingCount(other.villageId)).toBe(1);
    // The committee's tile carries the same number.
    const tiles = await workTiles(navFor([{ role: "committee", villageId: v.villageId }], false).filter((n) => n.work), v.committee1);
    expect(tiles.find((t) => t.label === "审核申报")?.waits).toEqual({ n: 2, kind: "claims" });
    expect(tiles.find((t) => t.label === "登记积分")?.waits).toBeNull();
  });
});

describe("卫生评比: rounds under way", () => {
  it("counts the village's open rounds", async () => {
    const v = await sanitationVillage("WT6");
    expect(await openRoundCount(v.villageId)).toBe(0);
    await openNovemberRound(v);
    expect(await openRoundCount(v.villageId)).toBe(1);
    expect(await openRoundCount(v.villageId)).toBe(await count("select count(*) as n from sanitation_rounds where village_id = ? and status = 'open'", v.villageId));
  });
});
