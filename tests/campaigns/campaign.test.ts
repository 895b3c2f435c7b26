// A whole honour campaign through its server modules, with the injectable clock moving it through
// its windows: creation rules, nominations (accept, reject, merge), ballots (limits, changes counted
// once, who may vote, secrecy before the close), the result (turnout, quorum, ties) and confirming
// (claims filed once, through the claims module).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castBallot, ownChoices } from "~/campaigns/ballots.server";
import {
  acceptNomination, candidatesOf, findNominees, mergeNomination, myNominations, nominate, nominationsOf, rejectNomination,
} from "~/campaigns/nominations.server";
import { confirmCampaign, decideTie, resultOf, TooEarly, turnoutOf } from "~/campaigns/results.server";
import { campaignNotice, householdHonours } from "~/campaigns/views.server";
import { electorateSize } from "~/campaigns/voters.server";
import { campaignFieldsSchema, campaignIn, categoriesOf, createCampaign } from "~/campaigns/campaigns.server";
import { approveClaim, claimRow } from "~/claims/claims.server";
import { clockControl, now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { at, campaignVillage, DAY, HOUR, inOrder, markRepresentatives, newCampaign, type CampaignVillage } from "./fixture";

const count = async (sql: string, ...args: unknown[]) => (await sqlOn().get<{ n: number }>(sql, ...args))!.n;
const T0 = Date.UTC(2026, 4, 10, 1, 0); // 2026-05-10 09:00 China time

beforeEach(() => at(T0));
afterEach(() => clockControl.reset());

function committee(v: CampaignVillage, which: 1 | 2 = 1) {
  return { userId: which === 1 ? v.committee1 : v.committee2, role: "committee" as const };
}
function villager(v: CampaignVillage, i: number) {
  return { userId: v.homes[i].headUser, role: "household_head" as const };
}
function voter(v: CampaignVillage, i: number) {
  return { userId: v.homes[i].headUser, villageId: v.villageId, householdId: v.homes[i].householdId, memberId: v.homes[i].head };
}
async function cats(campaignId: number) {
  const [popo, family] = await categoriesOf(campaignId);
  return { popo, family };
}
const ok = <T extends { ok: boolean }>(out: T): T & { ok: true } => {
  if (!out.ok) throw new Error(JSON.stringify(out));
  return out as T & { ok: true };
};

describe("creating a campaign", () => {
  const form = (over: Record<string, string> = {}) => ({
    title: "2026年度评选", nominateFrom: "2026-05-10T08:00", nominateUntil: "2026-05-17T18:00", voteFrom: "2026-05-18T08:00",
    voteUntil: "2026-05-20T18:00", voters: "representatives", quorum: "50", cat1Name: "好婆婆", cat1Kind: "member", cat1Winners: "3", cat1Rule: "1", ...over,
  });
  const errors = (over: Record<string, string>) => {
    const r = campaignFieldsSchema.safeParse(form(over));
    return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));
  };

  it("reads the form: China-time windows, full-width digits, empty category rows skipped", () => {
    const r = campaignFieldsSchema.parse(form({ quorum: "６０", cat2Name: "", cat2Kind: "household", cat3Name: "文明家庭", cat3Kind: "household", cat3Winners: "５", cat3Rule: "2" }));
    expect(r.nominateFrom).toBe(Date.UTC(2026, 4, 10, 0, 0));
    expect(r.quorum).toBe(60);
    expect(r.categories).toEqual([
      { row: 1, name: "好婆婆", kind: "member", winners: 3, ruleId: 1 },
      { row: 3, name: "文明家庭", kind: "household", winners: 5, ruleId: 2 },
    ]);
  });

  it("puts each problem next to its field", () => {
    expect(errors({ nominateUntil: "2026-05-09T08:00" })).toEqual({ nominateUntil: "提名截止要晚于提名开始" });
    expect(errors({ voteFrom: "2026-05-16T08:00" })).toEqual({ voteFrom: "投票开始不能早于提名截止" });
    expect(errors({ voteUntil: "2026-05-18T08:00" })).toEqual({ voteUntil: "投票截止要晚于投票开始" });
    expect(errors({ voteUntil: "2026-12-20T18:00" })).toEqual({ voteUntil: "从提名开始到投票截止最长 120 天" });
    expect(errors({ quorum: "101" })).toEqual({ quorum: "最低投票率应为 0 到 100 的整数" });
    expect(errors({ quorum: "-5" })).toEqual({ quorum: "最低投票率应为 0 到 100 的整数" });
    expect(errors({ cat1Name: "" })).toEqual({ cat1Name: "请至少填写一个评选类别，如“好婆婆”" });
    expect(errors({ cat1Winners: "0" })).toEqual({ cat1Winners: "评选名额应为 1 到 20 的整数" });
    expect(errors({ cat1Kind: "dog" })).toEqual({ cat1Kind: "请选择评家庭还是评个人" });
    expect(errors({ cat1Rule: "" })).toEqual({ cat1Rule: "请从列表中选择奖励积分的细则" });
    expect(errors({ cat2Name: "好婆婆", cat2Kind: "member", cat2Winners: "1", cat2Rule: "1" })).toEqual({ cat2Name: "类别名称重复了" });
    expect(errors({ voters: "everyone" })).toEqual({ voters: "请选择由谁投票" });
  });

  it("refuses a rule of another village and a nomination window already over, writing nothing", async () => {
    const v = await campaignVillage("CC1");
    const other = await campaignVillage("CC2");
    const before = await count("select count(*) as n from campaigns");
    const fields = campaignFieldsSchema.parse(form({ cat1Rule: String(other.rules.popo) }));
    const actor = { userId: v.committee1, role: "committee", villageId: v.villageId };
    expect(await createCampaign(actor, v.villageId, fields)).toEqual({ ok: false, errors: { cat1Rule: "请从列表中选择本村奖励积分的细则" }, status: 400 });
    at(Date.UTC(2026, 4, 18));
    const late = campaignFieldsSchema.parse(form({ cat1Rule: String(v.rules.popo) }));
    expect(await createCampaign(actor, v.villageId, late)).toEqual({ ok: false, errors: { nominateUntil: "提名截止时间已经过了，请选一个以后的时间" }, status: 400 });
    expect(await count("select count(*) as n from campaigns")).toBe(before);
  });
});

