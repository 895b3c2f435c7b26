// The admin server modules: households, members, logins, roles, grids, villages, audit, village scoping.
import { beforeAll, describe, expect, it } from "vitest";
import type { StaffActor } from "~/platform/forms.server";
import { sqlOn } from "../support/sql";
import {
  addMemberByAdmin,
  createHouseholdByAdmin,
  householdInVillage,
  householdList,
  memberFieldsSchema,
  memberInHousehold,
  newHouseholdSchema,
  setMemberActiveByAdmin,
  updateHouseholdByAdmin,
  updateMemberByAdmin,
} from "~/people/household-admin.server";
import { hashPassword, verifyPassword } from "~/platform/password.server";
import {
  changeVillageRoles,
  createLogin,
  createMemberLogin,
  resetUserPassword,
  setLoginDisabled,
  staffLoginSchema,
  userInVillage,
  villageUsers,
} from "~/people/staff.server";
import { getUser, insertUser, rolesOf } from "~/people/users.server";
import {
  createGrid,
  createVillageWithAdmin,
  newVillageSchema,
  renameGrid,
  townshipOverview,
  villageAuditPage,
} from "~/people/village-admin.server";
import { createVillage, ensureGrid, ensureTownship } from "~/people/villages.server";

const q = () => sqlOn();
const count = async (table: string) => (await q().get<{ n: number }>(`select count(*) as n from ${table}`))!.n;
const lastAudit = async () =>
  (await q().get<{
    action: string; actor_user_id: number; actor_role: string; village_id: number; target_type: string; target_id: string;
    before_json: string | null; after_json: string | null;
  }>("select * from audit_log order by id desc limit 1"))!;
/** The id of the first row (lowest id) the query finds. */
const idOf = async (text: string, ...params: unknown[]) => (await q().get<{ id: number }>(text, ...params))!.id;

async function is404(fn: () => unknown): Promise<boolean> {
  try {
    await fn();
  } catch (e) {
    return e instanceof Response && e.status === 404;
  }
  return false;
}

async function addSession(userId: number, id: string): Promise<void> {
  const at = Date.now();
  await q().run("insert into sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent) values (?, ?, ?, ?, ?, '', '')", id, userId, at, at, at + 3600_000);
}
const liveSessions = async (userId: number) =>
  (await q().get<{ n: number }>("select count(*) as n from sessions where user_id = ? and revoked_at is null", userId))!.n;

let townshipId: number;
let villageA: number;
let villageB: number;
let gridA: number;
let gridB: number;
let adminA: StaffActor;
let townshipActor: StaffActor;
let hash: string;

beforeAll(async () => {
  townshipId = await ensureTownship("测试镇");
  villageA = await createVillage({ townshipId, name: "甲村", code: "JIA" });
  villageB = await createVillage({ townshipId, name: "乙村", code: "YI" });
  gridA = await ensureGrid(villageA, "一组");
  gridB = await ensureGrid(villageB, "一组");
  hash = await hashPassword("admin-pass-1");
  const adminId = await insertUser({ phone: "13700000001", passwordHash: hash, displayName: "甲管理员", memberId: null, mustChangePassword: false, roles: [{ role: "village_admin", villageId: villageA }] });
  const townId = await insertUser({ phone: "13700000000", passwordHash: hash, displayName: "镇管理员", memberId: null, mustChangePassword: false, roles: [{ role: "township_admin", villageId: null }] });
  adminA = { userId: adminId, role: "village_admin", villageId: villageA };
  townshipActor = { userId: townId, role: "township_admin", villageId: villageA };
});

