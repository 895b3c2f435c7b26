// Appeals through the production server: the pages with an appeal id (who may open them, own and
// other village), the appeal's photos (cleaned, and only for the household and the committee), a
// file that is not a picture, a decision refused to the member who approved the original and made
// by another, and the statement afterwards.
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";

let server: TestServer;
let database: Engine;
let q: Sql;
const PHONES = { villager: "13900000001", keeper: "13900000002", committee: "13900000003", inspector: "13900000004", admin: "13900000005", township: "13900000000", second: "13900000096" };
type Who = keyof typeof PHONES;
const clients = new Map<Who, Client>();
let village = 0;
let otherVillage = 0;
let txn = 0;

/** A JPEG with a GPS position in its EXIF, as a phone camera writes it. */
async function cameraPhoto(): Promise<Buffer> {
  return sharp({ create: { width: 800, height: 600, channels: 3, background: "#4caf50" } })
    .jpeg()
    .withExif({ IFD0: { Make: "TestPhone" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "30/1 15/1 0/1" } })
    .toBuffer();
}

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  q = sqlOn(database);
  [village, otherVillage] = (await q.all<{ id: number }>("select id from villages order by id")).map((r) => Number(r.id));
  await q.run("update villages set appeal_days = 365 where id = ?", village);
  // A second committee member of the village, who had no hand in the demo's claims (the demo's password).
  const hash = (await q.value<string>("select password_hash from users where phone = ?", PHONES.committee))!;
  const uid = (await q.value<number>(
    "insert into users (phone, password_hash, display_name, member_id, must_change_password, disabled, created_at) values (?, ?, '村委测试', null, 0, 0, ?) returning id",
    PHONES.second, hash, Date.now(),
  ))!;
  await q.run("insert into user_roles (user_id, role, village_id, created_at) values (?, 'committee', ?, ?)", uid, village, Date.now());
  // The villager's newest award or deduction from a claim the demo's committee member (13900000003) approved.
  const committee = (await q.value<number>("select id from users where phone = ?", PHONES.committee))!;
  txn = Number(await q.value<number>(
    `select t.id from ledger_transactions t
       join ledger_entries e on e.txn_id = t.id join accounts a on a.id = e.account_id
       join members m on m.household_id = a.household_id join users u on u.member_id = m.id and u.phone = ?
       join claims c on c.id = t.cause_id and t.cause_kind = 'claim'
     where t.kind in ('award', 'deduction') and not exists (select 1 from ledger_transactions x where x.reverses_id = t.id)
       and exists (select 1 from claim_approvals ca where ca.claim_id = c.id and ca.user_id = ?)
     order by t.id desc limit 1`,
    PHONES.villager, committee,
  ));
  expect(txn).toBeGreaterThan(0);
  for (const who of Object.keys(PHONES) as Who[]) {
    const c = new Client(server.url);
    await c.login(PHONES[who]);
    clients.set(who, c);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

const count = async (table: string) => Number(await q.value(`select count(*) as n from ${table}`));

describe("appeals over HTTP", () => {
  let appeal = 0;
  let key = "";

  it("a picture that is not one is refused in Chinese, nothing written", async () => {
    const before = [await count("appeals"), await count("appeal_photos"), await count("audit_log")];
    const form = new FormData();
    form.append("txnId", String(txn));
    form.append("reason", "不同意");
    form.append("photos", new Blob([new TextEncoder().encode("not a picture")], { type: "image/jpeg" }), "a.jpg");
    const r = await clients.get("villager")!.post(`/appeals/new?txn=${txn}`, form);
    expect(r.status).toBe(400);
    expect(r.text).toContain("第 1 张不是照片");
    expect([await count("appeals"), await count("appeal_photos"), await count("audit_log")]).toEqual(before);
  });

  it("the household appeals from its statement with a reason and a photo", async () => {
    const statement = await clients.get("villager")!.get("/statement");
    expect(statement.text).toContain(`/appeals/new?txn=${txn}`);
    const form = new FormData();
    form.append("txnId", String(txn));
    form.append("reason", "那天我家在外地，照片为证");
    form.append("photos", new Blob([new Uint8Array(await cameraPhoto())], { type: "image/jpeg" }), "p.jpg");
    const r = await clients.get("villager")!.post(`/appeals/new?txn=${txn}`, form);
    expect(r.status, r.text.slice(0, 500)).toBe(302);
    appeal = Number(/^\/appeals\/(\d+)\?filed=1$/.exec(r.location ?? "")?.[1]);
    expect(appeal).toBeGreaterThan(0);
    key = (await q.value<string>("select key from appeal_photos where appeal_id = ?", appeal))!;
    const page = await clients.get("villager")!.get(`/appeals/${appeal}?filed=1`);
    expect(page.text).toContain("申诉已提交");
    expect(page.text).toContain("申诉中");
  });

  it("the appeal's pages: its household and the village's committee; everyone else 403 or 404", async () => {
    const expectations: [Who, string, number][] = [
      ["villager", `/appeals/${appeal}`, 200],
      ["committee", `/appeals/${appeal}`, 404], // another household's appeal
      ["inspector", `/appeals/${appeal}`, 404],
      ["keeper", `/appeals/${appeal}`, 403], // no household
      ["committee", `/v/${village}/appeals/${appeal}`, 200],
      ["second", `/v/${village}/appeals/${appeal}`, 200],
      ["villager", `/v/${village}/appeals/${appeal}`, 403],
      ["inspector", `/v/${village}/appeals/${appeal}`, 403],
      ["admin", `/v/${village}/appeals/${appeal}`, 403],
      ["township", `/v/${village}/appeals/${appeal}`, 403],
      ["committee", `/v/${otherVillage}/appeals/${appeal}`, 403],
      ["committee", `/v/${village}/appeals/99999999`, 404],
      ["committee", `/v/${village}/appeals/abc`, 404],
      ["villager", `/appeals/abc`, 404],
      ["villager", `/appeals/new?txn=99999999`, 404],
    ];
    const wrong: string[] = [];
    for (const [who, path, status] of expectations) {
      const r = await clients.get(who)!.get(path);
      if (r.status !== status) wrong.push(`${who} GET ${path} → ${r.status}, expected ${status}`);
    }
    expect(wrong).toEqual([]);
    const anon = await new Client(server.url).get(`/v/${village}/appeals/${appeal}`);
    expect(anon.status).toBe(302);
  });

  it("its photo: cleaned (no EXIF), for the household and the committee only", async () => {
    const path = `/v/${village}/appeal-photos/${key}`;
    const own = await fetch(server.url + path, { headers: { cookie: [...clients.get("villager")!.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(own.status).toBe(200);
    const bytes = Buffer.from(await own.arrayBuffer());
    expect((await sharp(bytes).metadata()).exif).toBeUndefined();
    for (const [who, status] of [["committee", 200], ["inspector", 404], ["keeper", 404], ["township", 404], ["admin", 404]] as [Who, number][]) {
      expect((await clients.get(who)!.get(path)).status, who).toBe(status);
    }
  });

  it("the member who approved the original may not decide; another does; the statement shows it", async () => {
    const blocked = await clients.get("committee")!.get(`/v/${village}/appeals/${appeal}`);
    expect(blocked.text).toContain("你参与了原来的审核，请由另一位村委委员处理");
    const before = [await count("appeals"), await count("ledger_transactions"), await count("audit_log")];
    const refused = await clients.get("committee")!.post(`/v/${village}/appeals/${appeal}`, { verdict: "revoke", note: "核实有误" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("你参与了原来的审核");
    expect([await count("appeals"), await count("ledger_transactions"), await count("audit_log")]).toEqual(before);
    expect(await q.value("select status from appeals where id = ?", appeal)).toBe("pending");

    const queue = await clients.get("second")!.get(`/v/${village}/appeals`);
    expect(queue.text).toContain(`/v/${village}/appeals/${appeal}`);
    const balance = async () => Number(await q.value("select a.balance from accounts a join members m on m.household_id = a.household_id join users u on u.member_id = m.id where u.phone = ?", PHONES.villager));
    const amount = Number(await q.value("select points from appeals where id = ?", appeal));
    const was = await balance();
    const ok = await clients.get("second")!.post(`/v/${village}/appeals/${appeal}`, { verdict: "revoke", note: "核实有误，撤销" });
    expect(ok.status).toBe(200);
    expect(ok.text).toContain("已处理：已撤销");
    expect(await balance()).toBe(was - amount);
    const again = await clients.get("second")!.post(`/v/${village}/appeals/${appeal}`, { verdict: "revoke", note: "再撤一次" });
    expect(again.status).toBe(400);
    expect(again.text).toContain("这条申诉已经处理过了");
    expect(await balance()).toBe(was - amount);
    const statement = await clients.get("villager")!.get("/statement");
    expect(statement.text).toContain("申诉改判：撤销");
    expect(statement.text).toContain("申诉：已撤销");
    expect(await q.value("select count(*) as n from audit_log where action = 'appeal.revoke' and target_id = ?", String(appeal))).toBe(1);
  });

  it("the settings page keeps the appeal period: 0 to 365 days, refused otherwise", async () => {
    const admin = clients.get("admin")!;
    const page = await admin.get(`/v/${village}/admin/settings`);
    expect(page.text).toContain('name="appealDays"');
    const base = { noticeDays: "3", approvalsNeeded: "1", rankingNames: "masked", expiryMode: "never", expiryMonths: "12", expiryNoticeDays: "30" };
    const bad = await admin.post(`/v/${village}/admin/settings`, { ...base, appealDays: "366" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("申诉天数应为 0 到 365 的整数");
    expect(Number(await q.value("select appeal_days from villages where id = ?", village))).toBe(365);
    const good = await admin.post(`/v/${village}/admin/settings`, { ...base, appealDays: "１５" });
    expect(good.status).toBe(200);
    expect(Number(await q.value("select appeal_days from villages where id = ?", village))).toBe(15);
  });
});
