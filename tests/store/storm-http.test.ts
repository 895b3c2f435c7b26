// A storm across two app processes on one database, through HTTP only: client processes (half on
// server a, half on b) double-spend one household at the counter, then race for the last units of a
// good with phone codes and counter sales at once. Exactly the affordable number and exactly the
// units in stock succeed, nothing goes negative, nothing else moves, and check:ledger passes.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn, type Sql } from "../support/sql";
import { exited, ROOT, spawnWorker } from "../ledger/helpers";
import type { Attempt, ClientPlan, ClientReport, Step } from "./workers/storm-http-client";

const CLIENTS = 4; // processes; 0 and 1 talk to server a, 2 and 3 to server b
const SALES_PER_CLIENT = 8; // counter sales per process for the double-spent household, one after another
const AFFORDABLE = 6; // the price is set so that the household's spendable points cover exactly this many
const UNITS = 3; // the last units of the raced good
const CODE_RACERS = 6; // villagers asking for a code, each for their own household
const COUNTER_RACERS = 6; // households sold at the counter
const GO_DELAY_MS = 500; // from "all processes ready" to the common start: time for the word to reach each
const DEMO_PIN = "135790"; // db/seed/store.server.ts, printed at boot
const RACE_PINS = ["270419", "381526", "492637", "503748", "614859", "725960"];
const PHONES = { villager: "13900000001", keeper: "13900000002", admin: "13900000005" } as const;

let a: TestServer;
let b: TestServer;
let database: Engine;
let q: Sql;
let v1 = 0;
let admin: Client;
let keeper: Client;

const num = async (text: string, ...params: unknown[]) => Number(await q.value(text, ...params));

beforeAll(async () => {
  a = await startServer();
  b = await startServer({}, { database: a.database });
  database = openDatabase(a.database);
  q = sqlOn(database);
  v1 = await num("select id from villages order by id limit 1");
  admin = new Client(a.url);
  await admin.login(PHONES.admin);
  keeper = new Client(a.url);
  await keeper.login(PHONES.keeper);
}, 240_000);

afterAll(async () => {
  await database?.close();
  await b?.stop(); // b runs on a's data: stopped first
  await a?.stop();
});

/** Spendable points per household of the village (balance less live holds). */
async function spendable(): Promise<Map<number, number>> {
  const rows = await q.all<{ household_id: number; spendable: number }>(
    `select a.household_id, a.balance - coalesce((select sum(h.amount) from holds h where h.account_id = a.id and h.status = 'active' and h.expires_at > ?), 0) as spendable
     from accounts a where a.kind = 'household' and a.village_id = ? order by a.household_id`,
    Date.now(), v1,
  );
  return new Map(rows.map((r) => [Number(r.household_id), Number(r.spendable)]));
}

/** Goods of the village that no live code holds, lowest id first. */
async function freeGoods() {
  return q.all<{ id: number; name: string; category: string; unit: string; price: number; cost_fen: number; low_stock: number; stock: number }>(
    `select id, name, category, unit, price, cost_fen, low_stock, stock from goods g where village_id = ? and active = 1
       and not exists (select 1 from order_items i join orders o on o.id = i.order_id where i.good_id = g.id and o.status = 'pending' and o.expires_at > ?)
     order by id`,
    v1, Date.now(),
  );
}

/** The admin's good page: a new price and no monthly limit, everything else as it was. */
async function setPrice(g: Awaited<ReturnType<typeof freeGoods>>[number], price: number) {
  const r = await admin.post(`/v/${v1}/admin/goods/${g.id}`, {
    intent: "good.save", name: g.name, category: g.category, unit: g.unit, price: String(price), cost: (g.cost_fen / 100).toFixed(2),
    monthlyLimit: "", lowStock: String(g.low_stock), active: "on",
  });
  expect(r.status, r.text.slice(0, 300)).toBe(200);
  expect(r.text).toContain("已保存");
  expect(await q.get("select price, monthly_limit from goods where id = ?", g.id)).toEqual({ price, monthly_limit: null });
}

