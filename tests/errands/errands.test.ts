// 代跑 (mutual-aid errands): who may post for whom, who may take, who confirms (never the volunteer),
// cancelling and giving back, the claim filed on confirm (then reviewed and credited like any claim),
// the untaken-needs notice (once), the settings' rule, and the two races: two volunteers taking the
// last need, two confirms of one errand. Run on SQLite and on PostgreSQL (TEST_DATABASE_URL).
import { afterEach, describe, expect, it } from "vitest";
import { approveClaim, claimRow, creditDueClaims } from "~/claims/claims.server";
import {
  cancelErrand, confirmErrand, errandFor, giveBackErrand, myErrands, noteUntakenErrands, openNeeds, postableHouseholds, postErrand, setErrandRule,
  takeErrand, villageErrands,
} from "~/errands/errands.server";
import { actFromForm, postFromForm } from "~/errands/forms.server";
import { householdBalance } from "~/ledger/ledger.server";
import { clockControl, now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { DAY, errandVillage, setApprovals, viewer, type ErrandVillage } from "./fixture";

afterEach(() => clockControl.reset());
const q = () => sqlOn();

async function post(v: ErrandVillage, by: number, householdId: number, what = "去镇上买药"): Promise<number> {
  return postErrand(await viewer(by), { householdId, what, place: "镇卫生院", dueAt: now() + 2 * DAY });
}

const status = async (id: number) => (await q().value<string>("select status from errands where id = ?", id))!;

describe("posting", () => {
  it("a villager posts for their own household; the 联户长 and the grid worker for their group's and grid's households; nobody else", async () => {
    const v = await errandVillage("EP1");
    expect(await status(await post(v, v.helped, v.hH))).toBe("open");
    const byLeader = await post(v, v.leader, v.hE);
    const byWorker = await post(v, v.worker, v.hE);
    expect(await q().value("select poster_kind from errands where id = ?", byLeader)).toBe("group_leader");
    expect(await q().value("select poster_kind from errands where id = ?", byWorker)).toBe("grid_worker");
    // A volunteer for another household, the helped household's member for someone else's: refused.
    await expect(post(v, v.vol1, v.hE)).rejects.toThrow("只能为自己家、自己联户或自己网格的农户发布");
    await expect(post(v, v.helped, v.hV1)).rejects.toThrow("只能为自己家");
    // The committee is not who posts (the grid worker or 联户长 is).
    await expect(post(v, v.committee1, v.hE)).rejects.toThrow("只能为自己家");
    // V1 and V2 are not in the leader's group (the grid worker has them: the whole grid).
    await expect(post(v, v.leader, v.hV1)).rejects.toThrow("只能为自己家");
    const choices = await postableHouseholds(await viewer(v.leader));
    expect(choices.map((c) => c.id).sort()).toEqual([v.hL, v.hE, v.hH].sort());
    expect(choices.find((c) => c.id === v.hE)!.noPhone).toBe(true);
    expect(choices.find((c) => c.id === v.hH)!.noPhone).toBe(false);
    expect((await postableHouseholds(await viewer(v.worker))).length).toBe(6);
    expect(await postableHouseholds(await viewer(v.committee1))).toEqual([]);
  });

  it("a village without an errand rule cannot post; dates and text are checked, nothing written on bad input", async () => {
    const v = await errandVillage("EP2", { rule: false });
    await expect(post(v, v.helped, v.hH)).rejects.toThrow("本村还没有开通代跑积分");
    await setErrandRule({ userId: v.committee1, role: "village_admin", villageId: v.villageId }, v.villageId, v.ruleId);
    const me = await viewer(v.helped);
    await expect(postErrand(me, { householdId: v.hH, what: "买药", place: "镇上", dueAt: now() - 1 })).rejects.toThrow("截止日期不能早于今天");
    await expect(postErrand(me, { householdId: v.hH, what: "买药", place: "镇上", dueAt: now() + 40 * DAY })).rejects.toThrow("30 天以内");
    const bad = [
      { householdId: String(v.hH), what: "", place: "镇上", dueDate: "2099-01-01" },
      { householdId: String(v.hH), what: "买<b>药</b>", place: "镇上", dueDate: "2099-01-01" },
      { householdId: String(v.hH), what: "买药", place: "x".repeat(61), dueDate: "2099-01-01" },
      { householdId: String(v.hH), what: "买药", place: "镇上", dueDate: "2026-02-31" },
      { householdId: String(v.hH), what: "买药", place: "镇上", dueDate: "明天" },
      { householdId: "abc", what: "买药", place: "镇上", dueDate: "2099-01-01" },
      { what: "买药", place: "镇上", dueDate: "2099-01-01" },
      { householdId: "99999999", what: "买药", place: "镇上", dueDate: "2099-01-01" },
    ];
    for (const raw of bad) {
      const out = await postFromForm(me, raw as Record<string, string>);
      expect(out.ok, JSON.stringify(raw)).toBe(false);
      if (!out.ok) expect(Object.values(out.errors).join("")).toMatch(/[\u4e00-\u9fa5]/);
    }
    expect(await q().value("select count(*) as n from errands where village_id = ?", v.villageId)).toBe(0);
    // A rule that is not an award counted in times cannot be chosen.
    await expect(setErrandRule({ userId: v.committee1, role: "village_admin", villageId: v.villageId }, v.villageId, v.hourRule)).rejects.toThrow("按次计");
  });
});

describe("taking, giving back, cancelling", () => {
  it("a villager of another household takes it; the helped household, staff without a household and other villages cannot", async () => {
    const v = await errandVillage("ET1");
    const other = await errandVillage("ET1B");
    const id = await post(v, v.leader, v.hE);
    await expect(takeErrand(await viewer(v.committee1), id)).rejects.toThrow("只有本村村民可以接代跑");
    await expect(takeErrand(await viewer(other.vol1), id)).rejects.toThrow("找不到这条代跑需求");
    await expect(errandFor(await viewer(other.vol1), id)).rejects.toThrow("找不到");
    const own = await post(v, v.helped, v.hH);
    await expect(takeErrand(await viewer(v.helped2), own)).rejects.toThrow("不能接自己家的需求");
    expect((await openNeeds(v.villageId, v.hH)).map((e) => e.id)).toEqual([id]);
    await takeErrand(await viewer(v.vol1), id);
    expect(await status(id)).toBe("taken");
    // The poster hears of it.
    expect(await q().value("select count(*) as n from notifications where user_id = ? and kind = 'errand.taken'", v.leader)).toBe(1);
    await expect(takeErrand(await viewer(v.vol2), id)).rejects.toThrow("这条需求刚刚被别人接了");
    // Only the volunteer gives it back; then someone else may take it.
    await expect(giveBackErrand(await viewer(v.vol2), id)).rejects.toThrow("这条代跑不是你接的");
    await giveBackErrand(await viewer(v.vol1), id);
    expect(await status(id)).toBe("open");
    await takeErrand(await viewer(v.vol2), id);
    expect(await q().value("select volunteer_user_id from errands where id = ?", id)).toBe(v.vol2);
  });

  it("the poster or the helped household cancels; a reason once taken; not when done; not by the volunteer or others", async () => {
    const v = await errandVillage("EC1");
    const a = await post(v, v.helped, v.hH);
    await expect(cancelErrand(await viewer(v.vol1), a, "")).rejects.toThrow("只有发布人或被帮助的农户可以取消");
    await cancelErrand(await viewer(v.helped2), a, ""); // a member of the household helped, not the poster
    expect(await status(a)).toBe("cancelled");
    await expect(takeErrand(await viewer(v.vol1), a)).rejects.toThrow("这条需求已经取消了");
    const b = await post(v, v.leader, v.hE);
    await takeErrand(await viewer(v.vol1), b);
    await expect(cancelErrand(await viewer(v.leader), b, "")).rejects.toThrow("取消要写明原因");
    await expect(cancelErrand(await viewer(v.vol1), b, "不去了")).rejects.toThrow("不接了");
    const form = await actFromForm(await viewer(v.leader), b, { intent: "cancel", reason: "家里人回来了" });
    expect(form.ok).toBe(true);
    expect(await q().get("select status, cancel_reason from errands where id = ?", b)).toEqual({ status: "cancelled", cancel_reason: "家里人回来了" });
    expect(await q().value("select count(*) as n from notifications where user_id = ? and kind = 'errand.cancelled'", v.vol1)).toBe(1);
    const c = await post(v, v.leader, v.hE);
    await takeErrand(await viewer(v.vol1), c);
    await confirmErrand(await viewer(v.leader), c);
    await expect(cancelErrand(await viewer(v.leader), c, "晚了")).rejects.toThrow("这条代跑已经完成了");
  });
});

describe("confirming", () => {
  it("nobody confirms their own errand: the volunteer never, even as poster; the helped household or the poster does", async () => {
    const v = await errandVillage("EF1");
    // The grid worker has no household and cannot take; the 联户长 posts for E and takes H's need.
    const own = await post(v, v.helped, v.hH);
    await takeErrand(await viewer(v.leader), own);
    await expect(confirmErrand(await viewer(v.leader), own)).rejects.toThrow("不能确认自己接的代跑");
    // A poster who took their own posting (a 联户长 for a household of the group) cannot confirm it either.
    const mine = await post(v, v.leader, v.hE);
    await takeErrand(await viewer(v.leader), mine);
    await expect(confirmErrand(await viewer(v.leader), mine)).rejects.toThrow("不能确认自己接的代跑");
    await expect(confirmErrand(await viewer(v.vol2), own)).rejects.toThrow("只有被帮助的农户或发布人可以确认完成");
    await expect(confirmErrand(await viewer(v.worker), own)).rejects.toThrow("只有被帮助的农户或发布人可以确认完成");
    const before = await q().value<number>("select count(*) as n from claims");
    expect(await status(own)).toBe("taken");
    expect(await q().value("select count(*) as n from claims")).toBe(before);
    // The son of the household helped (not the poster) confirms.
    const claimId = await confirmErrand(await viewer(v.helped2), own);
    const claim = await claimRow(claimId);
    expect(claim).toMatchObject({ status: "pending", source_kind: "errand", source_id: own, rule_id: v.ruleId, points: 3, filer_user_id: v.helped2 });
    expect(await q().value("select claim_id from errands where id = ?", own)).toBe(claimId);
    expect(await q().value("select count(*) as n from notifications where user_id = ? and kind = 'errand.confirmed'", v.leader)).toBe(1);
    await expect(confirmErrand(await viewer(v.helped), own)).rejects.toThrow("已经确认过了");
    // An open need cannot be confirmed.
    const open = await post(v, v.helped, v.hH);
    await expect(confirmErrand(await viewer(v.helped), open)).rejects.toThrow("现在没有人接");
  });

  it("the claim goes through review (two approvals) and 公示, then credits the volunteer's household; both households see the errand", async () => {
    const v = await errandVillage("EF2");
    await setApprovals(v.villageId, 3, 2);
    const id = await post(v, v.leader, v.hE);
    await takeErrand(await viewer(v.vol1), id);
    const claimId = await confirmErrand(await viewer(v.leader), id);
    expect((await claimRow(claimId)).filer_role).toBe("group_leader");
    const balance = (await householdBalance(v.hV1)).balance;
    expect(await approveClaim(v.villageId, claimId, { userId: v.committee1, role: "committee" })).toBe("needs_more");
    expect(await approveClaim(v.villageId, claimId, { userId: v.committee2, role: "committee" })).toBe("approved");
    expect(await creditDueClaims()).toBe(0);
    clockControl.set(now() + 3 * DAY + 60_000);
    await creditDueClaims();
    expect((await claimRow(claimId)).status).toBe("credited");
    expect((await householdBalance(v.hV1)).balance).toBe(balance + 3);
    // 我的记录: the volunteer's household ran it, the leader posted it.
    const vol = await myErrands(v.vol1, v.hV1);
    expect(vol.taken.map((e) => e.id)).toEqual([id]);
    expect(vol.taken[0].claimStatus).toBe("credited");
    expect((await myErrands(v.leader, v.hL)).posted.map((e) => e.id)).toEqual([id]);
  });

  it("a claim that cannot be filed (the rule retired) leaves the errand taken and says why", async () => {
    const v = await errandVillage("EF3");
    const id = await post(v, v.helped, v.hH);
    await takeErrand(await viewer(v.vol1), id);
    await q().run("update rules set active = 0 where id = ?", v.ruleId);
    await expect(confirmErrand(await viewer(v.helped), id)).rejects.toThrow("没能提交志愿者的积分申报");
    expect(await status(id)).toBe("taken");
    expect(await q().value("select count(*) as n from claims where source_kind = 'errand' and village_id = ?", v.villageId)).toBe(0);
  });
});

describe("needs nobody took within a day", () => {
  it("show on the grid worker's list and reach the grid worker and 联户长 once", async () => {
    const v = await errandVillage("EU1");
    const id = await post(v, v.leader, v.hE);
    const fresh = await post(v, v.helped, v.hH);
    await noteUntakenErrands(); // other tests' needs, posted earlier today, are not due either
    expect(await q().value("select count(*) as n from errands where village_id = ? and overdue_noted_at is not null", v.villageId)).toBe(0);
    clockControl.set(now() + DAY + 1000);
    await post(v, v.helped, v.hH); // posted just now: not yet
    const seen = await villageErrands(v.villageId, [v.gridId], 1);
    expect(seen.untaken.map((e) => e.id).sort()).toEqual([id, fresh].sort());
    expect((await villageErrands(v.villageId, [], 1)).untaken).toEqual([]);
    const [a, b] = await Promise.all([noteUntakenErrands(), noteUntakenErrands()]);
    expect(a + b).toBeGreaterThanOrEqual(2); // other tests' open needs are a day old now too
    expect(await noteUntakenErrands()).toBe(0);
    expect(await q().value("select count(*) as n from errands where village_id = ? and overdue_noted_at is not null", v.villageId)).toBe(2);
    expect(await q().value("select count(*) as n from notifications where user_id = ? and kind = 'errand.untaken'", v.worker)).toBe(2);
    expect(await q().value("select count(*) as n from notifications where user_id = ? and kind = 'errand.untaken'", v.leader)).toBe(2);
  });
});

describe("races", () => {
  it("two volunteers take the last need at once: one gets it, the other a clear message", async () => {
    const v = await errandVillage("ER1");
    for (let round = 0; round < 3; round++) {
      const id = await post(v, v.leader, v.hE);
      const [w1, w2] = [await viewer(v.vol1), await viewer(v.vol2)];
      const outs = await Promise.allSettled([takeErrand(w1, id), takeErrand(w2, id)]);
      expect(outs.filter((o) => o.status === "fulfilled"), JSON.stringify(outs)).toHaveLength(1);
      expect((outs.find((o) => o.status === "rejected") as PromiseRejectedResult).reason.message).toBe("这条需求刚刚被别人接了，请看看其他需求");
      const row = (await q().get<{ status: string; volunteer_user_id: number }>("select status, volunteer_user_id from errands where id = ?", id))!;
      expect(row.status).toBe("taken");
      expect(row.volunteer_user_id).toBe(outs[0].status === "fulfilled" ? v.vol1 : v.vol2);
    }
  });

  it("two confirms of one errand at once (the poster and the person helped) file one claim", async () => {
    const v = await errandVillage("ER2");
    for (let round = 0; round < 3; round++) {
      const id = await post(v, v.helped, v.hH);
      await takeErrand(await viewer(v.vol1), id);
      const outs = await Promise.allSettled([confirmErrand(await viewer(v.helped), id), confirmErrand(await viewer(v.helped2), id)]);
      expect(outs.filter((o) => o.status === "fulfilled"), JSON.stringify(outs)).toHaveLength(1);
      expect((outs.find((o) => o.status === "rejected") as PromiseRejectedResult).reason.message).toBe("这条代跑已经确认过了，积分申报只提交一次");
      expect(await q().value("select count(*) as n from claims where source_kind = 'errand' and source_id = ?", id)).toBe(1);
    }
  });
});
