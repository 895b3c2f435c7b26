// Offline scoring on a phone: the demo inspector opens a round online (its pages are stored), loses
// the signal, scores two households (one with a photo) that wait on the phone, gets the signal back
// and they are sent: one inspection each, and replaying the queue (the same keys again, one after
// the other and twice at once) changes nothing. Screenshots at 390×844 in tests/.artifacts.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { phonePage, shot, signIn, startWorld } from "./browser";

const world = startWorld();
let roundId = 0;
let villageId = 0;
let base = "";
const q = () => sqlOn(world.database);

beforeAll(async () => {
  const open = (await q().get<{ id: number; village_id: number }>(
    "select r.id, r.village_id from sanitation_rounds r join round_inspectors ri on ri.round_id = r.id join users u on u.id = ri.user_id where r.status = 'open' and u.phone = '13900000004' order by r.id limit 1",
  ))!;
  roundId = open.id;
  villageId = open.village_id;
  base = `/v/${villageId}/rounds/${roundId}/score`;
});

async function photo(page: Page): Promise<Buffer> {
  await page.setContent('<div style="width:320px;height:240px;background:linear-gradient(135deg,#795548,#d7ccc8)"><p style="font:32px sans-serif;color:#fff;padding:24px">门前杂物</p></div>');
  return page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } });
}

/** Two households of the list still to score (no inspection, not the inspector's to avoid), by number. */
async function todo(page: Page): Promise<{ number: string; id: number }[]> {
  const rows = page.locator(".score-list li");
  const out: { number: string; id: number }[] = [];
  for (let i = 0; i < (await rows.count()) && out.length < 2; i++) {
    const text = await rows.nth(i).innerText();
    const href = await rows.nth(i).locator("a").getAttribute("href").catch(() => null);
    if (!href || !text.includes("未评")) continue;
    out.push({ number: text.split("号户")[0].trim(), id: Number(href.split("/").pop()) });
  }
  return out;
}

interface Replay { url: string; fields: [string, string][]; photos: { b64: string; type: string }[]; key: string; at: number }

/** The phone's queue as it is, photos included (the test's copy, for replaying it later). */
function readQueue(page: Page): Promise<Replay[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open("jifen-offline", 1);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const rows = await new Promise<any[]>((res) => {
      const r = db.transaction("saves").objectStore("saves").getAll();
      r.onsuccess = () => res(r.result);
    });
    db.close();
    const b64 = async (b: Blob) => btoa(Array.from(new Uint8Array(await b.arrayBuffer()), (c) => String.fromCharCode(c)).join(""));
    rows.sort((x, y) => x.at - y.at); // the order they were kept in
    return Promise.all(rows.map(async (k) => ({ url: k.sendUrl, fields: k.fields, key: k.key, at: k.at, photos: await Promise.all(k.photos.map(async (p: Blob) => ({ b64: await b64(p), type: p.type }))) })));
  });
}

function replay(page: Page, saves: Replay[]): Promise<{ status: number; body: unknown }[]> {
  return page.evaluate(async (list) => {
    const one = async (k: (typeof list)[number]) => {
      const form = new FormData();
      for (const [n, v] of k.fields) form.append(n, v);
      for (const p of k.photos) form.append("photos", new Blob([Uint8Array.from(atob(p.b64), (c) => c.charCodeAt(0))], { type: p.type }), "p.png");
      form.set("key", k.key);
      form.set("at", String(k.at));
      const r = await fetch(k.url, { method: "POST", body: form });
      return { status: r.status, body: await r.json() };
    };
    const out = [];
    for (const k of list) out.push(await one(k)); // the queue replayed in order…
    out.push(...(await Promise.all(list.map(one)))); // …and all of it again at once
    return out;
  }, saves);
}

