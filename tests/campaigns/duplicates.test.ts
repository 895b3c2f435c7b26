// One nominee, one candidate: two accepted nominations of the same household (household category) or
// the same person (member category) must never become two candidates that can both win. Accepting
// a duplicate merges it into the standing one; a campaign that already holds two accepted duplicates
// (made before that) shows the nominee once, and a ballot cannot pick the same nominee twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castBallot } from "~/utils/campaign-ballots.server";
import { acceptNomination, candidatesOf, mergeNomination, nominate, nominationsOf } from "~/utils/campaign-nominations.server";
import { categoriesOf } from "~/utils/campaigns.server";
import { clockControl } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { at, campaignVillage, DAY, markRepresentatives, newCampaign, type CampaignVillage } from "./fixture";

const T0 = Date.UTC(2026, 4, 10, 1, 0);
const sql = (s: string) => db().sqlite.prepare(s);
const count = (s: string, ...args: unknown[]) => (sql(s).get(...args) as { n: number }).n;

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
function acceptAsBefore(nominationId: number): void {
  sql("update campaign_nominations set status = 'accepted', merged_into = null where id = ?").run(nominationId);
}

describe("accepting a nomination of a nominee who already stands", () => {
  it("merges it into the standing candidate, keeping its reason and nominator, and says so", () => {
    const v = campaignVillage("DUPACC");
    const id = newCampaign(v);
    const [popo, family] = categoriesOf(id);
    const a = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "照顾老伴十年" })).nominationId;
    const b = ok(nominate(villager(v, 2), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "待儿媳像亲闺女" })).nominationId;
    const h1 = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[3].householdId, reason: "家风好" })).nominationId;
    const h2 = ok(nominate(villager(v, 2), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[3].householdId, reason: "热心公益" })).nominationId;
    ok(acceptNomination(committee(v), v.villageId, id, a));
    ok(acceptNomination(committee(v), v.villageId, id, h2));

    expect(acceptNomination(committee(v), v.villageId, id, b)).toEqual({ ok: true, label: "奶奶甲（001号户）", mergedInto: a });
    expect(acceptNomination(committee(v), v.villageId, id, h1)).toMatchObject({ ok: true, mergedInto: h2 });

    const rows = nominationsOf(id);
    expect(rows.find((n) => n.id === b)).toMatchObject({ status: "merged", merged_into: a, nominated_by: v.homes[2].headUser, reason: "待儿媳像亲闺女" });
    expect(rows.find((n) => n.id === h1)).toMatchObject({ status: "merged", merged_into: h2 });
    expect(candidatesOf(id).map((c) => [c.id, c.reasons])).toEqual([[a, ["照顾老伴十年", "待儿媳像亲闺女"]], [h2, ["热心公益", "家风好"]]]);
    expect(count("select count(*) as n from audit_log where action = 'campaign.nomination_merge' and target_id = ?", String(id))).toBe(2);
    // Accepting it again, or merging it back, changes nothing.
    expect(acceptNomination(committee(v), v.villageId, id, b)).toMatchObject({ ok: false, errors: { _form: "这条提名已合并到另一条，请处理合并后的那条" } });
    expect(candidatesOf(id)).toHaveLength(2);
  });

  it("two different people of one household stay two candidates in a member category", () => {
    const v = campaignVillage("DUPTWO");
    const id = newCampaign(v);
    const [popo] = categoriesOf(id);
    const a = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "好" })).nominationId;
    const b = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: popo.id, nomineeId: v.daughterInLaw.member, reason: "好" })).nominationId;
    ok(acceptNomination(committee(v), v.villageId, id, a));
    expect(acceptNomination(committee(v), v.villageId, id, b)).toEqual({ ok: true, label: "儿媳甲（001号户）" });
    expect(candidatesOf(id).map((c) => c.id).sort((x, y) => x - y)).toEqual([a, b]);
  });
});

describe("a campaign that already holds two accepted nominations of one nominee", () => {
  function legacy(code: string) {
    const v = campaignVillage(code);
    markRepresentatives(v.homes.slice(0, 5).map((h) => h.head));
    const id = newCampaign(v, { quorum: 10 });
    const [popo, family] = categoriesOf(id);
    const a = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[2].householdId, reason: "家风好" })).nominationId;
    const b = ok(nominate(villager(v, 3), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[2].householdId, reason: "热心公益" })).nominationId;
    const c = ok(nominate(villager(v, 1), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[4].householdId, reason: "勤劳" })).nominationId;
    ok(acceptNomination(committee(v), v.villageId, id, a));
    ok(acceptNomination(committee(v), v.villageId, id, c));
    acceptAsBefore(b);
    return { v, id, popo, family, a, b, c };
  }

  it("shows the nominee once on the ballot and refuses a ballot that picks them twice", () => {
    const { v, id, family, a, b, c } = legacy("DUPBAL");
    expect(candidatesOf(id).map((x) => [x.id, x.ids, x.reasons])).toEqual([[a, [a, b], ["家风好", "热心公益"]], [c, [c], ["勤劳"]]]);
    at(T0 + DAY);
    expect(castBallot(voter(v, 0), id, family.id, [a, b])).toEqual({ ok: false, errors: { [`choice-${family.id}`]: "你选了两次同一户，请每户只选一次" }, status: 400 });
    expect(count("select count(*) as n from campaign_ballots where campaign_id = ?", id)).toBe(0);
    // Either of the two still counts as a vote for that household.
    ok(castBallot(voter(v, 0), id, family.id, [b, c]));
    // Merging stays closed once voting has started: the count takes care of the duplicate instead.
    expect(mergeNomination(committee(v), v.villageId, id, b, a)).toMatchObject({ ok: false });
  });
});
