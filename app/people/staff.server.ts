// Logins and roles inside one village: create logins (for members or staff), reset passwords,
// disable and enable logins, change roles. Passwords are hashed before the unit of work (it awaits only the database).
import { z } from "zod";
import {
  fail,
  formIdSchema,
  generatePassword,
  initialPasswordSchema,
  isUniqueViolation,
  notFound,
  type Outcome,
  type StaffActor,
} from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { resetPassword } from "~/platform/auth.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { memberInHousehold } from "./household-admin.server";
import { TEXT_LIMITS } from "./limits";
import { containsText } from "~/platform/search.server";
import { hashPassword } from "~/platform/password.server";
import { ROLES, VILLAGE_ROLES, type Role } from "~/platform/roles";
import { revokeUserSessions } from "~/platform/session.server";
import { findUserByPhone, insertUser, setVillageRoles } from "./users.server";
import { phoneSchema, textSchema } from "~/platform/validation.server";

export const PHONE_TAKEN = "该手机号已有账号";
const MEMBER_HAS_LOGIN = "这位村民已经有登录账号";
const ROLE_REQUIRED = "请至少选一个角色";

// ---- form rules -----------------------------------------------------------

/** Role checkboxes: each ticked role arrives as its own form value. */
export function rolesFromForm(form: FormData): string[] {
  return form.getAll("roles").filter((v): v is string => typeof v === "string");
}

export const villageRolesSchema = z
  .array(z.string())
  .max(VILLAGE_ROLES.length * 2, "请求有误，请刷新页面后再试")
  .transform((list) => [...new Set(list)])
  .pipe(z.array(z.enum(VILLAGE_ROLES as [Role, ...Role[]], { error: "请从列表中选择角色" })).min(1, ROLE_REQUIRED));

export const staffLoginSchema = z.object({
  displayName: textSchema("姓名", TEXT_LIMITS.personName),
  phone: phoneSchema,
  password: initialPasswordSchema,
  memberId: z
    .string()
    .optional()
    .transform((s) => s ?? "")
    .pipe(z.union([z.literal(""), formIdSchema], { error: "找不到这位村民，请重新选择" }))
    .transform((v) => (v === "" ? null : v)),
  roles: villageRolesSchema,
});

export const memberLoginSchema = z.object({ phone: phoneSchema, password: initialPasswordSchema });
export const resetPasswordSchema = z.object({ password: initialPasswordSchema });

export type StaffLoginFields = z.infer<typeof staffLoginSchema>;

// ---- reads ----------------------------------------------------------------

/** Logins of the village: a role in it, or a member of it. */
function inVillage(villageId: number) {
  return db()
    .selectFrom("users as u")
    .leftJoin("members as m", "m.id", "u.member_id")
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom("user_roles as r").select("r.id").whereRef("r.user_id", "=", "u.id").where("r.village_id", "=", villageId)),
        eb("m.village_id", "=", villageId),
      ]),
    );
}

/** A role's bit in `role_bits`: its place in ROLES. */
const roleBit = (role: Role) => 2 ** ROLES.indexOf(role);

/**
 * The columns the accounts page shows. The roles held in the village come as one number, a bit per
 * role (each role is held at most once per village: a unique index), because the engines join
 * strings differently (group_concat, string_agg) and a query of its own would cost a statement.
 * `elsewhere`: roles outside this village, or a member of another village.
 */
