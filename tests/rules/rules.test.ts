// A rule in use must not flip between award and deduction: activities and rounds that close later
// would turn volunteers' attendance into fines.
import { describe, expect, it } from "vitest";
import { createRule, setRuleActive, updateRule } from "~/rules/rules.server";
import { claimVillage } from "../claims/fixture";
import { sqlOn } from "../support/sql";

describe("editing a rule", () => {
  it("keeps the sign of its points: an award cannot become a deduction or the other way round", async () => {
    const v = await claimVillage("RR1");
    const admin = { userId: v.committee1, role: "village_admin", villageId: v.villageId };
    const edit = (ruleId: number, points: number) =>
      updateRule(admin, v.villageId, ruleId, { category: "volunteer", name: `细则${ruleId}`, points, unit: "time", evidenceRequired: false, caps: {} });
    expect(await edit(v.rules.sweep, -5)).toMatchObject({ ok: false, errors: { points: expect.stringContaining("不能改成扣分") } });
    expect(await edit(v.rules.litter, 5)).toMatchObject({ ok: false, errors: { points: expect.stringContaining("不能改成加分") } });
    expect(await sqlOn().all("select points from rules where id in (?, ?) order by id", v.rules.sweep, v.rules.litter)).toEqual([{ points: 5 }, { points: -5 }]);
    expect(await edit(v.rules.sweep, 8)).toEqual({ ok: true });
    expect(await sqlOn().get("select points from rules where id = ?", v.rules.sweep)).toEqual({ points: 8 });
  });

  it("refuses a second rule in use with the same name, by creating, renaming or bringing one back", async () => {
    const v = await claimVillage("RR2");
    const admin = { userId: v.committee1, role: "village_admin", villageId: v.villageId };
    const input = (name: string) => ({ category: "volunteer" as const, name, points: 5, unit: "time" as const, evidenceRequired: false, caps: {} });
    const count = () => sqlOn().value("select count(*) from rules where village_id = ? and name = '清扫公共道路'", v.villageId);
    expect(await createRule(admin, v.villageId, input("清扫公共道路"))).toEqual({ ok: false, errors: { name: "已经有同名的在用细则" }, status: 400 });
    expect(await updateRule(admin, v.villageId, v.rules.hours, input("清扫公共道路"))).toMatchObject({ ok: false, errors: { name: "已经有同名的在用细则" } });
    expect(await count()).toBe(1);
    // A retired rule may keep the name; bringing it back while the other is in use is refused.
    expect(await setRuleActive(admin, v.villageId, v.rules.sweep, false)).toEqual({ ok: true });
    const again = await createRule(admin, v.villageId, input("清扫公共道路"));
    expect(again.ok).toBe(true);
    expect(await setRuleActive(admin, v.villageId, v.rules.sweep, true)).toMatchObject({ ok: false, errors: { _form: "已经有同名的在用细则，请先改名再启用" } });
    expect(await sqlOn().all("select active from rules where village_id = ? and name = '清扫公共道路' order by id", v.villageId)).toEqual([{ active: 0 }, { active: 1 }]);
  });
});
