// Guessing a villager's code through the built server: wrong codes on the confirm post count against
// the keeper's limit like typed lookups, and after 10 the right code is refused (429) with nothing
// moved; wrong QR tokens count too; another keeper is unaffected; after the window it works again.
// Also what a pending code holds, as the keeper's stock page shows it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

let server: TestServer;
let database: Engine;
let v1 = 0;
const villager = { c: null as unknown as Client };
const keeperA = { c: null as unknown as Client };
const keeperB = { c: null as unknown as Client };

const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(database).get<T>(text, ...args))!;
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";

beforeAll(async () => {
  server = await startServer({ TEST_CLOCK_CONTROL: "1" });
  database = openDatabase(server.database);
  v1 = (await one<{ id: number }>("select id from villages order by id limit 1")).id;
  // A second keeper of the same village (same demo password), with no store assignment: works at every store.
  const demo = await one<{ password_hash: string }>("select password_hash from users where phone = '13900000002'");
  const b = (
    await one<{ id: number }>(
      "insert into users (phone, password_hash, display_name, member_id, must_change_password, created_at) values ('13900000092', ?, '钱二店', null, 0, ?) returning id",
      demo.password_hash, Date.now(),
    )
  ).id;
  await sqlOn(database).run("insert into user_roles (user_id, role, village_id, created_at) values (?, 'store_keeper', ?, ?)", b, v1, Date.now());
  for (const [who, phone] of [[villager, "13900000001"], [keeperA, "13900000002"], [keeperB, "13900000092"]] as const) {
    who.c = new Client(server.url);
    await who.c.login(phone);
  }
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

async function phoneOrder(): Promise<{ orderId: number; code: string; qr: string; goodId: number }> {
  const page = await villager.c.get("/store");
  const good = await one<{ id: number }>("select id from goods where village_id = ? and active = 1 and stock > 5 and monthly_limit is null order by price, id limit 1", v1);
  const r = await villager.c.post("/store", { storeId: hidden(page.text, "storeId"), nonce: hidden(page.text, "nonce"), [`qty.${good.id}`]: "1" });
  expect(r.status, r.text.slice(0, 500)).toBe(302);
  const orderId = Number(/\/store\/orders\/(\d+)/.exec(r.location!)![1]);
  return { orderId, ...(await codes(orderId)), goodId: good.id };
}
async function codes(orderId: number): Promise<{ code: string; qr: string }> {
  const o = await one<{ code: string; token: string }>("select code, token from orders where id = ?", orderId);
  return { code: o.code, qr: `JFDH:${o.token}` };
}
async function state(o: { orderId: number; goodId: number }) {
  const hh = (await one<{ household_id: number }>("select household_id from orders where id = ?", o.orderId)).household_id;
  return {
    balance: (await one<{ balance: number }>("select balance from accounts where household_id = ?", hh)).balance,
    stock: (await one<{ stock: number }>("select stock from goods where id = ?", o.goodId)).stock,
    status: (await one<{ status: string }>("select status from orders where id = ?", o.orderId)).status,
    entries: (await one<{ n: number }>("select count(*) as n from ledger_entries")).n,
  };
}
const scan = (who: { c: Client }, body: Record<string, string>) => who.c.post(`/v/${v1}/store/scan`, body);
const confirm = (who: { c: Client }, orderId: number, code: string) => scan(who, { intent: "confirm", orderId: String(orderId), code });
const wrongCode = (code: string, i: number) => `${(Number(code[0]) + 1 + (i % 9)) % 10}${code.slice(1)}`;

describe("guessing codes over HTTP", () => {
  let order: { orderId: number; code: string; qr: string; goodId: number };

  it("the keeper's stock page shows what the pending code holds", async () => {
    order = await phoneOrder();
    const stock = (await one<{ stock: number }>("select stock from goods where id = ?", order.goodId)).stock;
    const page = await keeperA.c.get(`/v/${v1}/store/stock`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(new RegExp(`data-testid="held-${order.goodId}"[^>]*>预留 (<!-- -->)?1(<!-- -->)?，可兑 (<!-- -->)?${stock - 1}<`));
  });

  it("10 wrong codes on the confirm post, then the right code is refused with 429 and nothing moves", async () => {
    const before = await state(order);
    for (let i = 0; i < 10; i++) {
      const r = await confirm(keeperA, order.orderId, wrongCode(order.code, i));
      expect(r.status, `try ${i + 1}`).toBe(400);
      expect(r.text).toContain("找不到这次兑换，请重新扫码");
    }
    const right = await confirm(keeperA, order.orderId, order.code);
    expect(right.status).toBe(429);
    expect(right.text).toContain("输错次数太多");
    expect(await state(order)).toEqual(before);
    // Blocked on every path: the typed code and the scanned QR, both right.
    const typed = await scan(keeperA, { intent: "lookup", code: order.code, via: "typed" });
    const scanned = await scan(keeperA, { intent: "lookup", code: order.qr, via: "camera" });
    expect([typed.status, scanned.status]).toEqual([429, 429]);
    expect(scanned.text).toContain("输错次数太多");
    expect(await state(order)).toEqual(before);
  });

  it("another keeper is not affected, and wrong QR tokens count for them too", async () => {
    const lookup = await scan(keeperB, { intent: "lookup", code: order.qr, via: "camera" });
    expect(lookup.status).toBe(200);
    expect(lookup.text).toContain("确认兑换");
    const other = await phoneOrder();
    const done = await confirm(keeperB, other.orderId, other.qr);
    expect(done.status).toBe(200);
    expect(done.text).toContain("兑换成功");
    for (let i = 0; i < 10; i++) {
      const r = await scan(keeperB, { intent: "lookup", code: `JFDH:${String(i).padStart(22, "x")}`, via: "camera" });
      expect(r.status).toBe(400);
      expect(r.text).toContain("兑换码无效");
    }
    expect((await scan(keeperB, { intent: "lookup", code: order.qr, via: "camera" })).status).toBe(429);
    expect((await confirm(keeperB, order.orderId, order.qr)).status).toBe(429);
    expect((await state(order)).status).toBe("pending");
  });

  it("after the window the right code works again", async () => {
    const moved = await villager.c.post("/test/clock", { advanceMs: String(10 * 60_000 + 1000) });
    expect(moved.status).toBe(200);
    // The first code expired meanwhile: 换一个新码 gives the same cart a new code.
    const fresh = await villager.c.post(`/store/orders/${order.orderId}`, { intent: "refresh" });
    expect(fresh.status).toBe(302);
    const orderId = Number(/\/store\/orders\/(\d+)/.exec(fresh.location!)![1]);
    const next = { orderId, goodId: order.goodId, ...(await codes(orderId)) };
    const before = await state(next);
    const done = await confirm(keeperA, next.orderId, next.code);
    expect(done.status).toBe(200);
    expect(done.text).toContain("兑换成功");
    expect(await state(next)).toMatchObject({ stock: before.stock - 1, status: "confirmed" });
    expect((await scan(keeperB, { intent: "lookup", code: next.qr, via: "camera" })).text).toContain("这个兑换码已经用过了");
  });
});
