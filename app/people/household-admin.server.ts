// A village admin's work on households and members. Every write runs in one unit of work with its audit row.
// Members are never deleted (ledger rows reference them): they are deactivated instead.
import { z } from "zod";
import { fail, isUniqueViolation, notFound, checkboxSchema, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { householdBalance } from "~/ledger/ledger.server";
import { revokeUserSessions } from "~/platform/session.server";
import { normalizeDigits, optionalPhoneSchema, textSchema } from "~/platform/validation.server";
import { now } from "~/platform/clock.server";
import { addHousehold, addMember, getHousehold, searchHouseholds, type HouseholdRow } from "./households.server";
import { RELATIONS, TEXT_LIMITS } from "./limits";
import { listGrids } from "./villages.server";

// ---- form rules -----------------------------------------------------------

/** 户号: digits, letters, "-" or Chinese (e.g. "003", "2-15", "一组03"); full-width digits accepted. */
export const householdNumberSchema = z
  .string({ error: "请填写户号" })
  .transform(normalizeDigits)
  .pipe(
    z
      .string()
      .min(1, "请填写户号")
      .max(TEXT_LIMITS.householdNumber, `户号最多 ${TEXT_LIMITS.householdNumber} 个字`)
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
  address: optionalText("门牌地址", TEXT_LIMITS.address),
});

export const newHouseholdSchema = householdFieldsSchema.extend({
  headName: textSchema("户主姓名", TEXT_LIMITS.personName),
  headPhone: optionalPhoneSchema,
});

export const memberFieldsSchema = z.object({
  name: textSchema("姓名", TEXT_LIMITS.personName),
  relation: relationSchema,
  phone: optionalPhoneSchema,
  canRedeem: checkboxSchema,
});

export type HouseholdFields = z.infer<typeof householdFieldsSchema>;
export type NewHouseholdFields = z.infer<typeof newHouseholdSchema>;
export type MemberFields = z.infer<typeof memberFieldsSchema>;

// ---- reads ----------------------------------------------------------------

/** The household if it belongs to the village; otherwise a 404. */
export async function householdInVillage(villageId: number, householdId: number): Promise<HouseholdRow> {
  const h = await getHousehold(householdId);
  if (!h || h.village_id !== villageId) notFound();
  return h;
}

function members() {
  return db()
    .selectFrom("members as m")
    .leftJoin("users as u", "u.member_id", "m.id")
    .select([
      "m.id", "m.household_id", "m.village_id", "m.name", "m.relation", "m.phone", "m.is_head", "m.can_redeem", "m.active",
      "u.id as user_id", "u.phone as login_phone", "u.disabled as login_disabled", "u.must_change_password",
    ]);
}

/** The member if it belongs to this household of this village; otherwise a 404. */
export async function memberInHousehold(villageId: number, householdId: number, memberId: number) {
  const m = await members().where("m.id", "=", memberId).executeTakeFirst();
  if (!m || m.village_id !== villageId || m.household_id !== householdId) notFound();
  return m;
}

export type AdminMemberRow = Awaited<ReturnType<typeof memberInHousehold>>;

export function householdMembers(householdId: number): Promise<AdminMemberRow[]> {
  return members().where("m.household_id", "=", householdId).orderBy("m.active", "desc").orderBy("m.is_head", "desc").orderBy("m.id").execute();
}

export async function householdDetail(villageId: number, householdId: number) {
  const household = await householdInVillage(villageId, householdId);
  const members = await householdMembers(householdId);
  return { household, members, balance: await householdBalance(householdId), grids: await listGrids(villageId) };
}

export const HOUSEHOLD_PAGE_SIZE = 30;

export async function householdList(villageId: number, q: string, page: number) {
  const { rows, total } = await searchHouseholds(villageId, q, page, HOUSEHOLD_PAGE_SIZE);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / HOUSEHOLD_PAGE_SIZE)) };
}

/** A search term as typed: trimmed, full-width digits made ASCII, bounded. */
export function searchTerm(raw: string | null): string {
  return (raw ?? "")
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .trim()
    .slice(0, TEXT_LIMITS.search);
}

// ---- writes ---------------------------------------------------------------
// Each runs its checks and its writes in one unit of work with the audit row. A unique index
// (户号, one active head) still refuses what a check could not see: isUniqueViolation turns that
// refusal into the same message, after the unit of work has rolled back.

