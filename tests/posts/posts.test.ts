// 定岗认责: a post and its own rule, applying and appointing, the monthly confirmation that files one
// claim (reviewed like any other), who may confirm, and the races (two confirmers of one month, two
// taps on 申请, two appointments for the last seat).
import { describe, expect, it } from "vitest";
import { approveClaim, fileClaimBatch } from "~/claims/claims.server";
import { chinaMonth, now } from "~/platform/clock.server";
import { previousMonth } from "~/posts/labels";
import {
  applyForPost, appoint, confirmList, confirmMonth, createPost, decideApplication, endHolding, memberPosts, setPostActive, updatePost,
} from "~/posts/posts.server";
import { claimFormOptions } from "~/claims/forms.server";
import { ruleChoices } from "~/activities/activities.server";
import { errandRuleChoices, setErrandRule } from "~/errands/errands.server";
import { awardRules as bulkAwardRules } from "~/bulk/bulk.server";
import { awardRules as campaignAwardRules } from "~/campaigns/campaigns.server";
import { setRuleActive, updateRule, villageRules } from "~/rules/rules.server";
import { sqlOn } from "../support/sql";
import { postVillage, type PostVillage } from "./fixture";

const q = () => sqlOn();
const month = () => chinaMonth(now());
const errorOf = (out: { ok: boolean; errors?: Record<string, string> }) => (out.ok ? null : Object.values(out.errors!)[0]);

async function appointed(v: PostVillage, memberId: number, postId = v.postId): Promise<number> {
  const out = await appoint(v.actor, v.villageId, postId, memberId);
  if (!out.ok) throw new Error(JSON.stringify(out.errors));
  return out.holdingId;
}
/** Pretend the holding began `back` months ago (so earlier months can be confirmed). */
async function startedBack(holdingId: number, back: number): Promise<string> {
  let m = month();
  for (let i = 0; i < back; i++) m = previousMonth(m);
  await q().run("update post_holdings set start_month = ? where id = ?", m, holdingId);
  return m;
}
const worker = (v: PostVillage) => ({ userId: v.inspector, role: "inspector" as const });
const committee1 = (v: PostVillage) => ({ userId: v.committee1, role: "committee" as const });

