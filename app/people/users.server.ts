// Logins (phone + password) and their roles. A login may belong to a household member or to staff only.
import type { Role } from "~/platform/roles";
import { now } from "~/platform/clock.server";
import { db, transact, stmt } from "~/platform/database.server";

export interface UserRow {
  id: number;
  phone: string;
  password_hash: string;
  display_name: string;
  member_id: number | null;
  must_change_password: number;
  disabled: number;
}

export interface RoleGrant {
  role: Role;
  villageId: number | null;
}

export function findUserByPhone(phone: string): UserRow | undefined {
  return stmt("select * from users where phone = ?").get(phone) as UserRow | undefined;
}

export function getUser(id: number): UserRow | undefined {
  return stmt("select * from users where id = ?").get(id) as UserRow | undefined;
}

export function rolesOf(userId: number): RoleGrant[] {
  return (
    stmt("select role, village_id from user_roles where user_id = ? order by id").all(userId) as {
      role: Role;
      village_id: number | null;
    }[]
  ).map((r) => ({ role: r.role, villageId: r.village_id }));
}

/** Inserts a login with a hash computed beforehand (hashing is async; the transaction is not). */
export function insertUser(u: {
  phone: string;
  passwordHash: string;
  displayName: string;
  memberId: number | null;
  mustChangePassword: boolean;
  roles: RoleGrant[];
}): number {
  return transact(() => {
    const id = Number(
      stmt(
          "insert into users (phone, password_hash, display_name, member_id, must_change_password, created_at) values (?, ?, ?, ?, ?, ?)",
        )
        .run(u.phone, u.passwordHash, u.displayName, u.memberId, u.mustChangePassword ? 1 : 0, now()).lastInsertRowid,
    );
    insertRoles(id, u.roles);
    return id;
  });
}

function insertRoles(userId: number, roles: RoleGrant[]): void {
  const insert = stmt("insert or ignore into user_roles (user_id, role, village_id, created_at) values (?, ?, ?, ?)");
  for (const r of roles) insert.run(userId, r.role, r.villageId, now());
}

/** Replaces the user's roles within one village (other villages' grants stay). */
export function setVillageRoles(userId: number, villageId: number, roles: Role[]): void {
  transact(() => {
    stmt("delete from user_roles where user_id = ? and village_id = ?").run(userId, villageId);
    insertRoles(userId, roles.map((role) => ({ role, villageId })));
  });
}

export function setPasswordHash(userId: number, hash: string, mustChange: boolean): void {
  stmt("update users set password_hash = ?, must_change_password = ?, password_changed_at = ? where id = ?")
    .run(hash, mustChange ? 1 : 0, now(), userId);
}

export function setDisabled(userId: number, disabled: boolean): void {
  stmt("update users set disabled = ? where id = ?").run(disabled ? 1 : 0, userId);
}
