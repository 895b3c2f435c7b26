// Households and their members. Creating a household opens its points account in the same transaction.
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { openHouseholdAccount } from "~/ledger/ledger.server";

export const RELATIONS = ["户主", "配偶", "子女", "儿媳", "女婿", "父母", "公婆", "岳父母", "孙子女", "兄弟姐妹", "其他"] as const;

export interface NewMemberInput {
  name: string;
  relation: string;
  phone?: string | null;
  canRedeem?: boolean; // default: may spend the household's points
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
  const householdId = Number(
    stmt("insert into households (village_id, grid_id, number, address, created_at) values (?, ?, ?, ?, ?)")
      .run(h.villageId, h.gridId, h.number, h.address, now()).lastInsertRowid,
  );
  openHouseholdAccount(h.villageId, householdId);
  const memberIds = h.members.map((m) => insertMember(h.villageId, householdId, m));
  return { householdId, memberIds };
}

/** A member whose relation is 户主 becomes the head (the database allows one active head). */
export function insertMember(villageId: number, householdId: number, m: NewMemberInput): number {
  return Number(
    stmt(
      `insert into members (village_id, household_id, name, relation, phone, is_head, can_redeem, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(villageId, householdId, m.name, m.relation, m.phone ?? null, m.relation === "户主" ? 1 : 0, m.canRedeem === false ? 0 : 1, now())
      .lastInsertRowid,
  );
}

export function createHousehold(h: NewHouseholdInput): { householdId: number; memberIds: number[] } {
  return transact(() => insertHousehold(h));
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

// One household with its grid and current head, as every list and page shows it.
const HOUSEHOLD_SELECT = `select h.id, h.village_id, h.grid_id, g.name as grid_name, h.number, h.address,
  (select name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1) as head_name
  from households h left join grids g on g.id = h.grid_id`;

export function getHousehold(id: number): HouseholdRow | undefined {
  return stmt(`${HOUSEHOLD_SELECT} where h.id = ?`).get(id) as HouseholdRow | undefined;
}

export function searchHouseholds(villageId: number, q: string, page: number, pageSize = 30): { rows: HouseholdRow[]; total: number } {
  const like = `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  const where = `h.village_id = ? and (? = '' or h.number like ? escape '\\' or h.address like ? escape '\\'
                 or exists (select 1 from members m where m.household_id = h.id and (m.name like ? escape '\\' or m.phone like ? escape '\\')))`;
  const params = [villageId, q, like, like, like, like];
  const total = (stmt(`select count(*) as n from households h where ${where}`).get(...params) as { n: number }).n;
  const rows = stmt(`${HOUSEHOLD_SELECT} where ${where} order by h.number limit ? offset ?`).all(
    ...params, pageSize, (page - 1) * pageSize,
  ) as HouseholdRow[];
  return { rows, total };
}