describe("a whole campaign by representatives", () => {
  it("nominations, windows, ballots, secrecy, a tie decided with a reason, confirm filing claims once", async () => {
    const v = await campaignVillage("WHOLE");
    // Representatives: heads of households 0–3 (all with logins). 4 voters.
    await markRepresentatives(v.homes.slice(0, 4).map((h) => h.head));
    const id = await newCampaign(v, { startsIn: 2 * HOUR, quorum: 50 });
    const { popo, family } = await cats(id);
    const c = () => campaignIn(v.villageId, id);
    expect((await c()).state).toBe("draft");

    // Before the window: nobody nominates.
    expect(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "孝顺" })).toMatchObject({ ok: false, errors: { _form: "提名还没有开始" } });

    at(T0 + 3 * HOUR);
    expect((await c()).state).toBe("nominating");
    // The search finds households and members of this village only.
    expect((await findNominees(v.villageId, "member", "奶奶甲")).map((x) => x.id)).toEqual([v.grandmother]);
    expect((await findNominees(v.villageId, "household", "001")).map((x) => x.id)).toEqual([v.homes[0].householdId]);
    expect(await findNominees(v.villageId, "member", "")).toEqual([]);

    const n1 = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "照顾瘫痪的老伴十年" })).nominationId;
    const n1dup = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "待儿媳像亲闺女" })).nominationId;
    // The same nominator cannot nominate the same person twice in one category.
    expect(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "再提一次" })).toMatchObject({ ok: false, errors: { nomineeId: "你已经在“好婆婆”里提名过这位了" } });
    // A member category takes a member; a household id there is someone else or nobody.
    expect(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: 99_999_999, reason: "x" })).toMatchObject({ ok: false, errors: { nomineeId: "请从搜索结果中选择本村的一位村民" } });
    const n2 = ok(await nominate(committee(v), v.villageId, id, { categoryId: popo.id, nomineeId: v.homes[3].head, reason: "村里公认的好婆婆" })).nominationId;
    const fam = await inOrder([0, 1, 2, 3], async (i) => ok(await nominate(villager(v, (i + 1) % 6), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[i].householdId, reason: `第${i}户家风好` })).nominationId);
    const famRejected = ok(await nominate(villager(v, 5), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[5].householdId, reason: "我家很好" })).nominationId;

    // Proposed nominations do not stand yet.
    expect(await candidatesOf(id)).toEqual([]);
    ok(await acceptNomination(committee(v), v.villageId, id, n1));
    ok(await mergeNomination(committee(v), v.villageId, id, n1dup, n1));
    expect(await mergeNomination(committee(v), v.villageId, id, n2, n1)).toMatchObject({ ok: false, errors: { _form: "只能合并同一类别里提名同一人（户）的重复提名" } });
    ok(await acceptNomination(committee(v, 2), v.villageId, id, n2));
    for (const f of fam) ok(await acceptNomination(committee(v), v.villageId, id, f));
    ok(await rejectNomination(committee(v), v.villageId, id, famRejected, "自己提名自己，且本户今年有违规记录"));
    const standing = await candidatesOf(id);
    expect(standing.map((x) => x.id).sort((a, b) => a - b)).toEqual([n1, n2, ...fam].sort((a, b) => a - b));
    expect(standing.find((x) => x.id === n1)!.reasons).toEqual(["照顾瘫痪的老伴十年", "待儿媳像亲闺女"]);
    expect(await myNominations(id, v.homes[5].headUser)).toMatchObject([{ id: famRejected, status: "rejected", decision_note: "自己提名自己，且本户今年有违规记录" }]);

    // No ballot before voting opens, and no count at any time before the close.
    expect(await castBallot(voter(v, 0), id, popo.id, [n1])).toMatchObject({ ok: false, errors: { _form: "投票还没有开始" } });
    await expect(resultOf(await c())).rejects.toThrow(TooEarly);

    at(T0 + 2 * HOUR + DAY + 1);
    expect((await c()).state).toBe("voting");
    // The candidate list is fixed once voting opens.
    expect(await acceptNomination(committee(v), v.villageId, id, famRejected)).toMatchObject({ ok: false, errors: { _form: "投票已经开始，候选名单不能再改" } });
    expect(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.homes[2].head, reason: "晚了" })).toMatchObject({ ok: false, errors: { _form: "提名已经截止了" } });
    await expect(resultOf(await c())).rejects.toThrow(TooEarly);
    await expect(turnoutOf(await c())).rejects.toThrow(TooEarly);

    // Ballot limits: at most N, only standing candidates of that category, at least one.
    expect(await castBallot(voter(v, 0), id, popo.id, [n1, n2])).toMatchObject({ ok: false, errors: { [`choice-${popo.id}`]: "“好婆婆”最多选 1 个，你选了 2 个" } });
    expect(await castBallot(voter(v, 0), id, popo.id, [fam[0]])).toMatchObject({ ok: false, errors: { [`choice-${popo.id}`]: "只能从这个类别的候选人里选" } });
    expect(await castBallot(voter(v, 0), id, family.id, [famRejected])).toMatchObject({ ok: false, errors: { [`choice-${family.id}`]: "只能从这个类别的候选人里选" } });
    expect(await castBallot(voter(v, 0), id, popo.id, [n1dup])).toMatchObject({ ok: false, errors: { [`choice-${popo.id}`]: "只能从这个类别的候选人里选" } });
    expect(await castBallot(voter(v, 0), id, popo.id, [])).toMatchObject({ ok: false, errors: { [`choice-${popo.id}`]: "请至少选一位候选人" } });
    // Not a representative: refused, and nothing written.
    const ballots = () => count("select count(*) as n from campaign_ballots");
    expect(await castBallot(voter(v, 4), id, popo.id, [n1])).toMatchObject({ ok: false, status: 403 });
    expect(await ballots()).toBe(0);
    expect((await campaignIn(v.villageId, id)).electorate_at).toBeNull();

    // 好婆婆 (1 place): 2 votes for n1 against 2 for n2 → a tie for the one place.
    ok(await castBallot(voter(v, 0), id, popo.id, [n2])); // changed below: counted once
    expect(ok(await castBallot(voter(v, 0), id, popo.id, [n1])).changed).toBe(true);
    expect((await ownChoices(id, `member:${v.homes[0].head}`)).get(popo.id)).toEqual([n1]);
    ok(await castBallot(voter(v, 1), id, popo.id, [n1]));
    ok(await castBallot(voter(v, 2), id, popo.id, [n2]));
    ok(await castBallot(voter(v, 3), id, popo.id, [n2]));
    // 文明家庭 (2 places): fam0 3 votes, fam1 2, fam2 2, fam3 0 → fam0 wins, fam1 and fam2 tie for the second place.
    ok(await castBallot(voter(v, 0), id, family.id, [fam[0], fam[1]]));
    ok(await castBallot(voter(v, 1), id, family.id, [fam[0], fam[2]]));
    ok(await castBallot(voter(v, 2), id, family.id, [fam[0], fam[1]]));
    ok(await castBallot(voter(v, 2), id, family.id, [fam[0], fam[2]])); // changed again: still one ballot
    ok(await castBallot(voter(v, 3), id, family.id, [fam[1]]));
    expect(await ballots()).toBe(8); // 4 voters × 2 categories, however often changed
    // The list of voters froze at the first ballot: a representative marked now cannot vote.
    expect((await campaignIn(v.villageId, id)).electorate).toBe(4);
    await markRepresentatives([v.homes[4].head]);
    expect(await castBallot(voter(v, 4), id, popo.id, [n1])).toMatchObject({ ok: false, errors: { _form: "投票开始后才登记的村民代表不能参加这次投票。" }, status: 403 });
    expect(await electorateSize(await campaignIn(v.villageId, id))).toBe(4);

    at(T0 + 2 * HOUR + 2 * DAY);
    expect((await c()).state).toBe("closed");
    expect(await castBallot(voter(v, 1), id, popo.id, [n2])).toMatchObject({ ok: false, errors: { _form: "投票已经截止了" } });
    const r = await resultOf(await c());
    expect(r.turnout).toEqual({ voters: 4, electorate: 4, percent: 100, quorum: 50, met: true });
    const pr = r.categories.find((x) => x.category.id === popo.id)!;
    expect(pr.rows.map((x) => [x.id, x.votes, x.outcome])).toEqual([[n1, 2, "tie"], [n2, 2, "tie"]]);
    expect(pr.tiePlaces).toBe(1);
    const fr = r.categories.find((x) => x.category.id === family.id)!;
    expect(fr.rows.map((x) => [x.id, x.votes, x.place, x.outcome])).toEqual([
      [fam[0], 3, 1, "win"], [fam[1], 2, 2, "tie"], [fam[2], 2, 2, "tie"], [fam[3], 0, 4, "out"],
    ]);
    expect(r.blockers).toEqual(["“好婆婆”最后 1 个名额有同票，请村委先决定并写明理由", "“文明家庭”最后 1 个名额有同票，请村委先决定并写明理由"]);

    // Ties block confirming until decided, with a reason, choosing exactly the open places among the tied.
    const claims = () => count("select count(*) as n from claims where source_kind = 'campaign'");
    expect(await confirmCampaign(committee(v), v.villageId, id)).toMatchObject({ ok: false, errors: { _form: r.blockers[0] } });
    expect(await decideTie(committee(v), v.villageId, id, popo.id, [n1, n2], "都好")).toMatchObject({ ok: false, errors: { [`pick-${popo.id}`]: "请选出 1 个，你选了 2 个" } });
    expect(await decideTie(committee(v), v.villageId, id, family.id, [fam[3]], "x")).toMatchObject({ ok: false, errors: { [`pick-${family.id}`]: "只能从同票的候选人里选" } });
    ok(await decideTie(committee(v), v.villageId, id, popo.id, [n2], "村委会议表决：该户照顾孤寡老人事迹更突出"));
    ok(await decideTie(committee(v, 2), v.villageId, id, family.id, [fam[2]], "两户同票，抽签决定"));
    const decided = await resultOf(await c());
    expect(decided.blockers).toEqual([]);
    expect(decided.categories.find((x) => x.category.id === popo.id)!.tieDecided).toMatchObject({ choice: [n2], reason: "村委会议表决：该户照顾孤寡老人事迹更突出", by: "村委甲" });
    expect(await claims()).toBe(0);

    const confirmed = ok(await confirmCampaign(committee(v), v.villageId, id));
    expect(confirmed).toEqual({ ok: true, claims: 3, already: false });
    expect((await c()).state).toBe("confirmed");
    const filed = await sqlOn().all<Awaited<ReturnType<typeof claimRow>>>("select * from claims where source_kind = 'campaign' and source_id = ? order by id", id);
    expect(filed.map((x) => [x.member_id, x.rule_id, x.points, x.status, x.filer_user_id, x.filer_role])).toEqual([
      [v.homes[3].head, v.rules.popo, 20, "pending", v.committee1, "committee"], // a person's honour: that person
      [v.homes[0].head, v.rules.family, 30, "pending", v.committee1, "committee"], // a household's: its head
      [v.homes[2].head, v.rules.family, 30, "pending", v.committee1, "committee"],
    ]);
    expect(filed[0].note).toBe("民主评议：年度评选·好婆婆（2 票）");
    // A second confirm files nothing more.
    expect(await confirmCampaign(committee(v, 2), v.villageId, id)).toEqual({ ok: true, claims: 0, already: true });
    expect(await claims()).toBe(3);
    expect(await decideTie(committee(v), v.villageId, id, popo.id, [n1], "改主意")).toMatchObject({ ok: false, errors: { _form: "结果已经确认公布，不能再改" } });
    // The claims go through review like any other: the filer cannot approve, the other member can.
    await expect(approveClaim(v.villageId, filed[0].id, committee(v))).rejects.toThrow("不能审核自己提交的申报");
    expect(await approveClaim(v.villageId, filed[0].id, committee(v, 2))).toBe("approved");
    expect((await claimRow(filed[0].id)).status).toBe("notice");

    // Winners on the household page and the notice board, with the tie's reason.
    expect(await householdHonours(v.homes[3].householdId)).toMatchObject([
      { title: "年度评选", category: "好婆婆", label: "户主3（004号户）", votes: 2, by_tie: 1, tie_reason: "村委会议表决：该户照顾孤寡老人事迹更突出", points: 20, claim_status: "notice" },
    ]);
    expect(await householdHonours(v.homes[1].householdId)).toEqual([]);
    const board = await campaignNotice(v.villageId);
    expect(board.confirmed).toHaveLength(1);
    expect(board.confirmed[0].winners.map((w) => w.label)).toEqual(["户主3（004号户）", "001号户 户主0家", "003号户 户主2家"]);
    // Every decision is in the audit log; no ballot is.
    const actions = (await sqlOn().all<{ action: string }>("select action from audit_log where target_type = 'campaign' and target_id = ?", String(id))).map((a) => a.action);
    expect(new Set(actions)).toEqual(new Set(["campaign.create", "campaign.nominate", "campaign.nomination_accept", "campaign.nomination_merge", "campaign.nomination_reject", "campaign.tie", "campaign.confirm"]));
    expect(await count("select count(*) as n from audit_log where after_json like '%ballot%'")).toBe(0);
    expect((await nominationsOf(id)).find((x) => x.id === n1dup)).toMatchObject({ status: "merged", merged_into: n1 });
  });
});

