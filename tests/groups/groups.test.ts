// 联户长: filing for the group's households (maker-checker and 公示 as any claim), what the leader
// sees (balances only when the village allows), and the admin's writes on groups and grid workers.
import { describe, expect, it } from "vitest";
import { approveClaim, claimRow, ClaimError, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { fileForGroupHousehold, leaderGroups, leaderHousehold } from "~/groups/leader.server";
import { createGroup, renameGroup, setGridWorker, setGroupHouseholds, setGroupLeader } from "~/groups/admin.server";
import { groupsLedBy, isGroupLeaderOf, leadsAnyGroup } from "~/groups/groups.server";
import { updateVillageSettings, villageSettings } from "~/rules/rules.server";
import { sqlOn } from "../support/sql";
import { groupVillage } from "./fixture";

const q = () => sqlOn();
const count = async (table: string) => Number(await q().value(`select count(*) as n from ${table}`));
const admin = (villageId: number) => ({ userId: 1, role: "township_admin", villageId });

function claimForm(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}
const today = () => new Date(now() + 8 * 3600_000).toISOString().slice(0, 10);

async function status(thrown: Promise<unknown>): Promise<number> {
  try {
    await thrown;
  } catch (e) {
    if (e instanceof Response) return e.status;
    throw e;
  }
  return 200;
}

describe("a 联户长 files claims for the group's households", () => {
  it("files for a member of another household of the group: pending, role group_leader, and cannot approve it", async () => {
    const v = await groupVillage("GL1");
    expect(await isGroupLeaderOf(v.leaderA, v.h2)).toBe(true);
    expect(await leadsAnyGroup(v.leaderA)).toBe(true);
    expect(await leadsAnyGroup(v.committee1)).toBe(false);
    expect((await groupsLedBy(v.leaderA)).map((g) => g.id)).toEqual([v.groupA]);
    const out = await fileForGroupHousehold(v.leaderA, v.villageId, v.h2, claimForm({ memberId: String(v.m2), ruleId: String(v.rules.sweep), date: today(), quantity: "1", note: "帮老人扫院子" }));
    expect(out.ok).toBe(true);
    const id = out.ok ? out.ids[0] : 0;
    expect(await claimRow(id)).toMatchObject({ status: "pending", household_id: v.h2, member_id: v.m2, filer_user_id: v.leaderA, filer_role: "group_leader", points: 5 });
    // Maker-checker: even holding a committee role, the one who filed it cannot approve it.
    await expect(approveClaim(v.villageId, id, { userId: v.leaderA, role: "committee" })).rejects.toThrow(ClaimError);
    expect((await claimRow(id)).status).toBe("pending");
    // Another committee member approves: it goes on 公示 like any claim.
    await approveClaim(v.villageId, id, { userId: v.committee1, role: "committee" });
    expect(["notice", "credited"]).toContain((await claimRow(id)).status);
  });

  it("refuses a household of another group, a negative rule, and a member not of the page's household; writes nothing", async () => {
    const v = await groupVillage("GL2");
    const before = { claims: await count("claims"), audit: await count("audit_log"), photos: await count("claim_photos") };
    const at = now() - 3600_000;
    const file = (memberId: number, ruleId: number) =>
      fileClaimBatch({ villageId: v.villageId, filer: { userId: v.leaderA, role: "group_leader" }, items: [{ memberId, ruleId, occurredAt: at, quantity: 1, note: "" }] });
    await expect(file(v.m3, v.rules.sweep)).rejects.toThrow("只能为本联户的农户申报");
    await expect(file(v.m4, v.rules.sweep)).rejects.toThrow("只能为本联户的农户申报");
    await expect(file(v.m2, v.rules.litter)).rejects.toThrow("扣分只能由检查员或村委登记");
    const form = (memberId: number, ruleId: number) => claimForm({ memberId: String(memberId), ruleId: String(ruleId), date: today(), quantity: "1", note: "" });
    const other = await fileForGroupHousehold(v.leaderA, v.villageId, v.h3, form(v.m3, v.rules.sweep));
    expect(other).toMatchObject({ ok: false, errors: { memberId: "只能为本联户的农户申报" } });
    const negative = await fileForGroupHousehold(v.leaderA, v.villageId, v.h2, form(v.m2, v.rules.litter));
    expect(negative).toMatchObject({ ok: false, errors: { ruleId: "扣分只能由检查员或村委登记" } });
    const wrongMember = await fileForGroupHousehold(v.leaderA, v.villageId, v.h2, form(v.m1b, v.rules.sweep));
    expect(wrongMember).toMatchObject({ ok: false, errors: { memberId: "请从列表中选择这一户的成员" } });
    const badDate = await fileForGroupHousehold(v.leaderA, v.villageId, v.h2, claimForm({ memberId: String(v.m2), ruleId: String(v.rules.sweep), date: "2099-01-01", quantity: "1" }));
    expect(badDate.ok).toBe(false);
    expect({ claims: await count("claims"), audit: await count("audit_log"), photos: await count("claim_photos") }).toEqual(before);
    // A group leader's role does not reach a household outside the groups once they stop leading.
    await setGroupLeader(admin(v.villageId), v.villageId, v.groupA, null);
    await expect(file(v.m2, v.rules.sweep)).rejects.toThrow("只能为本联户的农户申报");
  });

  it("shows the leader the group's households, with balances only when the village allows, and 404s any other", async () => {
    const v = await groupVillage("GL3");
    const [g] = await leaderGroups(v.leaderA);
    expect(g.households.map((h) => h.id)).toEqual([v.h1, v.h2]);
    expect(g.households[0]).toMatchObject({ head: "张一", phone: "13600000001", members: 2, balance: null });
    expect(g.households[1]).toMatchObject({ head: "赵老汉", phone: null, balance: null });
    expect((await leaderHousehold(v.leaderA, v.h2)).household.balance).toBeNull();
    const s = await villageSettings(v.villageId);
    expect(s.leaderBalances).toBe("hide");
    await updateVillageSettings(admin(v.villageId), v.villageId, { ...s, leaderBalances: "show" });
    expect((await villageSettings(v.villageId)).leaderBalances).toBe("show");
    const [shown] = await leaderGroups(v.leaderA);
    expect(shown.households.map((h) => h.balance)).toEqual([0, 0]);
    expect((await leaderHousehold(v.leaderA, v.h2)).household.balance).toBe(0);
    // A settings form from before the field keeps the village's choice.
    await updateVillageSettings(admin(v.villageId), v.villageId, { ...s, leaderBalances: null });
    expect((await villageSettings(v.villageId)).leaderBalances).toBe("show");
    // Other groups' households, ungrouped ones, and non-leaders: not found.
    expect(await status(leaderHousehold(v.leaderA, v.h3))).toBe(404);
    expect(await status(leaderHousehold(v.leaderA, v.h4))).toBe(404);
    expect(await status(leaderHousehold(v.committee1, v.h1))).toBe(403);
    expect(await leaderGroups(v.committee1)).toEqual([]);
  });
});

describe("the village admin's groups", () => {
  it("creates and renames groups with unique names, once under a race", async () => {
    const v = await groupVillage("GA1");
    const a = admin(v.villageId);
    expect(await createGroup(a, v.villageId, v.grid2, "1号联户")).toMatchObject({ ok: false, errors: { name: "本村已有同名联户，请换一个名称" } });
    expect(await createGroup(a, v.villageId, 999_999, "3号联户")).toMatchObject({ ok: false, errors: { gridId: "请选择联户所在的网格" } });
    const both = await Promise.all([createGroup(a, v.villageId, v.grid2, "3号联户"), createGroup(a, v.villageId, v.grid2, "3号联户")]);
    expect(both.filter((o) => o.ok)).toHaveLength(1);
    expect(both.find((o) => !o.ok)).toMatchObject({ errors: { name: "本村已有同名联户，请换一个名称" } });
    expect(Number(await q().value("select count(*) from household_groups where village_id = ? and name = ?", v.villageId, "3号联户"))).toBe(1);
    expect(await renameGroup(a, v.villageId, v.groupB, "1号联户")).toMatchObject({ ok: false });
    expect(await renameGroup(a, v.villageId, v.groupB, "东头联户")).toEqual({ ok: true });
    expect(await status(renameGroup(a, v.villageId, 999_999, "x"))).toBe(404);
  });

  it("sets a leader only among the village's villagers with a login, and households only of the group's grid", async () => {
    const v = await groupVillage("GA2");
    const other = await groupVillage("GA3");
    const a = admin(v.villageId);
    const audits = await count("audit_log");
    expect(await setGroupLeader(a, v.villageId, v.groupA, v.committee1)).toMatchObject({ ok: false, errors: { leaderUserId: "联户长要从本村有登录账号的村民里选" } });
    expect(await setGroupLeader(a, v.villageId, v.groupA, other.leaderA)).toMatchObject({ ok: false });
    expect(await setGroupHouseholds(a, v.villageId, v.groupA, [v.h1, v.h4])).toMatchObject({ ok: false, errors: { householdIds: "勾选的住户要是这个网格的本村住户" } });
    expect(await setGroupHouseholds(a, v.villageId, v.groupA, [v.h1, other.h2])).toMatchObject({ ok: false });
    expect(await setGridWorker(a, v.villageId, v.grid1, v.leaderA)).toMatchObject({ ok: false, errors: { workerUserId: "网格员要从本村有检查员角色的账号里选" } });
    expect(await count("audit_log")).toBe(audits);
    expect(await status(setGroupHouseholds(a, v.villageId, other.groupA, [other.h1]))).toBe(404);
    // Moving household 3 from group B into A, and 2 out of A.
    expect(await setGroupHouseholds(a, v.villageId, v.groupA, [v.h1, v.h3])).toMatchObject({ ok: true, count: 2 });
    const groupOf = async (h: number) => q().value<number | null>("select group_id from households where id = ?", h);
    expect([await groupOf(v.h1), await groupOf(v.h2), await groupOf(v.h3)]).toEqual([v.groupA, null, v.groupA]);
    expect(await setGroupLeader(a, v.villageId, v.groupA, v.leaderB)).toEqual({ ok: true });
    expect(await isGroupLeaderOf(v.leaderB, v.h3)).toBe(true);
    expect(await setGridWorker(a, v.villageId, v.grid1, v.inspector)).toEqual({ ok: true });
    expect(await q().value("select worker_user_id from grids where id = ?", v.grid1)).toBe(v.inspector);
    expect(await setGridWorker(a, v.villageId, v.grid1, null)).toEqual({ ok: true });
    expect(await count("audit_log")).toBe(audits + 4);
  });
});
