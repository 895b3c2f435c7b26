// Sign-in throttling without lockout (decision 0026), through the real production server. The
// server runs behind a pretend proxy on this machine (TRUST_PROXY=loopback), so each request names its client address in
// X-Forwarded-For, as the reverse proxy does in production.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type Reply, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";

let server: TestServer;
let database: Engine;
/** Demo logins of 桃源村 that no other test here uses (all with the demo password). */
let phones: string[] = [];

beforeAll(async () => {
  server = await startServer({ TRUST_PROXY: "loopback" });
  database = openDatabase(server.database);
  phones = (await sqlOn(database).all<{ phone: string }>("select phone from users where phone not like '139%' and disabled = 0 and must_change_password = 0 order by phone")).map(
    (r) => r.phone,
  );
  expect(phones.length).toBeGreaterThan(40);
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

function from(c: Client, address: string, phone: string, password: string): Promise<Reply> {
  return c.post("/login", { phone, password }, { origin: server.url, "x-forwarded-for": address });
}
const signedIn = (r: Reply) => r.status === 302 && r.location === "/";
const wrong = (r: Reply) => r.status === 400 && r.text.includes("手机号或密码不正确");
const throttled = (r: Reply) => r.status === 400 && r.text.includes("尝试次数过多");

describe("a stranger cannot lock a villager out", () => {
  it("50 wrong passwords from the villager's own address do not stop the villager on the phone that signed in before", async () => {
    const [x] = phones.splice(0, 1);
    const own = new Client(server.url);
    expect(signedIn(await from(own, "10.20.0.1", x, "jifen2026"))).toBe(true);
    expect(own.cookies.has("__device")).toBe(true);
    expect((await own.post("/logout", {})).location).toBe("/login");
    expect(own.cookies.has("__device")).toBe(true); // signing out forgets the session, not the phone

    const stranger = new Client(server.url);
    for (let i = 0; i < 50; i++) await from(stranger, "10.20.0.1", x, `guess-${i}`);
    // A browser the account has never seen, at the same address, is held back...
    expect(throttled(await from(new Client(server.url), "10.20.0.1", x, "jifen2026"))).toBe(true);
    // ...the villager's usual phone is not.
    const back = await from(own, "10.20.0.1", x, "jifen2026");
    expect(back.status, back.text.slice(0, 300)).toBe(302);
    expect((await own.get("/")).text).toContain("可用积分");
  });

  it("wrong passwords for 30 accounts from one shared address do not block another account's sign-in there", async () => {
    const guessed = phones.splice(0, 30);
    const [y] = phones.splice(0, 1);
    const guesses: Reply[] = [];
    for (const p of guessed) guesses.push(await from(new Client(server.url), "10.21.0.1", p, "not-their-password"));
    // A new browser (no known-device cookie) behind the same carrier address.
    const r = await from(new Client(server.url), "10.21.0.1", y, "jifen2026");
    expect(r.status, r.text.slice(0, 300)).toBe(302);
    // Each guess was checked and refused: 30 an hour is well under what slows an address down.
    expect(guesses.every(wrong)).toBe(true);
  });
});

describe("brute force stays slow", () => {
  it("one address: the account is slowed after 5 wrong passwords, the right one included", async () => {
    const [z] = phones.splice(0, 1);
    const c = new Client(server.url);
    for (let i = 0; i < 5; i++) expect(wrong(await from(c, "10.22.0.1", z, `guess-${i}`))).toBe(true);
    await from(c, "10.22.0.1", z, "guess-5");
    expect(throttled(await from(c, "10.22.0.1", z, "jifen2026"))).toBe(true);
  });

  it("rotating addresses: at most 20 wrong passwords per account, then new browsers wait, the owner's phone does not", async () => {
    const [z] = phones.splice(0, 1);
    const own = new Client(server.url);
    expect(signedIn(await from(own, "10.23.0.1", z, "jifen2026"))).toBe(true);
    const replies: Reply[] = [];
    for (let i = 0; i < 25; i++) replies.push(await from(new Client(server.url), `10.24.${i}.1`, z, `guess-${i}`));
    expect(replies.filter(wrong)).toHaveLength(20);
    expect(replies.slice(20).every(throttled)).toBe(true);
    const late = await from(new Client(server.url), "10.24.99.1", z, "jifen2026");
    expect(throttled(late)).toBe(true);
    expect(late.text).toContain("在以前登录过的手机上可以照常登录");
    expect(signedIn(await from(own, "10.23.0.1", z, "jifen2026"))).toBe(true);
  });

  it("40 wrong passwords sent all at once from 40 addresses: at most 20 are checked", async () => {
    const [z] = phones.splice(0, 1);
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => from(new Client(server.url), `10.25.${i}.1`, z, `burst-${i}`)));
    expect(replies.filter(wrong).length).toBeLessThanOrEqual(20);
    expect(replies.filter(wrong).length + replies.filter(throttled).length).toBe(40);
    expect(throttled(await from(new Client(server.url), "10.25.99.1", z, "jifen2026"))).toBe(true);
  });
});
