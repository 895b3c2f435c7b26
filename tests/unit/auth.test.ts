// Sign-in rules exercised on the modules with the injectable clock.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { signIn, changeOwnPassword, resetPassword } from "~/utils/auth.server";
import { clockControl, now } from "~/utils/clock.server";
import { hashPassword, newPasswordSchema } from "~/utils/password.server";
import { getViewer } from "~/utils/access.server";
import { IDLE_TIMEOUT_MS, ABSOLUTE_TIMEOUT_MS } from "~/utils/session.server";
import { getUser, insertUser } from "~/utils/users.server";
import { ensureTownship } from "~/utils/villages.server";

const req = () => new Request("http://localhost/login", { method: "POST" });
function withCookie(setCookie: string): Request {
  return new Request("http://localhost/", { headers: { cookie: setCookie.split(";")[0] } });
}

let userId: number;
beforeAll(async () => {
  ensureTownship("测试镇");
  userId = insertUser({
    phone: "13800000001", passwordHash: await hashPassword("right-password"), displayName: "王大伯",
    memberId: null, mustChangePassword: false, roles: [{ role: "township_admin", villageId: null }],
  });
});
afterEach(() => clockControl.reset());

describe("passwords", () => {
  it("hashes with bcrypt cost >= 10", async () => {
    expect(getUser(userId)!.password_hash).toMatch(/^\$2[aby]\$1\d\$/);
  });
  it("refuses new passwords over 72 bytes, counting Chinese characters as 3 bytes", () => {
    expect(newPasswordSchema.safeParse("a".repeat(72)).success).toBe(true);
    expect(newPasswordSchema.safeParse("a".repeat(73)).success).toBe(false);
    const chinese = "积".repeat(25); // 75 bytes, 25 characters
    const r = newPasswordSchema.safeParse(chinese);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/太长/);
    expect(() => hashPassword("a".repeat(73))).toThrow();
  });
  it("does not accept a password that only matches on its first 72 bytes", async () => {
    const long = "x".repeat(72);
    const id = insertUser({ phone: "13800000009", passwordHash: await hashPassword(long), displayName: "长密码", memberId: null, mustChangePassword: false, roles: [] });
    expect(id).toBeGreaterThan(0);
    const r = await signIn(req(), "13800000009", long + "extra", "10.0.0.9");
    expect(r.ok).toBe(false);
  });
});

describe("throttling", () => {
  it("slows repeated failures on one account, then lets the owner back in after the wait", async () => {
    clockControl.set(Date.UTC(2026, 10, 1));
    for (let i = 0; i < 5; i++) expect(await signIn(req(), "13800000001", "wrong", `10.0.1.${i}`)).toMatchObject({ ok: false, error: "手机号或密码不正确" });
    // the 6th failure starts the delay
    await signIn(req(), "13800000001", "wrong", "10.0.1.9");
    const blocked = await signIn(req(), "13800000001", "right-password", "10.0.2.1");
    expect(blocked).toMatchObject({ ok: false });
    expect((blocked as { error: string }).error).toMatch(/尝试次数过多/);
    clockControl.advance(31_000);
    expect((await signIn(req(), "13800000001", "right-password", "10.0.2.1")).ok).toBe(true);
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
  it("slows one IP guessing many accounts", async () => {
    clockControl.set(Date.UTC(2026, 10, 3));
    for (let i = 0; i < 21; i++) await signIn(req(), `1370000${String(i).padStart(4, "0")}`, "guess", "10.9.9.9");
    const r = await signIn(req(), "13800000001", "right-password", "10.9.9.9");
    expect(r.ok).toBe(false);
    expect((await signIn(req(), "13800000001", "right-password", "10.9.9.10")).ok).toBe(true);
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
