// A village admin's work on households and members. Every write runs in one transaction with its audit row.
// Members are never deleted (ledger rows reference them): they are deactivated instead.
import { listGrids } from "./villages.server";
import { z } from "zod";
import { fail, isUniqueViolation, notFound, checkboxSchema, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { db, transact, stmt } from "~/platform/database.server";
import { RELATIONS, getHousehold, insertHousehold, insertMember, searchHouseholds, type HouseholdRow } from "./households.server";
import { householdBalance } from "~/ledger/ledger.server";
import { revokeUserSessions } from "~/platform/session.server";
import { normalizeDigits, optionalPhoneSchema, textSchema } from "~/platform/validation.server";
import { now } from "~/platform/clock.server";

// ---- form rules -----------------------------------------------------------

/** 户号: digits, letters, "-" or Chinese (e.g. "003", "2-15", "一组03"); full-width digits accepted. */
export const householdNumberSchema = z
  .string({ error: "请填写户号" })
  .transform(normalizeDigits)
  .pipe(
    z
      .string()
      .min(1, "请填写户号")
      .max(20, "户号最多 20 个字")
      .regex(/^[0-9A-Za-z\-\u4e00-\u9fff]+$/, "户号只能用数字、字母、汉字和 -"),
  );

/** A grid picked from a select: "" means no grid. */
export const gridChoiceSchema = z
  .string()
  .optional()
  .transform((s) => s ?? "")
  .pipe(z.union([z.literal(""), formIdSchema], { error: "请从列表中选择本村的网格" }))
  .transform((v) => (v === "" ? null : v));

/** A field the form may leave out altogether: missing means empty. */
function optionalText(label: string, max: number) {
  return z
    .string()
    .optional()
    .transform((s) => s ?? "")
    .pipe(textSchema(label, max, false));
}

export const relationSchema = z.enum(RELATIONS, { error: "请选择与户主的关系" });

export const householdFieldsSchema = z.object({
  number: householdNumberSchema,
  gridId: gridChoiceSchema,
  address: optionalText("门牌地址", 100),
});

export const newHouseholdSchema = householdFieldsSchema.extend({
  headName: textSchema("户主姓名", 30),
  headPhone: optionalPhoneSchema,
});

export const memberFieldsSchema = z.object({
  name: textSchema("姓名", 30),
  relation: relationSchema,
  phone: optionalPhoneSchema,
  canRedeem: checkboxSchema,
});

export type HouseholdFields = z.infer<typeof householdFieldsSchema>;
export type NewHouseholdFields = z.infer<typeof newHouseholdSchema>;
export type MemberFields = z.infer<typeof memberFieldsSchema>;

// ---- reads ----------------------------------------------------------------

/** The household if it belongs to the village; otherwise a 404. */
export function householdInVillage(villageId: number, householdId: number): HouseholdRow {
  const h = getHousehold(householdId);
  if (!h || h.village_id !== villageId) notFound();
  return h;
}

export interface AdminMemberRow {
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
  login_phone: string | null;
  login_disabled: number | null;
  must_change_password: number | null;
}

const MEMBER_COLUMNS = `m.id, m.household_id, m.village_id, m.name, m.relation, m.phone, m.is_head, m.can_redeem, m.active,
  u.id as user_id, u.phone as login_phone, u.disabled as login_disabled, u.must_change_password`;

/** The member if it belongs to this household of this village; otherwise a 404. */
export function memberInHousehold(villageId: number, householdId: number, memberId: number): AdminMemberRow {
  const m = stmt(`select ${MEMBER_COLUMNS} from members m left join users u on u.member_id = m.id where m.id = ?`)
    .get(memberId) as AdminMemberRow | undefined;
  if (!m || m.village_id !== villageId || m.household_id !== householdId) notFound();
  return m;
}

export function householdMembers(householdId: number): AdminMemberRow[] {
  return stmt(
      `select ${MEMBER_COLUMNS} from members m left join users u on u.member_id = m.id
       where m.household_id = ? order by m.active desc, m.is_head desc, m.id`,
    )
    .all(householdId) as AdminMemberRow[];
}


export function householdDetail(villageId: number, householdId: number) {
  const household = householdInVillage(villageId, householdId);
  return { household, members: householdMembers(householdId), balance: householdBalance(householdId), grids: listGrids(villageId) };
}

export const HOUSEHOLD_PAGE_SIZE = 30;

export function householdList(villageId: number, q: string, page: number) {
  const { rows, total } = searchHouseholds(villageId, q, page, HOUSEHOLD_PAGE_SIZE);
  const counts = new Map<number, number>();
  if (rows.length) {
    const ids = rows.map((r) => r.id);
    const found = stmt(
        `select household_id, count(*) as n from members where active = 1 and household_id in (${ids.map(() => "?").join(",")}) group by household_id`,
      )
      .all(...ids) as { household_id: number; n: number }[];
    for (const f of found) counts.set(f.household_id, f.n);
  }
  return {
    rows: rows.map((r) => ({ ...r, members: counts.get(r.id) ?? 0 })),
    total,
    page,
    pages: Math.max(1, Math.ceil(total / HOUSEHOLD_PAGE_SIZE)),
  };
}

/** A search term as typed: trimmed, full-width digits made ASCII, bounded. */
export function searchTerm(raw: string | null): string {
  return (raw ?? "")
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .trim()
    .slice(0, 50);
}

// ---- writes ---------------------------------------------------------------

function gridName(villageId: number, gridId: number | null): string | null | undefined {
  if (gridId === null) return null;
  const row = stmt("select name, village_id from grids where id = ?").get(gridId) as { name: string; village_id: number } | undefined;
  return row && row.village_id === villageId ? row.name : undefined;
}

function numberTaken(villageId: number, number: string, exceptId: number | null): boolean {
  return !!stmt("select 1 from households where village_id = ? and number = ? and id <> ?").get(villageId, number, exceptId ?? -1);
}

const NUMBER_TAKEN = "本村已有这个户号";
const GRID_WRONG = "请从列表中选择本村的网格";
const HEAD_TAKEN = "这户已有户主。请先把原户主的关系改成其他，再设新户主";

export function createHouseholdByAdmin(actor: StaffActor, villageId: number, f: NewHouseholdFields): Outcome<{ householdId: number }> {
  const grid = gridName(villageId, f.gridId);
  if (grid === undefined) return fail("gridId", GRID_WRONG);
  if (numberTaken(villageId, f.number, null)) return fail("number", NUMBER_TAKEN);
  try {
    return transact(() => {
      const { householdId, memberIds } = insertHousehold({
        villageId,
        gridId: f.gridId,
        number: f.number,
        address: f.address,
        members: [{ name: f.headName, relation: "户主", phone: f.headPhone }],
      });
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "household.create", targetType: "household", targetId: householdId,
        after: { number: f.number, grid, address: f.address, head: f.headName, head_phone: f.headPhone, head_member_id: memberIds[0] },
      });
      return { ok: true as const, householdId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "households.")) return fail("number", NUMBER_TAKEN);
    throw e;
  }
}

