// One nominee, one candidate: two accepted nominations of the same household (household category) or
// the same person (member category) must never become two candidates that can both win. Accepting
// a duplicate merges it into the standing one; a ballot cannot pick the same nominee twice; and a
// campaign that already holds two accepted duplicates (made before this rule) counts the nominee once,
// so its confirm is never blocked by a second claim for the same household.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castBallot } from "~/campaigns/ballots.server";
import { acceptNomination, candidatesOf, mergeNomination, nominate, nominationsOf } from "~/campaigns/nominations.server";
import { confirmCampaign, decideTie, resultOf } from "~/campaigns/results.server";
import { campaignIn, categoriesOf } from "~/campaigns/campaigns.server";
import { clockControl } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { at, campaignVillage, DAY, markRepresentatives, newCampaign, type CampaignVillage } from "./fixture";

const T0 = Date.UTC(2026, 4, 10, 1, 0);
const sql = sqlOn();
const count = async (s: string, ...args: unknown[]) => (await sql.get<{ n: number }>(s, ...args))!.n;

beforeEach(() => at(T0));
afterEach(() => clockControl.reset());

const committee = (v: CampaignVillage) => ({ userId: v.committee1, role: "committee" as const });
const villager = (v: CampaignVillage, i: number) => ({ userId: v.homes[i].headUser, role: "household_head" as const });
const voter = (v: CampaignVillage, i: number) => ({ userId: v.homes[i].headUser, villageId: v.villageId, householdId: v.homes[i].householdId, memberId: v.homes[i].head });
const ok = <T extends { ok: boolean }>(out: T): T & { ok: true } => {
  if (!out.ok) throw new Error(JSON.stringify(out));
  return out as T & { ok: true };
};

/** What an older version let through: a second accepted nomination of a nominee who already stood. */
async function acceptAsBefore(nominationId: number): Promise<void> {
  await sql.run("update campaign_nominations set status = 'accepted', merged_into = null where id = ?", nominationId);
}

/** A ballot an older version accepted: the choices written as they were, both duplicates ticked. */
async function legacyBallot(v: CampaignVillage, i: number, campaignId: number, categoryId: number, choices: number[]): Promise<void> {
  ok(await castBallot(voter(v, i), campaignId, categoryId, [choices[0]]));
  const ballot = (await sql.get<{ id: number }>("select id from campaign_ballots where category_id = ? and voter_key = ?", categoryId, `member:${v.homes[i].head}`))!.id;
  for (const c of choices.slice(1)) await sql.run("insert into campaign_ballot_choices (ballot_id, nomination_id) values (?, ?)", ballot, c);
}

describe("accepting a nomination of a nominee who already stands", () => {
  it("merges it into the standing candidate, keeping its reason and nominator, and says so", async () => {
    const v = await campaignVillage("DUPACC");
    const id = await newCampaign(v);
    const [popo, family] = await categoriesOf(id);
    const a = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "照顾老伴十年" })).nominationId;
    const b = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "待儿媳像亲闺女" })).nominationId;
    const h1 = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[3].householdId, reason: "家风好" })).nominationId;
    const h2 = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[3].householdId, reason: "热心公益" })).nominationId;
    ok(await acceptNomination(committee(v), v.villageId, id, a));
    ok(await acceptNomination(committee(v), v.villageId, id, h2));

    expect(await acceptNomination(committee(v), v.villageId, id, b)).toEqual({ ok: true, label: "奶奶甲（001号户）", mergedInto: a });
    expect(await acceptNomination(committee(v), v.villageId, id, h1)).toMatchObject({ ok: true, mergedInto: h2 });

    const rows = await nominationsOf(id);
    expect(rows.find((n) => n.id === b)).toMatchObject({ status: "merged", merged_into: a, nominated_by: v.homes[2].headUser, reason: "待儿媳像亲闺女" });
    expect(rows.find((n) => n.id === h1)).toMatchObject({ status: "merged", merged_into: h2 });
    expect((await candidatesOf(id)).map((c) => [c.id, c.reasons])).toEqual([[a, ["照顾老伴十年", "待儿媳像亲闺女"]], [h2, ["热心公益", "家风好"]]]);
    expect(await count("select count(*) as n from audit_log where action = 'campaign.nomination_merge' and target_id = ?", String(id))).toBe(2);
    // Accepting it again, or merging it back, changes nothing.
    expect(await acceptNomination(committee(v), v.villageId, id, b)).toMatchObject({ ok: false, errors: { _form: "这条提名已合并到另一条，请处理合并后的那条" } });
    expect(await candidatesOf(id)).toHaveLength(2);
  });

  it("two different people of one household stay two candidates in a member category", async () => {
    const v = await campaignVillage("DUPTWO");
    const id = await newCampaign(v);
    const [popo] = await categoriesOf(id);
    const a = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "好" })).nominationId;
    const b = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.daughterInLaw.member, reason: "好" })).nominationId;
    ok(await acceptNomination(committee(v), v.villageId, id, a));
    expect(await acceptNomination(committee(v), v.villageId, id, b)).toEqual({ ok: true, label: "儿媳甲（001号户）" });
    expect((await candidatesOf(id)).map((c) => c.id).sort((x, y) => x - y)).toEqual([a, b]);
  });
});

