import path from "node:path";
import { describe, expect, it } from "vitest";
import { engine, closeDatabase, migrateToLatest } from "~/platform/database.server";
import { DEMO_PASSWORD, isEmpty, seedDemo, seedEmpty, type DemoLogin } from "../../db/seed/demo.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { verifyPassword } from "~/platform/password.server";
import { findUserByPhone, rolesOf } from "~/people/users.server";
import { now } from "~/platform/clock.server";
import { cleanStoredPhotos } from "~/photos/cleanup.server";

const count = (sql: string, ...params: unknown[]) => (engine().sqlite.prepare(sql).get(...params) as { n: number }).n;

describe("demo seed", () => {
  let logins: DemoLogin[] = [];
  let villages: { id: number; name: string; code: string }[] = [];

  it("seeds an empty database", async () => {
    expect(await isEmpty()).toBe(true);
    logins = await seedDemo();
    expect(await isEmpty()).toBe(false);
    villages = engine().sqlite.prepare("select id, name, code from villages order by id").all() as typeof villages;
    const rows = {
      households: count("select count(*) as n from households"),
      members: count("select count(*) as n from members"),
      users: count("select count(*) as n from users"),
      transactions: count("select count(*) as n from ledger_transactions"),
      entries: count("select count(*) as n from ledger_entries"),
    };
    expect(rows.entries).toBeGreaterThan(2 * rows.transactions - 1);
    expect(rows.transactions).toBeGreaterThan(1000);
  });

  it("builds 青山镇 with two villages of 100-140 households, grids and a store each", () => {
    expect((engine().sqlite.prepare("select name from townships").all() as { name: string }[]).map((t) => t.name)).toEqual(["青山镇"]);
    expect(villages.map((v) => v.name)).toEqual(["桃源村", "杏花村"]);
    for (const v of villages) {
      const n = count("select count(*) as n from households where village_id = ?", v.id);
      expect(n).toBeGreaterThanOrEqual(100);
      expect(n).toBeLessThanOrEqual(140);
      expect(count("select count(*) as n from grids where village_id = ?", v.id)).toBeGreaterThanOrEqual(4);
      expect(count("select count(*) as n from households where village_id = ? and grid_id is null", v.id)).toBe(0);
      const store = engine().sqlite.prepare("select s.name, a.id as account from stores s join accounts a on a.store_id = s.id where s.village_id = ?").get(v.id) as
        | { name: string; account: number }
        | undefined;
      expect(store?.name).toBe(`${v.name}积分超市`);
    }
    // 1-6 members each, exactly one head
    expect(count("select count(*) as n from (select household_id, count(*) c from members group by household_id having c < 1 or c > 6)")).toBe(0);
    expect(count("select count(*) as n from households h where (select count(*) from members m where m.household_id = h.id and m.is_head = 1) <> 1")).toBe(0);
    expect(count("select count(*) as n from members where relation not in ('户主','配偶','子女','儿媳','孙子女','父母')")).toBe(0);
  });

  it("creates the demo logins with the right roles and the shared password", async () => {
    const expected: [string, string[], string | null][] = [
      ["13900000000", ["township_admin"], null],
      ["13900000001", ["villager", "household_head"], "桃源村"],
      ["13900000002", ["store_keeper"], "桃源村"],
      ["13900000003", ["committee"], "桃源村"],
      ["13900000004", ["inspector"], "桃源村"],
      ["13900000005", ["village_admin"], "桃源村"],
      ["13900000006", ["committee"], "桃源村"],
      ["13900000011", ["villager"], "杏花村"],
      ["13900000012", ["store_keeper"], "杏花村"],
      ["13900000013", ["committee"], "杏花村"],
      ["13900000014", ["inspector"], "杏花村"],
      ["13900000015", ["village_admin"], "杏花村"],
      ["13900000016", ["committee"], "杏花村"],
    ];
    expect(logins.map((l) => l.phone)).toEqual(expected.map(([p]) => p));
    const villageId = (name: string | null) => (name === null ? null : villages.find((v) => v.name === name)!.id);
    for (const [phone, roles, village] of expected) {
      const user = await findUserByPhone(phone);
      expect(user, phone).toBeDefined();
      expect(user!.must_change_password).toBe(0);
      expect(await verifyPassword(DEMO_PASSWORD, user!.password_hash)).toBe(true);
      const grants = await rolesOf(user!.id);
      for (const role of roles) expect(grants, phone).toContainEqual({ role, villageId: villageId(village) });
      expect(grants.every((g) => g.villageId === villageId(village)), phone).toBe(true);
      const login = logins.find((l) => l.phone === phone)!;
      expect(login.village).toBe(village);
      expect(login.role.split(",").sort()).toEqual(grants.map((g) => g.role).sort());
    }
    // the township admin spans the township and belongs to no household
    expect(await rolesOf((await findUserByPhone("13900000000"))!.id)).toEqual([{ role: "township_admin", villageId: null }]);
    expect((await findUserByPhone("13900000000"))!.member_id).toBeNull();
  });

  it("links 13900000001 to the head of a real household with a healthy balance and history", async () => {
    const user = (await findUserByPhone("13900000001"))!;
    const member = engine().sqlite.prepare("select * from members where id = ?").get(user.member_id) as {
      household_id: number; village_id: number; is_head: number; phone: string; relation: string;
    };
    expect(member).toMatchObject({ village_id: villages[0].id, is_head: 1, phone: "13900000001", relation: "户主" });
    expect(count("select count(*) as n from members where household_id = ?", member.household_id)).toBeGreaterThanOrEqual(3);
    const b = await householdBalance(member.household_id);
    expect(b.balance).toBeGreaterThanOrEqual(100);
    expect(b.score).toBeGreaterThan(0);
    const kinds = engine().sqlite.prepare(
      `select t.kind, count(*) as n from ledger_transactions t join ledger_entries e on e.txn_id = t.id
       join accounts a on a.id = e.account_id where a.household_id = ? group by t.kind`,
    ).all(member.household_id) as { kind: string; n: number }[];
    const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
    expect(byKind.award).toBeGreaterThanOrEqual(12);
    expect(byKind.redemption ?? 0).toBeGreaterThanOrEqual(1);

    const v2 = (await findUserByPhone("13900000011"))!;
    const m2 = engine().sqlite.prepare("select village_id, is_head from members where id = ?").get(v2.member_id) as { village_id: number; is_head: number };
    expect(m2).toEqual({ village_id: villages[1].id, is_head: 0 });
  });

  it("gives some members villager logins, and leaves a few households without any phone", () => {
    for (const v of villages) {
      const villagers = count(
        "select count(distinct u.id) as n from users u join user_roles r on r.user_id = u.id where r.role = 'villager' and r.village_id = ?",
        v.id,
      );
      expect(villagers).toBeGreaterThan(10);
      const noPhone = count(
        "select count(*) as n from households h where h.village_id = ? and not exists (select 1 from members m where m.household_id = h.id and m.phone is not null)",
        v.id,
      );
      expect(noPhone).toBeGreaterThanOrEqual(3);
      const noLogin = count(
        `select count(*) as n from households h where h.village_id = ? and not exists
         (select 1 from members m join users u on u.member_id = m.id where m.household_id = h.id)`,
        v.id,
      );
      expect(noLogin).toBeGreaterThan(noPhone);
    }
    // every villager login belongs to a member whose phone it uses; heads also manage the household
    expect(count(`select count(*) as n from users u join user_roles r on r.user_id = u.id and r.role = 'villager'
                  left join members m on m.id = u.member_id where m.id is null or m.phone <> u.phone or m.village_id <> r.village_id`)).toBe(0);
    expect(count(`select count(*) as n from users u join members m on m.id = u.member_id where m.is_head = 1 and
                  not exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'household_head')`)).toBe(0);
    expect(count("select count(*) as n from users where must_change_password <> 0")).toBe(0);
  });

  it("writes a year of realistic, balanced ledger history ending today", async () => {
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
    expect(count("select count(*) as n from accounts where kind = 'household' and balance < 0")).toBe(0);
    expect(count("select count(*) as n from ledger_transactions where idem_key not like 'demo:v1:%'")).toBe(0);
    expect(count("select count(*) as n from ledger_transactions where cause_kind <> 'demo' or actor_user_id is null")).toBe(0);
    // actors match their role
    expect(count(`select count(*) as n from ledger_transactions t where not exists
                  (select 1 from user_roles r where r.user_id = t.actor_user_id and r.role = t.actor_role and r.village_id = t.village_id)`)).toBe(0);
    expect(count("select count(*) as n from ledger_transactions where kind = 'redemption' and actor_role <> 'store_keeper'")).toBe(0);

    const span = engine().sqlite.prepare("select min(created_at) as lo, max(created_at) as hi from ledger_transactions").get() as { lo: number; hi: number };
    expect(now() - span.lo).toBeGreaterThan(300 * 86_400_000);
    expect(span.hi).toBeLessThanOrEqual(now());
    expect(now() - span.hi).toBeLessThan(40 * 86_400_000);
    // walking forward in time: created_at never decreases with the id
    expect(count(`select count(*) as n from ledger_transactions a join ledger_transactions b on b.id = a.id + 1 where b.created_at < a.created_at`)).toBe(0);

    const memo = (like: string) => count("select count(*) as n from ledger_transactions where memo like ?", like);
    expect(memo("环境卫生评比·优秀（%")).toBeGreaterThan(100);
    expect(memo("环境卫生评比·良好（%")).toBeGreaterThan(100);
    expect(memo("志愿服务·%")).toBeGreaterThan(100);
    expect(memo("民主评议·好婆婆%")).toBeGreaterThan(0);
    expect(memo("民主评议·文明家庭%")).toBeGreaterThan(0);
    expect(memo("村规民约·%")).toBeGreaterThan(0);
    expect(memo("积分超市兑换：%")).toBeGreaterThan(100);
    // Last month's sanitation is the published demo round (credited through claims), never also history.
    const published = engine().sqlite.prepare("select distinct title from sanitation_rounds where status = 'published'").all() as { title: string }[];
    expect(published.length).toBeGreaterThan(0);
    for (const { title } of published) expect(memo(`环境卫生评比%（${title}%`), title).toBe(0);

    const reversals = engine().sqlite.prepare("select memo from ledger_transactions where kind = 'reversal'").all() as { memo: string }[];
    expect(reversals.length).toBeGreaterThanOrEqual(2);
    for (const r of reversals) expect(r.memo).toMatch(/^红冲：/);

    const amounts = engine().sqlite.prepare(
      "select min(e.amount) as lo, max(e.amount) as hi from ledger_entries e join ledger_transactions t on t.id = e.txn_id join accounts a on a.id = e.account_id where t.kind = 'redemption' and a.kind = 'store'",
    ).get() as { lo: number; hi: number };
    expect(amounts.lo).toBeGreaterThanOrEqual(15);
    expect(amounts.hi).toBeLessThanOrEqual(120);
  });

  it("gives every tier of the demo checklist a rule, so its published round has one claim per scored household", () => {
    for (const c of engine().sqlite.prepare("select tiers_json from checklists").all() as { tiers_json: string }[]) {
      const tiers = JSON.parse(c.tiers_json) as { name: string; ruleId: number | null }[];
      expect(tiers.map((t) => t.name)).toEqual(["优秀", "良好", "合格", "不合格"]);
      for (const t of tiers) expect(t.ruleId, t.name).not.toBeNull();
    }
    const rounds = engine().sqlite.prepare("select id from sanitation_rounds where status = 'published'").all() as { id: number }[];
    expect(rounds.length).toBeGreaterThan(0);
    for (const { id } of rounds) {
      const scored = count("select count(*) as n from inspections where round_id = ? and status = 'scored'", id);
      expect(scored).toBeGreaterThan(0);
      expect(count("select count(distinct household_id) as n from claims where source_kind = 'round' and source_id = ?", id)).toBe(scored);
      expect(count("select count(*) as n from claims where source_kind = 'round' and source_id = ?", id)).toBe(scored);
      expect(count(`select count(*) as n from claims c join inspections i on i.round_id = c.source_id and i.household_id = c.household_id
                    where c.source_kind = 'round' and c.source_id = ? and i.status <> 'scored'`, id)).toBe(0);
      expect(count(`select count(*) as n from claims c join rules r on r.id = c.rule_id where c.source_kind = 'round' and c.source_id = ? and r.name = '环境卫生评比·合格'`, id)).toBeGreaterThan(0);
    }
  });

  it("leaves every demo claim in review approvable by a committee member who neither filed it nor lives in its household", () => {
    const stuck = engine().sqlite.prepare(
      `select c.id from claims c where c.status = 'pending' and not exists (
         select 1 from user_roles r join users u on u.id = r.user_id left join members m on m.id = u.member_id
         where r.role = 'committee' and r.village_id = c.village_id and u.id <> c.filer_user_id
           and (m.household_id is null or m.household_id <> c.household_id))`,
    ).all();
    expect(count("select count(*) as n from claims where status = 'pending'")).toBeGreaterThan(0);
    expect(stuck).toEqual([]);
  });

  it("stores its photos the way uploads are stored: re-encoded without metadata, nothing left for the boot pass", async () => {
    expect(count("select count(*) as n from claim_photos")).toBeGreaterThan(0);
    expect(count("select count(*) as n from inspection_photos")).toBeGreaterThan(0);
    expect(count("select count(*) as n from goods where photo is not null")).toBeGreaterThan(0);
    expect(count("select count(*) as n from claim_photos where cleaned_at is null or mime <> 'image/jpeg'")).toBe(0);
    expect(count("select count(*) as n from inspection_photos where cleaned_at is null or mime <> 'image/jpeg'")).toBe(0);
    expect(count("select count(*) as n from goods where photo is not null and photo_cleaned_at is null")).toBe(0);
    expect(await cleanStoredPhotos()).toEqual({ files: 0, removed: [], goods: 0 });
  });

  it("does nothing on a database that already has a township", async () => {
    const before = count("select count(*) as n from ledger_transactions") + count("select count(*) as n from users");
    expect(await seedDemo()).toEqual([]);
    expect(count("select count(*) as n from ledger_transactions") + count("select count(*) as n from users")).toBe(before);
    await expect(seedEmpty()).rejects.toThrow();
  });

  it("seedEmpty creates only the township and a township admin who must change the password", async () => {
    const original = process.env.DATABASE_PATH!;
    await closeDatabase();
    process.env.DATABASE_PATH = path.join(path.dirname(original), "empty.sqlite");
    try {
      await migrateToLatest();
      expect(await isEmpty()).toBe(true);
      const { phone, password } = await seedEmpty();
      expect(phone).toBe("13900000000");
      expect(password.length).toBeGreaterThanOrEqual(8);
      expect(password).not.toBe(DEMO_PASSWORD);
      const user = (await findUserByPhone(phone))!;
      expect(user.must_change_password).toBe(1);
      expect(await verifyPassword(password, user.password_hash)).toBe(true);
      expect(await rolesOf(user.id)).toEqual([{ role: "township_admin", villageId: null }]);
      expect((engine().sqlite.prepare("select name from townships").all() as { name: string }[]).map((t) => t.name)).toEqual(["青山镇"]);
      expect(count("select count(*) as n from villages")).toBe(0);
      expect(count("select count(*) as n from ledger_transactions")).toBe(0);
      expect(await isEmpty()).toBe(false);
    } finally {
      await closeDatabase();
      process.env.DATABASE_PATH = original;
    }
  });
});
