// A committee member who lives in the village does not decide on their own household's candidacy:
// accepting, rejecting or merging a nomination of their household (or of one of its members), and
// picking among tied candidates when their household is one of them, is left to another committee
// member, as for claims (claims/claims.server.ts checkDecider). Nothing is written when refused.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castBallot } from "~/campaigns/ballots.server";
import { acceptNomination, mergeNomination, nominate, nominationsOf, rejectNomination } from "~/campaigns/nominations.server";
import { decideTie, resultOf } from "~/campaigns/results.server";
import { campaignIn, categoriesOf } from "~/campaigns/campaigns.server";
import { clockControl } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { at, campaignVillage, DAY, inOrder, markRepresentatives, newCampaign, type CampaignVillage } from "./fixture";

const T0 = Date.UTC(2026, 4, 10, 1, 0);
const OWN = "不能处理本户的提名，请由另一位村委委员处理";
const fingerprint = async () => JSON.stringify(await sqlOn().all("select * from campaign_nominations order by id")) + JSON.stringify(await sqlOn().all("select * from campaign_categories order by id"));

beforeEach(() => at(T0));
afterEach(() => clockControl.reset());

/** The committee member who is also the head of household `i` (a village committee is villagers too). */
const livingCommittee = (v: CampaignVillage, i: number) => ({ userId: v.homes[i].headUser, role: "committee" as const });
const otherCommittee = (v: CampaignVillage) => ({ userId: v.committee1, role: "committee" as const });
const villager = (v: CampaignVillage, i: number) => ({ userId: v.homes[i].headUser, role: "household_head" as const });
const voter = (v: CampaignVillage, i: number) => ({ userId: v.homes[i].headUser, villageId: v.villageId, householdId: v.homes[i].householdId, memberId: v.homes[i].head });
const ok = <T extends { ok: boolean }>(out: T): T & { ok: true } => {
  if (!out.ok) throw new Error(JSON.stringify(out));
  return out as T & { ok: true };
};

describe("nominations of the committee member's own household", () => {
  it("accept, reject and merge are refused for a household or a member of it; another member decides", async () => {
    const v = await campaignVillage("OWNNOM");
    const id = await newCampaign(v);
    const [popo, family] = await categoriesOf(id);
    const mine = livingCommittee(v, 0);
    const house = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[0].householdId, reason: "家风好" })).nominationId;
    const houseDup = ok(await nominate(villager(v, 3), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[0].householdId, reason: "和睦" })).nominationId;
    const grandma = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "孝顺" })).nominationId;
    const neighbour = ok(await nominate(villager(v, 2), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[1].householdId, reason: "勤劳" })).nominationId;
    const before = await fingerprint();

    expect(await acceptNomination(mine, v.villageId, id, house)).toEqual({ ok: false, errors: { _form: OWN }, status: 400 });
    expect(await acceptNomination(mine, v.villageId, id, grandma)).toEqual({ ok: false, errors: { _form: OWN }, status: 400 });
    expect(await rejectNomination(mine, v.villageId, id, grandma, "不符合条件")).toEqual({ ok: false, errors: { _form: OWN }, status: 400 });
    expect(await mergeNomination(mine, v.villageId, id, houseDup, house)).toEqual({ ok: false, errors: { _form: OWN }, status: 400 });
    expect(await fingerprint()).toBe(before);

    // Another household's nomination is theirs to decide; their own is another member's.
    ok(await acceptNomination(mine, v.villageId, id, neighbour));
    ok(await acceptNomination(otherCommittee(v), v.villageId, id, house));
    ok(await rejectNomination(otherCommittee(v), v.villageId, id, grandma, "不符合条件"));
    ok(await mergeNomination(otherCommittee(v), v.villageId, id, houseDup, house));
    expect((await nominationsOf(id)).map((n) => [n.id, n.status])).toEqual(
      expect.arrayContaining([[house, "accepted"], [houseDup, "merged"], [grandma, "rejected"], [neighbour, "accepted"]]),
    );
  });
});

describe("a tie that involves the committee member's own household", () => {
  it("is decided by another committee member", async () => {
    const v = await campaignVillage("OWNTIE");
    await markRepresentatives(v.homes.slice(0, 4).map((h) => h.head));
    const id = await newCampaign(v, { quorum: 10 });
    const [popo, family] = await categoriesOf(id);
    const n = await inOrder([0, 1, 2], async (i) => ok(await nominate(villager(v, 5), v.villageId, id, { categoryId: family.id, nomineeId: v.homes[i].householdId, reason: "好" })).nominationId);
    const p = await inOrder([v.grandmother, v.homes[2].head, v.homes[3].head], async (m) => ok(await nominate(villager(v, 5), v.villageId, id, { categoryId: popo.id, nomineeId: m, reason: "好" })).nominationId);
    for (const x of [...n, ...p]) ok(await acceptNomination(otherCommittee(v), v.villageId, id, x));
    at(T0 + DAY);
    // 文明家庭, 2 places: households 0, 1 and 2 one vote each. 好婆婆, 1 place: 户主2 and 户主3 one vote each.
    ok(await castBallot(voter(v, 0), id, family.id, [n[0], n[1]]));
    ok(await castBallot(voter(v, 1), id, family.id, [n[2]]));
    ok(await castBallot(voter(v, 0), id, popo.id, [p[1]]));
    ok(await castBallot(voter(v, 1), id, popo.id, [p[2]]));
    at(T0 + 2 * DAY);
    const r = await resultOf(await campaignIn(v.villageId, id));
    expect(r.categories.map((k) => k.tiePlaces)).toEqual([1, 2]);
    const before = await fingerprint();
    const mine = livingCommittee(v, 0);
    // Household 0 is among the tied households: not theirs to decide, whichever way they would pick.
    expect(await decideTie(mine, v.villageId, id, family.id, [n[1], n[2]], "抽签")).toEqual({ ok: false, errors: { _form: "同票的候选里有你家，请由另一位村委委员处理" }, status: 400 });
    expect(await decideTie(livingCommittee(v, 2), v.villageId, id, popo.id, [p[2]], "抽签")).toEqual({ ok: false, errors: { _form: "同票的候选里有你家，请由另一位村委委员处理" }, status: 400 });
    expect(await fingerprint()).toBe(before);
    // A tie among other households is theirs to decide; their own is another member's.
    ok(await decideTie(mine, v.villageId, id, popo.id, [p[2]], "事迹更突出"));
    ok(await decideTie(otherCommittee(v), v.villageId, id, family.id, [n[1], n[2]], "抽签"));
    expect((await resultOf(await campaignIn(v.villageId, id))).blockers).toEqual([]);
  });
});
