// Two committee members deciding the same tie at once: one wins, the other is told who already did;
// two waiting flags of a round given to the same household at once: one is refused. On either engine
// (on PostgreSQL the two units run on two connections at once).
import { afterAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { currentFlags, decideFlag, roundFlags } from "~/flags/flags.server";
import { FLAG_MESSAGES } from "~/flags/labels";
import { publishRound } from "~/sanitation/publish.server";
import { sqlOn } from "../support/sql";
import { openNovemberRound, sanitationVillage, score } from "../sanitation/fixture";

const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8);

afterAll(() => clockControl.reset());

async function tiedRound(code: string, flags: number) {
  clockControl.set(china(2026, 11, 10));
  const v = await sanitationVillage(code);
  await sqlOn().run("update villages set red_flags = ? where id = ?", flags, v.villageId);
  const roundId = await openNovemberRound(v);
  for (const h of [v.C, v.D, v.E]) expect(await score(v, v.inspector2, roundId, h, [40, 40])).toMatchObject({ ok: true });
  expect(await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId)).toMatchObject({ ok: true });
  const { flags: slots } = await roundFlags(v.villageId, roundId);
  expect(slots.every((s) => s.householdId === null)).toBe(true);
  return { v, roundId, slots };
}

describe("deciding a tie at once", () => {
  it("two members deciding one flag: one wins, the other gets a clear message, one audit row", async () => {
    for (let i = 0; i < 4; i++) {
      const { v, roundId, slots } = await tiedRound(`FR${i}`, 1);
      const [a, b] = await Promise.all([
        decideFlag({ userId: v.committee1, role: "committee" }, v.villageId, roundId, { flagId: slots[0].id, householdId: v.C, reason: "村委甲的理由" }),
        decideFlag({ userId: v.committee2, role: "committee" }, v.villageId, roundId, { flagId: slots[0].id, householdId: v.D, reason: "村委乙的理由" }),
      ]);
      const wins = [a, b].filter((r) => r.ok);
      expect(wins).toHaveLength(1);
      expect([a, b].find((r) => !r.ok)).toMatchObject({ ok: false, errors: { _form: FLAG_MESSAGES.taken } });
      const held = (await currentFlags(v.villageId)).map((f) => f.householdId);
      expect(held).toEqual([(wins[0] as { householdId: number }).householdId]);
      const audits = await sqlOn().get<{ n: number }>("select count(*) as n from audit_log where action = 'flag.decide' and village_id = ?", v.villageId);
      expect(Number(audits!.n)).toBe(1);
    }
  });

  it("two flags of a round given to the same household at once: one is refused", async () => {
    const { v, roundId, slots } = await tiedRound("FRX", 2);
    expect(slots).toHaveLength(2);
    const [a, b] = await Promise.all([
      decideFlag({ userId: v.committee1, role: "committee" }, v.villageId, roundId, { flagId: slots[0].id, householdId: v.C, reason: "理由一" }),
      decideFlag({ userId: v.committee2, role: "committee" }, v.villageId, roundId, { flagId: slots[1].id, householdId: v.C, reason: "理由二" }),
    ]);
    expect([a, b].filter((r) => r.ok)).toHaveLength(1);
    expect([a, b].find((r) => !r.ok)).toMatchObject({ ok: false, errors: { householdId: FLAG_MESSAGES.twice } });
    expect((await currentFlags(v.villageId)).map((f) => f.householdId).filter((h) => h !== null)).toEqual([v.C]);
  });
});