describe("a campaign that already holds two accepted nominations of one nominee", () => {
  async function legacy(code: string) {
    const v = await campaignVillage(code);
    await markRepresentatives(v.homes.slice(0, 5).map((h) => h.head));
    const id = await newCampaign(v, { quorum: 10 });
    const [popo, family] = await categoriesOf(id);
    const a = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[2].householdId, reason: "家风好" })).nominationId;
    const b = ok(await nominate(villager(v, 3), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[2].householdId, reason: "热心公益" })).nominationId;
    const c = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[4].householdId, reason: "勤劳" })).nominationId;
    ok(await acceptNomination(committee(v), v.villageId, id, a));
    ok(await acceptNomination(committee(v), v.villageId, id, c));
    await acceptAsBefore(b);
    return { v, id, popo, family, a, b, c };
  }

  it("shows the nominee once on the ballot and refuses a ballot that picks them twice", async () => {
    const { v, id, family, a, b, c } = await legacy("DUPBAL");
    expect((await candidatesOf(id)).map((x) => [x.id, x.ids, x.reasons])).toEqual([[a, [a, b], ["家风好", "热心公益"]], [c, [c], ["勤劳"]]]);
    at(T0 + DAY);
    expect(await castBallot(voter(v, 0), id, family.id, [a, b])).toEqual({ ok: false, errors: { [`choice-${family.id}`]: "你选了两次同一户，请每户只选一次" }, status: 400 });
    expect(await count("select count(*) as n from campaign_ballots where campaign_id = ?", id)).toBe(0);
    // Either of the two still counts as a vote for that household.
    ok(await castBallot(voter(v, 0), id, family.id, [b, c]));
    // Merging stays closed once voting has started: the count takes care of the duplicate instead.
    expect(await mergeNomination(committee(v), v.villageId, id, b, a)).toMatchObject({ ok: false });
  });

  it("counts the nominee once, even on a ballot that ticked both, and confirm files one claim per household", async () => {
    const { v, id, family, a, b, c } = await legacy("DUPCNT");
    at(T0 + DAY);
    await legacyBallot(v, 0, id, family.id, [a, b]); // an older version let this through
    ok(await castBallot(voter(v, 1), id, family.id, [a]));
    ok(await castBallot(voter(v, 2), id, family.id, [b]));
    ok(await castBallot(voter(v, 3), id, family.id, [c]));
    at(T0 + 2 * DAY);
    const r = (await resultOf(await campaignIn(v.villageId, id))).categories.find((x) => x.category.id === family.id)!;
    // Counted per nomination, a and b would have 2 votes each and both "win" the two places for one household.
    expect(r.rows.map((x) => [x.id, x.votes, x.outcome])).toEqual([[a, 3, "win"], [c, 1, "win"]]);
    expect(ok(await confirmCampaign(committee(v), v.villageId, id))).toEqual({ ok: true, claims: 2, already: false });
    const claims = await sql.all("select household_id from claims where source_kind = 'campaign' and source_id = ? order by id", id);
    expect(claims).toEqual([{ household_id: v.homes[2].householdId }, { household_id: v.homes[4].householdId }]);
  });

  it("a tie decided on the duplicate's id before is read as the nominee's; a decision that no longer fits asks again", async () => {
    const { v, id, family, a, b, c } = await legacy("DUPTIE");
    const d = ok(await nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[5].householdId, reason: "和睦" })).nominationId;
    ok(await acceptNomination(committee(v), v.villageId, id, d));
    at(T0 + DAY);
    await legacyBallot(v, 0, id, family.id, [a, b]);
    ok(await castBallot(voter(v, 1), id, family.id, [c, d]));
    ok(await castBallot(voter(v, 2), id, family.id, [c]));
    ok(await castBallot(voter(v, 3), id, family.id, [d]));
    ok(await castBallot(voter(v, 4), id, family.id, [a]));
    at(T0 + 2 * DAY);
    // The household of a and b: 2 ballots; c: 2; d: 2. Three tied for two places.
    const decided = async (choice: number[]) => {
      await sql.run("update campaign_categories set tie_choice = ?, tie_reason = '抽签', tie_by = ?, tie_at = ? where id = ?", JSON.stringify(choice), v.committee1, T0, family.id);
      return (await resultOf(await campaignIn(v.villageId, id))).categories.find((x) => x.category.id === family.id)!;
    };
    const byDuplicate = await decided([b, c]);
    expect(byDuplicate.rows.map((x) => [x.id, x.votes, x.outcome])).toEqual([[a, 2, "tie"], [c, 2, "tie"], [d, 2, "tie"]]);
    expect(byDuplicate.tieDecided?.choice).toEqual([a, c]);
    expect(byDuplicate.winners.map((x) => x.id)).toEqual([a, c]);
    // A stored choice naming the same household twice leaves a place open: it is not a decision.
    const stale = await decided([a, b]);
    expect(stale.tieDecided).toBeNull();
    expect((await resultOf(await campaignIn(v.villageId, id))).blockers).toEqual(["“文明家庭”最后 2 个名额有同票，请村委先决定并写明理由"]);
    ok(await decideTie(committee(v), v.villageId, id, family.id, [a, d], "村委会议表决"));
    expect(ok(await confirmCampaign(committee(v), v.villageId, id)).claims).toBe(2);
  });
});