describe("a post and its rule", () => {
  it("creating a post creates its rule (allowance per time, once a member a month) in the same unit of work", async () => {
    const v = await postVillage("PA");
    const post = (await q().get<{ rule_id: number; allowance: number; seats: number }>("select rule_id, allowance, seats from posts where id = ?", v.postId))!;
    const rule = (await q().get<Record<string, unknown>>("select * from rules where id = ?", post.rule_id))!;
    expect(rule).toMatchObject({ name: "定岗：民情信息员", points: 20, unit: "time", cap_member_month: 20, active: 1, evidence_required: 0 });
    expect(post).toMatchObject({ allowance: 20, seats: 2 });

    const rules = async () => (await q().value<number>("select count(*) as n from rules where village_id = ?", v.villageId))!;
    const before = await rules();
    expect(errorOf(await createPost(v.actor, v.villageId, { name: "民情信息员", duties: "", allowance: 5, seats: 1 }))).toBe("本村已经有这个岗位");
    // A rule of that name already in use: the post is refused and its rule is not left behind.
    await q().run("insert into rules (village_id, category, name, points, unit, evidence_required, active, created_at, updated_at) values (?, 'volunteer', '定岗：纠纷调解员', 3, 'time', 0, 1, 0, 0)", v.villageId);
    const clash = await createPost(v.actor, v.villageId, { name: "纠纷调解员", duties: "", allowance: 5, seats: 1 });
    expect(errorOf(clash)).toContain("积分细则里已经有在用的“定岗：纠纷调解员”");
    expect(await rules()).toBe(before + 1);
    expect(await q().value<number>("select count(*) as n from posts where village_id = ?", v.villageId)).toBe(1);
  });

  it("a post's rule is earned only by a confirmation: a claim filed by hand or from another source is refused", async () => {
    const v = await postVillage("PH");
    const ruleId = (await q().value<number>("select rule_id from posts where id = ?", v.postId))!;
    const item = { memberId: v.memberA, ruleId, occurredAt: now() - 60_000, quantity: 1, note: "" };
    await expect(fileClaimBatch({ villageId: v.villageId, filer: { userId: v.villager, role: "household_head" }, items: [item] })).rejects.toThrow("是岗位补贴");
    await expect(fileClaimBatch({ villageId: v.villageId, filer: { userId: v.committee1, role: "committee" }, source: { kind: "bulk", id: 1 }, items: [item] })).rejects.toThrow("是岗位补贴");
    expect(await q().value("select count(*) as n from claims where village_id = ?", v.villageId)).toBe(0);
  });

  it("no list of rules to file, award or pay by offers a post's allowance; a normal award stays offered", async () => {
    const v = await postVillage("PL");
    const ruleId = (await q().value<number>("select rule_id from posts where id = ?", v.postId))!;
    const award = (await q().value<number>("select id from rules where village_id = ? and points > 0 and unit = 'time' and id <> ? order by id limit 1", v.villageId, ruleId))!;
    const lists: Record<string, { id: number }[]> = {
      villagerClaimForm: (await claimFormOptions(v.villageId, v.householdA)).rules,
      staffClaimForm: (await claimFormOptions(v.villageId, null)).rules,
      activity: await ruleChoices(v.villageId),
      errand: await errandRuleChoices(v.villageId),
      bulk: await bulkAwardRules(v.villageId),
      campaign: await campaignAwardRules(v.villageId),
    };
    for (const [name, rules] of Object.entries(lists)) {
      const ids = rules.map((r) => Number(r.id));
      expect(ids, name).toContain(award);
      expect(ids, name).not.toContain(ruleId);
    }
    // The errand setting refuses it too, as a rule not on its list.
    await expect(setErrandRule(v.actor, v.villageId, ruleId)).rejects.toThrow("请从列表中选择");
    expect(await q().value("select errand_rule_id from villages where id = ?", v.villageId)).toBeNull();
  });

  it("the rules catalogue names the post and cannot edit, retire or bring back its allowance: nothing written", async () => {
    const v = await postVillage("PK");
    const ruleId = (await q().value<number>("select rule_id from posts where id = ?", v.postId))!;
    const listed = (await villageRules(v.villageId)).map((r) => [r.id, r.post_name]);
    expect(listed).toContainEqual([ruleId, "民情信息员"]);
    expect(listed.filter(([, post]) => post === null).length).toBeGreaterThan(0);
    const admin = { userId: v.committee1, role: "village_admin" as const, villageId: v.villageId };
    const before = await q().get("select * from rules where id = ?", ruleId);
    const edit = { category: "volunteer" as const, name: "改过的名字", points: 99, unit: "time" as const, evidenceRequired: false, caps: {} };
    expect(errorOf(await updateRule(admin, v.villageId, ruleId, edit))).toContain("这是岗位“民情信息员”的补贴");
    expect(errorOf(await setRuleActive(admin, v.villageId, ruleId, false))).toContain("定岗管理");
    await q().run("update rules set active = 0 where id = ?", ruleId);
    expect(errorOf(await setRuleActive(admin, v.villageId, ruleId, true))).toContain("定岗管理");
    await q().run("update rules set active = 1 where id = ?", ruleId);
    expect(await q().get("select * from rules where id = ?", ruleId)).toEqual(before);
  });

  it("editing the post edits its rule; ending it retires the rule and ends its holders", async () => {
    const v = await postVillage("PB");
    expect((await updatePost(v.actor, v.villageId, v.postId, { name: "民情联络员", duties: "新职责", allowance: 30, seats: 3 })).ok).toBe(true);
    const ruleId = (await q().value<number>("select rule_id from posts where id = ?", v.postId))!;
    expect(await q().get("select name, points, cap_member_month from rules where id = ?", ruleId)).toEqual({ name: "定岗：民情联络员", points: 30, cap_member_month: 30 });
    const h = await appointed(v, v.memberA);
    expect((await setPostActive(v.actor, v.villageId, v.postId, false)).ok).toBe(true);
    expect(await q().value("select active from rules where id = ?", ruleId)).toBe(0);
    expect(await q().get("select status, end_month from post_holdings where id = ?", h)).toEqual({ status: "ended", end_month: month() });
    expect(errorOf(await confirmMonth(worker(v), v.villageId, h, month(), true))).toBe("岗位“民情联络员”已撤销，不能再确认");
    expect((await setPostActive(v.actor, v.villageId, v.postId, true)).ok).toBe(true);
    expect(await q().value("select active from rules where id = ?", ruleId)).toBe(1);
  });
});