describe("form rules", () => {
  it("accepts full-width digits and rejects markup, empty and huge input", async () => {
    const ok = newHouseholdSchema.safeParse({ number: "０１２", gridId: "", address: "东街 3 号", headName: " 王大山 ", headPhone: "１３８００１３８０００" });
    expect(ok.success && ok.data).toEqual({ number: "012", gridId: null, address: "东街 3 号", headName: "王大山", headPhone: "13800138000" });
    const bad = newHouseholdSchema.safeParse({ number: "", gridId: "abc", address: "x".repeat(500), headName: "<script>alert(1)</script>", headPhone: "12345" });
    expect(bad.success).toBe(false);
    const paths = new Set(bad.error!.issues.map((i) => i.path[0]));
    expect(paths).toEqual(new Set(["number", "gridId", "address", "headName", "headPhone"]));
    expect(bad.error!.issues.find((i) => i.path[0] === "headName")!.message).toMatch(/不能包含/);
    expect(memberFieldsSchema.safeParse({ name: "李四", relation: "外星人", phone: "" }).success).toBe(false);
    expect(memberFieldsSchema.parse({ name: "李四", relation: "子女", phone: "", canRedeem: "on" })).toMatchObject({ canRedeem: true, phone: null });
  });

  it("checks login and village forms", async () => {
    expect(staffLoginSchema.safeParse({ displayName: "赵", phone: "13700000009", password: "short", memberId: "", roles: ["inspector"] }).error!.issues[0].message).toBe("密码至少 8 位");
    expect(staffLoginSchema.safeParse({ displayName: "赵", phone: "13700000009", password: "", memberId: "", roles: [] }).error!.issues[0].message).toBe("请至少选一个角色");
    expect(staffLoginSchema.safeParse({ displayName: "赵", phone: "13700000009", memberId: "", roles: ["township_admin"] }).success).toBe(false);
    expect(staffLoginSchema.parse({ displayName: "赵", phone: "13700000009", memberId: "", roles: ["inspector", "inspector"] })).toMatchObject({ password: null, memberId: null, roles: ["inspector"] });
    expect(newVillageSchema.parse({ name: "丙村", code: "bc１", noticeDays: "", adminName: "丙", adminPhone: "13700000020" })).toMatchObject({ code: "BC1", noticeDays: 3, adminPassword: null });
    for (const noticeDays of ["-1", "31", "1.5", "abc", "9".repeat(20)]) {
      expect(newVillageSchema.safeParse({ name: "丙村", code: "BC", noticeDays, adminName: "丙", adminPhone: "13700000020" }).success).toBe(false);
    }
    expect(newVillageSchema.safeParse({ name: "丙村", code: "B", adminName: "丙", adminPhone: "13700000020" }).success).toBe(false);
  });
});

