// Guards of a round found in review: the end date is enforced (a send-back is the one way to rescore
// after it) and the round's claims are dated inside the round, so caps count them in the round's month.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chinaMonth, clockControl } from "~/platform/clock.server";
import { inspectionOf } from "~/sanitation/inspections.server";
import { publishRound } from "~/sanitation/publish.server";
import { createRound, openRound, roundIn, sendBack } from "~/sanitation/rounds.server";
import { sqlOn } from "../support/sql";
import { absent, count, openNovemberRound, sanitationVillage, score, type SanitationVillage } from "./fixture";

const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8); // a China-time moment

afterAll(() => clockControl.reset());

describe("a round's end date", () => {
  let v: SanitationVillage;
  let roundId: number;
  const committee = () => ({ userId: v.committee1, role: "committee", villageId: v.villageId });

  beforeAll(async () => {
    clockControl.set(china(2026, 11, 10));
    v = await sanitationVillage("END");
    roundId = await openNovemberRound(v); // 2026-11-01 to 2026-11-30
  });

  it("refuses saves after the round's last day, except rescoring a household sent back", async () => {
    expect(await score(v, v.inspector2, roundId, v.C, [48, 47])).toMatchObject({ ok: true, tier: "优秀" });
    expect(await score(v, v.inspector2, roundId, v.D, [40, 40])).toMatchObject({ ok: true, tier: "良好" });

    clockControl.set(china(2026, 12, 3));
    const late = await score(v, v.inspector2, roundId, v.B, [45, 45]);
    expect(late).toMatchObject({ ok: false, status: 400 });
    expect(!late.ok && late.errors._form).toBe("这轮评比 11月30日 已结束，不能再评分；需要改分请村委退回重评");
    expect(await inspectionOf(roundId, v.B)).toBeNull();
    expect(await absent(v, v.inspector2, roundId, v.E, "家里没人")).toMatchObject({ ok: false, status: 400 });
    expect(await inspectionOf(roundId, v.E)).toBeNull();
    const edit = await score(v, v.inspector2, roundId, v.D, [30, 30], { version: "1" });
    expect(!edit.ok && edit.errors._form).toContain("已结束");
    expect(await inspectionOf(roundId, v.D)).toMatchObject({ total: 80, version: 1 });
    // A resent form of a save made in time changes nothing and still gets its answer.
    expect(await score(v, v.inspector2, roundId, v.D, [40, 40], { version: "0" })).toMatchObject({ ok: true, repeated: true });

    // The committee sends C back after the end: the inspector may rescore it.
    expect(await sendBack(committee(), v.villageId, roundId, v.C, "照片看不清")).toMatchObject({ ok: true });
    const rescored = await score(v, v.inspector2, roundId, v.C, [46, 46], { version: String((await inspectionOf(roundId, v.C))!.version) });
    expect(rescored).toMatchObject({ ok: true, total: 92, tier: "优秀" });
    expect((await inspectionOf(roundId, v.C))!.saved_at).toBe(china(2026, 12, 3));
  });

  it("dates the round's claims inside the round, so the next month's caps do not count them", async () => {
    clockControl.set(china(2026, 12, 4));
    expect(await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId)).toMatchObject({ ok: true, claims: 2 });
    const round = await roundIn(v.villageId, roundId);
    const claims = await sqlOn().all<{ household_id: number; occurred_at: number }>("select household_id, occurred_at from claims where source_kind = 'round' and source_id = ? order by household_id", roundId);
    for (const c of claims) {
      expect(c.occurred_at).toBeGreaterThanOrEqual(round.starts_at);
      expect(c.occurred_at).toBeLessThan(round.ends_at);
      expect(chinaMonth(c.occurred_at)).toBe("2026-11");
    }
    // C's November claim was saved on 12-03 (a rescore after a send-back): it is dated on the round's last day.
    expect(claims.find((c) => c.household_id === v.C)!.occurred_at).toBe(round.ends_at - 1);

    // December's round: C is 优秀 again, and the 优秀 rule's cap (10 a month) leaves room for it.
    const december = await createRound(committee(), v.villageId, {
      title: "2026年12月", checklistId: String(round.checklist_id), startsOn: "2026-12-01", endsOn: "2026-12-31",
    }, [`${v.g1}-${v.inspector2}`]);
    if (!december.ok) throw new Error(JSON.stringify(december.errors));
    expect(await openRound(committee(), v.villageId, december.roundId)).toMatchObject({ ok: true });
    clockControl.set(china(2026, 12, 10));
    expect(await score(v, v.inspector2, december.roundId, v.C, [48, 48])).toMatchObject({ ok: true, tier: "优秀" });
    expect(await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, december.roundId)).toMatchObject({ ok: true, claims: 1 });
    expect(await count("select count(*) as n from claims where household_id = ? and status <> 'rejected'", v.C)).toBe(2);
  });
});