describe("applying and appointing", () => {
  it("a villager applies once; the committee accepts within the seats, refuses with a reason, ends a holder", async () => {
    const v = await postVillage("PC");
    const a = await applyForPost(v.villager, v.memberA, v.villageId, v.postId, "我想为村里出力");
    expect(a.ok).toBe(true);
    expect(errorOf(await applyForPost(v.villager, v.memberA, v.villageId, v.postId, ""))).toBe("你已经申请了这个岗位，请等村委处理");
    const holdingA = a.ok ? a.holdingId : 0;
    expect((await decideApplication(v.actor, v.villageId, holdingA, true)).ok).toBe(true);
    expect(await q().get("select status, start_month from post_holdings where id = ?", holdingA)).toEqual({ status: "active", start_month: month() });
    expect(errorOf(await applyForPost(v.villager, v.memberA, v.villageId, v.postId, ""))).toBe("你已经担任这个岗位了");
    // The second seat goes by appointment; a third holder does not fit.
    await appointed(v, v.memberA2);
    const b = await applyForPost(v.committee2, v.memberB, v.villageId, v.postId, "");
    expect(b.ok).toBe(true);
    const holdingB = b.ok ? b.holdingId : 0;
    // committee2 applied for themselves: another member decides.
    expect(errorOf(await decideApplication({ ...v.actor, userId: v.committee2 }, v.villageId, holdingB, true))).toBe("不能处理自己的岗位申请，请由另一位村委委员处理");
    expect(errorOf(await decideApplication(v.actor, v.villageId, holdingB, true))).toBe("岗位“民情信息员”已满（最多 2 人），请先让一位卸任或修改人数上限");
    expect((await decideApplication(v.actor, v.villageId, holdingB, false, "名额已满")).ok).toBe(true);
    expect(await q().get("select status, reason from post_holdings where id = ?", holdingB)).toEqual({ status: "refused", reason: "名额已满" });
    // History kept: ending a holding keeps the row; the member may then apply again.
    expect((await endHolding(v.actor, v.villageId, holdingA, "外出务工")).ok).toBe(true);
    expect((await applyForPost(v.villager, v.memberA, v.villageId, v.postId, "回来了")).ok).toBe(true);
    const mine = await memberPosts(v.memberA);
    expect(mine.holdings.map((h) => h.status)).toEqual(["applied", "ended"]);
  });

  it("refuses appointing oneself, someone who already applied, and a member of another village", async () => {
    const v = await postVillage("PD");
    const other = await postVillage("PD2");
    expect(errorOf(await appoint({ ...v.actor, userId: v.committee2 }, v.villageId, v.postId, v.memberB))).toBe("不能任命自己，请由另一位村委委员任命");
    await applyForPost(v.villager, v.memberA, v.villageId, v.postId, "");
    expect(errorOf(await appoint(v.actor, v.villageId, v.postId, v.memberA))).toBe("张三已经申请了这个岗位，请在“待处理的申请”里同意");
    const cross = await appoint(v.actor, v.villageId, v.postId, other.memberA);
    expect(cross.ok ? 0 : cross.status).toBe(404);
    expect((await appoint(v.actor, v.villageId, other.postId, v.memberA2)).ok).toBe(false);
  });
});