describe("households and members", () => {
  let householdId: number;
  let headId: number;

  it("creates a household with its head and account, audited", async () => {
    const out = await createHouseholdByAdmin(adminA, villageA, { number: "001", gridId: gridA, address: "东街 1 号", headName: "王大山", headPhone: "13800000001" });
    expect(out.ok).toBe(true);
    householdId = (out as { householdId: number }).householdId;
    const h = await householdInVillage(villageA, householdId);
    expect(h).toMatchObject({ number: "001", grid_name: "一组", head_name: "王大山" });
    expect(await q().get("select count(*) as n from accounts where household_id = ?", householdId)).toEqual({ n: 1 });
    const a = await lastAudit();
    expect(a).toMatchObject({ action: "household.create", actor_user_id: adminA.userId, actor_role: "village_admin", village_id: villageA, target_id: String(householdId) });
    expect(JSON.parse(a.after_json!)).toMatchObject({ number: "001", grid: "一组", head: "王大山" });
    headId = await idOf("select id from members where household_id = ? order by id", householdId);
  });

  it("refuses a taken number or a foreign grid and writes nothing", async () => {
    const before = [await count("households"), await count("audit_log"), await count("members")];
    expect(await createHouseholdByAdmin(adminA, villageA, { number: "001", gridId: null, address: "", headName: "重号", headPhone: null })).toMatchObject({ ok: false, errors: { number: "本村已有这个户号" } });
    expect(await createHouseholdByAdmin(adminA, villageA, { number: "002", gridId: gridB, address: "", headName: "外网格", headPhone: null })).toMatchObject({ ok: false, errors: { gridId: expect.any(String) } });
    expect([await count("households"), await count("audit_log"), await count("members")]).toEqual(before);
    // The same number is fine in another village.
    expect((await createHouseholdByAdmin(adminA, villageB, { number: "001", gridId: gridB, address: "", headName: "乙村户", headPhone: null })).ok).toBe(true);
  });

  it("edits number, grid and address with before/after; a move to another grid leaves the old grid's 联户", async () => {
    const grid2 = await ensureGrid(villageA, "二组");
    const grid1 = (await q().get<{ grid_id: number }>("select grid_id from households where id = ?", householdId))!.grid_id;
    await q().run("insert into household_groups (village_id, grid_id, name, created_at) values (?, ?, '一组1号联户', 0)", villageA, grid1);
    const group = await idOf("select id from household_groups where name = '一组1号联户'");
    await q().run("update households set group_id = ? where id = ?", group, householdId);
    // The same grid keeps the group.
    expect(await updateHouseholdByAdmin(adminA, villageA, householdId, { number: "001", gridId: grid1, address: "东街 1 号 " })).toEqual({ ok: true });
    expect(await q().get("select group_id from households where id = ?", householdId)).toEqual({ group_id: group });
    await q().run("update households set address = '东街 1 号' where id = ?", householdId);
    expect(await updateHouseholdByAdmin(adminA, villageA, householdId, { number: "001A", gridId: grid2, address: "西街 2 号" })).toEqual({ ok: true });
    const a = await lastAudit();
    expect(a.action).toBe("household.update");
    expect(JSON.parse(a.before_json!)).toEqual({ number: "001", grid: "一组", address: "东街 1 号" });
    expect(JSON.parse(a.after_json!)).toEqual({ number: "001A", grid: "二组", address: "西街 2 号" });
    expect(await q().get("select group_id from households where id = ?", householdId)).toEqual({ group_id: null });
    const n = await count("audit_log");
    expect(await updateHouseholdByAdmin(adminA, villageA, householdId, { number: "001A", gridId: grid2, address: "西街 2 号" })).toEqual({ ok: true });
    expect(await count("audit_log")).toBe(n); // nothing changed, nothing recorded
  });

  it("keeps households and members of another village out of reach", async () => {
    expect(await is404(() => householdInVillage(villageB, householdId))).toBe(true);
    expect(await is404(() => updateHouseholdByAdmin(adminA, villageB, householdId, { number: "X", gridId: null, address: "" }))).toBe(true);
    expect(await is404(() => addMemberByAdmin(adminA, villageB, householdId, { name: "越界", relation: "子女", phone: null, canRedeem: true }))).toBe(true);
    expect(await is404(() => memberInHousehold(villageB, householdId, headId))).toBe(true);
    const other = await createHouseholdByAdmin(adminA, villageA, { number: "009", gridId: null, address: "", headName: "别户", headPhone: null }) as { householdId: number };
    expect(await is404(() => memberInHousehold(villageA, other.householdId, headId))).toBe(true);
    expect((await householdList(villageB, "", 1)).rows.map((r) => r.head_name)).toEqual(["乙村户"]);
    expect((await householdList(villageA, "王大", 1)).rows.map((r) => r.number)).toEqual(["001A"]);
    expect((await householdList(villageA, "13800000001", 1)).total).toBe(1);
  });

  it("adds and edits members; one head per household", async () => {
    expect(await addMemberByAdmin(adminA, villageA, householdId, { name: "第二户主", relation: "户主", phone: null, canRedeem: true })).toMatchObject({ ok: false, errors: { relation: expect.stringContaining("已有户主") } });
    const out = await addMemberByAdmin(adminA, villageA, householdId, { name: "王小丫", relation: "子女", phone: null, canRedeem: false });
    expect(out.ok).toBe(true);
    const memberId = (out as { memberId: number }).memberId;
    expect(await memberInHousehold(villageA, householdId, memberId)).toMatchObject({ can_redeem: 0, is_head: 0, active: 1 });
    expect(await lastAudit()).toMatchObject({ action: "member.create", target_id: String(memberId) });
    expect(await updateMemberByAdmin(adminA, villageA, householdId, memberId, { name: "王小雅", relation: "户主", phone: null, canRedeem: true })).toMatchObject({ ok: false, errors: { relation: expect.any(String) } });
    expect(await updateMemberByAdmin(adminA, villageA, householdId, memberId, { name: "王小雅", relation: "子女", phone: "13800000002", canRedeem: true })).toEqual({ ok: true });
    const a = await lastAudit();
    expect(JSON.parse(a.before_json!)).toMatchObject({ name: "王小丫", can_redeem: false, phone: null });
    expect(JSON.parse(a.after_json!)).toMatchObject({ name: "王小雅", can_redeem: true, phone: "13800000002" });
  });

  it("opens a login for a member: must change password, villager + household_head for the head", async () => {
    const out = await createMemberLogin(adminA, villageA, householdId, headId, { phone: "13800000001", password: null });
    expect(out.ok).toBe(true);
    const { userId, generated } = out as { userId: number; generated: string };
    expect(generated).toMatch(/^\d{8}$/);
    const user = (await getUser(userId))!;
    expect(user).toMatchObject({ must_change_password: 1, member_id: headId, display_name: "王大山", disabled: 0 });
    expect(await verifyPassword(generated, user.password_hash)).toBe(true);
    expect((await rolesOf(userId)).map((r) => r.role).sort()).toEqual(["household_head", "villager"]);
    expect(await lastAudit()).toMatchObject({ action: "user.create", target_type: "user", target_id: String(userId), village_id: villageA });
    expect(JSON.parse((await lastAudit()).after_json!)).not.toHaveProperty("password");

    // a second login for the same member, or a phone already used, is refused without a write
    const n = await count("users");
    expect(await createMemberLogin(adminA, villageA, householdId, headId, { phone: "13800000009", password: "abcdefgh" })).toMatchObject({ ok: false, errors: { _form: expect.stringContaining("已经有登录账号") } });
    const kid = await idOf("select id from members where household_id = ? and is_head = 0 order by id", householdId);
    expect(await createMemberLogin(adminA, villageA, householdId, kid, { phone: "13800000001", password: "abcdefgh" })).toMatchObject({ ok: false, errors: { phone: "该手机号已有账号" } });
    expect(await count("users")).toBe(n);

    const typed = await createMemberLogin(adminA, villageA, householdId, kid, { phone: "13800000002", password: "kid-pass-123" });
    expect(typed).toMatchObject({ ok: true, generated: null });
    expect((await rolesOf((typed as { userId: number }).userId)).map((r) => r.role)).toEqual(["villager"]);
  });

  it("gives 户主 only to the roster's head, whatever the role form says", async () => {
    const kid = await idOf("select id from members where household_id = ? and is_head = 0 order by id", householdId);
    const kidUser = await idOf("select id from users where member_id = ? order by id", kid);
    const head = await memberInHousehold(villageA, householdId, headId);
    expect(await changeVillageRoles(adminA, villageA, kidUser, ["villager", "household_head"])).toEqual({ ok: true });
    expect((await rolesOf(kidUser)).map((r) => r.role)).toEqual(["villager"]);
    expect(await changeVillageRoles(adminA, villageA, kidUser, ["household_head"])).toMatchObject({ ok: false, errors: { roles: expect.any(String) } });
    // The head keeps it when the form leaves 户主 unticked (the checkbox is not offered).
    expect(await changeVillageRoles(adminA, villageA, head.user_id!, ["villager", "inspector"])).toEqual({ ok: true });
    expect((await rolesOf(head.user_id!)).map((r) => r.role).sort()).toEqual(["household_head", "inspector", "villager"]);
    expect(await changeVillageRoles(adminA, villageA, head.user_id!, ["villager"])).toEqual({ ok: true });
    // A staff login with no member can never be a head.
    const staff = await createLogin(adminA, villageA, { displayName: "假户主", phone: "13700000099", password: null, memberId: null, roles: ["household_head", "inspector"] });
    expect((await rolesOf((staff as { userId: number }).userId)).map((r) => r.role)).toEqual(["inspector"]);
  });

  it("moves the household_head role with the head relation", async () => {
    const head = await memberInHousehold(villageA, householdId, headId);
    expect(await updateMemberByAdmin(adminA, villageA, householdId, headId, { name: head.name, relation: "其他", phone: head.phone, canRedeem: true })).toEqual({ ok: true });
    expect((await rolesOf(head.user_id!)).map((r) => r.role)).toEqual(["villager"]);
    expect(await updateMemberByAdmin(adminA, villageA, householdId, headId, { name: head.name, relation: "户主", phone: head.phone, canRedeem: true })).toEqual({ ok: true });
    expect((await rolesOf(head.user_id!)).map((r) => r.role).sort()).toEqual(["household_head", "villager"]);
  });

  it("deactivates a member (never deletes), disabling the login and its sessions", async () => {
    const kid = (await q().get<{ id: number; user_id: number }>("select m.id, u.id as user_id from members m join users u on u.member_id = m.id where m.household_id = ? and m.is_head = 0 order by m.id", householdId))!;
    await addSession(kid.user_id, "kid-session");
    const members = await count("members");
    expect(await setMemberActiveByAdmin(adminA, villageA, householdId, kid.id, false)).toEqual({ ok: true });
    expect(await count("members")).toBe(members);
    expect(await memberInHousehold(villageA, householdId, kid.id)).toMatchObject({ active: 0, login_disabled: 1 });
    expect(await liveSessions(kid.user_id)).toBe(0);
    const a = await lastAudit();
    expect(a.action).toBe("member.deactivate");
    expect(JSON.parse(a.after_json!)).toEqual({ active: false, login_disabled: true });
    // the login cannot be enabled while the member is inactive
    expect(await setLoginDisabled(adminA, villageA, kid.user_id, false)).toMatchObject({ ok: false });
    expect(await setMemberActiveByAdmin(adminA, villageA, householdId, kid.id, true)).toEqual({ ok: true });
    expect(await setLoginDisabled(adminA, villageA, kid.user_id, false)).toEqual({ ok: true });
    expect((await getUser(kid.user_id))!.disabled).toBe(0);
  });
});