function withColumns(query: ReturnType<typeof inVillage>, villageId: number) {
  return query.leftJoin("households as h", "h.id", "m.household_id").select((eb) => [
    "u.id", "u.phone", "u.display_name", "u.disabled", "u.must_change_password", "u.member_id",
    "m.name as member_name", "m.active as member_active", "h.id as household_id", "h.number as household_number",
    eb
      .selectFrom("user_roles as r")
      .select((r) => {
        const [first, ...rest] = ROLES;
        // Literals, not parameters: PostgreSQL would type parameters in a CASE as text, and not sum them.
        let bits = r.case("r.role").when(first).then(r.lit(roleBit(first)));
        for (const role of rest) bits = bits.when(role).then(r.lit(roleBit(role)));
        return r.fn.sum<number>(bits.else(r.lit(0)).end()).as("bits");
      })
      .whereRef("r.user_id", "=", "u.id")
      .where("r.village_id", "=", villageId)
      .as("role_bits"),
    eb
      .case()
      .when(
        eb.or([
          eb.exists(
            eb
              .selectFrom("user_roles as r")
              .select("r.id")
              .whereRef("r.user_id", "=", "u.id")
              .where((r) => r.or([r("r.village_id", "is", null), r("r.village_id", "<>", villageId)])),
          ),
          eb("m.village_id", "<>", villageId),
        ]),
      )
      .then(eb.lit(1))
      .else(eb.lit(0))
      .end()
      .as("elsewhere"),
  ]);
}

type RawUserRow = Awaited<ReturnType<ReturnType<typeof withColumns>["executeTakeFirstOrThrow"]>>;

function toUserRow({ role_bits, elsewhere, ...r }: RawUserRow) {
  const roles = ROLES.filter((role) => ((role_bits ?? 0) & roleBit(role)) !== 0);
  return { ...r, roles, elsewhere: elsewhere === 1 };
}

export type VillageUserRow = ReturnType<typeof toUserRow>;

/** The user if they have a role in the village or are a member of it; otherwise a 404. */
export async function userInVillage(villageId: number, userId: number): Promise<VillageUserRow> {
  const row = await withColumns(inVillage(villageId).where("u.id", "=", userId), villageId).executeTakeFirst();
  if (!row) notFound();
  return toUserRow(row);
}

export const USER_PAGE_SIZE = 30;

/** Logins of the village; staffOnly leaves out plain villagers and household heads. */
export async function villageUsers(villageId: number, q: string, staffOnly: boolean, page: number) {
  const matching = inVillage(villageId)
    .$if(q !== "", (qb) => qb.where((eb) => eb.or([containsText(eb.ref("u.display_name"), q), containsText(eb.ref("u.phone"), q)])))
    .$if(staffOnly, (qb) =>
      qb.where((eb) =>
        eb.exists(
          eb
            .selectFrom("user_roles as r")
            .select("r.id")
            .whereRef("r.user_id", "=", "u.id")
            .where("r.village_id", "=", villageId)
            .where("r.role", "not in", ["villager", "household_head"]),
        ),
      ),
    );
  const { n: total } = await matching.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const rows = await withColumns(matching, villageId)
    .orderBy("u.disabled")
    .orderBy("u.id")
    .limit(USER_PAGE_SIZE)
    .offset((page - 1) * USER_PAGE_SIZE)
    .execute();
  return { rows: rows.map(toUserRow), total, page, pages: Math.max(1, Math.ceil(total / USER_PAGE_SIZE)) };
}

function villageMembers(villageId: number) {
  return db()
    .selectFrom("members as m")
    .innerJoin("households as h", "h.id", "m.household_id")
    .select(["m.id", "m.name", "m.relation", "m.phone", "m.is_head", "h.id as household_id", "h.number as household_number"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", constant(1));
}

/** Active members of the village without a login, for linking a new login to a person. */
export async function searchLinkableMembers(villageId: number, q: string, limit = 20) {
  if (!q) return [];
  return villageMembers(villageId)
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom("users as u").select("u.id").whereRef("u.member_id", "=", "m.id"))),
        eb.or([containsText(eb.ref("m.name"), q), containsText(eb.ref("m.phone"), q), containsText(eb.ref("h.number"), q)]),
      ]),
    )
    .orderBy("h.number")
    .orderBy("m.is_head", "desc")
    .orderBy("m.id")
    .limit(limit)
    .execute();
}

