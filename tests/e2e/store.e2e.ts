// The store seen through phones: the villager makes a code, the keeper's page reads it from a fake
// camera (a YUV4MPEG2 video of the QR code, generated here), confirms, both receipts show, balance
// and stock change; then the counter: the household card read by the camera, the cart, the PIN.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "../../app/platform/database.server";
import { startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { ARTIFACTS, keeperConfirmsTyped, launch, phonePage, shot, signIn } from "./browser";

let server: TestServer;
let browser: Browser;
let database: Engine;
const cameras: Browser[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launch()]);
  database = openDatabase(server.database);
});
afterAll(async () => {
  await database?.close();
  for (const b of cameras) await b.close();
  await browser?.close();
  await server?.stop();
});

const one = async <T>(text: string, ...args: unknown[]) => (await sqlOn(database).get<T>(text, ...args))!;

const W = 640;
const H = 480;

/** A 640×480 YUV4MPEG2 video of a grey picture (the Y plane; U and V at 128), for Chromium's fake camera. */
function videoOf(y: Buffer, name: string): string {
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), y, chroma, chroma]);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.y4m`);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array(5).fill(frame)]));
  return file;
}

/** A video showing `text` as a QR code, black on white. */
function qrVideo(text: string, name: string): string {
  const qr = QRCode.create(text, { errorCorrectionLevel: "M" });
  const n = qr.modules.size;
  const scale = Math.floor(400 / (n + 8));
  const size = (n + 8) * scale; // 4 modules of quiet zone on each side
  const x0 = Math.floor((W - size) / 2) + 4 * scale;
  const y0 = Math.floor((H - size) / 2) + 4 * scale;
  const y = Buffer.alloc(W * H, 255);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      for (let dy = 0; dy < scale; dy++) y.fill(0, (y0 + r * scale + dy) * W + x0 + c * scale, (y0 + r * scale + dy) * W + x0 + (c + 1) * scale);
    }
  }
  return videoOf(y, name);
}

/** A video of the QR image the villager's phone shows (as the server drew it), filmed head-on. */
async function shownQrVideo(page: Page, name: string): Promise<string> {
  // qr-scanner looks at the middle two thirds of the frame (320 px here): keep the code inside it.
  const SIDE = 300;
  const grey: number[] = await page.locator("img.qr").evaluate((img: HTMLImageElement, side: number) => {
    const c = document.createElement("canvas");
    c.width = side;
    c.height = side;
    const g = c.getContext("2d")!;
    g.fillStyle = "#fff";
    g.fillRect(0, 0, side, side);
    g.drawImage(img, 0, 0, side, side);
    const px = g.getImageData(0, 0, side, side).data;
    return Array.from({ length: side * side }, (_, i) => px[i * 4]);
  }, SIDE);
  const y = Buffer.alloc(W * H, 255);
  const x0 = (W - SIDE) / 2;
  const y0 = (H - SIDE) / 2;
  for (let r = 0; r < SIDE; r++) Buffer.from(grey.slice(r * SIDE, (r + 1) * SIDE)).copy(y, (y0 + r) * W + x0);
  return videoOf(y, name);
}

/** A keeper's phone whose camera films `video` (only these browsers get the fake-camera switches). */
async function keeperWithCamera(video: string): Promise<Page> {
  const cam = await launch(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
  cameras.push(cam);
  const page = await phonePage(cam, server.url);
  await signIn(page, "13900000002");
  return page;
}

/** The single-fetch data requests a page sends (what `npm run bench` replays for checkout). */
function dataRequests(page: Page): string[] {
  const sent: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith(".data")) sent.push(`${r.method()} ${decodeURIComponent(url.pathname + url.search)}`);
  });
  return sent;
}

const spendable = async (page: Page) => Number(await page.getByTestId("spendable").textContent());

describe("phone checkout", () => {
  it("villager shows a code, the keeper's camera reads it, both see the receipt", async () => {
    const villager = await phonePage(browser, server.url);
    await signIn(villager, "13900000001");
    const before = await spendable(villager);
    const villagerData = dataRequests(villager);
    await villager.locator("nav.mainnav").getByRole("link", { name: "积分超市" }).click();
    await villager.waitForURL("**/store");
    const good = await one<{ id: number; name: string; price: number; stock: number }>(
      "select id, name, price, stock from goods where village_id = 1 and active = 1 and stock > 3 and price <= 15 order by id limit 1",
    );
    await villager.locator(`input[name="qty.${good.id}"]`).fill("1");
    await shot(villager, "store-shelf");
    await villager.getByRole("button", { name: "生成兑换码" }).click();
    await villager.waitForURL(/\/store\/orders\/\d+/);
    const orderId = Number(/(\d+)$/.exec(new URL(villager.url()).pathname)![1]);
    await expect(villager.getByTestId("order-code").getAttribute("data-code")).resolves.toMatch(/^\d{8}$/);
    await villager.locator("img.qr").waitFor({ state: "visible" });
    await expect(villager.locator(".countdown").textContent()).resolves.toMatch(/还剩 \d+:\d\d/);
    await shot(villager, "store-code");

    // The keeper's camera films the code exactly as the server drew it on the villager's phone.
    const keeper = await keeperWithCamera(await shownQrVideo(villager, "order-qr"));
    await keeper.goto("/v/1/store/scan");
    const keeperData = dataRequests(keeper);
    // The camera reads the code and the page looks it up by itself.
    await keeper.getByTestId("review").waitFor({ timeout: 30_000 });
    expect(await keeper.getByTestId("review").innerText()).toContain(good.name);
    await shot(keeper, "store-keeper-review");
    await keeper.getByRole("button", { name: /确认兑换/ }).click();
    await keeper.getByTestId("receipt").waitFor();
    expect(await keeper.getByTestId("receipt-total").innerText()).toBe(`${good.price} 分`);
    await shot(keeper, "store-keeper-receipt");

    // The villager's page turns into the receipt without a reload.
    await villager.getByTestId("receipt").waitFor({ timeout: 15_000 });
    expect(await villager.getByTestId("receipt-balance").innerText()).toBe(String(before - good.price));
    await shot(villager, "store-villager-receipt");
    await villager.goto("/");
    expect(await spendable(villager)).toBe(before - good.price);
    expect((await one<{ stock: number }>("select stock from goods where id = ?", good.id)).stock).toBe(good.stock - 1);
    expect((await one<{ status: string }>("select status from orders where id = ?", orderId)).status).toBe("confirmed");
    // After a checkout step only the page's own loader runs again, not the root's or the store
    // layout's (app/platform/revalidate.ts); the bench's checkout replays exactly these requests.
    expect(villagerData).toContain("POST /store.data?index");
    expect(villagerData).toContain(`GET /store/orders/${orderId}.data?_routes=routes/store.orders.$orderId`);
    expect(villagerData.filter((r) => r.startsWith("GET /store/orders/")).every((r) => r.endsWith("?_routes=routes/store.orders.$orderId"))).toBe(true);
    expect(keeperData.filter((r) => r.startsWith("POST ")).length).toBeGreaterThanOrEqual(2);
    expect(new Set(keeperData)).toEqual(new Set(["POST /v/1/store/scan.data", "GET /v/1/store/scan.data?_routes=routes/v.$villageId.store.scan"]));
  });
});

describe("counter checkout", () => {
  it("reads the household card with the camera, builds the cart, the villager types the PIN", async () => {
    const household = await one<{ id: number; number: string }>(
      "select h.id, h.number from users u join members m on m.id = u.member_id join households h on h.id = m.household_id where u.phone = '13900000001'",
    );
    const balance = async () => (await one<{ balance: number }>("select balance from accounts where household_id = ?", household.id)).balance;
    const before = await balance();
    const keeper = await keeperWithCamera(qrVideo(`JFHK:${household.id}`, "household-card"));
    await keeper.goto(`/v/1/store/cards?household=${household.id}`);
    expect(await keeper.getByTestId("household-card").count()).toBe(1);
    await shot(keeper, "store-household-card");
    await keeper.goto("/v/1/store/scan");
    await keeper.waitForURL(/\/store\/counter\?household=\d+/, { timeout: 30_000 });
    await keeper.getByTestId("counter-household").waitFor();
    expect(await keeper.getByTestId("counter-household").innerText()).toContain(`${household.number}号户`);
    const good = await one<{ id: number; price: number; stock: number }>("select id, price, stock from goods where village_id = 1 and active = 1 and stock > 3 and price <= 15 order by id desc limit 1");
    await keeper.locator(`input[name="qty.${good.id}"]`).fill("1");
    await keeper.getByLabel("请村民输入 6 位兑换密码").fill("000000");
    await keeper.getByRole("button", { name: "确认兑换" }).click();
    await keeper.locator("#pin-err").waitFor();
    expect(await keeper.locator("#pin-err").innerText()).toContain("兑换密码不对");
    expect(await balance()).toBe(before);
    await keeper.getByLabel("请村民输入 6 位兑换密码").fill("135790");
    await keeper.getByRole("button", { name: "确认兑换" }).click();
    await keeper.getByTestId("receipt").waitFor();
    await shot(keeper, "store-counter-receipt");
    expect(await keeper.getByTestId("receipt").innerText()).toContain("柜台兑换");
    expect(await balance()).toBe(before - good.price);
    expect((await one<{ stock: number }>("select stock from goods where id = ?", good.id)).stock).toBe(good.stock - 1);
  });
});

describe("without JavaScript", () => {
  it("a villager still makes a code and a keeper still confirms it by typing the 8 digits", async () => {
    const villager = await phonePage(browser, server.url, { javaScript: false });
    await signIn(villager, "13900000001");
    await villager.goto("/store");
    const good = await one<{ id: number }>("select id from goods where village_id = 1 and active = 1 and stock > 3 and price <= 10 order by id limit 1");
    await villager.locator(`input[name="qty.${good.id}"]`).fill("1");
    await villager.getByRole("button", { name: "生成兑换码" }).click();
    await villager.waitForURL(/\/store\/orders\/\d+/);
    const code = (await villager.getByTestId("order-code").getAttribute("data-code"))!;
    const keeper = await keeperConfirmsTyped(browser, server.url, code);
    await villager.reload();
    await villager.getByTestId("receipt").waitFor();
    await shot(keeper, "store-nojs-keeper-receipt");
  });
});
