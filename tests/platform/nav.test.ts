// The menu bar on a phone: a villager's own pages always visible, jobs behind one 工作 entry when the
// viewer also has a household, and exactly one entry marked as the current page.
import { describe, expect, it } from "vitest";
import { currentEntry, menuFor, navFor } from "~/platform/nav";

const villager = [{ role: "villager" as const, villageId: 1 }, { role: "household_head" as const, villageId: 1 }];
const committee = [...villager, { role: "committee" as const, villageId: 1 }];
const keeper = [{ role: "store_keeper" as const, villageId: 1 }];

describe("menuFor", () => {
  it("a committee member with a household gets two phone rows (at most 8 entries), jobs behind 工作", () => {
    const menu = menuFor(committee, true);
    expect(menu.length).toBeLessThanOrEqual(8);
    expect(menu.map((m) => m.label)).toEqual(["我的积分", "积分超市", "积分明细", "申报积分", "志愿互助", "公示栏", "工作", "修改密码"]);
    const work = menu.find((m) => m.to === "/work")!;
    for (const job of navFor(committee, true).filter((n) => n.work)) expect(work.covers).toContain(job.to);
  });

  it("the village's shared work sits behind one 志愿互助 entry; a 联户长 finds 我的联户 there too", () => {
    const hub = (m: ReturnType<typeof menuFor>) => m.find((e) => e.to === "/together")!;
    expect(hub(menuFor(villager, true)).covers).toEqual(["/together", "/activities", "/errands", "/posts", "/teams"]);
    const leader = menuFor(villager, true, { leadsGroup: true });
    expect(leader.length).toBe(menuFor(villager, true).length);
    expect(hub(leader).covers).toContain("/group");
    expect(currentEntry(leader, "/group/h/12")).toBe("/together");
    // Staff without a household have none of it.
    expect(menuFor(keeper, false).some((m) => m.to === "/together")).toBe(false);
  });

  it("a plain villager has no 工作 entry; staff without a household see their jobs directly", () => {
    expect(menuFor(villager, true).some((m) => m.to === "/work")).toBe(false);
    // The counter's jobs before the notice board; 柜台兑换 is a home tile and a store tab, not a menu entry.
    expect(menuFor(keeper, false).map((m) => m.label)).toEqual(["扫码核销", "店务", "公示栏", "修改密码"]);
    expect(navFor(keeper, false).filter((n) => n.counter).map((n) => n.label)).toEqual(["扫码核销", "柜台兑换"]);
  });
});

describe("the village's figures and papers", () => {
  it("the committee and the village admin reach 村报表 from the menu, 打印存折 and 导出表格 from their work tiles; the township its 看板", () => {
    const jobs = (roles: Parameters<typeof navFor>[0]) => navFor(roles, false).filter((n) => n.work).map((n) => [n.label, n.to, !!n.tileOnly]);
    for (const roles of [committee, [{ role: "village_admin" as const, villageId: 1 }]]) {
      expect(jobs(roles)).toEqual(expect.arrayContaining([["村报表", "/v/1/report", false], ["打印存折", "/v/1/passbook", true], ["导出表格", "/v/1/exports", true]]));
    }
    expect(jobs(villager).length).toBe(0);
    expect(jobs(keeper).map(([label]) => label)).not.toContain("村报表");
    const township = [{ role: "township_admin" as const, villageId: null }];
    expect(menuFor(township, false).map((m) => m.label)).toEqual(["乡镇看板", "乡镇管理", "修改密码"]);
    expect(jobs(township)).toContainEqual(["导出表格", "/township/exports", true]);
    expect(currentEntry(menuFor(township, false), "/township/dashboard")).toBe("/township/dashboard");
  });
});

describe("currentEntry", () => {
  const menu = menuFor(committee, true);
  it("marks the entry covering the longest prefix", () => {
    expect(currentEntry(menu, "/")).toBe("/");
    expect(currentEntry(menu, "/store/orders/12")).toBe("/store");
    expect(currentEntry(menu, "/activities/3")).toBe("/together");
    expect(currentEntry(menu, "/v/1/review/2")).toBe("/work");
    expect(currentEntry(menu, "/v/1/notice")).toBe("/v/1/notice");
    expect(currentEntry(menu, "/household")).toBeNull();
  });
  it("a keeper's 扫码核销 and 店务 are never both current", () => {
    const k = menuFor(keeper, false);
    expect(currentEntry(k, "/v/1/store/scan")).toBe("/v/1/store/scan");
    expect(currentEntry(k, "/v/1/store/day")).toBe("/v/1/store");
    expect(currentEntry(k, "/v/1/store")).toBe("/v/1/store");
  });
});