export type LinkableMember = Awaited<ReturnType<typeof searchLinkableMembers>>[number];

/** An active member of the village, with or without a login; undefined if none. */
export function villageMember(villageId: number, memberId: number) {
  return villageMembers(villageId)
    .select((eb) =>
      eb.case().when(eb.exists(eb.selectFrom("users as u").select("u.id").whereRef("u.member_id", "=", "m.id"))).then(eb.lit(1)).else(eb.lit(0)).end().as("has_login"),
    )
    .where("m.id", "=", memberId)
    .executeTakeFirst();
}

// ---- guards ---------------------------------------------------------------

/**
 * Password resets and disabling act on the whole account. A village admin may do that only to
 * accounts that live entirely in their village; anything wider is the township admin's call.
 */
function accountGuard(actor: StaffActor, user: VillageUserRow): Outcome | null {
  if (user.id === actor.userId) return fail("_form", "不能在这里操作自己的账号。修改自己的密码请到“修改密码”");
  if (user.elsewhere && actor.role !== "township_admin") {
    return fail("_form", "这个账号在其他村或乡镇也有角色，请联系乡镇管理员处理", 403);
  }
  return null;
}

// ---- writes ---------------------------------------------------------------

export interface NewLogin {
  displayName: string;
  phone: string;
  password: string | null; // null: generate one
  memberId: number | null;
  roles: Role[];
}

/**
 * The household_head role follows the roster: a login has it exactly when its member is the head of a
 * household here (people/household-admin.server.ts keeps it in step when the head changes). Whatever the
 * form says about 户主 is replaced, so an admin cannot hand a non-head the head's powers (PIN, who
 * may spend).
 */
function headRoleFromRoster(roles: readonly string[], isHead: boolean): Role[] {
  const rest = [...new Set(roles)].filter((r): r is Role => (VILLAGE_ROLES as readonly string[]).includes(r) && r !== "household_head");
  return isHead ? [...rest, "household_head"] : rest;
}

/**
 * Creates a login in the village. It must change its password at first sign-in.
 * Returns the password when one was generated, to be shown to the admin once.
 */
export async function createLogin(actor: StaffActor, villageId: number, n: NewLogin): Promise<Outcome<{ userId: number; generated: string | null }>> {
  let memberName: string | null = null;
  let isHead = false;
  if (n.memberId !== null) {
    const m = await villageMember(villageId, n.memberId);
    if (!m) return fail("memberId", "找不到这位村民，请重新选择");
    if (m.has_login) return fail("memberId", MEMBER_HAS_LOGIN);
    memberName = m.name;
    isHead = m.is_head === 1;
  }
  const roles = headRoleFromRoster(n.roles, isHead);
  if (roles.length === 0) return fail("roles", ROLE_REQUIRED);
  if (await findUserByPhone(n.phone)) return fail("phone", PHONE_TAKEN);
  const generated = n.password === null ? generatePassword() : null;
  const hash = await hashPassword(n.password ?? generated!);
  try {
    const userId = await unitOfWork(async () => {
      const id = await insertUser({
        phone: n.phone,
        passwordHash: hash,
        displayName: n.displayName,
        memberId: n.memberId,
        mustChangePassword: true,
        roles: roles.map((role) => ({ role, villageId })),
      });
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "user.create", targetType: "user", targetId: id,
        after: { name: n.displayName, phone: n.phone, member: memberName, member_id: n.memberId, roles, must_change_password: true },
      });
      return id;
    });
    return { ok: true, userId, generated };
  } catch (e) {
    if (isUniqueViolation(e, "users.phone")) return fail("phone", PHONE_TAKEN);
    if (isUniqueViolation(e, "users.member_id")) return fail("memberId", MEMBER_HAS_LOGIN);
    throw e;
  }
}

