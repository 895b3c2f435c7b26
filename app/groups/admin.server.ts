// The village admin's side of 联户: groups under the grids, their leaders (villagers with a login in
// the village), which households belong to which group, and each grid's 网格员 (an inspector of the
// village). Every write is one unit of work with its audit row; ids that are not the village's are a
// 404 or a Chinese message, never a hint that they exist elsewhere.
import { z } from "zod";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { fail, formIdSchema, isUniqueViolation, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { textSchema } from "~/platform/validation.server";
import { GROUP_LIMITS, GROUP_MESSAGES } from "./labels";

const nameSchema = textSchema("联户名称", GROUP_LIMITS.name);
/** "" clears (no leader, no grid worker). */
const optionalUser = z
  .string({ error: GROUP_MESSAGES.badRequest })
  .regex(/^(\d{1,12})?$/, GROUP_MESSAGES.badRequest)
  .transform((s) => (s === "" ? null : Number(s)));

export const groupsPageIntent = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("group.create"), gridId: z.string({ error: GROUP_MESSAGES.grid }).regex(/^\d{1,12}$/, GROUP_MESSAGES.grid).transform(Number), name: nameSchema })],
  { error: GROUP_MESSAGES.badRequest },
);

export const groupPageIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("group.rename"), name: nameSchema }),
    z.object({ intent: z.literal("group.leader"), leaderUserId: optionalUser }),
    z.object({ intent: z.literal("group.households"), householdIds: z.array(formIdSchema).max(GROUP_LIMITS.households, GROUP_MESSAGES.tooMany) }),
  ],
  { error: GROUP_MESSAGES.badRequest },
);

export const gridWorkerIntent = z.object({ intent: z.literal("grid.worker"), gridId: formIdSchema, workerUserId: optionalUser });

// ---- reading ---------------------------------------------------------------------------------

/** The village's groups with their grid, leader and household count, grid by grid. */
export async function groupsOfVillage(villageId: number) {
  const rows = await db()
    .selectFrom("household_groups as g")
    .leftJoin("grids as r", "r.id", "g.grid_id")
    .leftJoin("users as u", "u.id", "g.leader_user_id")
    .select((eb) => [
      "g.id", "g.name", "g.grid_id", "r.name as grid", "g.leader_user_id", "u.display_name as leader", "u.phone as leaderPhone",
      eb.selectFrom("households as h").select((c) => c.fn.countAll<number>().as("n")).whereRef("h.group_id", "=", "g.id").as("households"),
    ])
    .where("g.village_id", "=", villageId)
    .orderBy("g.grid_id")
    .orderBy("g.id")
    .execute();
  return rows.map((g) => ({ ...g, households: Number(g.households ?? 0) }));
}

export function gridChoices(villageId: number) {
  return db().selectFrom("grids").select(["id", "name", "worker_user_id"]).where("village_id", "=", villageId).orderBy("id").execute();
}

/** Who may lead a group: active logins holding the villager role here, living in one of the village's households. */
export async function leaderCandidates(villageId: number) {
  return db()
    .selectFrom("users as u")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .innerJoin("households as h", "h.id", "m.household_id")
    .innerJoin("user_roles as r", (j) => j.onRef("r.user_id", "=", "u.id").on("r.role", "=", constant("villager")))
    .select(["u.id", "u.display_name as name", "u.phone", "h.number as household", "h.grid_id"])
    .where("h.village_id", "=", villageId)
    .where("r.village_id", "=", villageId)
    .where("u.disabled", "=", constant(0))
    .orderBy("h.number")
    .orderBy("u.id")
    .execute();
}

/** Who may be a grid's 网格员: logins holding the inspector role in the village. */
export function inspectorsOf(villageId: number) {
  return db()
    .selectFrom("users as u")
    .innerJoin("user_roles as r", "r.user_id", "u.id")
    .select(["u.id", "u.display_name as name", "u.phone"])
    .where("r.role", "=", constant("inspector"))
    .where("r.village_id", "=", villageId)
    .where("u.disabled", "=", constant(0))
    .orderBy("u.id")
    .execute();
}

export async function groupOr404(villageId: number, groupId: number) {
  const g = await db()
    .selectFrom("household_groups as g")
    .leftJoin("grids as r", "r.id", "g.grid_id")
    .select(["g.id", "g.name", "g.grid_id", "r.name as grid", "g.leader_user_id"])
    .where("g.id", "=", groupId)
    .where("g.village_id", "=", villageId)
    .executeTakeFirst();
  if (!g) notFound();
  return g;
}

/** The households a group can take: those of its grid, with the group each is in now. */
export async function householdsForGroup(villageId: number, gridId: number | null) {
  let q = db()
    .selectFrom("households as h")
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .leftJoin("household_groups as g", "g.id", "h.group_id")
    .select(["h.id", "h.number", "h.address", "m.name as head", "h.group_id", "g.name as groupName"])
    .where("h.village_id", "=", villageId);
  q = gridId === null ? q.where("h.grid_id", "is", null) : q.where("h.grid_id", "=", gridId);
  return q.orderBy("h.number").execute();
}

// ---- writing ---------------------------------------------------------------------------------

function group(villageId: number, groupId: number) {
  return db()
    .selectFrom("household_groups")
    .select(["id", "name", "grid_id", "leader_user_id"])
    .where("id", "=", groupId)
    .where("village_id", "=", villageId)
    .executeTakeFirst();
}

