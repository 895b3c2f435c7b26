// A person elected who has since left the roster (deactivated between the vote and the confirm) must
// not block the confirm for good with a message that names nobody: the household's honour points
// go to its head while the household still has one; without one the confirm says who and what to do.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { castBallot } from "~/campaigns/ballots.server";
import { acceptNomination, nominate } from "~/campaigns/nominations.server";
import { confirmCampaign } from "~/campaigns/results.server";
import { campaignIn, categoriesOf } from "~/campaigns/campaigns.server";
import { clockControl } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { at, campaignVillage, DAY, markRepresentatives, newCampaign } from "./fixture";

const T0 = Date.UTC(2026, 4, 10, 1, 0);
const sql = sqlOn();

beforeEach(() => at(T0));
afterEach(() => clockControl.reset());

/** 好婆婆 (one place) won by 奶奶甲 of household 001, voting closed, not yet confirmed. */
async function elected(code: string) {
  const v = await campaignVillage(code);
  await markRepresentatives(v.homes.slice(0, 3).map((h) => h.head));
  const id = await newCampaign(v, { quorum: 10 });
  const [popo] = await categoriesOf(id);
  const n = await nominate({ userId: v.homes[2].headUser, role: "household_head" }, v.villageId, id, { categoryId: popo.id, nomineeId: v.grandmother, reason: "照顾老伴十年" });
  if (!n.ok) throw new Error(JSON.stringify(n));
  expect((await acceptNomination({ userId: v.committee1, role: "committee" }, v.villageId, id, n.nominationId)).ok).toBe(true);
  at(T0 + DAY);
  expect((await castBallot({ userId: v.homes[1].headUser, villageId: v.villageId, householdId: v.homes[1].householdId, memberId: v.homes[1].head }, id, popo.id, [n.nominationId])).ok).toBe(true);
  at(T0 + 2 * DAY);
  return { v, id, popo };
}

describe("confirming when an elected person has left the roster", () => {
  it("files the claim to the household's head, says so in its note, and keeps the honour on the person", async () => {
    const { v, id } = await elected("LEFTHEAD");
    await sql.run("update members set active = 0 where id = ?", v.grandmother);
    expect(await confirmCampaign({ userId: v.committee1, role: "committee" }, v.villageId, id)).toEqual({ ok: true, claims: 1, already: false });
    expect(await sql.all("select household_id, member_id, points, status, note from claims where source_kind = 'campaign' and source_id = ?", id)).toEqual([
      { household_id: v.homes[0].householdId, member_id: v.homes[0].head, points: 20, status: "pending", note: "民主评议：年度评选·好婆婆（1 票）；当选者奶奶甲（001号户）已不在册，积分记在户主名下" },
    ]);
    expect(await sql.all("select household_id, member_id from campaign_winners where campaign_id = ?", id)).toEqual([{ household_id: v.homes[0].householdId, member_id: v.grandmother }]);
    expect((await campaignIn(v.villageId, id)).state).toBe("confirmed");
  });

  it("without an active head in the household, refuses naming the winner and what to do, writing nothing", async () => {
    const { v, id } = await elected("LEFTALL");
    await sql.run("update members set active = 0 where household_id = ? and id <> ?", v.homes[0].householdId, v.daughterInLaw.member);
    const out = await confirmCampaign({ userId: v.committee1, role: "committee" }, v.villageId, id);
    expect(out).toEqual({
      ok: false, status: 400,
      errors: { _form: "不能确认：“好婆婆”当选者奶奶甲（001号户）已不在册，本户也没有在册的户主。请村管理员在花名册里重新启用这位成员，或给本户设好户主，再来确认" },
    });
    expect(await sql.get("select count(*) as n from claims where source_kind = 'campaign' and source_id = ?", id)).toEqual({ n: 0 });
    expect((await campaignIn(v.villageId, id)).state).toBe("closed");
    // Once the roster is put right, the same confirm goes through.
    await sql.run("update members set active = 1 where id = ?", v.homes[0].head);
    expect(await confirmCampaign({ userId: v.committee1, role: "committee" }, v.villageId, id)).toMatchObject({ ok: true, claims: 1 });
  });
});
