// A rule in use must not flip between award and deduction: activities and rounds that close later
// would turn volunteers' attendance into fines.
import { describe, expect, it } from "vitest";
import { engine } from "~/platform/database.server";
import { updateRule } from "~/rules/rules.server";
import { claimVillage } from "../claims/fixture";

describe("editing a rule", () => {
  it("keeps the sign of its points: an award cannot become a deduction or the other way round", async () => {
    const v = await claimVillage("RR1");
    const admin = { userId: v.committee1, role: "village_admin", villageId: v.villageId };
    const edit = (ruleId: number, points: number) =>
      updateRule(admin, v.villageId, ruleId, { category: "volunteer", name: `细则${ruleId}`, points, unit: "time", evidenceRequired: false, caps: {} });
    expect(await edit(v.rules.sweep, -5)).toMatchObject({ ok: false, errors: { points: expect.stringContaining("不能改成扣分") } });
    expect(await edit(v.rules.litter, 5)).toMatchObject({ ok: false, errors: { points: expect.stringContaining("不能改成加分") } });
    expect(engine().sqlite.prepare("select points from rules where id in (?, ?) order by id").all(v.rules.sweep, v.rules.litter)).toEqual([{ points: 5 }, { points: -5 }]);
    expect(await edit(v.rules.sweep, 8)).toEqual({ ok: true });
    expect(engine().sqlite.prepare("select points from rules where id = ?").get(v.rules.sweep)).toEqual({ points: 8 });
  });
});