export function updateHouseholdByAdmin(actor: StaffActor, villageId: number, householdId: number, f: HouseholdFields): Outcome {
  const before = householdInVillage(villageId, householdId);
  const grid = gridName(villageId, f.gridId);
  if (grid === undefined) return fail("gridId", GRID_WRONG);
  if (numberTaken(villageId, f.number, householdId)) return fail("number", NUMBER_TAKEN);
  const was = { number: before.number, grid: before.grid_name, address: before.address };
  const will = { number: f.number, grid, address: f.address };
  if (JSON.stringify(was) === JSON.stringify(will)) return { ok: true };
  try {
    transact(() => {
      stmt("update households set number = ?, grid_id = ?, address = ? where id = ? and village_id = ?")
        .run(f.number, f.gridId, f.address, householdId, villageId);
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "household.update", targetType: "household", targetId: householdId,
        before: was, after: will,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e, "households.")) return fail("number", NUMBER_TAKEN);
    throw e;
  }
  return { ok: true };
}

function memberSnapshot(m: { name: string; relation: string; phone: string | null; can_redeem: number; active: number }) {
  return { name: m.name, relation: m.relation, phone: m.phone, can_redeem: m.can_redeem === 1, active: m.active === 1 };
}

function headTaken(householdId: number, exceptMemberId: number | null): boolean {
  return !!stmt("select 1 from members where household_id = ? and is_head = 1 and active = 1 and id <> ?")
    .get(householdId, exceptMemberId ?? -1);
}