describe("a household sent back (退回重评)", () => {
  let v: SanitationVillage;
  let roundId: number;
  const committee = () => ({ userId: v.committee1, role: "committee", villageId: v.villageId });

  beforeAll(async () => {
    clockControl.set(china(2026, 11, 10));
    v = await sanitationVillage("BACK");
    roundId = await openNovemberRound(v);
  });

  it("is not undone by a stale form re-posted by anyone, its own inspector included", async () => {
    expect(await score(v, v.inspector2, roundId, v.D, [40, 40], { note: "还行" })).toMatchObject({ ok: true, total: 80 });
    expect(await sendBack(committee(), v.villageId, roundId, v.D, "照片看不清，请重拍")).toMatchObject({ ok: true });
    const returned = (await inspectionOf(roundId, v.D))!;
    expect(returned).toMatchObject({ status: "returned", version: 2 });
    // The same form again (a retry after a dropped connection, the back button): version 0 or 1.
    for (const version of ["0", "1"]) {
      const stale = await score(v, v.inspector2, roundId, v.D, [40, 40], { note: "还行", version });
      expect(stale).toMatchObject({ ok: false, status: 409 });
      expect(!stale.ok && stale.errors._form).toBe("这户已被村委退回重评（照片看不清，请重拍），你提交的是退回前的页面，没有保存。请重新打开这户再评分");
    }
    const staleAbsent = await absent(v, v.inspector2, roundId, v.D, "家里没人", "1");
    expect(staleAbsent).toMatchObject({ ok: false, status: 409 });
    const other = await score(v, v.inspector1, roundId, v.D, [30, 30], { version: "1" });
    expect(other).toMatchObject({ ok: false, status: 409 });
    expect(!other.ok && other.errors._form).toContain("这户已被村委退回重评");
    expect(await inspectionOf(roundId, v.D)).toEqual(returned);
    // From the fresh page (the current version) the rescore is saved.
    expect(await score(v, v.inspector2, roundId, v.D, [45, 40], { version: "2" })).toMatchObject({ ok: true, total: 85 });
    expect(await inspectionOf(roundId, v.D)).toMatchObject({ status: "scored", total: 85, version: 3, returned_reason: null });
  });

  it("cannot be sent back by a committee member of that household", async () => {
    expect(await score(v, v.inspector1, roundId, v.B, [45, 45])).toMatchObject({ ok: true, total: 90 });
    const before = (await inspectionOf(roundId, v.B))!;
    const own = await sendBack({ userId: v.committee2, role: "committee", villageId: v.villageId }, v.villageId, roundId, v.B, "分数偏低");
    expect(own).toMatchObject({ ok: false, errors: { _form: "不能处理本户的评分，请由另一位村委委员处理" } });
    expect(await inspectionOf(roundId, v.B)).toEqual(before);
    expect(await count("select count(*) as n from audit_log where action = 'inspection.return' and target_id = ?", before.id)).toBe(0);
    expect(await sendBack(committee(), v.villageId, roundId, v.B, "照片看不清")).toMatchObject({ ok: true });
  });
});