describe("staff logins and roles", () => {
  let inspectorId: number;

  it("creates a staff login in the village with chosen roles", async () => {
    const out = await createLogin(adminA, villageA, { displayName: "钱网格", phone: "13700000002", password: "grid-pass-1", memberId: null, roles: ["inspector", "committee"] });
    expect(out).toMatchObject({ ok: true, generated: null });
    inspectorId = (out as { userId: number }).userId;
    expect((await getUser(inspectorId))!.must_change_password).toBe(1);
    expect(await rolesOf(inspectorId)).toEqual([{ role: "inspector", villageId: villageA }, { role: "committee", villageId: villageA }]);
    expect(await createLogin(adminA, villageA, { displayName: "重复", phone: "13700000002", password: null, memberId: null, roles: ["inspector"] })).toMatchObject({ ok: false, errors: { phone: "该手机号已有账号" } });
  });

  it("links only members of the same village", async () => {
    const foreign = await idOf("select id from members where village_id = ? order by id", villageB);
    const n = await count("users");
    expect(await createLogin(adminA, villageA, { displayName: "越界", phone: "13700000003", password: null, memberId: foreign, roles: ["inspector"] })).toMatchObject({ ok: false, errors: { memberId: expect.any(String) } });
    expect(await count("users")).toBe(n);
  });

  it("changes roles with before/after, and never lets an admin drop their own village_admin", async () => {
    expect(await changeVillageRoles(adminA, villageA, inspectorId, ["inspector", "store_keeper"])).toEqual({ ok: true });
    const a = await lastAudit();
    expect(a).toMatchObject({ action: "user.roles", target_id: String(inspectorId) });
    expect(JSON.parse(a.before_json!)).toEqual({ roles: ["inspector", "committee"] });
    expect(JSON.parse(a.after_json!)).toEqual({ roles: ["inspector", "store_keeper"] });
    expect(await changeVillageRoles(adminA, villageA, inspectorId, [])).toMatchObject({ ok: false, errors: { roles: expect.any(String) } });

    const n = await count("audit_log");
    expect(await changeVillageRoles(adminA, villageA, adminA.userId, ["committee"])).toMatchObject({ ok: false, errors: { roles: expect.stringContaining("不能取消自己") } });
    expect(await rolesOf(adminA.userId)).toEqual([{ role: "village_admin", villageId: villageA }]);
    expect(await count("audit_log")).toBe(n);
    // adding roles to oneself is fine
    expect(await changeVillageRoles(adminA, villageA, adminA.userId, ["village_admin", "committee"])).toEqual({ ok: true });
  });

  it("resets a password: temporary, must change, sessions revoked, audited", async () => {
    await addSession(inspectorId, "insp-1");
    const out = await resetUserPassword(adminA, villageA, inspectorId, null);
    expect(out.ok).toBe(true);
    const temp = (out as { generated: string }).generated;
    const user = (await getUser(inspectorId))!;
    expect(user.must_change_password).toBe(1);
    expect(await verifyPassword(temp, user.password_hash)).toBe(true);
    expect(await liveSessions(inspectorId)).toBe(0);
    expect(await lastAudit()).toMatchObject({ action: "reset_password", target_id: String(inspectorId), village_id: villageA, actor_user_id: adminA.userId });
    expect(await resetUserPassword(adminA, villageA, adminA.userId, null)).toMatchObject({ ok: false });
  });

  it("leaves accounts that reach beyond the village to the township admin", async () => {
    const wide = await insertUser({
      phone: "13700000005", passwordHash: hash, displayName: "两村网格员", memberId: null, mustChangePassword: false,
      roles: [{ role: "inspector", villageId: villageA }, { role: "village_admin", villageId: villageB }],
    });
    expect((await userInVillage(villageA, wide)).elsewhere).toBe(true);
    expect(await resetUserPassword(adminA, villageA, wide, "new-pass-99")).toMatchObject({ ok: false, status: 403 });
    expect(await setLoginDisabled(adminA, villageA, wide, true)).toMatchObject({ ok: false, status: 403 });
    expect((await getUser(wide))!.disabled).toBe(0);
    // roles inside the admin's own village may still change; the other village's grant stays
    expect(await changeVillageRoles(adminA, villageA, wide, ["committee"])).toEqual({ ok: true });
    expect(await rolesOf(wide)).toContainEqual({ role: "village_admin", villageId: villageB });
    expect(await resetUserPassword(townshipActor, villageA, wide, "new-pass-99")).toEqual({ ok: true, generated: null });
  });

  it("disables a login and ends its sessions", async () => {
    await addSession(inspectorId, "insp-2");
    expect(await setLoginDisabled(adminA, villageA, inspectorId, true)).toEqual({ ok: true });
    expect((await getUser(inspectorId))!.disabled).toBe(1);
    expect(await liveSessions(inspectorId)).toBe(0);
    expect(await lastAudit()).toMatchObject({ action: "user.disable" });
    expect(await setLoginDisabled(adminA, villageA, adminA.userId, true)).toMatchObject({ ok: false });
  });

  it("scopes users to the village", async () => {
    const onlyB = await insertUser({ phone: "13700000006", passwordHash: hash, displayName: "乙村店主", memberId: null, mustChangePassword: false, roles: [{ role: "store_keeper", villageId: villageB }] });
    expect(await is404(() => userInVillage(villageA, onlyB))).toBe(true);
    expect(await is404(() => changeVillageRoles(adminA, villageA, onlyB, ["inspector"]))).toBe(true);
    expect(await is404(() => resetUserPassword(adminA, villageA, onlyB, null))).toBe(true);
    expect(await rolesOf(onlyB)).toEqual([{ role: "store_keeper", villageId: villageB }]);
    const staffA = (await villageUsers(villageA, "", true, 1)).rows.map((u) => u.display_name);
    expect(staffA).toContain("钱网格");
    expect(staffA).not.toContain("乙村店主");
    expect(staffA).not.toContain("王大山"); // a plain villager is not staff
    expect((await villageUsers(villageA, "", false, 1)).rows.map((u) => u.display_name)).toContain("王大山");
    expect((await villageUsers(villageB, "", false, 1)).rows.map((u) => u.display_name)).toEqual(expect.arrayContaining(["乙村店主", "两村网格员"]));
  });
});