/** 开通登录 for a household member: roles villager, plus household_head when the member is the head. */
export async function createMemberLogin(
  actor: StaffActor,
  villageId: number,
  householdId: number,
  memberId: number,
  f: { phone: string; password: string | null },
): Promise<Outcome<{ userId: number; generated: string | null }>> {
  const m = await memberInHousehold(villageId, householdId, memberId);
  if (m.active !== 1) return fail("_form", "这位成员已停用，请先启用再开通登录");
  if (m.user_id !== null) return fail("_form", MEMBER_HAS_LOGIN);
  const roles: Role[] = m.is_head === 1 ? ["villager", "household_head"] : ["villager"];
  const out = await createLogin(actor, villageId, { displayName: m.name, phone: f.phone, password: f.password, memberId, roles });
  if (!out.ok && out.errors.memberId) return fail("_form", out.errors.memberId);
  return out;
}

/** Sets a temporary password (typed, or generated and returned once); signs the user out everywhere. */
export async function resetUserPassword(
  actor: StaffActor,
  villageId: number,
  userId: number,
  password: string | null,
): Promise<Outcome<{ generated: string | null }>> {
  const user = await userInVillage(villageId, userId);
  const refused = accountGuard(actor, user);
  if (refused) return refused as Outcome<{ generated: string | null }>;
  const generated = password === null ? generatePassword() : null;
  await resetPassword({ userId: actor.userId, role: actor.role, villageId }, user.id, password ?? generated!);
  return { ok: true, generated };
}

/** 停用/启用登录. Disabling also ends every session of the account. */
export function setLoginDisabled(actor: StaffActor, villageId: number, userId: number, disabled: boolean): Promise<Outcome> {
  return unitOfWork<Outcome>(async () => {
    const user = await userInVillage(villageId, userId);
    const refused = accountGuard(actor, user);
    if (refused) return refused;
    if ((user.disabled === 1) === disabled) return { ok: true };
    if (!disabled && user.member_id !== null && user.member_active === 0) {
      return fail("_form", "这位成员已停用，请先在住户页启用成员");
    }
    await db().updateTable("users").set({ disabled: disabled ? 1 : 0 }).where("id", "=", user.id).execute();
    if (disabled) await revokeUserSessions(user.id);
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: disabled ? "user.disable" : "user.enable", targetType: "user", targetId: user.id,
      before: { disabled: !disabled }, after: { disabled },
    });
    return { ok: true };
  });
}

/**
 * Replaces the user's roles in this village. A village admin cannot take away their own
 * village_admin role, so a village is never left without someone to manage it.
 */
export function changeVillageRoles(actor: StaffActor, villageId: number, userId: number, roles: Role[]): Promise<Outcome> {
  return unitOfWork<Outcome>(async () => {
    const user = await userInVillage(villageId, userId);
    const head =
      user.member_id === null
        ? undefined
        : await db()
            .selectFrom("members")
            .select("is_head")
            .where("id", "=", user.member_id)
            .where("village_id", "=", villageId)
            .where("active", "=", constant(1))
            .executeTakeFirst();
    const next = headRoleFromRoster(roles, head?.is_head === 1);
    if (next.length === 0) return fail("roles", `${ROLE_REQUIRED}；不再需要这个账号请停用登录`);
    if (user.id === actor.userId && user.roles.includes("village_admin") && !next.includes("village_admin") && actor.role !== "township_admin") {
      return fail("roles", "不能取消自己的村管理员角色，以免本村没人能管理。请让其他管理员或乡镇管理员操作");
    }
    const before = user.roles;
    const after = [...next].sort((a, b) => ROLES.indexOf(a) - ROLES.indexOf(b));
    if (JSON.stringify(before) === JSON.stringify(after)) return { ok: true };
    await setVillageRoles(user.id, villageId, after);
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "user.roles", targetType: "user", targetId: user.id,
      before: { roles: before }, after: { roles: after },
    });
    return { ok: true };
  });
}