export function addMemberByAdmin(actor: StaffActor, villageId: number, householdId: number, f: MemberFields): Outcome<{ memberId: number }> {
  householdInVillage(villageId, householdId);
  const isHead = f.relation === "户主";
  if (isHead && headTaken(householdId, null)) return fail("relation", HEAD_TAKEN);
  try {
    return transact(() => {
      const memberId = insertMember(villageId, householdId, f);
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "member.create", targetType: "member", targetId: memberId,
        after: { household_id: householdId, ...memberSnapshot({ ...f, can_redeem: f.canRedeem ? 1 : 0, active: 1 }) },
      });
      return { ok: true as const, memberId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("relation", HEAD_TAKEN);
    throw e;
  }
}

/** Keeps a login's household_head role in step with the member being the head, audited. Inside a transaction. */
function syncHeadRole(actor: StaffActor, userId: number | null, villageId: number, isHead: boolean): void {
  if (userId === null) return;
  const changed = isHead
    ? stmt("insert or ignore into user_roles (user_id, role, village_id, created_at) values (?, 'household_head', ?, ?)").run(userId, villageId, now()).changes
    : stmt("delete from user_roles where user_id = ? and role = 'household_head' and village_id = ?").run(userId, villageId).changes;
  if (!changed) return;
  audit({
    actorUserId: actor.userId, actorRole: actor.role, villageId, action: "user.roles", targetType: "user", targetId: userId,
    before: { household_head: !isHead }, after: { household_head: isHead },
  });
}

/** A login that also holds roles in another village or the township is the township admin's to disable. */
function loginSpansElsewhere(userId: number, villageId: number): boolean {
  return !!stmt("select 1 from user_roles where user_id = ? and (village_id is null or village_id <> ?)").get(userId, villageId);
}

export function updateMemberByAdmin(
  actor: StaffActor,
  villageId: number,
  householdId: number,
  memberId: number,
  f: MemberFields,
): Outcome {
  const before = memberInHousehold(villageId, householdId, memberId);
  const isHead = f.relation === "户主";
  if (isHead && headTaken(householdId, memberId)) return fail("relation", HEAD_TAKEN);
  const was = memberSnapshot(before);
  const will = memberSnapshot({ ...f, can_redeem: f.canRedeem ? 1 : 0, active: before.active });
  if (JSON.stringify(was) === JSON.stringify(will)) return { ok: true };
  try {
    transact(() => {
      stmt("update members set name = ?, relation = ?, phone = ?, is_head = ?, can_redeem = ? where id = ?")
        .run(f.name, f.relation, f.phone, isHead ? 1 : 0, f.canRedeem ? 1 : 0, memberId);
      if ((before.is_head === 1) !== isHead) syncHeadRole(actor, before.user_id, villageId, isHead);
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "member.update", targetType: "member", targetId: memberId,
        before: was, after: will,
      });
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("relation", HEAD_TAKEN);
    throw e;
  }
  return { ok: true };
}

/**
 * Deactivating a member (moved away, deceased) keeps the row for the ledger and also
 * disables the member's login and signs it out everywhere. Reactivating leaves the login disabled.
 */
export function setMemberActiveByAdmin(
  actor: StaffActor,
  villageId: number,
  householdId: number,
  memberId: number,
  active: boolean,
): Outcome {
  const before = memberInHousehold(villageId, householdId, memberId);
  if ((before.active === 1) === active) return { ok: true };
  if (active && before.is_head === 1 && headTaken(householdId, memberId)) {
    return fail("_form", "这户已有户主，不能再启用另一位户主。请先把这位成员的关系改成其他");
  }
  if (!active && before.user_id !== null && actor.role !== "township_admin" && loginSpansElsewhere(before.user_id, villageId)) {
    return fail("_form", "这位成员的账号在其他村或乡镇也有角色，请联系乡镇管理员处理", 403);
  }
  try {
    transact(() => {
      stmt("update members set active = ? where id = ?").run(active ? 1 : 0, memberId);
      const loginWasOn = before.user_id !== null && before.login_disabled === 0;
      if (!active && loginWasOn) {
        stmt("update users set disabled = 1 where id = ?").run(before.user_id);
        revokeUserSessions(before.user_id!);
      }
      audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId,
        action: active ? "member.activate" : "member.deactivate", targetType: "member", targetId: memberId,
        before: { active: before.active === 1, ...(loginWasOn && !active ? { login_disabled: false } : {}) },
        after: { active, ...(loginWasOn && !active ? { login_disabled: true } : {}) },
      });
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("_form", HEAD_TAKEN);
    throw e;
  }
  return { ok: true };
}
