// The committee's review queue: every pending claim exactly once across pages, the longest waiting
// first; a claim this member may not decide is shown but marked why; after a decision the member
// is sent to the next claim waiting for them.
import { afterEach, describe, expect, it } from "vitest";
import { householdClaims, nextToReview, reviewerOf, reviewQueue, REVIEW_PAGE_SIZE } from "~/claims/views.server";
import { afterDecision, decideFromForm, reviewDoneSchema } from "~/claims/forms.server";
import { approveClaim, fileClaimBatch, rejectClaim } from "~/claims/claims.server";
import { clockControl, now } from "~/platform/clock.server";
import { claimVillage, setVillage, type ClaimVillage } from "./fixture";

const ALL = { rule: null, grid: null, filer: null };
const DAY = 86_400_000;
afterEach(() => clockControl.reset());

/** One claim filed at `at` (the clock set there), about a thing done the day before. */
async function fileAt(v: ClaimVillage, at: number, memberId: number, by: { userId: number; role: "inspector" | "committee" } = { userId: v.inspector, role: "inspector" }): Promise<number> {
  clockControl.set(at);
  const [id] = await fileClaimBatch({ villageId: v.villageId, filer: by, items: [{ memberId, ruleId: v.rules.sweep, occurredAt: at - DAY, quantity: 1, note: "" }] });
  return id;
}