/** The grid's name if it is one of the village's grids, null for none, undefined for a foreign or unknown id. */
async function gridName(villageId: number, gridId: number | null): Promise<string | null | undefined> {
  if (gridId === null) return null;
  const row = await db().selectFrom("grids").select(["name", "village_id"]).where("id", "=", gridId).executeTakeFirst();
  return row && row.village_id === villageId ? row.name : undefined;
}

async function numberTaken(villageId: number, number: string, exceptId: number | null): Promise<boolean> {
  const row = await db()
    .selectFrom("households")
    .select("id")
    .where("village_id", "=", villageId)
    .where("number", "=", number)
    .where("id", "<>", exceptId ?? -1)
    .executeTakeFirst();
  return row !== undefined;
}

const NUMBER_TAKEN = "本村已有这个户号";
const GRID_WRONG = "请从列表中选择本村的网格";
const HEAD_TAKEN = "这户已有户主。请先把原户主的关系改成其他，再设新户主";

export async function createHouseholdByAdmin(actor: StaffActor, villageId: number, f: NewHouseholdFields): Promise<Outcome<{ householdId: number }>> {
  try {
    return await unitOfWork<Outcome<{ householdId: number }>>(async () => {
      const grid = await gridName(villageId, f.gridId);
      if (grid === undefined) return fail("gridId", GRID_WRONG);
      if (await numberTaken(villageId, f.number, null)) return fail("number", NUMBER_TAKEN);
      const { householdId, memberIds } = await addHousehold({
        villageId,
        gridId: f.gridId,
        number: f.number,
        address: f.address,
        members: [{ name: f.headName, relation: "户主", phone: f.headPhone }],
      });
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "household.create", targetType: "household", targetId: householdId,
        after: { number: f.number, grid, address: f.address, head: f.headName, head_phone: f.headPhone, head_member_id: memberIds[0] },
      });
      return { ok: true, householdId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "households.")) return fail("number", NUMBER_TAKEN);
    throw e;
  }
}

export async function updateHouseholdByAdmin(actor: StaffActor, villageId: number, householdId: number, f: HouseholdFields): Promise<Outcome> {
  try {
    return await unitOfWork<Outcome>(async () => {
      const before = await householdInVillage(villageId, householdId);
      const grid = await gridName(villageId, f.gridId);
      if (grid === undefined) return fail("gridId", GRID_WRONG);
      if (await numberTaken(villageId, f.number, householdId)) return fail("number", NUMBER_TAKEN);
      const was = { number: before.number, grid: before.grid_name, address: before.address };
      const will = { number: f.number, grid, address: f.address };
      if (JSON.stringify(was) === JSON.stringify(will)) return { ok: true };
      await db()
        .updateTable("households")
        // A household group (联户) lies inside one grid: moving to another grid leaves the old grid's group.
        .set({ number: f.number, grid_id: f.gridId, address: f.address, ...(before.grid_id !== f.gridId ? { group_id: null } : {}) })
        .where("id", "=", householdId)
        .where("village_id", "=", villageId)
        .execute();
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "household.update", targetType: "household", targetId: householdId,
        before: was, after: will,
      });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "households.")) return fail("number", NUMBER_TAKEN);
    throw e;
  }
}

function memberSnapshot(m: { name: string; relation: string; phone: string | null; can_redeem: number; active: number }) {
  return { name: m.name, relation: m.relation, phone: m.phone, can_redeem: m.can_redeem === 1, active: m.active === 1 };
}

async function headTaken(householdId: number, exceptMemberId: number | null): Promise<boolean> {
  const row = await db()
    .selectFrom("members")
    .select("id")
    .where("household_id", "=", householdId)
    .where("is_head", "=", constant(1))
    .where("active", "=", constant(1))
    .where("id", "<>", exceptMemberId ?? -1)
    .executeTakeFirst();
  return row !== undefined;
}

export async function addMemberByAdmin(actor: StaffActor, villageId: number, householdId: number, f: MemberFields): Promise<Outcome<{ memberId: number }>> {
  try {
    return await unitOfWork<Outcome<{ memberId: number }>>(async () => {
      await householdInVillage(villageId, householdId);
      if (f.relation === "户主" && (await headTaken(householdId, null))) return fail("relation", HEAD_TAKEN);
      const memberId = await addMember(villageId, householdId, f);
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "member.create", targetType: "member", targetId: memberId,
        after: { household_id: householdId, ...memberSnapshot({ ...f, can_redeem: f.canRedeem ? 1 : 0, active: 1 }) },
      });
      return { ok: true, memberId };
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("relation", HEAD_TAKEN);
    throw e;
  }
}