describe("grids, villages and the audit log", () => {
  it("adds and renames grids, refusing duplicates and foreign grids", async () => {
    const out = await createGrid(adminA, villageA, "三组");
    expect(out.ok).toBe(true);
    expect(await createGrid(adminA, villageA, "三组")).toMatchObject({ ok: false, errors: { name: "本村已有这个网格" } });
    expect(await renameGrid(adminA, villageA, (out as { gridId: number }).gridId, "二组")).toMatchObject({ ok: false, errors: { name: expect.any(String) } });
    expect(await renameGrid(adminA, villageA, (out as { gridId: number }).gridId, "东片")).toEqual({ ok: true });
    expect(JSON.parse((await lastAudit()).before_json!)).toEqual({ name: "三组" });
    expect(await is404(() => renameGrid(adminA, villageA, gridB, "抢来的"))).toBe(true);
  });

  it("creates a village with its first admin who must change the password", async () => {
    const actor = { ...townshipActor, villageId: null };
    const out = await createVillageWithAdmin(actor, { name: "丙村", code: "BING", noticeDays: 0, adminName: "丙管理员", adminPhone: "13700000030", adminPassword: null });
    expect(out.ok).toBe(true);
    const { villageId, generated } = out as { villageId: number; generated: string };
    expect(await q().get("select name, code, notice_days from villages where id = ?", villageId)).toEqual({ name: "丙村", code: "BING", notice_days: 0 });
    const admin = (await q().get<{ id: number; must_change_password: number; password_hash: string }>("select * from users where phone = '13700000030'"))!;
    expect(admin.must_change_password).toBe(1);
    expect(await verifyPassword(generated, admin.password_hash)).toBe(true);
    expect(await rolesOf(admin.id)).toEqual([{ role: "village_admin", villageId }]);
    expect(await q().get("select count(*) as n from accounts where village_id = ? and kind = 'issuance'", villageId)).toEqual({ n: 1 });
    const actions = (await q().all<{ action: string }>("select action from audit_log where village_id = ? order by id", villageId)).map((a) => a.action);
    expect(actions).toEqual(["village.create", "user.create"]);

    const n = await count("villages");
    expect(await createVillageWithAdmin(actor, { name: "丁村", code: "BING", noticeDays: 3, adminName: "丁", adminPhone: "13700000031", adminPassword: null })).toMatchObject({ ok: false, errors: { code: expect.any(String) } });
    expect(await createVillageWithAdmin(actor, { name: "丁村", code: "DING", noticeDays: 3, adminName: "丁", adminPhone: "13700000030", adminPassword: null })).toMatchObject({ ok: false, errors: { adminPhone: "该手机号已有账号" } });
    expect(await count("villages")).toBe(n);

    const overview = await townshipOverview();
    expect(overview.villages.map((v) => v.name)).toEqual(["甲村", "乙村", "丙村"]);
    expect(overview.villages.find((v) => v.name === "丙村")).toMatchObject({ households: 0, members: 0, logins: 1, balance: 0, score: 0 });
    expect(overview.villages.find((v) => v.name === "甲村")!.households).toBe(2);
  });

  it("shows each village only its own audit rows, newest first", async () => {
    const a = await villageAuditPage(villageA, 1);
    expect(a.total).toBeGreaterThan(10);
    expect(a.rows.every((r) => r.id > 0)).toBe(true);
    for (const r of a.rows) expect((await q().get<{ village_id: number }>("select village_id from audit_log where id = ?", r.id))!.village_id).toBe(villageA);
    expect(a.rows[0].id).toBeGreaterThan(a.rows[1].id);
    const hh = a.rows.find((r) => r.action === "household.update");
    expect(hh).toMatchObject({ actor_name: "甲管理员", target_label: "001A号户" });
    expect((await villageAuditPage(villageB, 1)).rows.some((r) => r.action === "household.update")).toBe(false);
  });
});