describe("offline scoring", () => {
  it("scores two households with no signal, sends them when it is back, and a replay changes nothing", async () => {
    const page = await phonePage(world.browser, world.server.url);
    const png = await photo(page);
    await signIn(page, "13900000004");
    await page.goto(base);
    // Opened online: the pages are stored, and the worker controls the page.
    const ready = page.getByTestId("offline-ready");
    await ready.waitFor({ timeout: 30_000 });
    const canScore = await page.locator(".score-list li a").count();
    expect(await ready.innerText()).toBe(`离线评分已准备好：${canScore} 户`);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const [first, second] = await todo(page);
    expect(second).toBeDefined();
    const inspections = (h: number) => q().value<number>("select count(*) as n from inspections where round_id = ? and household_id = ?", roundId, h);
    const before = await q().value<number>("select count(*) as n from inspections where round_id = ?", roundId);

    await page.context().setOffline(true);
    await page.getByText("现在没有网络").first().waitFor();
    // Proof the pages below are the phone's copies: the server's address changes now, the copy's does not.
    const address = (await q().value<string>("select address from households where id = ?", first.id))!;
    await q().run("update households set address = ? where id = ?", "服务器上改过的地址", first.id);
    // A household from the list, with no network: the phone's copy.
    await page.getByTestId(`hh-${first.number}`).locator("a").click();
    await page.waitForURL(new RegExp(`/score/${first.id}$`));
    await page.getByTestId("household-title").waitFor();
    expect(await page.getByTestId("household-title").innerText()).toContain(`${first.number}号户`);
    expect(await page.locator("main, body").first().innerText()).toContain(address);
    expect(await page.locator("body").innerText()).not.toContain("服务器上改过的地址");
    await page.locator("#f-s0").fill("10");
    await page.locator("#f-s1").fill("８");
    await page.locator("#f-photos").setInputFiles({ name: "door.png", mimeType: "image/png", buffer: png });
    await page.getByTestId("save-next").click();
    await page.waitForURL(new RegExp(`${base}$`));
    await page.getByTestId("offline-waiting").waitFor();
    expect(await page.getByTestId("offline-waiting").innerText()).toBe("还有 1 户待发送");
    expect(await page.getByTestId(`hh-${first.number}`).innerText()).toContain("待发送（离线保存）");

    // The second: through the list again, then back to the list by its link, then scored.
    await page.getByTestId(`hh-${second.number}`).locator("a").click();
    await page.getByTestId("household-title").waitFor();
    await page.getByRole("link", { name: /农户列表/ }).first().click();
    await page.getByTestId("offline-waiting").waitFor();
    await page.getByTestId(`hh-${second.number}`).locator("a").click();
    await page.waitForURL(new RegExp(`/score/${second.id}$`));
    await page.getByTestId("household-title").waitFor();
    await page.locator("#f-s2").fill("3");
    await page.getByTestId("save-next").click();
    await page.waitForURL(new RegExp(`${base}$`));
    await page.getByTestId("offline-waiting").waitFor();
    expect(await page.getByTestId("offline-waiting").innerText()).toBe("还有 2 户待发送");
    for (const h of [first, second]) expect(await page.getByTestId(`hh-${h.number}`).innerText()).toContain("待发送（离线保存）");
    const send = page.getByTestId("send-now");
    expect(await send.isDisabled()).toBe(true); // nothing to send it over
    const box = (await send.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.width).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await shot(page, "offline-scoring-1-waiting-offline");
    // Nothing reached the server.
    expect(await inspections(first.id)).toBe(0);
    expect(await inspections(second.id)).toBe(0);
    const queue = await readQueue(page);
    expect(queue).toHaveLength(2);
    expect(queue[0].photos).toHaveLength(1);

    // The signal is back: both are sent, in order, and the list says so.
    await q().run("update households set address = ? where id = ?", address, first.id);
    await page.context().setOffline(false);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="kept-state"]').length === 2 && [...document.querySelectorAll('[data-testid="kept-state"]')].every((e) => e.textContent === "已提交"), null, { timeout: 30_000 });
    expect(await page.getByTestId("offline-waiting").count()).toBe(0);
    await page.getByText("已存在手机上").waitFor({ state: "detached" });
    await shot(page, "offline-scoring-2-after-sync");
    expect(await inspections(first.id)).toBe(1);
    expect(await inspections(second.id)).toBe(1);
    expect(await q().value<number>("select count(*) as n from inspections where round_id = ?", roundId)).toBe(before! + 2);
    const row = (id: number) => q().get<{ total: number; version: number; photos: number }>(
      "select i.total, i.version, (select count(*) from inspection_photos p where p.inspection_id = i.id) as photos from inspections i where i.round_id = ? and i.household_id = ?", roundId, id,
    );
    const [a, b] = [await row(first.id), await row(second.id)];
    expect(a).toMatchObject({ version: 1, photos: 1 });
    expect(b).toMatchObject({ version: 1, photos: 0 });
    const audits = await q().value<number>("select count(*) as n from audit_log where target_type = 'inspection'");

    // A replay of the queue, photos and all, once in order and once all at once: the same answers, no change.
    const answers = await replay(page, queue);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(answers[2].body).toEqual(answers[0].body);
    expect(answers[3].body).toEqual(answers[1].body);
    expect((answers[0].body as { message: string }).message).toContain(`已提交 ${first.number}号户`);
    expect(await row(first.id)).toEqual(a);
    expect(await row(second.id)).toEqual(b);
    expect(await q().value<number>("select count(*) as n from audit_log where target_type = 'inspection'")).toBe(audits);
    expect(await q().value<number>("select count(*) as n from inspection_saves where round_id = ?", roundId)).toBe(2);

    // Opened online again: the list is the server's, with nothing waiting.
    await page.reload();
    await page.getByTestId("offline-ready").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("kept-state").count()).toBe(0);
    expect(await page.getByTestId(`hh-${first.number}`).innerText()).toMatch(/\d+ 分/);
  });

  it("works in 长辈模式: large type offline, 60 px targets", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, "13900000004");
    await page.goto(base);
    await page.getByRole("button", { name: "大字" }).click();
    await page.waitForFunction(() => document.documentElement.dataset.elder === "1");
    await page.goto(base); // opened online in large type: the phone's copies are large type too
    await page.getByTestId("offline-ready").waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const [h] = await todo(page);
    await page.context().setOffline(true);
    await page.getByTestId(`hh-${h.number}`).locator("a").click();
    await page.getByTestId("household-title").waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.elder)).toBe("1");
    await page.locator("summary", { hasText: "家里没人" }).click();
    await page.locator("#f-reason").fill("家里没人，外出打工");
    await page.getByRole("button", { name: "标记未检查，下一户" }).click();
    await page.waitForURL(new RegExp(`${base}$`));
    await page.getByTestId("offline-waiting").waitFor();
    expect(await page.getByTestId("offline-waiting").innerText()).toBe("还有 1 户待发送");
    expect(await page.getByTestId(`hh-${h.number}`).innerText()).toContain("待发送（离线保存）· 未检查");
    const box = (await page.getByTestId("send-now").boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(60);
    expect(parseFloat(await page.getByTestId("offline-waiting").evaluate((e) => getComputedStyle(e).fontSize))).toBeGreaterThanOrEqual(22);
    await shot(page, "offline-scoring-3-elder-offline");
    await page.context().setOffline(false);
    await page.waitForFunction(() => document.querySelector('[data-testid="kept-state"]')?.textContent === "已提交", null, { timeout: 30_000 });
    expect(await q().value<string>("select status from inspections where round_id = ? and household_id = ?", roundId, h.id)).toBe("absent");
  });

  it("a kept save the server refuses stays on the phone with its reason: the household is no longer the inspector's", async () => {
    const page = await phonePage(world.browser, world.server.url);
    await signIn(page, "13900000004");
    await page.goto(base);
    await page.getByTestId("offline-ready").waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const [h] = await todo(page);
    const me = (await q().value<number>("select id from users where phone = '13900000004'"))!;
    // A grid of the village this inspector does not score in this round.
    const elsewhere = (await q().value<number>(
      "select id from grids where village_id = ? and id not in (select grid_id from round_inspectors where round_id = ? and user_id = ?) order by id limit 1", villageId, roundId, me,
    ))!;
    expect(elsewhere).toBeGreaterThan(0);
    await page.context().setOffline(true);
    await page.getByTestId(`hh-${h.number}`).locator("a").click();
    await page.getByTestId("household-title").waitFor();
    await page.getByTestId("save-next").click();
    await page.waitForURL(new RegExp(`${base}$`));
    await page.getByTestId("offline-waiting").waitFor();
    // Meanwhile the village moves the household to a grid someone else inspects.
    await q().run("update households set grid_id = ? where id = ?", elsewhere, h.id);
    await page.context().setOffline(false);
    const orphan = page.getByTestId(`orphan-${h.id}`);
    await orphan.waitFor({ timeout: 30_000 });
    expect(await orphan.innerText()).toContain("发送失败：这户已不归你检查（村委改了分工），这次保存的评分没有交上。请联系村委");
    expect(await page.getByRole("alert").filter({ hasText: "发送失败" }).count()).toBe(1);
    expect(await q().value<number>("select count(*) as n from inspections where round_id = ? and household_id = ?", roundId, h.id)).toBe(0);
    await shot(page, "offline-scoring-4-refused");
    const remove = orphan.getByRole("button", { name: "知道了，删掉" });
    expect((await remove.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    await remove.click();
    await orphan.waitFor({ state: "detached" });
  });
});
