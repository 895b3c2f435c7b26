// Sign-in rules exercised on the modules with the injectable clock.
import { createCookie } from "@remix-run/node";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { signIn, changeOwnPassword, resetPassword } from "~/platform/auth.server";
import { clockControl, now } from "~/platform/clock.server";
import { hashPassword, newPasswordSchema } from "~/platform/password.server";
import { getViewer } from "~/platform/access.server";
import { IDLE_TIMEOUT_MS, ABSOLUTE_TIMEOUT_MS } from "~/platform/session.server";
import { getUser, insertUser } from "~/people/users.server";
import { ensureTownship } from "~/people/villages.server";
import { sqlOn } from "../support/sql";

const req = () => new Request("http://localhost/login", { method: "POST" });
function withCookie(setCookie: string): Request {
  return new Request("http://localhost/", { headers: { cookie: setCookie.split(";")[0] } });
}
/** A sign-in request from the browser that got this earlier sign-in's known-device cookie. */
function withDevice(earlier: { deviceCookie: string }): Request {
  return new Request("http://localhost/login", { method: "POST", headers: { cookie: earlier.deviceCookie.split(";")[0] } });
}
const getUserByPhone = async (phone: string) => (await sqlOn().get<{ id: number }>("select id from users where phone = ?", phone))!.id;

let userId: number;
beforeAll(async () => {
  await ensureTownship("测试镇");
  userId = await insertUser({
    phone: "13800000001", passwordHash: await hashPassword("right-password"), displayName: "王大伯",
    memberId: null, mustChangePassword: false, roles: [{ role: "township_admin", villageId: null }],
  });
});
afterEach(() => clockControl.reset());

describe("passwords", () => {
  it("hashes with bcrypt cost >= 10", async () => {
    expect((await getUser(userId))!.password_hash).toMatch(/^\$2[aby]\$1\d\$/);
  });
  it("refuses new passwords over 72 bytes, counting Chinese characters as 3 bytes", async () => {
    expect(newPasswordSchema.safeParse("a".repeat(72)).success).toBe(true);
    expect(newPasswordSchema.safeParse("a".repeat(73)).success).toBe(false);
    const chinese = "积".repeat(25); // 75 bytes, 25 characters
    const r = newPasswordSchema.safeParse(chinese);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/太长/);
    await expect(hashPassword("a".repeat(73))).rejects.toThrow();
  });
  it("does not accept a password that only matches on its first 72 bytes", async () => {
    const long = "x".repeat(72);
    const id = await insertUser({ phone: "13800000009", passwordHash: await hashPassword(long), displayName: "长密码", memberId: null, mustChangePassword: false, roles: [] });
    expect(id).toBeGreaterThan(0);
    const r = await signIn(req(), "13800000009", long + "extra", "10.0.0.9");
    expect(r.ok).toBe(false);
  });
});

describe("throttling", () => {
  it("slows repeated failures on one account from one address, then lets the owner back in after the wait", async () => {
    clockControl.set(Date.UTC(2026, 10, 1));
    for (let i = 0; i < 5; i++) expect(await signIn(req(), "13800000001", "wrong", "10.0.1.1")).toMatchObject({ ok: false, error: "手机号或密码不正确" });
    // the 6th failure starts the delay
    await signIn(req(), "13800000001", "wrong", "10.0.1.1");
    const blocked = await signIn(req(), "13800000001", "right-password", "10.0.1.1");
    expect(blocked).toMatchObject({ ok: false });
    expect((blocked as { error: string }).error).toMatch(/尝试次数过多/);
    clockControl.advance(31_000);
    expect((await signIn(req(), "13800000001", "right-password", "10.0.1.1")).ok).toBe(true);
  });
  it("caps the wait at 15 minutes however many failures", async () => {
    clockControl.set(Date.UTC(2026, 10, 2));
    for (let i = 0; i < 14; i++) {
      await signIn(req(), "13800000001", "wrong", `10.0.3.${i}`);
      clockControl.advance(16 * 60_000);
    }
    await signIn(req(), "13800000001", "wrong", "10.0.4.1");
    clockControl.advance(15 * 60_000 + 1);
    expect((await signIn(req(), "13800000001", "right-password", "10.0.4.2")).ok).toBe(true);
  });
  it("one address guessing many accounts does not block another account behind it; past 100 an hour it only spaces unknown browsers 10 s apart", async () => {
    clockControl.set(Date.UTC(2026, 10, 3));
    const known = await signIn(req(), "13800000001", "right-password", "10.9.9.9");
    if (!known.ok) throw new Error("sign-in failed");
    for (let i = 0; i < 21; i++) await signIn(req(), `1370000${String(i).padStart(4, "0")}`, "guess", "10.9.9.9");
    expect((await signIn(req(), "13800000001", "right-password", "10.9.9.9")).ok).toBe(true);
    for (let i = 21; i < 101; i++) expect((await signIn(req(), `1370000${String(i).padStart(4, "0")}`, "guess", "10.9.9.9")).ok).toBe(false);
    // 101 failures from the address this hour: a new browser there is asked to wait seconds, not minutes
    const spaced = await signIn(req(), "13800000001", "right-password", "10.9.9.9");
    expect(spaced).toMatchObject({ ok: false, error: "尝试次数过多，请 10 秒后再试" });
    // the owner's usual phone is not slowed by the address at all
    expect((await signIn(withDevice(known), "13800000001", "right-password", "10.9.9.9")).ok).toBe(true);
    clockControl.advance(10_000);
    expect((await signIn(req(), "13800000001", "right-password", "10.9.9.9")).ok).toBe(true);
  });
});