/**
 * Runs the client processes on their plans and returns their reports. Each boots, signs in and loads
 * its forms, then says "ready"; once all have, every one gets the same start instant.
 */
async function storm(plans: ClientPlan[]): Promise<ClientReport[]> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-storm-http-"));
  try {
    const children = plans.map((plan) => {
      const child = spawnWorker("../../store/workers/storm-http-client.ts", { PLAN: JSON.stringify(plan), OUT: path.join(out, `c${plan.worker}.json`) }, true);
      const run = { child, stdout: "", stderr: "" };
      child.stdout!.on("data", (d) => (run.stdout += d));
      child.stderr!.on("data", (d) => (run.stderr += d));
      child.stdin!.on("error", () => {}); // a process that died before the start: its exit code tells
      return run;
    });
    const ended = Promise.all(children.map((r) => exited(r.child)));
    await new Promise<void>((resolve) => {
      const poll = () => (children.every((r) => r.stdout.includes("ready\n") || r.child.exitCode !== null) ? resolve() : setTimeout(poll, 10));
      poll();
    });
    const startAt = Date.now() + GO_DELAY_MS;
    for (const r of children) r.child.stdin!.end(`go ${startAt}\n`);
    const results = await ended;
    for (const [w, r] of results.entries()) expect(r, `client ${w}:\n${children[w].stderr}`).toMatchObject({ code: 0 });
    return plans.map((p) => JSON.parse(fs.readFileSync(path.join(out, `c${p.worker}.json`), "utf8")) as ClientReport);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

const serverOf = (w: number) => (w < CLIENTS / 2 ? a : b);

const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

/** Attempts, successes and seconds from the start to the last answer, per server and overall. */
function figures(title: string, reports: ClientReport[]) {
  const line = (name: string, xs: Attempt[]) => {
    const ends = xs.map((x) => x.sentAt + x.ms);
    const ms = xs.map((x) => x.ms).sort((p, r) => p - r);
    return `  ${name}: ${xs.length} attempts, ${xs.filter((x) => x.ok).length} succeeded, ${(Math.max(0, ...ends) / 1000).toFixed(2)} s` +
      ` (answers: median ${Math.round(ms[Math.floor(ms.length / 2)] ?? 0)} ms, max ${Math.round(ms[ms.length - 1] ?? 0)} ms)`;
  };
  const all = reports.flatMap((r) => r.attempts);
  console.log([
    `${title} on ${database.kind}:`,
    line("server a", all.filter((x) => x.base === a.url)),
    line("server b", all.filter((x) => x.base === b.url)),
    line("overall", all),
    `  succeeded by kind: ${[...count(all.filter((x) => x.ok).map((x) => x.kind))].map(([k, n]) => `${k} ${n}`).join(", ")}`,
    `  refused: ${[...count(all.filter((x) => !x.ok).map((x) => `${x.status} ${(x.message || x.shelf).replace(/\d+/g, "N")}`))].map(([k, n]) => `${n}× ${k}`).join("; ")}`,
    `  clients late for the start: ${reports.map((r) => `${r.lateMs} ms`).join(", ")}`,
  ].join("\n"));
}

describe("a storm across two app processes on one database", () => {
  it(`${CLIENTS} client processes double-spend one household at the counter through both servers: exactly the affordable sales succeed`, async () => {
    const home = await num("select m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager);
    const accountId = await num("select id from accounts where household_id = ?", home);
    // What the keeper's counter page says the household may spend, and the same from the tables.
    const page = await keeper.get(`/v/${v1}/store/counter?household=${home}`);
    expect(page.status).toBe(200);
    const B = Number(/可用积分 <strong class="big-total">(\d+)<\/strong>/.exec(page.text)?.[1]);
    expect(B).toBe((await spendable()).get(home));
    expect(B).toBeGreaterThanOrEqual(AFFORDABLE * AFFORDABLE); // the demo home keeps at least 100
    const price = Math.floor(B / AFFORDABLE); // >= AFFORDABLE, so B covers AFFORDABLE units and not one more
    expect(Math.floor(B / price)).toBe(AFFORDABLE);
    expect(CLIENTS * SALES_PER_CLIENT).toBeGreaterThanOrEqual(3 * AFFORDABLE);
    const good = (await freeGoods())[0];
    await setPrice(good, price);
    // Ample stock: more units than attempts, so only the points can run out.
    const restock = await keeper.post(`/v/${v1}/store/stock`, { intent: "stock.restock", goodId: String(good.id), qty: String(CLIENTS * SALES_PER_CLIENT), source: "村集体", note: "压力测试备货" });
    expect(restock.status, restock.text.slice(0, 300)).toBe(200);
    const stock0 = await num("select stock from goods where id = ?", good.id);
    expect(stock0).toBeGreaterThanOrEqual(CLIENTS * SALES_PER_CLIENT);

    const balance0 = await num("select balance from accounts where id = ?", accountId);
    const storeAccount = await num("select id from accounts where kind = 'store' and village_id = ?", v1);
    const balances0 = new Map((await q.all<{ id: number; balance: number }>("select id, balance from accounts order by id")).map((r) => [Number(r.id), Number(r.balance)]));
    const stocks0 = new Map((await q.all<{ id: number; stock: number }>("select id, stock from goods order by id")).map((r) => [Number(r.id), Number(r.stock)]));
    const lastTxn = await num("select coalesce(max(id), 0) from ledger_transactions");
    const lastOrder = await num("select coalesce(max(id), 0) from orders");
    const lastMove = await num("select coalesce(max(id), 0) from stock_movements");
    const holds0 = await q.all("select id, status, amount from holds order by id");

    const sale: Step = { kind: "counter", householdId: home, goodId: good.id, pin: DEMO_PIN };
    // One lane per process: at most CLIENTS PIN checks of the household are in flight at once. Each
    // counts a try before bcrypt and takes it back after, so fewer than the 5 that lock the household
    // can never be counted at the same time: a refusal here can only be the points.
    const reports = await storm(Array.from({ length: CLIENTS }, (_, w) => ({
      worker: w, base: serverOf(w).url, villageId: v1, keeper: PHONES.keeper, lanes: [Array(SALES_PER_CLIENT).fill(sale)],
    })));
    figures(`double spend (price ${price}, spendable ${B}, ${AFFORDABLE} affordable)`, reports);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const attempts = reports.flatMap((r) => r.attempts);
    expect(attempts).toHaveLength(CLIENTS * SALES_PER_CLIENT);
    for (const s of [a, b]) expect(attempts.filter((x) => x.base === s.url).length).toBe((CLIENTS / 2) * SALES_PER_CLIENT);

    // By the responses: exactly the affordable sales, each with its own order and its own balance after.
    const sold = attempts.filter((x) => x.ok);
    const refused = attempts.filter((x) => !x.ok);
    expect(sold.length).toBe(AFFORDABLE);
    expect(sold.map((x) => x.status)).toEqual(Array(AFFORDABLE).fill(200));
    expect(new Set(sold.map((x) => x.orderId)).size).toBe(AFFORDABLE);
    expect(sold.map((x) => x.balanceAfter).sort((p, r) => r! - p!)).toEqual(Array.from({ length: AFFORDABLE }, (_, i) => balance0 - (i + 1) * price));
    for (const x of refused) {
      expect(x.status, x.message).toBe(400);
      expect(x.message).toMatch(/^可用积分不足：可用 \d+，需要 \d+$/);
    }

    // By the database: the same orders, one redemption each, and nothing else moved.
    const orders = await q.all<{ id: number; channel: string; status: string; total: number }>("select id, channel, status, total from orders where id > ? order by id", lastOrder);
    expect(orders.map((o) => Number(o.id))).toEqual(sold.map((x) => x.orderId).sort((p, r) => p! - r!));
    expect(orders.every((o) => o.channel === "counter" && o.status === "confirmed" && Number(o.total) === price)).toBe(true);
    const txns = await q.all<{ kind: string; cause_kind: string; cause_id: number }>("select kind, cause_kind, cause_id from ledger_transactions where id > ? order by id", lastTxn);
    expect(txns).toHaveLength(AFFORDABLE);
    expect(txns.every((t) => t.kind === "redemption" && t.cause_kind === "order")).toBe(true);
    expect(txns.map((t) => Number(t.cause_id)).sort((p, r) => p - r)).toEqual(orders.map((o) => Number(o.id)));
    const legs = await q.all<{ account_id: number; amount: number }>(
      "select e.account_id, e.amount from ledger_entries e join ledger_transactions t on t.id = e.txn_id where t.id > ? order by e.id", lastTxn,
    );
    expect(legs.filter((l) => Number(l.account_id) === accountId).map((l) => Number(l.amount))).toEqual(Array(AFFORDABLE).fill(-price));
    expect(legs.filter((l) => Number(l.account_id) === storeAccount).map((l) => Number(l.amount))).toEqual(Array(AFFORDABLE).fill(price));
    expect(legs).toHaveLength(2 * AFFORDABLE);

    const balance = await num("select balance from accounts where id = ?", accountId);
    expect(balance).toBe(balance0 - AFFORDABLE * price);
    expect(balance).toBeGreaterThanOrEqual(0);
    expect((await spendable()).get(home)).toBe(B - AFFORDABLE * price);
    const after = await keeper.get(`/v/${v1}/store/counter?household=${home}`);
    expect(after.text).toContain(`可用积分 <strong class="big-total">${B - AFFORDABLE * price}</strong>`);
    const balances = new Map((await q.all<{ id: number; balance: number }>("select id, balance from accounts order by id")).map((r) => [Number(r.id), Number(r.balance)]));
    expect(balances).toEqual(new Map([...balances0, [accountId, balance0 - AFFORDABLE * price], [storeAccount, balances0.get(storeAccount)! + AFFORDABLE * price]]));
    const stocks = new Map((await q.all<{ id: number; stock: number }>("select id, stock from goods order by id")).map((r) => [Number(r.id), Number(r.stock)]));
    expect(stocks).toEqual(new Map([...stocks0, [good.id, stock0 - AFFORDABLE]]));
    const moves = await q.all<{ good_id: number; kind: string; delta: number }>("select good_id, kind, delta from stock_movements where id > ? order by id", lastMove);
    expect(moves.map((m) => [Number(m.good_id), m.kind, Number(m.delta)])).toEqual(Array(AFFORDABLE).fill([good.id, "redemption", -1]));
    expect(await q.all("select id, status, amount from holds order by id")).toEqual(holds0);
    expect(await num("select failures from household_pins where household_id = ?", home)).toBe(0);
  }, 180_000);

  it(`${CODE_RACERS} phone codes and ${COUNTER_RACERS} counter sales race through both servers for the last ${UNITS} units: exactly ${UNITS} succeed, stock ends at 0`, async () => {
    const price = 5;
    const good = (await freeGoods())[1];
    await setPrice(good, price);
    // The keeper's stock-take sets the shelf to the last units.
    const counted = await keeper.post(`/v/${v1}/store/stock`, { intent: "stock.correct", goodId: String(good.id), count: String(UNITS), note: "盘点：只剩最后几件" });
    expect(counted.status, counted.text.slice(0, 300)).toBe(200);
    expect(counted.text).toContain(`已保存，现在库存 ${UNITS}`);
    const correction = await num("select max(id) from stock_movements where good_id = ?", good.id);

    // Racers: households of the village, none the double-spent one, each able to pay, none with a live code.
    const home = await num("select m.household_id from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.villager);
    const money = await spendable();
    const busy = new Set((await q.all<{ household_id: number }>("select household_id from orders where status = 'pending' and expires_at > ?", Date.now())).map((r) => Number(r.household_id)));
    const fit = (h: number) => h !== home && !busy.has(h) && (money.get(h) ?? 0) >= price;
    const logins = await q.all<{ phone: string; household_id: number }>(
      `select u.phone, m.household_id from users u join members m on m.id = u.member_id
       where m.village_id = ? and m.active = 1 and m.can_redeem = 1 and u.disabled = 0 and u.must_change_password = 0
         and exists (select 1 from user_roles r where r.user_id = u.id and r.role = 'villager' and r.village_id = ?)
       order by u.id`,
      v1, v1,
    );
    const villagers: { phone: string; household: number }[] = [];
    for (const l of logins) {
      const h = Number(l.household_id);
      if (fit(h) && !villagers.some((v) => v.household === h) && villagers.length < CODE_RACERS) villagers.push({ phone: l.phone, household: h });
    }
    expect(villagers).toHaveLength(CODE_RACERS);
    const counterHouseholds = (await q.all<{ household_id: number }>(
      "select distinct household_id from members where village_id = ? and active = 1 and can_redeem = 1 order by household_id", v1,
    )).map((r) => Number(r.household_id)).filter((h) => fit(h) && !villagers.some((v) => v.household === h)).slice(0, COUNTER_RACERS);
    expect(counterHouseholds).toHaveLength(COUNTER_RACERS);
    // Their PINs, set by the village admin.
    for (const [i, h] of counterHouseholds.entries()) {
      const r = await admin.post(`/v/${v1}/admin/households/${h}/pin`, { pin: RACE_PINS[i], confirm: RACE_PINS[i] });
      expect(r.status, r.text.slice(0, 300)).toBe(200);
    }

    const balances0 = new Map((await q.all<{ id: number; balance: number }>("select id, balance from accounts order by id")).map((r) => [Number(r.id), Number(r.balance)]));
    const lastTxn = await num("select coalesce(max(id), 0) from ledger_transactions");
    const lastOrder = await num("select coalesce(max(id), 0) from orders");
    // Every racer its own lane (all at once); codes on clients 0-3 and sales on clients 2, 3, 0, 1 so
    // each process, and each server, carries both kinds.
    const lanes: Step[][][] = Array.from({ length: CLIENTS }, () => []);
    villagers.forEach((v, i) => lanes[i % CLIENTS].push([{ kind: "code", phone: v.phone, goodId: good.id, name: good.name }]));
    counterHouseholds.forEach((h, i) => lanes[(i + CLIENTS / 2) % CLIENTS].push([{ kind: "counter", householdId: h, goodId: good.id, pin: RACE_PINS[i] }]));
    const reports = await storm(lanes.map((l, w) => ({ worker: w, base: serverOf(w).url, villageId: v1, keeper: PHONES.keeper, lanes: l })));
    figures(`last ${UNITS} units (${CODE_RACERS} codes + ${COUNTER_RACERS} counter sales)`, reports);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const attempts = reports.flatMap((r) => r.attempts);
    expect(attempts).toHaveLength(CODE_RACERS + COUNTER_RACERS);

    const won = attempts.filter((x) => x.ok);
    expect(won).toHaveLength(UNITS);
    for (const x of attempts.filter((y) => !y.ok)) {
      expect(x.status, x.message).toBe(400);
      // The counter shows the refusal under the good; the phone's shelf shows the good taken (its
      // refusal message, under a quantity box the good no longer has, is not drawn).
      if (x.kind === "counter") expect(x.message).toMatch(/^.+(已兑完|库存不足：还剩 \d+ .+，其中 \d+ .+已被别人的兑换码预留)$/);
      else expect(x.message || x.shelf).toMatch(/^(已兑完|已被预留兑换码过期或取消后可能空出|.+库存不足.*)$/);
    }
    const codes = won.filter((x) => x.kind === "code");
    const sales = won.filter((x) => x.kind === "counter");
    expect(codes.every((x) => x.status === 302 && /^\d{8}$/.test(x.code ?? ""))).toBe(true);
    // Right after the race: the counter sales took their units, the codes hold the rest.
    expect(await num("select stock from goods where id = ?", good.id)).toBe(UNITS - sales.length);
    expect(await num(
      "select count(*) from orders o join order_items i on i.order_id = o.id where i.good_id = ? and o.status = 'pending' and o.expires_at > ? and o.id > ?",
      good.id, Date.now(), lastOrder,
    )).toBe(codes.length);

    // The keepers hand the goods over: each code confirmed on both servers at once moves once.
    const keeperB = new Client(b.url);
    await keeperB.login(PHONES.keeper);
    for (const x of codes) {
      const body = { intent: "confirm", orderId: String(x.orderId), code: x.code! };
      const replies = await Promise.all([keeper.post(`/v/${v1}/store/scan`, body), keeperB.post(`/v/${v1}/store/scan`, body)]);
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
      expect(replies.filter((r) => r.text.includes("兑换成功") && !r.text.includes("刚才已经确认过")).length).toBe(1);
      expect(replies.filter((r) => r.text.includes("刚才已经确认过")).length).toBe(1);
    }

    // The shelf is empty, never went below, and the movements add up.
    expect(await num("select stock from goods where id = ?", good.id)).toBe(0);
    const moves = await q.all<{ kind: string; delta: number; stock_after: number; order_id: number }>(
      "select kind, delta, stock_after, order_id from stock_movements where good_id = ? and id > ? order by id", good.id, correction,
    );
    expect(moves.map((m) => [m.kind, Number(m.delta)])).toEqual(Array(UNITS).fill(["redemption", -1]));
    expect(moves.map((m) => Number(m.stock_after))).toEqual(Array.from({ length: UNITS }, (_, i) => UNITS - 1 - i));
    expect(moves.map((m) => Number(m.order_id)).sort((p, r) => p - r)).toEqual(won.map((x) => x.orderId!).sort((p, r) => p - r));
    expect(await num("select count(*) from goods where stock < 0")).toBe(0);
    expect(await num("select count(*) from stock_movements where stock_after < 0")).toBe(0);
    expect(await num("select count(*) from goods g where stock <> (select coalesce(sum(delta), 0) from stock_movements s where s.good_id = g.id)")).toBe(0);

    // Each winner paid once, every loser kept its points.
    const orders = await q.all<{ id: number; household_id: number; status: string; channel: string }>("select id, household_id, status, channel from orders where id > ? order by id", lastOrder);
    expect(orders.map((o) => Number(o.id))).toEqual(won.map((x) => x.orderId!).sort((p, r) => p - r));
    expect(orders.every((o) => o.status === "confirmed")).toBe(true);
    const storeAccount = await num("select id from accounts where kind = 'store' and village_id = ?", v1);
    const accountOf = new Map((await q.all<{ id: number; household_id: number }>("select id, household_id from accounts where kind = 'household' and village_id = ?", v1)).map((r) => [Number(r.household_id), Number(r.id)]));
    const expected = new Map(balances0);
    for (const o of orders) {
      const acc = accountOf.get(Number(o.household_id))!;
      expected.set(acc, expected.get(acc)! - price);
    }
    expected.set(storeAccount, balances0.get(storeAccount)! + UNITS * price);
    const balances = new Map((await q.all<{ id: number; balance: number }>("select id, balance from accounts order by id")).map((r) => [Number(r.id), Number(r.balance)]));
    expect(balances).toEqual(expected);
    expect(await num("select count(*) from ledger_transactions where id > ?", lastTxn)).toBe(UNITS);
    expect(await num("select count(*) from accounts where kind = 'household' and balance < 0")).toBe(0);
    expect(await num("select count(*) from holds h join orders o on o.hold_id = h.id where o.id > ? and h.status <> 'converted'", lastOrder)).toBe(0);
  }, 180_000);

  it("leaves a ledger that check:ledger passes, and neither server logged an error", () => {
    const r = spawnSync("npx", ["tsx", "scripts/check-ledger.ts", a.database], { cwd: ROOT, encoding: "utf8", env: { ...process.env } });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/全部 \d+ 项检查通过/);
    for (const s of [a, b]) expect(s.errors(), s.url).not.toMatch(/\berror\b|Error:/i);
  }, 120_000);
});