/** Keeps a login's household_head role in step with the member being the head, audited. Inside a unit of work. */
async function syncHeadRole(actor: StaffActor, userId: number | null, villageId: number, isHead: boolean): Promise<void> {
  if (userId === null) return;
  const changed = isHead
    ? (await db()
        .insertInto("user_roles")
        .values({ user_id: userId, role: "household_head", village_id: villageId, created_at: now() })
        // Already granted: nothing to add (the unique index is on an expression, so no conflict target).
        .onConflict((oc) => oc.doNothing())
        .returning("id")
        .executeTakeFirst()) !== undefined
    : (await db()
        .deleteFrom("user_roles")
        .where("user_id", "=", userId)
        .where("role", "=", "household_head")
        .where("village_id", "=", villageId)
        .executeTakeFirst()).numDeletedRows > 0n;
  if (!changed) return;
  await audit({
    actorUserId: actor.userId, actorRole: actor.role, villageId, action: "user.roles", targetType: "user", targetId: userId,
    before: { household_head: !isHead }, after: { household_head: isHead },
  });
}

/** A login that also holds roles in another village or the township is the township admin's to disable. */
async function loginSpansElsewhere(userId: number, villageId: number): Promise<boolean> {
  const row = await db()
    .selectFrom("user_roles")
    .select("id")
    .where("user_id", "=", userId)
    .where((eb) => eb.or([eb("village_id", "is", null), eb("village_id", "<>", villageId)]))
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateMemberByAdmin(
  actor: StaffActor,
  villageId: number,
  householdId: number,
  memberId: number,
  f: MemberFields,
): Promise<Outcome> {
  try {
    return await unitOfWork<Outcome>(async () => {
      const before = await memberInHousehold(villageId, householdId, memberId);
      const isHead = f.relation === "户主";
      if (isHead && (await headTaken(householdId, memberId))) return fail("relation", HEAD_TAKEN);
      const was = memberSnapshot(before);
      const will = memberSnapshot({ ...f, can_redeem: f.canRedeem ? 1 : 0, active: before.active });
      if (JSON.stringify(was) === JSON.stringify(will)) return { ok: true };
      await db()
        .updateTable("members")
        .set({ name: f.name, relation: f.relation, phone: f.phone, is_head: isHead ? 1 : 0, can_redeem: f.canRedeem ? 1 : 0 })
        .where("id", "=", memberId)
        .execute();
      if ((before.is_head === 1) !== isHead) await syncHeadRole(actor, before.user_id, villageId, isHead);
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId, action: "member.update", targetType: "member", targetId: memberId,
        before: was, after: will,
      });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("relation", HEAD_TAKEN);
    throw e;
  }
}

/**
 * Deactivating a member (moved away, deceased) keeps the row for the ledger and also
 * disables the member's login and signs it out everywhere. Reactivating leaves the login disabled.
 */
export async function setMemberActiveByAdmin(
  actor: StaffActor,
  villageId: number,
  householdId: number,
  memberId: number,
  active: boolean,
): Promise<Outcome> {
  try {
    return await unitOfWork<Outcome>(async () => {
      const before = await memberInHousehold(villageId, householdId, memberId);
      if ((before.active === 1) === active) return { ok: true };
      if (active && before.is_head === 1 && (await headTaken(householdId, memberId))) {
        return fail("_form", "这户已有户主，不能再启用另一位户主。请先把这位成员的关系改成其他");
      }
      if (!active && before.user_id !== null && actor.role !== "township_admin" && (await loginSpansElsewhere(before.user_id, villageId))) {
        return fail("_form", "这位成员的账号在其他村或乡镇也有角色，请联系乡镇管理员处理", 403);
      }
      await db().updateTable("members").set({ active: active ? 1 : 0 }).where("id", "=", memberId).execute();
      const loginWasOn = before.user_id !== null && before.login_disabled === 0;
      if (!active && before.user_id !== null && loginWasOn) {
        await db().updateTable("users").set({ disabled: 1 }).where("id", "=", before.user_id).execute();
        await revokeUserSessions(before.user_id);
      }
      await audit({
        actorUserId: actor.userId, actorRole: actor.role, villageId,
        action: active ? "member.activate" : "member.deactivate", targetType: "member", targetId: memberId,
        before: { active: before.active === 1, ...(loginWasOn && !active ? { login_disabled: false } : {}) },
        after: { active, ...(loginWasOn && !active ? { login_disabled: true } : {}) },
      });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "members.household_id")) return fail("_form", HEAD_TAKEN);
    throw e;
  }
}