describe("two admins at once", () => {
  it("adding the same 户号, or a second head, at the same moment: one wins, the other is told why", async () => {
    const before = await count("households");
    const both = await Promise.all(
      ["同号甲", "同号乙"].map((headName) => createHouseholdByAdmin(adminA, villageA, { number: "C01", gridId: null, address: "", headName, headPhone: null })),
    );
    expect(both.filter((o) => o.ok)).toHaveLength(1);
    expect(both.find((o) => !o.ok)).toMatchObject({ ok: false, errors: { number: "本村已有这个户号" } });
    expect(await count("households")).toBe(before + 1);

    const householdId = (both.find((o) => o.ok) as { householdId: number }).householdId;
    await updateMemberByAdmin(adminA, villageA, householdId, await idOf("select id from members where household_id = ? order by id", householdId), {
      name: "原户主", relation: "其他", phone: null, canRedeem: true,
    });
    const heads = await Promise.all(
      ["新户主甲", "新户主乙"].map((name) => addMemberByAdmin(adminA, villageA, householdId, { name, relation: "户主", phone: null, canRedeem: true })),
    );
    expect(heads.filter((o) => o.ok)).toHaveLength(1);
    expect(heads.find((o) => !o.ok)).toMatchObject({ ok: false, errors: { relation: expect.stringContaining("已有户主") } });
    expect(await q().get("select count(*) as n from members where household_id = ? and is_head = 1 and active = 1", householdId)).toEqual({ n: 1 });
  });
});