describe("quorum", () => {
  it("a turnout under the quorum says so and cannot be confirmed; ties are not asked for", async () => {
    const v = await campaignVillage("QUORUM");
    const id = await newCampaign(v, { voters: "household", quorum: 60, categories: [{ row: 1, name: "文明家庭", kind: "household", winners: 1, ruleId: v.rules.family }] });
    const [cat] = await categoriesOf(id);
    const n = await inOrder([0, 1], async (i) => ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: cat.id, nomineeId: v.homes[i].householdId, reason: "好" })).nominationId);
    for (const x of n) ok(await acceptNomination(committee(v), v.villageId, id, x));
    at(T0 + DAY);
    // 6 households can vote; 3 do: 50 % < 60 %.
    ok(await castBallot(voter(v, 0), id, cat.id, [n[0]]));
    ok(await castBallot(voter(v, 1), id, cat.id, [n[1]]));
    ok(await castBallot(voter(v, 2), id, cat.id, [n[1]]));
    at(T0 + 2 * DAY);
    const r = await resultOf(await campaignIn(v.villageId, id));
    expect(r.turnout).toEqual({ voters: 3, electorate: 6, percent: 50, quorum: 60, met: false });
    expect(r.blockers).toEqual(["投票率 50%，没有达到最低投票率 60%，结果无效，不能确认"]);
    expect(await confirmCampaign(committee(v), v.villageId, id)).toMatchObject({ ok: false, errors: { _form: r.blockers[0] } });
    expect((await campaignIn(v.villageId, id)).state).toBe("closed");
    expect(await count("select count(*) as n from claims where source_kind = 'campaign' and source_id = ?", id)).toBe(0);
  });

  it("quorum 0 with nobody voting confirms with no winners and files nothing", async () => {
    const v = await campaignVillage("NOBODY");
    const id = await newCampaign(v, { quorum: 0 });
    at(T0 + 2 * DAY);
    expect(ok(await confirmCampaign(committee(v), v.villageId, id))).toEqual({ ok: true, claims: 0, already: false });
    expect(await campaignIn(v.villageId, id)).toMatchObject({ state: "confirmed", electorate: 0 });
  });
});

