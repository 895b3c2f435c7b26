// The store through the real production server: phone checkout with a code confirmed 50 times at
// once, who may see which order, photo and good, counter checkout with the PIN and its lockout
// shown to the head, day close, settlement CSV.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

const PHONES = {
  villager: "13900000001", keeper: "13900000002", committee: "13900000003", inspector: "13900000004", admin: "13900000005",
  villager2: "13900000011", keeper2: "13900000012", township: "13900000000",
} as const;
type Who = keyof typeof PHONES;

let server: TestServer;
let database: Engine;
const c = {} as Record<Who, Client>;
let v1 = 0;
let v2 = 0;

const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(database).get<T>(text, ...args))!;
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";
const count = async (text: string, ...args: unknown[]) => (await one<{ n: number }>(text, ...args)).n;

beforeAll(async () => {
  server = await startServer();
  database = openDatabase(server.database);
  [v1, v2] = (await sqlOn(database).all<{ id: number }>("select id from villages order by id")).map((r) => r.id);
  await Promise.all((Object.keys(PHONES) as Who[]).map(async (w) => {
    c[w] = new Client(server.url);
    await c[w].login(PHONES[w]);
  }));
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

/** A villager's phone order for one unit of the cheapest good in stock; returns the order id and its code. */
async function phoneOrder(who: Who, village: number): Promise<{ orderId: number; code: string; goodId: number }> {
  const page = await c[who].get("/store");
  expect(page.status).toBe(200);
  const good = await one<{ id: number }>("select id from goods where village_id = ? and active = 1 and stock > 5 and monthly_limit is null order by price, id limit 1", village);
  const r = await c[who].post("/store", { storeId: hidden(page.text, "storeId"), nonce: hidden(page.text, "nonce"), [`qty.${good.id}`]: "1" });
  expect(r.status, r.text.slice(0, 500)).toBe(302);
  const orderId = Number(/\/store\/orders\/(\d+)/.exec(r.location!)![1]);
  const shown = await c[who].get(r.location!);
  const code = /data-code="(\d{8})"/.exec(shown.text)![1];
  return { orderId, code, goodId: good.id };
}

describe("phone checkout over HTTP", () => {
  let order: { orderId: number; code: string; goodId: number };

  it("creates a code, the keeper finds it and 50 confirms at once move points and stock once", async () => {
    order = await phoneOrder("villager", v1);
    const stock = (await one<{ stock: number }>("select stock from goods where id = ?", order.goodId)).stock;
    const lookup = await c.keeper.post(`/v/${v1}/store/scan`, { intent: "lookup", code: order.code, via: "typed" });
    expect(lookup.status).toBe(200);
    expect(lookup.text).toContain("确认兑换");
    const replies = await Promise.all(Array.from({ length: 50 }, () => c.keeper.post(`/v/${v1}/store/scan`, { intent: "confirm", orderId: String(order.orderId), code: order.code })));
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(replies.filter((r) => r.text.includes("兑换成功") && !r.text.includes("刚才已经确认过")).length).toBe(1);
    expect(replies.filter((r) => r.text.includes("刚才已经确认过")).length).toBe(49);
    expect(await count("select count(*) as n from ledger_transactions where cause_kind = 'order' and cause_id = ?", order.orderId)).toBe(1);
    expect((await one<{ stock: number }>("select stock from goods where id = ?", order.goodId)).stock).toBe(stock - 1);
    // The villager's page now shows the receipt.
    const mine = await c.villager.get(`/store/orders/${order.orderId}`);
    expect(mine.text).toContain('data-testid="receipt"');
  });

  it("answers 50 replays of the used code with the used-code message and moves nothing", async () => {
    const before = await count("select count(*) as n from ledger_entries");
    const qr = `JFDH:${(await one<{ token: string }>("select token from orders where id = ?", order.orderId)).token}`;
    const replies = await Promise.all(Array.from({ length: 50 }, () => c.keeper.post(`/v/${v1}/store/scan`, { intent: "lookup", code: qr, via: "camera" })));
    for (const r of replies) {
      expect(r.status).toBe(400);
      expect(r.text).toContain("这个兑换码已经用过了");
    }
    // Typed, the used code counts as a wrong guess: after 10 the keeper must scan instead.
    const typed = await Promise.all(Array.from({ length: 12 }, () => c.keeper.post(`/v/${v1}/store/scan`, { intent: "lookup", code: order.code, via: "typed" })));
    expect(typed.filter((r) => r.status === 400 && r.text.includes("这个兑换码已经用过了")).length).toBe(10);
    expect(typed.filter((r) => r.status === 429 && r.text.includes("输错次数太多")).length).toBe(2);
    expect(await count("select count(*) as n from ledger_entries")).toBe(before);
  });

  it("shows an order only to its household and the village's store staff", async () => {
    const o = order.orderId;
    expect((await c.villager2.get(`/store/orders/${o}`)).status).toBe(404);
    expect((await c.committee.get(`/store/orders/${o}`)).status).toBe(404); // another household of the same village
    for (const w of ["keeper", "committee", "admin", "township"] as const) expect((await c[w].get(`/v/${v1}/store/orders/${o}`)).status, w).toBe(200);
    expect((await c.villager.get(`/v/${v1}/store/orders/${o}`)).status).toBe(403);
    expect((await c.keeper2.get(`/v/${v1}/store/orders/${o}`)).status).toBe(403);
    expect((await c.keeper2.get(`/v/${v2}/store/orders/${o}`)).status).toBe(404);
    expect((await c.township.get(`/v/${v2}/store/orders/${o}`)).status).toBe(404);
    // Another village's keeper can neither confirm nor look it up.
    const pending = await phoneOrder("villager", v1);
    const before = await count("select count(*) as n from ledger_entries");
    const foreign = await c.keeper2.post(`/v/${v2}/store/scan`, { intent: "lookup", code: pending.code, via: "typed" });
    expect(foreign.text).toContain("这是其他村的兑换码，本店不能核销");
    const confirm = await c.keeper2.post(`/v/${v2}/store/scan`, { intent: "confirm", orderId: String(pending.orderId), code: pending.code });
    expect(confirm.status).toBe(400);
    expect(confirm.text).toContain("找不到这次兑换");
    expect(await count("select count(*) as n from ledger_entries")).toBe(before);
    expect((await c.villager.post(`/store/orders/${pending.orderId}`, { intent: "cancel" })).status).toBe(302);
  });

  it("serves goods' photos and admin good pages only within the village", async () => {
    const g1 = (await one<{ id: number }>("select id from goods where village_id = ? and photo is not null order by id limit 1", v1)).id;
    const photo = await c.villager.get(`/photos/goods/${g1}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/webp");
    expect(Number(photo.headers.get("content-length") ?? photo.text.length)).toBeLessThan(10_000);
    expect((await c.villager2.get(`/photos/goods/${g1}`)).status).toBe(404);
    expect((await new Client(server.url).get(`/photos/goods/${g1}`)).status).toBe(302);
    expect((await c.admin.get(`/v/${v1}/admin/goods/${g1}`)).status).toBe(200);
    expect((await c.keeper.get(`/v/${v1}/admin/goods/${g1}`)).status).toBe(403);
    expect((await c.township.get(`/v/${v2}/admin/goods/${g1}`)).status).toBe(404);
    expect((await c.admin.get(`/v/${v1}/admin/goods/abc`)).status).toBe(404);
  });
});

describe("counter checkout over HTTP", () => {
  it("sells with the right PIN, locks after 5 wrong ones (the head sees it), and an admin's new PIN unlocks", async () => {
    const h = (await one<{ id: number }>("select m.household_id as id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager)).id;
    const form = await c.keeper.get(`/v/${v1}/store/counter?household=${h}`);
    expect(form.status).toBe(200);
    const good = await one<{ id: number; price: number }>("select id, price from goods where village_id = ? and stock > 5 and monthly_limit is null order by price, id limit 1", v1);
    const member = hidden(form.text, "memberId") || String((await one<{ id: number }>("select id from members where household_id = ? and is_head = 1", h)).id);
    const base = { householdId: String(h), storeId: hidden(form.text, "storeId"), memberId: member, [`qty.${good.id}`]: "1" };
    const before = (await one<{ balance: number }>("select balance from accounts where household_id = ?", h)).balance;
    const sold = await c.keeper.post(`/v/${v1}/store/counter`, { ...base, nonce: "counter-nonce-00000001", pin: "135790" });
    expect(sold.status).toBe(200);
    expect(sold.text).toContain("兑换成功");
    expect((await one<{ balance: number }>("select balance from accounts where household_id = ?", h)).balance).toBe(before - good.price);
    for (let i = 1; i <= 5; i++) {
      const r = await c.keeper.post(`/v/${v1}/store/counter`, { ...base, nonce: `counter-wrong-0000000${i}`, pin: "000111" });
      expect(r.status).toBe(i < 5 ? 400 : 423);
      expect(r.text).toContain(i < 5 ? "兑换密码不对" : "柜台兑换已锁定");
    }
    const locked = await c.keeper.post(`/v/${v1}/store/counter`, { ...base, nonce: "counter-right-0000001", pin: "135790" });
    expect(locked.status).toBe(423);
    expect((await c.villager.get("/")).text).toContain('data-testid="pin-lock"');
    const reset = await c.admin.post(`/v/${v1}/admin/households/${h}/pin`, { pin: "864209", confirm: "864209" });
    expect(reset.status).toBe(200);
    expect((await c.villager.get("/")).text).not.toContain('data-testid="pin-lock"');
    const again = await c.keeper.post(`/v/${v1}/store/counter`, { ...base, nonce: "counter-right-0000002", pin: "864209" });
    expect(again.text).toContain("兑换成功");
    expect((await one<{ pin_hash: string }>("select pin_hash from household_pins where household_id = ?", h)).pin_hash).not.toContain("864209");
  });
});

describe("after the sale", () => {
  it("closes the day, and the settlement CSV opens in Excel with Chinese", async () => {
    const day = await c.keeper.post(`/v/${v1}/store/day`, { intent: "day.close", storeId: String((await one<{ id: number }>("select id from stores where village_id = ? order by id", v1)).id) });
    expect(day.status).toBe(200);
    expect(await count("select count(*) as n from day_closes where village_id = ? and day = ?", v1, new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10))).toBe(1);
    expect((await c.committee.post(`/v/${v1}/store/day`, { intent: "day.close" })).status).toBe(403);
    const csv = await fetch(`${server.url}/v/${v1}/store/settlement.csv`, { headers: { cookie: [...c.committee.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain("商品,单位,数量,积分,成本（元）");
    expect(text).toContain("合计");
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const early = await c.committee.post(`/v/${v1}/store/settlement`, { storeId: String((await one<{ id: number }>("select id from stores where village_id = ? order by id", v1)).id), month });
    expect(early.status).toBe(400);
    expect(early.text).toContain("这个月还没过完");
    expect((await c.keeper.post(`/v/${v1}/store/settlement`, { storeId: "1", month: "2026-01" })).status).toBe(403);
  });
});

describe("goods admin over HTTP", () => {
  it("adds a good with a photo, restocks it, and villagers see it with the photo", async () => {
    const store = (await one<{ id: number }>("select id from stores where village_id = ? order by id", v1)).id;
    const fd = new FormData();
    for (const [k, v] of Object.entries({ intent: "good.save", storeId: String(store), name: "花生油（1升）", category: "粮油", unit: "瓶", price: "30", cost: "18.80", monthlyLimit: "2", lowStock: "3", active: "on" })) fd.append(k, v);
    fd.append("photo", new Blob([fs.readFileSync("db/seed/goods/oil.webp")], { type: "image/webp" }), "oil.webp");
    const made = await c.admin.post(`/v/${v1}/admin/goods/new`, fd);
    expect(made.status, made.text.slice(0, 300)).toBe(302);
    const goodId = Number(/goods\/(\d+)/.exec(made.location!)![1]);
    expect(await one<{ cost_fen: number; photo_type: string }>("select cost_fen, photo_type from goods where id = ?", goodId)).toEqual({ cost_fen: 1880, photo_type: "image/webp" });
    const restock = await c.admin.post(`/v/${v1}/admin/goods/${goodId}`, { intent: "stock.restock", qty: "12", source: "上级拨款", note: "镇里第 3 批拨付" });
    expect(restock.status).toBe(200);
    expect((await one<{ stock: number }>("select stock from goods where id = ?", goodId)).stock).toBe(12);
    const shelf = await c.villager.get("/store");
    expect(shelf.text).toContain("花生油（1升）");
    expect(shelf.text).toContain(`/photos/goods/${goodId}?v=1`);
    expect((await c.villager.get(`/photos/goods/${goodId}`)).status).toBe(200);
    expect(await count("select count(*) as n from audit_log where action in ('good.create', 'stock.restock') and target_id = ?", String(goodId))).toBe(2);
  });
});
