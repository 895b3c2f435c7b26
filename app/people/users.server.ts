// Logins (phone + password) and their roles. A login may belong to a household member or to staff only.
import type { Role } from "~/platform/roles";
import { now } from "~/platform/clock.server";
import { atomically, db, unitOfWork } from "~/platform/database.server";

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserByPhone>>>;

export interface RoleGrant {
  role: Role;
  villageId: number | null;
}

const USER_COLUMNS = ["id", "phone", "password_hash", "display_name", "member_id", "must_change_password", "disabled"] as const;

export function findUserByPhone(phone: string) {
  return db().selectFrom("users").select(USER_COLUMNS).where("phone", "=", phone).executeTakeFirst();
}

export function getUser(id: number) {
  return db().selectFrom("users").select(USER_COLUMNS).where("id", "=", id).executeTakeFirst();
}

export async function rolesOf(userId: number): Promise<RoleGrant[]> {
  const rows = await db().selectFrom("user_roles").select(["role", "village_id"]).where("user_id", "=", userId).orderBy("id").execute();
  return rows.map((r) => ({ role: r.role, villageId: r.village_id }));
}

/** Inserts a login with a hash computed beforehand (hashing is slow: never inside a unit of work). */
export function insertUser(u: {
  phone: string;
  passwordHash: string;
  displayName: string;
  memberId: number | null;
  mustChangePassword: boolean;
  roles: RoleGrant[];
}): Promise<number> {
  return unitOfWork(async (tx) => {
    const { id } = await tx
      .insertInto("users")
      .values({ phone: u.phone, password_hash: u.passwordHash, display_name: u.displayName, member_id: u.memberId, must_change_password: u.mustChangePassword ? 1 : 0, created_at: now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await insertRoles(id, u.roles);
    return id;
  });
}

async function insertRoles(userId: number, roles: RoleGrant[]): Promise<void> {
  if (roles.length === 0) return;
  const at = now();
  // A grant held already is kept as it is (the unique index covers user, role and village).
  await db()
    .insertInto("user_roles")
    .values(roles.map((r) => ({ user_id: userId, role: r.role, village_id: r.villageId, created_at: at })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Replaces the user's roles within one village (other villages' grants stay). */
export function setVillageRoles(userId: number, villageId: number, roles: Role[]): Promise<void> {
  return unitOfWork(async (tx) => {
    await tx.deleteFrom("user_roles").where("user_id", "=", userId).where("village_id", "=", villageId).execute();
    await insertRoles(userId, roles.map((role) => ({ role, villageId })));
  });
}

export async function setPasswordHash(userId: number, hash: string, mustChange: boolean): Promise<void> {
  await atomically((tx) =>
    tx.updateTable("users").set({ password_hash: hash, must_change_password: mustChange ? 1 : 0, password_changed_at: now() }).where("id", "=", userId).execute(),
  );
}

export async function setDisabled(userId: number, disabled: boolean): Promise<void> {
  await atomically((tx) => tx.updateTable("users").set({ disabled: disabled ? 1 : 0 }).where("id", "=", userId).execute());
}