describe("one ballot per household", () => {
  it("any login of the household casts or changes it; the last change is the household's one ballot", async () => {
    const v = await campaignVillage("HOUSE");
    const id = await newCampaign(v, { voters: "household", quorum: 10 });
    const { family } = await cats(id);
    const n = await inOrder([1, 2], async (i) => ok(await nominate(villager(v, 3), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[i].householdId, reason: "好" })).nominationId);
    for (const x of n) ok(await acceptNomination(committee(v), v.villageId, id, x));
    at(T0 + DAY);
    const head = voter(v, 0);
    const daughterInLaw = { ...head, userId: v.daughterInLaw.user, memberId: v.daughterInLaw.member };
    ok(await castBallot(head, id, family.id, [n[0]]));
    expect(ok(await castBallot(daughterInLaw, id, family.id, [n[1]])).changed).toBe(true);
    expect(await count("select count(*) as n from campaign_ballots where campaign_id = ?", id)).toBe(1);
    expect((await ownChoices(id, `household:${v.homes[0].householdId}`)).get(family.id)).toEqual([n[1]]);
    at(T0 + 2 * DAY);
    const r = await resultOf(await campaignIn(v.villageId, id));
    expect(r.turnout).toMatchObject({ voters: 1, electorate: 6 });
    // Two places, but a candidate without a single vote does not win one.
    expect(r.categories.find((x) => x.category.id === family.id)!.rows.map((x) => [x.id, x.votes, x.outcome])).toEqual([[n[1], 1, "win"], [n[0], 0, "out"]]);
  });
});

it("campaign pages of another village's id are not found", async () => {
  const v = await campaignVillage("MINE");
  const w = await campaignVillage("THEIRS");
  const id = await newCampaign(w);
  await expect(campaignIn(v.villageId, id)).rejects.toThrow();
  try {
    await campaignIn(v.villageId, id);
  } catch (e) {
    expect((e as Response).status).toBe(404);
  }
  expect(now()).toBe(T0);
});