describe("review queue", () => {
  it("shows every pending claim exactly once across pages and counts them all", async () => {
    const v = await claimVillage("RQ");
    const me = await reviewerOf(v.committee1);
    const item = (memberId: number) => ({ memberId, ruleId: v.rules.sweep, occurredAt: now() - 3600_000, quantity: 1, note: "" });
    const ids = await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: Array.from({ length: REVIEW_PAGE_SIZE + 7 }, (_, i) => item(i % 2 ? v.memberA : v.memberB)) });
    const first = await reviewQueue(v.villageId, ALL, 1, me);
    expect(first).toMatchObject({ total: ids.length, page: 1, pages: 2 });
    const second = await reviewQueue(v.villageId, ALL, 2, me);
    expect([...first.rows, ...second.rows].map((r) => r.id)).toEqual(ids);
    // A page past the end shows the last page; a filter narrows the count.
    expect((await reviewQueue(v.villageId, ALL, 99, me)).page).toBe(2);
    expect(await reviewQueue(v.villageId, { rule: v.rules.hours, grid: null, filer: null }, 1, me)).toMatchObject({ total: 0, pages: 1, rows: [] });
  });

  it("puts the longest waiting claim first, whatever its number", async () => {
    const v = await claimVillage("RQO");
    const t = Date.UTC(2026, 10, 20, 2);
    // Filed in this order of ids, but the second was filed earliest (e.g. an activity closed late).
    const late = await fileAt(v, t + 2 * DAY, v.memberA);
    const early = await fileAt(v, t, v.memberA);
    const middle = await fileAt(v, t + DAY, v.memberB);
    clockControl.set(t + 3 * DAY);
    const q = await reviewQueue(v.villageId, ALL, 1, await reviewerOf(v.committee1));
    expect(q.rows.map((r) => r.id)).toEqual([early, middle, late]);
    expect(q.rows.map((r) => r.waitingDays)).toEqual([3, 2, 1]);
  });

  it("marks, with the reason, a claim of the member's household, one the member filed, one the member approved", async () => {
    const v = await claimVillage("RQB");
    await setVillage(v.villageId, 3, 2);
    const t = Date.UTC(2026, 10, 20, 2);
    const ownHousehold = await fileAt(v, t, v.memberB); // committee2 lives in household B
    const ownFiled = await fileAt(v, t + 1000, v.memberA, { userId: v.committee2, role: "committee" });
    const approvedByMe = await fileAt(v, t + 2000, v.memberA);
    const open = await fileAt(v, t + 3000, v.memberA);
    await approveClaim(v.villageId, approvedByMe, { userId: v.committee2, role: "committee" });
    const q = await reviewQueue(v.villageId, ALL, 1, await reviewerOf(v.committee2));
    expect(Object.fromEntries(q.rows.map((r) => [r.id, r.blocked]))).toEqual({
      [ownHousehold]: "本户申报，需其他委员审核",
      [ownFiled]: "本人提交，需其他委员审核",
      [approvedByMe]: "你已通过，还需其他委员审核",
      [open]: null,
    });
    // The other member (no household in the village, filed none, approved none) may decide them all.
    expect((await reviewQueue(v.villageId, ALL, 1, await reviewerOf(v.committee1))).rows.every((r) => r.blocked === null)).toBe(true);
    // The server still refuses what the page would not let them select.
    await expect(approveClaim(v.villageId, ownHousehold, { userId: v.committee2, role: "committee" })).rejects.toThrow(/不能审核本户的申报/);
  });

  it("the next claim to open is the longest waiting one this member may decide, then none", async () => {
    const v = await claimVillage("RQN");
    const t = Date.UTC(2026, 10, 20, 2);
    const ownHousehold = await fileAt(v, t, v.memberB);
    const second = await fileAt(v, t + 2 * DAY, v.memberA);
    const first = await fileAt(v, t + DAY, v.memberA);
    clockControl.set(t + 3 * DAY);
    const c2 = { userId: v.committee2, role: "committee" as const };
    const me = await reviewerOf(v.committee2);
    expect(me.householdId).toBe(v.householdB);
    expect(await nextToReview(v.villageId, me)).toBe(first); // the older own-household claim is skipped
    const out = await decideFromForm(v.villageId, first, c2, { intent: "approve" });
    expect(out).toMatchObject({ ok: true, done: "approved", message: "已通过，进入公示" });
    expect(await afterDecision(v.villageId, v.committee2, "approved")).toBe(`/v/${v.villageId}/review/${second}?done=approved`);
    expect(await decideFromForm(v.villageId, second, c2, { intent: "reject", reason: "照片看不清" })).toMatchObject({ ok: true, done: "rejected" });
    expect(await nextToReview(v.villageId, me)).toBeNull();
    expect(await afterDecision(v.villageId, v.committee2, "rejected")).toBe(`/v/${v.villageId}/review?done=rejected`);
    // The other member still has the own-household claim to decide.
    expect(await nextToReview(v.villageId, await reviewerOf(v.committee1))).toBe(ownHousehold);
    // A refused decision says nothing about moving on.
    const refused = await decideFromForm(v.villageId, ownHousehold, c2, { intent: "approve" });
    expect(refused).toMatchObject({ ok: false });
    expect("done" in refused).toBe(false);
  });

  it("reads only the known `done` keys from a URL", () => {
    expect(reviewDoneSchema.parse("approved")).toBe("approved");
    expect(reviewDoneSchema.parse("needs_more")).toBe("needs_more");
    expect(reviewDoneSchema.parse("<script>")).toBeNull();
    expect(reviewDoneSchema.parse(null)).toBeNull();
    expect(reviewDoneSchema.parse(undefined)).toBeNull();
  });
});

describe("a household's claims", () => {
  it("are newest first by the day the thing was done, whatever the order they were filed in", async () => {
    const v = await claimVillage("HC");
    const t = Date.UTC(2026, 10, 20, 2);
    clockControl.set(t);
    const file = async (daysAgo: number) =>
      (await fileClaimBatch({ villageId: v.villageId, filer: { userId: v.villager, role: "household_head" }, items: [{ memberId: v.memberA, ruleId: v.rules.sweep, occurredAt: t - daysAgo * DAY, quantity: 1, note: "" }] }))[0];
    const tenDays = await file(10);
    const oneDay = await file(1);
    const fiveDays = await file(5);
    await rejectClaim(v.villageId, tenDays, { userId: v.committee1, role: "committee" }, "重复申报");
    expect((await householdClaims(v.householdA)).map((c) => c.id)).toEqual([oneDay, fiveDays, tenDays]);
  });
});