describe("the monthly confirmation", () => {
  it("the grid worker confirms: one claim for the holder, pending review, from the post, in that month", async () => {
    const v = await postVillage("PE");
    const h = await appointed(v, v.memberA);
    const out = await confirmMonth(worker(v), v.villageId, h, month(), true);
    expect(errorOf(out)).toBeNull();
    const claimId = out.ok ? out.claimId! : 0;
    const record = (await q().get<{ id: number; done: number; claim_id: number }>("select id, done, claim_id from post_months where holding_id = ?", h))!;
    expect(record).toMatchObject({ done: 1, claim_id: claimId });
    const claim = (await q().get<Record<string, unknown>>("select * from claims where id = ?", claimId))!;
    const ruleId = await q().value<number>("select rule_id from posts where id = ?", v.postId);
    expect(claim).toMatchObject({ status: "pending", member_id: v.memberA, rule_id: ruleId, points: 20, source_kind: "post", source_id: record.id, filer_user_id: v.inspector });
    expect(chinaMonth(Number(claim.occurred_at))).toBe(month());
    expect(claim.note).toContain("民情信息员");
    expect(claim.note).toContain(`${Number(month().slice(5))}月`);
    // Reviewed like any other claim: a committee member approves it into 公示.
    expect(await approveClaim(v.villageId, claimId, { userId: v.committee1, role: "committee" })).not.toBe("needs_more");
    // A second confirmation of the month is refused, whoever sends it.
    expect(errorOf(await confirmMonth(committee1(v), v.villageId, h, month(), true))).toMatch(/月已经确认过了，不能重复确认（已履职）/);
    expect(await q().value("select count(*) as n from claims where source_kind = 'post' and village_id = ?", v.villageId)).toBe(1);
  });

  it("not done: a record with the reason and no claim; past months from the start only; never a future month", async () => {
    const v = await postVillage("PF");
    const h = await appointed(v, v.memberA);
    const start = await startedBack(h, 2);
    const before = previousMonth(start);
    const out = await confirmMonth(committee1(v), v.villageId, h, previousMonth(month()), false, "本月外出未上报");
    expect(out.ok).toBe(true);
    expect(await q().get("select done, reason, claim_id from post_months where holding_id = ?", h)).toEqual({ done: 0, reason: "本月外出未上报", claim_id: null });
    expect(errorOf(await confirmMonth(committee1(v), v.villageId, h, before, true))).toMatch(/起担任这个岗位，不能确认之前的月份/);
    const [y, m] = month().split("-").map(Number);
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
    expect(errorOf(await confirmMonth(committee1(v), v.villageId, h, next, true))).toBe("不能确认还没到的月份");
    expect(errorOf(await confirmMonth(committee1(v), v.villageId, h, "2001-01", true))).toBe("只能确认最近 12 个月的履职");
    // A past month confirmed now: the claim is dated inside that month.
    const past = await confirmMonth(committee1(v), v.villageId, h, start, true);
    expect(errorOf(past)).toBeNull();
    const at = await q().value<number>("select occurred_at from claims where id = ?", past.ok ? past.claimId : 0);
    expect(chinaMonth(Number(at))).toBe(start);
    // Ended this month: a later month is refused (and the list of this month still shows the holder).
    await endHolding(v.actor, v.villageId, h, "卸任");
    expect((await confirmList(v.villageId, month(), null, 1)).rows.map((r) => r.holdingId)).toEqual([h]);
  });

  it("who may confirm: the holder's grid worker or the committee; never oneself or one's own household", async () => {
    const v = await postVillage("PG");
    await q().run("update posts set seats = 5 where id = ?", v.postId);
    const a = await appointed(v, v.memberA); // household A, grid 一组 (the inspector's)
    const b = await appointed(v, v.memberB); // household B (committee2's own), grid 二组 without a worker
    expect(errorOf(await confirmMonth({ userId: v.idleInspector, role: "inspector" }, v.villageId, a, month(), true))).toBe("只有这户所在网格的网格员或村委委员可以确认");
    expect(errorOf(await confirmMonth(worker(v), v.villageId, b, month(), true))).toBe("只有这户所在网格的网格员或村委委员可以确认");
    expect(errorOf(await confirmMonth({ userId: v.committee2, role: "committee" }, v.villageId, b, month(), true))).toBe("不能确认自己的岗位，请由网格员或另一位村委委员确认");
    // The villager (张三, household A) holds nothing here but lives with 李梅: appoint her, then 张三 as a committee member may not confirm her.
    const c = await appointed(v, v.memberA2);
    await q().run("insert into user_roles (user_id, role, village_id, created_at) values (?, 'committee', ?, 0)", v.villager, v.villageId);
    expect(errorOf(await confirmMonth({ userId: v.villager, role: "committee" }, v.villageId, c, month(), true))).toBe("不能确认本户成员的岗位，请由网格员或另一位村委委员确认");
    expect(await q().value("select count(*) as n from post_months where village_id = ?", v.villageId)).toBe(0);
    expect((await confirmMonth(committee1(v), v.villageId, b, month(), true)).ok).toBe(true);
    // The worker's list shows the holders of their grids only; the committee's, all.
    expect((await confirmList(v.villageId, month(), [v.grid1], 1)).rows.map((r) => r.holdingId).sort()).toEqual([a, c].sort());
    expect((await confirmList(v.villageId, month(), null, 1)).rows).toHaveLength(3);
    expect((await confirmList(v.villageId, month(), [], 1)).rows).toHaveLength(0);
  });
});

