// The contract other features (activities, rounds, campaigns) use to file claims in one batch.
import { describe, expect, it } from "vitest";
import { ClaimError, claimRow, fileClaimBatch } from "~/claims/claims.server";
import { unitOfWork } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { now } from "~/platform/clock.server";
import { claimVillage } from "./fixture";

const count = async () => Number(await sqlOn().value("select count(*) as n from claims"));

describe("fileClaimBatch", () => {
  it("files one pending claim per item inside the caller's transaction, with points from the rule", async () => {
    const v = await claimVillage("FB1");
    const at = now() - 3600_000;
    const ids = await unitOfWork(() =>
      fileClaimBatch({
        villageId: v.villageId,
        filer: { userId: v.committee1, role: "committee" },
        source: { kind: "activity", id: 7 },
        items: [
          { memberId: v.memberA, ruleId: v.rules.hours, occurredAt: at, quantity: 2.5, note: "植树" },
          { memberId: v.memberB, ruleId: v.rules.photo, occurredAt: at, quantity: 1, note: "" }, // sourced: no photo needed
        ],
      }),
    );
    expect(ids).toHaveLength(2);
    expect(await claimRow(ids[0])).toMatchObject({ status: "pending", points: 5, household_id: v.householdA, source_kind: "activity", source_id: 7 });
    expect(await claimRow(ids[1])).toMatchObject({ status: "pending", points: 8, household_id: v.householdB });
  });

  it("writes nothing when any item is refused, and says why in Chinese", async () => {
    const v = await claimVillage("FB2");
    const before = await count();
    const at = now() - 3600_000;
    const file = (items: Parameters<typeof fileClaimBatch>[0]["items"], role: "villager" | "committee" = "committee", userId = v.committee1) =>
      fileClaimBatch({ villageId: v.villageId, filer: { userId, role }, items });
    const ok = { memberId: v.memberA, ruleId: v.rules.sweep, occurredAt: at, quantity: 1, note: "" };
    await expect(file([ok, { ...ok, quantity: 1.5 }])).rejects.toThrow(/次数应为 1 到 100 的整数/);
    await expect(file([ok, { ...ok, occurredAt: now() + 86_400_000 }])).rejects.toThrow(/日期不能晚于今天/);
    await expect(file([{ ...ok, ruleId: v.rules.litter }])).rejects.toThrow(/需要上传照片/);
    // the villager: own household only, no deductions
    await expect(file([{ ...ok, memberId: v.memberB }], "villager", v.villager)).rejects.toThrow(/只能为本户成员申报/);
    // cap: 20 a month for a member at 10 a claim; the batch's own earlier items count
    const capped = { ...ok, ruleId: v.rules.capped };
    await expect(file([capped, capped, capped])).rejects.toThrow(ClaimError);
    await expect(file([capped, capped, capped])).rejects.toThrow(/张三：超出上限：这条细则该成员每月最多 20 分，当月已有 20 分（含待审核），还剩 0 分/);
    expect(await count()).toBe(before);
  });
});