describe("guards found in review", () => {
  it("a village admin cannot lock out, by deactivating the member, a login that also serves another village", async () => {
    const out = await createHouseholdByAdmin(adminA, villageA, { number: "R01", gridId: gridA, address: "", headName: "孙跨村", headPhone: "13700000301" });
    const householdId = (out as { householdId: number }).householdId;
    const memberId = await idOf("select id from members where household_id = ? order by id", householdId);
    const userId = await insertUser({
      phone: "13700000301", passwordHash: hash, displayName: "孙跨村", memberId, mustChangePassword: false,
      roles: [{ role: "villager", villageId: villageA }, { role: "village_admin", villageId: villageB }],
    });
    const refused = await setMemberActiveByAdmin(adminA, villageA, householdId, memberId, false);
    expect(refused).toMatchObject({ ok: false, status: 403 });
    expect((await getUser(userId))!.disabled).toBe(0);
    expect((await memberInHousehold(villageA, householdId, memberId)).active).toBe(1);
    expect((await setMemberActiveByAdmin(townshipActor, villageA, householdId, memberId, false)).ok).toBe(true);
  });

  it("an inactive member cannot become a second head, and head role changes are audited", async () => {
    const out = await createHouseholdByAdmin(adminA, villageA, { number: "R02", gridId: gridA, address: "", headName: "钱户主", headPhone: "" });
    const householdId = (out as { householdId: number }).householdId;
    const add = await addMemberByAdmin(adminA, villageA, householdId, { name: "钱二", relation: "子女", phone: null, canRedeem: true });
    expect(add.ok).toBe(true);
    const second = await idOf("select id from members where household_id = ? and is_head = 0 order by id", householdId);
    expect((await setMemberActiveByAdmin(adminA, villageA, householdId, second, false)).ok).toBe(true);
    const made = await updateMemberByAdmin(adminA, villageA, householdId, second, { name: "钱二", relation: "户主", phone: null, canRedeem: true });
    expect(made).toMatchObject({ ok: false });
    expect((await memberInHousehold(villageA, householdId, second)).is_head).toBe(0);

    const head = await idOf("select id from members where household_id = ? and is_head = 1 order by id", householdId);
    const login = await createMemberLogin(adminA, villageA, householdId, head, { phone: "13700000302", password: "first-pass-1" });
    expect(login.ok).toBe(true);
    const userId = await idOf("select id from users where member_id = ? order by id", head);
    expect((await rolesOf(userId)).map((r) => r.role)).toContain("household_head");
    expect((await updateMemberByAdmin(adminA, villageA, householdId, head, { name: "钱户主", relation: "配偶", phone: null, canRedeem: true })).ok).toBe(true);
    expect((await rolesOf(userId)).map((r) => r.role)).not.toContain("household_head");
    const roleAudit = (await q().get<{ after_json: string }>("select * from audit_log where action = 'user.roles' and target_id = ? order by id desc limit 1", String(userId)))!;
    expect(JSON.parse(roleAudit.after_json)).toEqual({ household_head: false });
  });
});