describe("races", () => {
  it("a month confirmed twice at once: one record, one claim; the other is told it was confirmed", async () => {
    const v = await postVillage("PR");
    for (let round = 0; round < 3; round++) {
      const h = await appointed(v, [v.memberA, v.memberA2, v.memberB][round] , round === 2 ? (await createPost(v.actor, v.villageId, { name: `岗${round}`, duties: "", allowance: 5, seats: 1 }) as { postId: number }).postId : v.postId);
      const by = round === 2 ? committee1(v) : worker(v);
      const outs = await Promise.all([confirmMonth(by, v.villageId, h, month(), true), confirmMonth(committee1(v), v.villageId, h, month(), true)]);
      expect(outs.filter((o) => o.ok)).toHaveLength(1);
      expect(errorOf(outs.find((o) => !o.ok)!)).toMatch(/月已经确认过了，不能重复确认/);
      expect(await q().value("select count(*) as n from post_months where holding_id = ?", h)).toBe(1);
      const claims = await q().value<number>("select count(*) as n from claims c join post_months pm on pm.id = c.source_id where c.source_kind = 'post' and pm.holding_id = ?", h);
      expect(claims).toBe(1);
    }
  });

  it("two taps on 申请 write one application; two appointments for the last seat make one holder", async () => {
    const v = await postVillage("PS");
    const taps = await Promise.all([applyForPost(v.villager, v.memberA, v.villageId, v.postId, ""), applyForPost(v.villager, v.memberA, v.villageId, v.postId, "")]);
    expect(taps.filter((t) => t.ok)).toHaveLength(1);
    expect(await q().value("select count(*) as n from post_holdings where member_id = ?", v.memberA)).toBe(1);
    await q().run("update posts set seats = 1 where id = ?", v.postId);
    const two = await Promise.all([appoint(v.actor, v.villageId, v.postId, v.memberA2), appoint({ ...v.actor, userId: v.committee2 }, v.villageId, v.postId, v.memberA2)]);
    expect(two.filter((t) => t.ok)).toHaveLength(1);
    expect(errorOf(two.find((t) => !t.ok)!)).toMatch(/已经担任这个岗位|已经申请或担任这个岗位|已满/);
    await q().run("update post_holdings set status = 'ended' where member_id = ? and status = 'active'", v.memberA2);
    const seat = await Promise.all([appoint(v.actor, v.villageId, v.postId, v.memberA2), decideApplication({ ...v.actor, userId: v.committee2 }, v.villageId, taps.find((t) => t.ok)!.ok ? (taps.find((t) => t.ok) as { holdingId: number }).holdingId : 0, true)]);
    expect(seat.filter((t) => t.ok)).toHaveLength(1);
    expect(await q().value("select count(*) as n from post_holdings where post_id = ? and status = 'active'", v.postId)).toBe(1);
  });
});
