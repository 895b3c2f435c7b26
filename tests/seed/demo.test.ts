import crypto from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { engine, closeDatabase, migrateToLatest, type Engine } from "~/platform/database.server";
import { DEMO_PASSWORD, isEmpty, seedDemo, seedEmpty, type DemoLogin } from "../../db/seed/demo.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { verifyPassword } from "~/platform/password.server";
import { findUserByPhone, rolesOf } from "~/people/users.server";
import { clockControl, now } from "~/platform/clock.server";
import { creditDueClaims } from "~/claims/claims.server";
import { cleanStoredPhotos } from "~/photos/cleanup.server";
import { createTestDatabase, dropTestDatabase } from "../support/postgres";
import { onPostgres, sqlOn } from "../support/sql";
import { appTables } from "../support/sweep";

const q = () => sqlOn();
const count = async (sql: string, ...params: unknown[]) => (await q().get<{ n: number }>(sql, ...params))!.n;

/** Columns random by design: bcrypt's salt in password and PIN hashes, a stored photo's key and file name, an order's code and QR token. */
const RANDOM = new Set(["password_hash", "pin_hash", "key", "file", "code", "token"]);

/** Every app table as its rows (random columns left out), sorted: two townships compare equal when they are the same. */
async function township(on: Engine): Promise<Record<string, { rows: number; sha1: string }>> {
  const out: Record<string, { rows: number; sha1: string }> = {};
  for (const table of await appTables(on)) {
    const rows = (await sqlOn(on).all(`select * from "${table}"`)).map((r) =>
      JSON.stringify(
        Object.entries(r)
          .filter(([k]) => !RANDOM.has(k))
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString("base64") : v]),
      ),
    );
    rows.sort();
    out[table] = { rows: rows.length, sha1: crypto.createHash("sha1").update(rows.join("\n")).digest("hex") };
  }
  return out;
}