describe("throttling without lockout (decision 0026)", () => {
  const OWNER = "13800000002";
  beforeAll(async () => {
    await insertUser({ phone: OWNER, passwordHash: await hashPassword("owner-password"), displayName: "李大妈", memberId: null, mustChangePassword: false, roles: [] });
  });

  it("a stranger's 50 wrong passwords do not stop the owner signing in on a phone that signed in before", async () => {
    clockControl.set(Date.UTC(2026, 10, 10));
    const before = await signIn(req(), OWNER, "owner-password", "10.5.0.1");
    if (!before.ok) throw new Error("sign-in failed");
    for (let i = 0; i < 50; i++) await signIn(req(), OWNER, `guess-${i}`, i % 2 ? "10.5.0.1" : `10.6.0.${i}`);
    // a new browser, even at the owner's address, is held back...
    expect((await signIn(req(), OWNER, "owner-password", "10.5.0.1")).ok).toBe(false);
    // ...the owner's usual phone is not
    const after = await signIn(withDevice(before), OWNER, "owner-password", "10.5.0.1");
    expect(after.ok).toBe(true);
  });

  it("bounds the guesses on one account from rotating addresses at 20 a day", async () => {
    clockControl.set(Date.UTC(2026, 10, 12));
    const replies = [];
    for (let i = 0; i < 30; i++) replies.push(await signIn(req(), OWNER, `guess-${i}`, `10.7.${i}.1`));
    expect(replies.filter((r) => !r.ok && r.error === "手机号或密码不正确")).toHaveLength(20);
    const blocked = await signIn(req(), OWNER, "owner-password", "10.7.99.1");
    expect(blocked.ok).toBe(false);
    expect((blocked as { error: string }).error).toMatch(/^尝试次数过多，请 2[34] 小时后再试。在以前登录过的手机上可以照常登录/);
    clockControl.advance(23 * 3600_000);
    expect((await signIn(req(), OWNER, "owner-password", "10.7.99.1")).ok).toBe(false);
    clockControl.advance(3600_000);
    expect((await signIn(req(), OWNER, "owner-password", "10.7.99.1")).ok).toBe(true);
  });

  it("guesses sent all at once from many addresses cannot exceed the account's 20", async () => {
    clockControl.set(Date.UTC(2026, 10, 14));
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => signIn(req(), OWNER, `burst-${i}`, `10.8.${i}.1`)));
    const checked = replies.filter((r) => !r.ok && r.error === "手机号或密码不正确").length;
    const throttled = replies.filter((r) => !r.ok && r.error.startsWith("尝试次数过多")).length;
    expect(checked).toBe(20);
    expect(throttled).toBe(20);
  });

  it("a known phone has its own lane, which is throttled too", async () => {
    clockControl.set(Date.UTC(2026, 10, 16));
    const first = await signIn(req(), OWNER, "owner-password", "10.10.0.1");
    if (!first.ok) throw new Error("sign-in failed");
    for (let i = 0; i < 6; i++) await signIn(withDevice(first), OWNER, `typo-${i}`, "10.10.0.1");
    expect(await signIn(withDevice(first), OWNER, "owner-password", "10.10.0.1")).toMatchObject({ ok: false, error: "尝试次数过多，请 30 秒后再试" });
    // the phone's failures were its own: a new browser at the same address still has its free tries
    expect((await signIn(req(), OWNER, "owner-password", "10.10.0.1")).ok).toBe(true);
    clockControl.advance(31_000);
    expect((await signIn(withDevice(first), OWNER, "owner-password", "10.10.0.1")).ok).toBe(true);
  });

  it("a phone known to one account is unknown to another, and a forged cookie is no one's", async () => {
    clockControl.set(Date.UTC(2026, 10, 18));
    const villager = await signIn(req(), "13800000001", "right-password", "10.11.0.1");
    if (!villager.ok) throw new Error("sign-in failed");
    for (let i = 0; i < 20; i++) await signIn(req(), OWNER, `guess-${i}`, `10.12.${i}.1`);
    expect((await signIn(withDevice(villager), OWNER, "owner-password", "10.11.0.1")).ok).toBe(false);
    // The same cookie naming the owner's account, signed with anything but the server's secret.
    const fake = await createCookie("__device", { secrets: ["guessed-secret"] }).serialize({ d: "A".repeat(22), u: [await getUserByPhone(OWNER)] });
    const forged = new Request("http://localhost/login", { method: "POST", headers: { cookie: fake.split(";")[0] } });
    expect((await signIn(forged, OWNER, "owner-password", "10.11.0.1")).ok).toBe(false);
  });

  it("an admin reset lets the owner use the new password on a new phone after a stranger used up the day", async () => {
    clockControl.set(Date.UTC(2026, 10, 20));
    for (let i = 0; i < 20; i++) await signIn(req(), OWNER, `guess-${i}`, `10.13.${i}.1`);
    expect((await signIn(req(), OWNER, "owner-password", "10.13.99.1")).ok).toBe(false);
    const owner = await getUserByPhone(OWNER);
    await resetPassword({ userId, role: "township_admin", villageId: null }, owner, "temporary-7");
    expect(await signIn(req(), OWNER, "temporary-7", "10.13.99.1")).toMatchObject({ ok: true, mustChangePassword: true });
  });

  it("forgets old failures: the table holds about a day", async () => {
    clockControl.set(Date.UTC(2026, 10, 22));
    for (let i = 0; i < 10; i++) await signIn(req(), `1360000${String(i).padStart(4, "0")}`, "guess", `10.14.${i}.1`);
    const rows = async () => (await sqlOn().value<number>("select count(*) as n from sign_in_throttle where first_failure_at < ?", Date.UTC(2026, 10, 23)))!;
    expect(await rows()).toBeGreaterThanOrEqual(30);
    clockControl.advance(24 * 3600_000 + 1);
    await signIn(req(), "13600009999", "guess", "10.14.99.1");
    expect(await rows()).toBe(0);
  });
});

