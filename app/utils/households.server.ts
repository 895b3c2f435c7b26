// Households and their members. Creating a household opens its points account in the same transaction.
import { now } from "./clock.server";
import { db, transact, stmt } from "./db.server";
import { openHouseholdAccount } from "./ledger.server";

export const RELATIONS = ["户主", "配偶", "子女", "儿媳", "女婿", "父母", "公婆", "岳父母", "孙子女", "兄弟姐妹", "其他"] as const;

export interface NewMemberInput {
  name: string;
  relation: string;
  phone?: string | null;
}

export interface NewHouseholdInput {
  villageId: number;
  gridId: number | null;
  number: string;
  address: string;
  members: NewMemberInput[]; // the first member whose relation is 户主 becomes the head
}

/** Must run inside a transaction (see transact). */
export function insertHousehold(h: NewHouseholdInput): { householdId: number; memberIds: number[] } {
  const sqlite = db().sqlite;
  const at = now();
  const householdId = Number(
    sqlite
      .prepare("insert into households (village_id, grid_id, number, address, created_at) values (?, ?, ?, ?, ?)")
      .run(h.villageId, h.gridId, h.number, h.address, at).lastInsertRowid,
  );
  openHouseholdAccount(h.villageId, householdId);
  const insertMember = sqlite.prepare(
    "insert into members (village_id, household_id, name, relation, phone, is_head, created_at) values (?, ?, ?, ?, ?, ?, ?)",
  );
  const memberIds = h.members.map((m) =>
    Number(insertMember.run(h.villageId, householdId, m.name, m.relation, m.phone ?? null, m.relation === "户主" ? 1 : 0, at).lastInsertRowid),
  );
  return { householdId, memberIds };
}

export function createHousehold(h: NewHouseholdInput): { householdId: number; memberIds: number[] } {
  return transact(() => insertHousehold(h));
}

export function addMember(villageId: number, householdId: number, m: NewMemberInput): number {
  return Number(
    stmt(
        "insert into members (village_id, household_id, name, relation, phone, is_head, created_at) values (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(villageId, householdId, m.name, m.relation, m.phone ?? null, m.relation === "户主" ? 1 : 0, now()).lastInsertRowid,
  );
}

export interface HouseholdRow {
  id: number;
  village_id: number;
  grid_id: number | null;
  grid_name: string | null;
  number: string;
  address: string;
  head_name: string | null;
}

export function getHousehold(id: number): HouseholdRow | undefined {
  return stmt(
      `select h.id, h.village_id, h.grid_id, g.name as grid_name, h.number, h.address,
              (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head_name
       from households h left join grids g on g.id = h.grid_id where h.id = ?`,
    )
    .get(id) as HouseholdRow | undefined;
}

export interface MemberRow {
  id: number;
  household_id: number;
  village_id: number;
  name: string;
  relation: string;
  phone: string | null;
  is_head: number;
  can_redeem: number;
  active: number;
  user_id: number | null;
}

export function listMembers(householdId: number): MemberRow[] {
  return stmt(
      `select m.*, u.id as user_id from members m left join users u on u.member_id = m.id
       where m.household_id = ? order by m.is_head desc, m.id`,
    )
    .all(householdId) as MemberRow[];
}

export function getMember(id: number): MemberRow | undefined {
  return stmt("select m.*, u.id as user_id from members m left join users u on u.member_id = m.id where m.id = ?")
    .get(id) as MemberRow | undefined;
}

export function searchHouseholds(villageId: number, q: string, page: number, pageSize = 30): { rows: HouseholdRow[]; total: number } {
  const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const where = `h.village_id = ? and (? = '' or h.number like ? escape '\\' or h.address like ? escape '\\'
                 or exists (select 1 from members m where m.household_id = h.id and (m.name like ? escape '\\' or m.phone like ? escape '\\')))`;
  const params = [villageId, q, like, like, like, like];
  const sqlite = db().sqlite;
  const total = (sqlite.prepare(`select count(*) as n from households h where ${where}`).get(...params) as { n: number }).n;
  const rows = sqlite
    .prepare(
      `select h.id, h.village_id, h.grid_id, g.name as grid_name, h.number, h.address,
              (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head_name
       from households h left join grids g on g.id = h.grid_id where ${where}
       order by h.number limit ? offset ?`,
    )
    .all(...params, pageSize, (page - 1) * pageSize) as HouseholdRow[];
  return { rows, total };
}