export async function createGroup(actor: StaffActor, villageId: number, gridId: number, name: string): Promise<Outcome<{ groupId: number }>> {
  try {
    return await unitOfWork<Outcome<{ groupId: number }>>(async (tx) => {
      const grid = await db().selectFrom("grids").select("id").where("id", "=", gridId).where("village_id", "=", villageId).executeTakeFirst();
      if (!grid) return fail("gridId", GROUP_MESSAGES.grid);
      const { id } = await tx
        .insertInto("household_groups")
        .values({ village_id: villageId, grid_id: gridId, name, leader_user_id: null, created_at: now() })
        .returning("id")
        .executeTakeFirstOrThrow();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "group.create", targetType: "household_group", targetId: id, after: { name, gridId } });
      return { ok: true as const, groupId: id };
    });
  } catch (e) {
    if (isUniqueViolation(e, "household_groups.")) return fail("name", GROUP_MESSAGES.nameTaken);
    throw e;
  }
}

export async function renameGroup(actor: StaffActor, villageId: number, groupId: number, name: string): Promise<Outcome> {
  try {
    return await unitOfWork<Outcome>(async (tx) => {
      const g = await group(villageId, groupId);
      if (!g) notFound();
      if (g.name === name) return { ok: true };
      await tx.updateTable("household_groups").set({ name }).where("id", "=", groupId).execute();
      await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "group.rename", targetType: "household_group", targetId: groupId, before: { name: g.name }, after: { name } });
      return { ok: true };
    });
  } catch (e) {
    if (isUniqueViolation(e, "household_groups.")) return fail("name", GROUP_MESSAGES.nameTaken);
    throw e;
  }
}

/** Sets or clears the 联户长. The leader must be a villager with a login living in the village. */
export async function setGroupLeader(actor: StaffActor, villageId: number, groupId: number, userId: number | null): Promise<Outcome> {
  return unitOfWork<Outcome>(async (tx) => {
    const g = await group(villageId, groupId);
    if (!g) notFound();
    if (userId !== null && !(await leaderCandidates(villageId)).some((c) => c.id === userId)) return fail("leaderUserId", GROUP_MESSAGES.leader);
    if (g.leader_user_id === userId) return { ok: true };
    await tx.updateTable("household_groups").set({ leader_user_id: userId }).where("id", "=", groupId).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "group.leader", targetType: "household_group", targetId: groupId,
      before: { leaderUserId: g.leader_user_id }, after: { leaderUserId: userId },
    });
    return { ok: true };
  });
}

/**
 * The ticked households become the group's (moved from another group if they were in one); the
 * group's households left unticked leave it. Every id must be a household of the group's grid, or
 * nothing is written. One statement per direction, each limited to the grid, so a household moved to
 * another grid meanwhile is not pulled in.
 */
export async function setGroupHouseholds(actor: StaffActor, villageId: number, groupId: number, householdIds: number[]): Promise<Outcome<{ count: number }>> {
  const ids = [...new Set(householdIds)];
  if (ids.length > GROUP_LIMITS.households) return fail("householdIds", GROUP_MESSAGES.tooMany);
  return unitOfWork<Outcome<{ count: number }>>(async (tx) => {
    const g = await group(villageId, groupId);
    if (!g) notFound();
    const allowed = new Set((await householdsForGroup(villageId, g.grid_id)).map((h) => h.id));
    if (ids.some((id) => !allowed.has(id))) return fail("householdIds", GROUP_MESSAGES.households);
    const before = (await tx.selectFrom("households").select("id").where("group_id", "=", groupId).orderBy("id").execute()).map((h) => h.id);
    let leave = tx.updateTable("households").set({ group_id: null }).where("group_id", "=", groupId);
    if (ids.length) leave = leave.where("id", "not in", ids);
    await leave.execute();
    if (ids.length) {
      let join = tx.updateTable("households").set({ group_id: groupId }).where("village_id", "=", villageId).where("id", "in", ids);
      join = g.grid_id === null ? join.where("grid_id", "is", null) : join.where("grid_id", "=", g.grid_id);
      await join.execute();
    }
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "group.households", targetType: "household_group", targetId: groupId,
      before: { householdIds: before }, after: { householdIds: ids.sort((a, b) => a - b) },
    });
    return { ok: true as const, count: ids.length };
  });
}

/** Sets or clears a grid's 网格员, who must hold the inspector role in the village. */
export async function setGridWorker(actor: StaffActor, villageId: number, gridId: number, userId: number | null): Promise<Outcome> {
  return unitOfWork<Outcome>(async (tx) => {
    const grid = await db().selectFrom("grids").select(["id", "worker_user_id"]).where("id", "=", gridId).where("village_id", "=", villageId).executeTakeFirst();
    if (!grid) notFound();
    if (userId !== null && !(await inspectorsOf(villageId)).some((u) => u.id === userId)) return fail("workerUserId", GROUP_MESSAGES.worker);
    if (grid.worker_user_id === userId) return { ok: true };
    await tx.updateTable("grids").set({ worker_user_id: userId }).where("id", "=", gridId).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "grid.worker", targetType: "grid", targetId: gridId,
      before: { workerUserId: grid.worker_user_id }, after: { workerUserId: userId },
    });
    return { ok: true };
  });
}