describe("sessions", () => {
  it("issues a new token at every sign-in and expires idle and old sessions", async () => {
    clockControl.set(Date.UTC(2026, 10, 5));
    const a = await signIn(req(), "13800000001", "right-password", "10.1.0.1");
    const b = await signIn(req(), "13800000001", "right-password", "10.1.0.1");
    if (!a.ok || !b.ok) throw new Error("sign-in failed");
    expect(a.setCookie.split(";")[0]).not.toBe(b.setCookie.split(";")[0]);
    expect(await getViewer(withCookie(a.setCookie))).not.toBeNull();
    clockControl.advance(IDLE_TIMEOUT_MS + 1);
    expect(await getViewer(withCookie(a.setCookie))).toBeNull();
    // keep b alive by using it every day: still ends at the absolute timeout
    const c = await signIn(req(), "13800000001", "right-password", "10.1.0.1");
    if (!c.ok) throw new Error("sign-in failed");
    const start = now();
    while (now() - start < ABSOLUTE_TIMEOUT_MS - 24 * 3600_000) {
      clockControl.advance(24 * 3600_000);
      expect(await getViewer(withCookie(c.setCookie))).not.toBeNull();
    }
    clockControl.advance(24 * 3600_000 + 1);
    expect(await getViewer(withCookie(c.setCookie))).toBeNull();
  });
  it("a password change signs out other devices; an admin reset forces a change", async () => {
    const a = await signIn(req(), "13800000001", "right-password", "10.2.0.1");
    const b = await signIn(req(), "13800000001", "right-password", "10.2.0.2");
    if (!a.ok || !b.ok) throw new Error("sign-in failed");
    const sessionA = (await getViewer(withCookie(a.setCookie)))!;
    expect(await changeOwnPassword(userId, sessionA.sessionId, "wrong", "new-password-1")).toBe("原密码不正确");
    expect(await changeOwnPassword(userId, sessionA.sessionId, "right-password", "new-password-1")).toBeNull();
    expect(await getViewer(withCookie(a.setCookie))).not.toBeNull();
    expect(await getViewer(withCookie(b.setCookie))).toBeNull();
    await resetPassword({ userId, role: "township_admin", villageId: null }, userId, "temporary-9");
    expect(await getViewer(withCookie(a.setCookie))).toBeNull();
    const c = await signIn(req(), "13800000001", "temporary-9", "10.2.0.3");
    expect(c).toMatchObject({ ok: true, mustChangePassword: true });
  });
});