describe("demo seed", () => {
  let logins: DemoLogin[] = [];
  let villages: { id: number; name: string; code: string }[] = [];
  // The demo's history ends "now": one instant for the whole file, so that on PostgreSQL the SQLite
  // twin seeded below is comparable to the millisecond.
  const NOW = Date.now();
  beforeAll(() => void vi.spyOn(Date, "now").mockReturnValue(NOW));
  afterAll(() => void vi.restoreAllMocks());

  it("seeds an empty database", async () => {
    expect(await isEmpty()).toBe(true);
    logins = await seedDemo();
    expect(await isEmpty()).toBe(false);
    villages = await q().all<(typeof villages)[number]>("select id, name, code from villages order by id");
    const rows = {
      households: await count("select count(*) as n from households"),
      members: await count("select count(*) as n from members"),
      users: await count("select count(*) as n from users"),
      transactions: await count("select count(*) as n from ledger_transactions"),
      entries: await count("select count(*) as n from ledger_entries"),
    };
    expect(rows.entries).toBeGreaterThan(2 * rows.transactions - 1);
    expect(rows.transactions).toBeGreaterThan(1000);
  }, 240_000); // ~5 s on SQLite; on PostgreSQL each of its ~80 000 statements is a round trip to the server

  it("builds 青山镇 with two villages of 100-140 households, grids and a store each", async () => {
    expect((await q().all<{ name: string }>("select name from townships")).map((t) => t.name)).toEqual(["青山镇"]);
    expect(villages.map((v) => v.name)).toEqual(["桃源村", "杏花村"]);
    for (const v of villages) {
      const n = await count("select count(*) as n from households where village_id = ?", v.id);
      expect(n).toBeGreaterThanOrEqual(100);
      expect(n).toBeLessThanOrEqual(140);
      expect(await count("select count(*) as n from grids where village_id = ?", v.id)).toBeGreaterThanOrEqual(4);
      expect(await count("select count(*) as n from households where village_id = ? and grid_id is null", v.id)).toBe(0);
      const store = await q().get<{ name: string; account: number }>("select s.name, a.id as account from stores s join accounts a on a.store_id = s.id where s.village_id = ?", v.id);
      expect(store?.name).toBe(`${v.name}积分超市`);
    }
    // 1-6 members each, exactly one head
    expect(await count("select count(*) as n from (select household_id from members group by household_id having count(*) < 1 or count(*) > 6) as sizes")).toBe(0);
    expect(await count("select count(*) as n from households h where (select count(*) from members m where m.household_id = h.id and m.is_head = 1) <> 1")).toBe(0);
    expect(await count("select count(*) as n from members where relation not in ('户主','配偶','子女','儿媳','孙子女','父母')")).toBe(0);
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
      ["13900000007", ["villager"], "桃源村"], // the demo 联户长 (issue 18)
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
    const member = (await q().get<{ household_id: number; village_id: number; is_head: number; phone: string; relation: string }>(
      "select * from members where id = ?",
      user.member_id,
    ))!;
    expect(member).toMatchObject({ village_id: villages[0].id, is_head: 1, phone: "13900000001", relation: "户主" });
    expect(await count("select count(*) as n from members where household_id = ?", member.household_id)).toBeGreaterThanOrEqual(3);
    const b = await householdBalance(member.household_id);
    expect(b.balance).toBeGreaterThanOrEqual(100);
    expect(b.score).toBeGreaterThan(0);
    const kinds = await q().all<{ kind: string; n: number }>(
      `select t.kind, count(*) as n from ledger_transactions t join ledger_entries e on e.txn_id = t.id
       join accounts a on a.id = e.account_id where a.household_id = ? group by t.kind`,
      member.household_id,
    );
    const byKind = Object.fromEntries(kinds.map((k) => [k.kind, k.n]));
    expect(byKind.award).toBeGreaterThanOrEqual(12);
    expect(byKind.redemption ?? 0).toBeGreaterThanOrEqual(1);

    const v2 = (await findUserByPhone("13900000011"))!;
    const m2 = await q().get<{ village_id: number; is_head: number }>("select village_id, is_head from members where id = ?", v2.member_id);
    expect(m2).toEqual({ village_id: villages[1].id, is_head: 0 });
  });

  it("gives some members villager logins, and leaves a few households without any phone", async () => {
    for (const v of villages) {
      const villagers = await count(
        "select count(distinct u.id) as n from users u join user_roles r on r.user_id = u.id where r.role = 'villager' and r.village_id = ?",
        v.id,
      );
      expect(villagers).toBeGreaterThan(10);
      const noPhone = await count(
        "select count(*) as n from households h where h.village_id = ? and not exists (select 1 from members m where m.household_id = h.id and m.phone is not null)",
        v.id,
      );
      expect(noPhone).toBeGreaterThanOrEqual(3);
      const noLogin = await count(
        `select count(*) as n from households h where h.village_id = ? and not exists
         (select 1 from members m join users u on u.member_id = m.id where m.household_id = h.id)`,
        v.id,
      );
      expect(noLogin).toBeGreaterThan(noPhone);
    }
    // every villager login belongs to a member whose phone it uses; heads also manage the household
    expect(await count(`select count(*) as n from users u join user_roles r on r.user_id = u.id and r.role = 'villager'
                  left join members m on m.id = u.member_id where m.id is null or m.phone <> u.phone or m.village_id <> r.village_id`)).toBe(0);
    expect(await count(`select count(*) as n from users u join members m on m.id = u.member_id where m.is_head = 1 and
                  not exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'household_head')`)).toBe(0);
    expect(await count("select count(*) as n from users where must_change_password <> 0")).toBe(0);
  });

  it("writes a year of realistic, balanced ledger history ending today, every point through the app's own flows", async () => {
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
    expect(await count("select count(*) as n from accounts where kind = 'household' and balance < 0")).toBe(0);
    // No posting of the seed's own: awards and deductions are claims credited by the scheduler's job,
    // redemptions are orders, reversals are a revoked claim or a voided order.
    expect(await count("select count(*) as n from ledger_transactions where cause_kind = 'demo' or cause_kind is null and kind <> 'reversal'")).toBe(0);
    expect(await count("select count(*) as n from ledger_transactions where kind in ('award', 'deduction') and (cause_kind <> 'claim' or actor_role <> 'system' or idem_key not like 'claim:%:credit')")).toBe(0);
    expect(await count("select count(*) as n from ledger_transactions where kind = 'redemption' and (cause_kind <> 'order' or actor_role <> 'store_keeper')")).toBe(0);
    // people's actions carry a role they hold in the village
    expect(await count(`select count(*) as n from ledger_transactions t where t.actor_role <> 'system' and not exists
                  (select 1 from user_roles r where r.user_id = t.actor_user_id and r.role = t.actor_role and r.village_id = t.village_id)`)).toBe(0);

    const span = (await q().get<{ lo: number; hi: number }>("select min(created_at) as lo, max(created_at) as hi from ledger_transactions"))!;
    expect(now() - span.lo).toBeGreaterThan(300 * 86_400_000);
    expect(span.hi).toBeLessThanOrEqual(now());
    expect(now() - span.hi).toBeLessThan(40 * 86_400_000);
    // walking forward in time: created_at never decreases with the id
    expect(await count(`select count(*) as n from ledger_transactions a join ledger_transactions b on b.id = a.id + 1 where b.created_at < a.created_at`)).toBe(0);

    const credited = (like: string) =>
      count("select count(*) as n from claims c join rules r on r.id = c.rule_id where c.status in ('credited', 'revoked') and r.name like ?", like);
    expect(await credited("环境卫生评比·优秀")).toBeGreaterThan(50);
    expect(await credited("环境卫生评比·良好")).toBeGreaterThan(50);
    expect(await credited("参加志愿服务（按小时）")).toBeGreaterThan(100);
    expect(await credited("文明家庭")).toBeGreaterThan(0);
    expect(await credited("美丽庭院")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from claims c join rules r on r.id = c.rule_id where c.status = 'credited' and r.category = 'village_rules'")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from orders where status = 'confirmed'")).toBeGreaterThan(100);
    expect(await count("select count(*) as n from orders where status = 'confirmed' and channel = 'counter'")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from activities where status = 'closed'")).toBeGreaterThan(40);

    const reversals = await q().all<{ memo: string }>("select memo from ledger_transactions where kind = 'reversal'");
    expect(reversals.length).toBeGreaterThanOrEqual(2);
    for (const r of reversals) expect(r.memo).toMatch(/^(撤销申报 #\d+|作废兑换单 .+)：/);

    const amounts = (await q().get<{ lo: number; hi: number }>(
      "select min(e.amount) as lo, max(e.amount) as hi from ledger_entries e join ledger_transactions t on t.id = e.txn_id join accounts a on a.id = e.account_id where t.kind = 'redemption' and a.kind = 'store'",
    ))!;
    expect(amounts.lo).toBeGreaterThanOrEqual(15);
    expect(amounts.hi).toBeLessThanOrEqual(120);
  });

  it("traces every award and deduction to its claim, rule, reviewer and 公示", async () => {
    expect(await count("select count(*) as n from ledger_transactions where kind in ('award', 'deduction')")).toBeGreaterThan(1000);
    // the claim the transaction names was credited by it, under the claim's own rule, household and member
    expect(await count(`select count(*) as n from ledger_transactions t left join claims c on c.id = t.cause_id and c.credit_txn_id = t.id
                  where t.kind in ('award', 'deduction') and (c.id is null or c.rule_id <> t.rule_id or c.member_id <> t.member_id
                  or c.status not in ('credited', 'revoked') or c.village_id <> t.village_id)`)).toBe(0);
    expect(await count(`select count(*) as n from ledger_transactions t join claims c on c.id = t.cause_id join ledger_entries e on e.txn_id = t.id
                  join accounts a on a.id = e.account_id and a.kind = 'household' where t.kind in ('award', 'deduction') and (a.household_id <> c.household_id or e.amount <> c.points)`)).toBe(0);
    // every claim that reached 公示 was approved by a committee member who neither filed it nor lives in its household
    const reviewed = "c.status in ('notice', 'objected', 'credited', 'revoked')";
    expect(await count(`select count(*) as n from claims c where ${reviewed} and (c.approved_at is null or c.notice_until is null or c.decided_by_user_id is null)`)).toBe(0);
    expect(await count(`select count(*) as n from claims c join villages v on v.id = c.village_id where ${reviewed} and c.notice_until <> c.approved_at + v.notice_days * 86400000`)).toBe(0);
    expect(await count(`select count(*) as n from claims c where ${reviewed} and not exists (
                  select 1 from claim_approvals a join user_roles r on r.user_id = a.user_id and r.role = 'committee' and r.village_id = c.village_id
                  left join users u on u.id = a.user_id left join members m on m.id = u.member_id
                  where a.claim_id = c.id and a.user_id <> c.filer_user_id and (m.household_id is null or m.household_id <> c.household_id))`)).toBe(0);
    // credited once its 公示 had ended, never before
    expect(await count("select count(*) as n from claims where status in ('credited', 'revoked') and (credited_at is null or credited_at < notice_until)")).toBe(0);
    // a rejected claim has its reason and who decided; an upheld objection rejected its claim
    expect(await count("select count(*) as n from claims where status = 'rejected'")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from claims where status = 'rejected' and (reason is null or reason = '' or decided_by_user_id is null)")).toBe(0);
    expect(await count("select count(*) as n from objections where status = 'dismissed'")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from objections o join claims c on c.id = o.claim_id where o.status = 'upheld' and c.status <> 'rejected'")).toBe(0);
    // claims of activities and rounds point at what they came from
    expect(await count(`select count(*) as n from claims c where c.source_kind = 'activity' and not exists
                  (select 1 from activity_attendance t where t.claim_id = c.id and t.activity_id = c.source_id)`)).toBe(0);
    expect(await count(`select count(*) as n from claims c where c.source_kind = 'round' and not exists
                  (select 1 from inspections i where i.claim_id = c.id and i.round_id = c.source_id)`)).toBe(0);
    // a revoked claim is reversed by its own reversal
    expect(await count("select count(*) as n from claims where status = 'revoked'")).toBeGreaterThan(0);
    expect(await count(`select count(*) as n from claims c left join ledger_transactions t on t.id = c.revoke_txn_id
                  where c.status = 'revoked' and (t.id is null or t.kind <> 'reversal' or t.reverses_id <> c.credit_txn_id)`)).toBe(0);
  });

  it("traces every redemption to a confirmed order that took its goods out of stock", async () => {
    expect(await count(`select count(*) as n from ledger_transactions t left join orders o on o.id = t.cause_id and o.txn_id = t.id
                  where t.kind = 'redemption' and (o.id is null or o.status not in ('confirmed', 'voided') or o.confirmed_by is null)`)).toBe(0);
    expect(await count(`select count(*) as n from ledger_transactions t join orders o on o.id = t.cause_id join ledger_entries e on e.txn_id = t.id
                  join accounts a on a.id = e.account_id and a.kind = 'household' where t.kind = 'redemption' and e.amount <> -o.total`)).toBe(0);
    // each line left the stock by a movement of that order; a voided order's goods came back
    expect(await count(`select count(*) as n from order_items i join orders o on o.id = i.order_id where o.status in ('confirmed', 'voided')
                  and i.qty <> -(select coalesce(sum(s.delta), 0) from stock_movements s where s.order_id = o.id and s.good_id = i.good_id and s.kind = 'redemption')`)).toBe(0);
    expect(await count(`select count(*) as n from order_items i join orders o on o.id = i.order_id where o.status = 'voided'
                  and i.qty <> (select coalesce(sum(s.delta), 0) from stock_movements s where s.order_id = o.id and s.good_id = i.good_id and s.kind = 'void')`)).toBe(0);
    expect(await count("select count(*) as n from orders where status = 'voided' and (void_txn_id is null or void_reason is null or void_reason = '')")).toBe(0);
    expect(await count("select count(*) as n from orders where status = 'voided'")).toBeGreaterThan(0);
    // the goods were restocked through the year, and each good's stock is what its movements say
    expect(await count("select count(*) as n from stock_movements where kind = 'restock' and note <> '开业备货'")).toBeGreaterThan(20);
    expect(await count("select count(*) as n from goods g where g.stock <> (select coalesce(sum(delta), 0) from stock_movements s where s.good_id = g.id)")).toBe(0);
    for (const v of villages) {
      expect(await count("select count(*) as n from goods where village_id = ? and active = 1 and stock = 0", v.id), v.name).toBeGreaterThan(0);
    }
  });

  it("closes the days with sales and settles every finished month with each store", async () => {
    const today = new Date(now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const sold = await q().all<{ store_id: number; closed_at: number }>("select store_id, closed_at from orders where status = 'confirmed' order by id");
    const saleDays = new Set(sold.map((o) => `${o.store_id}:${new Date(o.closed_at + 8 * 3_600_000).toISOString().slice(0, 10)}`).filter((k) => !k.endsWith(today)));
    const closed = new Set((await q().all<{ store_id: number; day: string }>("select store_id, day from day_closes")).map((d) => `${d.store_id}:${d.day}`));
    expect(saleDays.size).toBeGreaterThan(50);
    expect([...saleDays].filter((d) => !closed.has(d))).toEqual([]);
    // every month of the year before this one, in every store, settled at what its orders add up to
    const months = await q().all<{ month: string }>("select distinct month from ledger_months order by month");
    const finished = months.map((m) => m.month).filter((m) => m < today.slice(0, 7));
    expect(finished.length).toBeGreaterThanOrEqual(11);
    for (const { id: store } of await q().all<{ id: number }>("select id from stores")) {
      const settled = await q().all<{ month: string; points: number }>("select month, points from settlements where store_id = ? order by month", store);
      expect(settled.map((s) => s.month)).toEqual(finished);
      for (const s of settled) {
        const from = Date.parse(`${s.month}-01T00:00:00+08:00`);
        const [y, m] = s.month.split("-").map(Number);
        const until = Date.parse(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, "0")}-01T00:00:00+08:00`);
        const sum = await count("select coalesce(sum(total), 0) as n from orders where store_id = ? and status = 'confirmed' and closed_at >= ? and closed_at < ?", store, from, until);
        expect(s.points, s.month).toBe(sum);
      }
    }
  });

  it("gives every tier of the demo checklist a rule, so its published round has one claim per scored household", async () => {
    for (const c of await q().all<{ tiers_json: string }>("select tiers_json from checklists")) {
      const tiers = JSON.parse(c.tiers_json) as { name: string; ruleId: number | null }[];
      expect(tiers.map((t) => t.name)).toEqual(["优秀", "良好", "合格", "不合格"]);
      for (const t of tiers) expect(t.ruleId, t.name).not.toBeNull();
    }
    const rounds = await q().all<{ id: number }>("select id from sanitation_rounds where status = 'published'");
    expect(rounds.length).toBeGreaterThan(0);
    for (const { id } of rounds) {
      const scored = await count("select count(*) as n from inspections where round_id = ? and status = 'scored'", id);
      expect(scored).toBeGreaterThan(0);
      expect(await count("select count(distinct household_id) as n from claims where source_kind = 'round' and source_id = ?", id)).toBe(scored);
      expect(await count("select count(*) as n from claims where source_kind = 'round' and source_id = ?", id)).toBe(scored);
      expect(await count(`select count(*) as n from claims c join inspections i on i.round_id = c.source_id and i.household_id = c.household_id
                    where c.source_kind = 'round' and c.source_id = ? and i.status <> 'scored'`, id)).toBe(0);
      expect(await count(`select count(*) as n from claims c join rules r on r.id = c.rule_id where c.source_kind = 'round' and c.source_id = ? and r.name = '环境卫生评比·合格'`, id)).toBeGreaterThan(0);
    }
  });

  it("leaves every demo claim in review approvable by a committee member who neither filed it nor lives in its household", async () => {
    const stuck = await q().all(
      `select c.id from claims c where c.status = 'pending' and not exists (
         select 1 from user_roles r join users u on u.id = r.user_id left join members m on m.id = u.member_id
         where r.role = 'committee' and r.village_id = c.village_id and u.id <> c.filer_user_id
           and (m.household_id is null or m.household_id <> c.household_id))`,
    );
    expect(await count("select count(*) as n from claims where status = 'pending'")).toBeGreaterThan(0);
    expect(stuck).toEqual([]);
  });

  it("stores its photos the way uploads are stored: re-encoded without metadata, nothing left for the boot pass", async () => {
    expect(await count("select count(*) as n from claim_photos")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from inspection_photos")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from goods where photo is not null")).toBeGreaterThan(0);
    expect(await count("select count(*) as n from claim_photos where cleaned_at is null or mime <> 'image/jpeg'")).toBe(0);
    expect(await count("select count(*) as n from inspection_photos where cleaned_at is null or mime <> 'image/jpeg'")).toBe(0);
    expect(await count("select count(*) as n from goods where photo is not null and photo_cleaned_at is null")).toBe(0);
    expect(await cleanStoredPhotos()).toEqual({ files: 0, removed: [], goods: 0 });
  });

  it("does nothing on a database that already has a township", async () => {
    const before = await count("select count(*) as n from ledger_transactions") + await count("select count(*) as n from users");
    expect(await seedDemo()).toEqual([]);
    expect(await count("select count(*) as n from ledger_transactions") + await count("select count(*) as n from users")).toBe(before);
    await expect(seedEmpty()).rejects.toThrow();
  });

  // The reference is SQLite: the PostgreSQL run seeds it again beside its own township and compares.
  it.runIf(onPostgres())("seeds the very same township on PostgreSQL as on SQLite", async () => {
    const here = await township(engine());
    expect(here.ledger_transactions.rows).toBeGreaterThan(1000);
    const original = { url: process.env.DATABASE_URL, path: process.env.DATABASE_PATH! };
    await closeDatabase();
    process.env.DATABASE_URL = "";
    process.env.DATABASE_PATH = path.join(path.dirname(original.path), "sqlite-twin", "app.sqlite");
    try {
      await migrateToLatest();
      expect((await seedDemo()).map((l) => l.phone)).toEqual(logins.map((l) => l.phone));
      expect(here).toEqual(await township(engine()));
    } finally {
      await closeDatabase();
      process.env.DATABASE_URL = original.url;
      process.env.DATABASE_PATH = original.path;
    }
  }, 120_000);

  // After the others: it moves the clock and credits, as the first start's scheduler and the days after do.
  it("leaves no household below zero once everything in 公示 is credited, days later", async () => {
    clockControl.set(now() + 4 * 86_400_000);
    try {
      await creditDueClaims();
    } finally {
      clockControl.reset();
    }
    expect(await count("select count(*) as n from claims where status = 'notice'")).toBe(0);
    expect(await count("select count(*) as n from accounts where kind = 'household' and balance < 0")).toBe(0);
    expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);
  });

  it("seedEmpty creates only the township and a township admin who must change the password", async () => {
    const original = process.env.DATABASE_PATH!;
    const originalUrl = process.env.DATABASE_URL;
    await closeDatabase();
    // A database of its own: on PostgreSQL a fresh one copied from the migrated template.
    if (originalUrl) process.env.DATABASE_URL = await createTestDatabase();
    else process.env.DATABASE_PATH = path.join(path.dirname(original), "empty.sqlite");
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
      expect((await q().all<{ name: string }>("select name from townships")).map((t) => t.name)).toEqual(["青山镇"]);
      expect(await count("select count(*) as n from villages")).toBe(0);
      expect(await count("select count(*) as n from ledger_transactions")).toBe(0);
      expect(await isEmpty()).toBe(false);
    } finally {
      await closeDatabase();
      if (originalUrl) {
        await dropTestDatabase(process.env.DATABASE_URL!);
        process.env.DATABASE_URL = originalUrl;
      }
      process.env.DATABASE_PATH = original;
    }
  });
});
