// Village representatives (村民代表): marked by the roster import's optional column or on the admin
// household page, and who of them can vote (an enabled login) when a campaign's voters are counted.
import { describe, expect, it } from "vitest";
import { liveElectorate, setRepresentative } from "~/campaigns/voters.server";
import { importRoster, parseRoster } from "~/people/roster.server";
import { sqlOn } from "../support/sql";
import { campaignVillage, markRepresentatives } from "./fixture";

const utf8 = (s: string) => new TextEncoder().encode(s);
const actor = { userId: null, role: "village_admin" };
const rows = (sql: string, ...args: unknown[]) => sqlOn().all(sql, ...args);
const count = async (sql: string, ...args: unknown[]) => (await sqlOn().get<{ n: number }>(sql, ...args))!.n;

describe("the roster import's 村民代表 column", () => {
  it("marks 是, leaves 否 and blank, and is optional", async () => {
    const v = await campaignVillage("RIMP");
    const text = "户号,网格,门牌地址,姓名,与户主关系,手机号,村民代表\n9001,,,赵大,户主,, 是 \n9001,,,钱二,配偶,,否\n9002,,,孙三,户主,,\n";
    const r = await importRoster(v.villageId, actor, utf8(text));
    expect(r.ok).toBe(true);
    expect(await rows("select name, is_representative from members where village_id = ? and name in ('赵大', '钱二', '孙三') order by name", v.villageId)).toEqual([
      { name: "孙三", is_representative: 0 }, { name: "赵大", is_representative: 1 }, { name: "钱二", is_representative: 0 },
    ]);
    const log = (await sqlOn().get<{ after_json: string }>("select after_json from audit_log where action = 'import_roster' order by id desc limit 1"))!;
    expect(JSON.parse(log.after_json)).toMatchObject({ members: 3, representatives: 1 });
    // A file without the column still imports, with nobody marked.
    const old = await importRoster(v.villageId, actor, utf8("户号,网格,门牌地址,姓名,与户主关系,手机号\n9003,,,李四,户主,\n"));
    expect(old.ok).toBe(true);
    expect(await rows("select is_representative from members where name = '李四'")).toEqual([{ is_representative: 0 }]);
  });

  it("refuses any other value with the row and column, importing nothing", async () => {
    const v = await campaignVillage("RBAD");
    const before = await count("select count(*) as n from members");
    const r = await parseRoster("户号,网格,门牌地址,姓名,与户主关系,手机号,村民代表\n9101,,,周五,户主,,Y\n9102,,,吴六,户主,,<b>\n", v.villageId);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { row: 2, column: "村民代表", message: "村民代表只能填“是”或“否”，不是村民代表也可以不填" },
      { row: 3, column: "村民代表", message: "村民代表不能包含 < 或 > 符号" },
    ]);
    expect((await importRoster(v.villageId, actor, utf8("户号,网格,门牌地址,姓名,与户主关系,手机号,村民代表\n9101,,,周五,户主,,1\n"))).ok).toBe(false);
    expect(await count("select count(*) as n from members")).toBe(before);
  });
});

describe("marking on the household page", () => {
  it("sets and clears, audited once per change, refuses an inactive member and another household's", async () => {
    const v = await campaignVillage("RPAGE");
    const admin = { userId: v.committee1, role: "village_admin", villageId: v.villageId };
    const home = v.homes[0];
    const audits = () => count("select count(*) as n from audit_log where action = 'member.representative'");
    expect(await setRepresentative(admin, v.villageId, home.householdId, home.head, true)).toEqual({ ok: true, name: "户主0" });
    expect(await setRepresentative(admin, v.villageId, home.householdId, home.head, true)).toEqual({ ok: true, name: "户主0" }); // no change, no row
    expect(await audits()).toBe(1);
    expect((await setRepresentative(admin, v.villageId, home.householdId, home.head, false)).ok).toBe(true);
    expect(await audits()).toBe(2);
    await sqlOn().run("update members set active = 0 where id = ?", v.grandmother);
    expect(await setRepresentative(admin, v.villageId, home.householdId, v.grandmother, true)).toEqual({ ok: false, errors: { _form: "奶奶甲已停用，不能设为村民代表" }, status: 400 });
    await expect(setRepresentative(admin, v.villageId, v.homes[1].householdId, home.head, true)).rejects.toThrow();
    expect(await audits()).toBe(2);
  });
});

describe("who can vote", () => {
  it("representatives with an enabled login; households with at least one", async () => {
    const v = await campaignVillage("RVOTE");
    await markRepresentatives([v.homes[0].head, v.homes[1].head, v.grandmother]); // the grandmother has no login
    await sqlOn().run("update users set disabled = 1 where id = ?", v.homes[1].headUser);
    expect(await liveElectorate({ village_id: v.villageId, voters: "representatives" })).toEqual([`member:${v.homes[0].head}`]);
    await sqlOn().run("update users set disabled = 1 where id in (?, ?)", v.homes[0].headUser, v.daughterInLaw.user);
    // Household 0 has no enabled login left; household 1 neither.
    expect(await liveElectorate({ village_id: v.villageId, voters: "household" })).toEqual(v.homes.slice(2).map((h) => `household:${h.householdId}`));
  });
});
