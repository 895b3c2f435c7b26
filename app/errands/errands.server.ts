// 代跑 (mutual-aid errands). A need is posted for a household by one of its members, or, for a
// household without a phone, by its grid's 网格员 or its 联户长; a villager of the same village (not
// of that household) takes it; the person helped (a member of the household with a login) or the
// poster confirms it was done, which files the volunteer's claim (source kind "errand") under the
// village's errand rule: reviewed and put on 公示 like any claim, so no points move here.
// Invariants: the volunteer never confirms (even as poster); every state change is one conditional
// update (`where status = …`, on PostgreSQL the row's lock queues the second writer, who then sees
// the new status), so two takers get one errand and two confirms file one claim (errands.claim_id is
// unique besides).
import { audit } from "~/audit/audit.server";
import { ClaimError, fileClaimBatch, householdOfUser, type FilerRole } from "~/claims/claims.server";
import { isGroupLeaderOf, gridWorkerOf } from "~/groups/groups.server";
import { notifyUsers } from "~/notifications/notify.server";
import { isOfVillage, type Viewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import type { StaffActor } from "~/platform/forms.server";
import type { Role } from "~/platform/roles";
import type { ErrandPosterKind, ErrandStatus } from "../../db/schema";
import { ERRAND_LIMITS, UNTAKEN_AFTER_MS } from "./labels";
import * as notices from "./notices";
import { notPostAllowance } from "~/rules/rules.server";

export class ErrandError extends Error {
  constructor(message: string, readonly field: string = "_form", readonly status = 400) {
    super(message);
  }
}

const NOT_FOUND = "找不到这条代跑需求";
const HOUSEHOLD_ROLES: Role[] = ["household_head", "villager"];

/** The role an audit row names (the audit page words it): the household's own, 网格员 (inspector) or 联户长. */
function auditRole(viewer: Viewer, villageId: number, kind: ErrandPosterKind = "household"): string {
  if (kind === "grid_worker") return "inspector";
  if (kind === "group_leader") return "group_leader";
  return viewer.roles.find((g) => HOUSEHOLD_ROLES.includes(g.role) && g.villageId === villageId)?.role ?? "villager";
}
const NOT_OPENED = "本村还没有开通代跑积分，请村委会在“审核与公示设置”里选好代跑用的积分细则";

// ---- the village's setting ----------------------------------------------------------------------

export interface ErrandRule {
  id: number;
  name: string;
  points: number;
  active: boolean;
}

/** The rule errands of the village are credited under, or null when 代跑 is not opened. */
export async function errandRuleOf(villageId: number): Promise<ErrandRule | null> {
  const row = await db()
    .selectFrom("villages as v")
    .innerJoin("rules as r", "r.id", "v.errand_rule_id")
    .select(["r.id", "r.name", "r.points", "r.active"])
    .where("v.id", "=", villageId)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, points: row.points, active: row.active === 1 } : null;
}

/** The rules the settings page offers: active awards counted in times (an errand is one time). */
export async function errandRuleChoices(villageId: number): Promise<{ id: number; name: string; points: number }[]> {
  return db()
    .selectFrom("rules")
    .select(["id", "name", "points"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where("points", ">", 0)
    .where("unit", "=", "time")
    .where(notPostAllowance)
    .orderBy("category")
    .orderBy("name")
    .execute();
}

/** Sets (or clears, ruleId null) the village's errand rule. */
export async function setErrandRule(actor: StaffActor, villageId: number, ruleId: number | null): Promise<void> {
  if (ruleId !== null) {
    const ok = (await errandRuleChoices(villageId)).some((r) => r.id === ruleId);
    if (!ok) throw new ErrandError("请从列表中选择本村在用的、按次计的奖励细则", "errandRuleId");
  }
  await unitOfWork(async (tx) => {
    const before = await tx.selectFrom("villages").select("errand_rule_id").where("id", "=", villageId).executeTakeFirst();
    await tx.updateTable("villages").set({ errand_rule_id: ruleId }).where("id", "=", villageId).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId, action: "errand.setting", targetType: "village", targetId: villageId,
      before: { errandRuleId: before?.errand_rule_id ?? null }, after: { errandRuleId: ruleId },
    });
  });
}

// ---- reading ------------------------------------------------------------------------------------

function errandQuery() {
  return db()
    .selectFrom("errands as e")
    .innerJoin("households as h", "h.id", "e.household_id")
    .innerJoin("users as p", "p.id", "e.poster_user_id")
    .leftJoin("users as vu", "vu.id", "e.volunteer_user_id")
    .leftJoin("members as vm", "vm.id", "e.volunteer_member_id")
    .leftJoin("claims as c", "c.id", "e.claim_id")
    .select((eb) => [
      "e.id", "e.village_id as villageId", "e.household_id as householdId", "e.what", "e.place", "e.due_at as dueAt", "e.status",
      "e.poster_user_id as posterUserId", "e.poster_kind as posterKind", "p.display_name as posterName",
      "e.volunteer_user_id as volunteerUserId", "e.volunteer_household_id as volunteerHouseholdId", "vm.name as volunteerName",
      "vu.display_name as volunteerLogin", "e.taken_at as takenAt", "e.confirmed_at as confirmedAt", "e.claim_id as claimId",
      "c.status as claimStatus", "c.points as claimPoints", "e.cancel_reason as cancelReason", "e.cancelled_at as cancelledAt",
      "e.created_at as createdAt", "h.number as householdNumber", "h.address", "h.grid_id as gridId",
      eb
        .selectFrom("members as hm")
        .select("hm.name")
        .whereRef("hm.household_id", "=", "e.household_id")
        .where("hm.is_head", "=", constant(1))
        .where("hm.active", "=", constant(1))
        .limit(1)
        .as("headName"),
    ]);
}

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof errandQuery>["executeTakeFirst"]>>>;

export interface ErrandView {
  id: number;
  villageId: number;
  householdId: number;
  /** The household helped, as people know it: its head's name and its number. */
  household: string;
  address: string;
  what: string;
  place: string;
  dueAt: number;
  status: ErrandStatus;
  posterUserId: number;
  posterKind: ErrandPosterKind;
  posterName: string;
  volunteerUserId: number | null;
  volunteerHouseholdId: number | null;
  volunteerName: string | null;
  takenAt: number | null;
  confirmedAt: number | null;
  claimId: number | null;
  claimStatus: string | null;
  claimPoints: number | null;
  cancelReason: string | null;
  cancelledAt: number | null;
  createdAt: number;
  /** Open for longer than a day: the grid worker is shown it. */
  untaken: boolean;
}

function toView(r: Row, at: number): ErrandView {
  return {
    id: r.id, villageId: r.villageId, householdId: r.householdId, household: `${r.headName ?? "（无户主）"}家（${r.householdNumber}）`,
    address: r.address, what: r.what, place: r.place, dueAt: r.dueAt, status: r.status, posterUserId: r.posterUserId, posterKind: r.posterKind,
    posterName: r.posterName, volunteerUserId: r.volunteerUserId, volunteerHouseholdId: r.volunteerHouseholdId,
    volunteerName: r.volunteerName ?? r.volunteerLogin, takenAt: r.takenAt, confirmedAt: r.confirmedAt, claimId: r.claimId,
    claimStatus: r.claimStatus, claimPoints: r.claimPoints, cancelReason: r.cancelReason, cancelledAt: r.cancelledAt, createdAt: r.createdAt,
    untaken: r.status === "open" && r.createdAt <= at - UNTAKEN_AFTER_MS,
  };
}

const LIST_LIMIT = 50;

/** Open needs of the village a viewer could take (not their own household's), due soonest first. */
export async function openNeeds(villageId: number, householdId: number | null): Promise<ErrandView[]> {
  let q = errandQuery().where("e.village_id", "=", villageId).where("e.status", "=", constant("open"));
  if (householdId !== null) q = q.where("e.household_id", "<>", householdId);
  const rows = await q.orderBy("e.due_at").orderBy("e.id").limit(LIST_LIMIT).execute();
  const at = now();
  return rows.map((r) => toView(r, at));
}

/**
 * The viewer's records: needs they posted or posted for their household (helped), and errands
 * their household ran (volunteer). Newest first, bounded.
 */
export async function myErrands(userId: number, householdId: number | null): Promise<{ posted: ErrandView[]; taken: ErrandView[] }> {
  const at = now();
  const posted = await errandQuery()
    .where((eb) => (householdId === null ? eb("e.poster_user_id", "=", userId) : eb.or([eb("e.poster_user_id", "=", userId), eb("e.household_id", "=", householdId)])))
    .orderBy("e.id", "desc")
    .limit(LIST_LIMIT)
    .execute();
  const taken = householdId === null
    ? []
    : await errandQuery().where("e.volunteer_household_id", "=", householdId).orderBy("e.id", "desc").limit(LIST_LIMIT).execute();
  return { posted: posted.map((r) => toView(r, at)), taken: taken.map((r) => toView(r, at)) };
}

/** How many errands a household was helped with and ran (cancelled ones aside): for the household page. */
export async function householdErrandCounts(householdId: number): Promise<{ helped: number; ran: number }> {
  const row = await db()
    .selectFrom("errands")
    .select((eb) => [
      eb.fn.sum<number>(eb.case().when("household_id", "=", householdId).then(1).else(0).end()).as("helped"),
      eb.fn.sum<number>(eb.case().when("volunteer_household_id", "=", householdId).then(1).else(0).end()).as("ran"),
    ])
    .where((eb) => eb.or([eb("household_id", "=", householdId), eb("volunteer_household_id", "=", householdId)]))
    .where("status", "<>", constant("cancelled"))
    .executeTakeFirst();
  return { helped: Number(row?.helped ?? 0), ran: Number(row?.ran ?? 0) };
}

/**
 * The village's needs for the grid worker and the committee: the ones nobody took within a day,
 * and a page of all. `gridIds` null: the whole village (committee); otherwise those grids only.
 */
export async function villageErrands(villageId: number, gridIds: number[] | null, page: number): Promise<{ untaken: ErrandView[]; all: ErrandView[]; pages: number }> {
  const at = now();
  const scoped = () => {
    const q = errandQuery().where("e.village_id", "=", villageId);
    return gridIds === null ? q : q.where("h.grid_id", "in", gridIds.length ? gridIds : [-1]);
  };
  const untaken = await scoped().where("e.status", "=", constant("open")).where("e.created_at", "<=", at - UNTAKEN_AFTER_MS).orderBy("e.created_at").limit(LIST_LIMIT).execute();
  let count = db().selectFrom("errands as e").innerJoin("households as h", "h.id", "e.household_id").select((eb) => eb.fn.countAll<number>().as("n")).where("e.village_id", "=", villageId);
  if (gridIds !== null) count = count.where("h.grid_id", "in", gridIds.length ? gridIds : [-1]);
  const n = Number((await count.executeTakeFirst())?.n ?? 0);
  const pages = Math.max(1, Math.ceil(n / LIST_LIMIT));
  const p = Math.min(page, pages);
  const all = await scoped().orderBy("e.id", "desc").limit(LIST_LIMIT).offset((p - 1) * LIST_LIMIT).execute();
  return { untaken: untaken.map((r) => toView(r, at)), all: all.map((r) => toView(r, at)), pages };
}

export interface ErrandAbilities {
  take: boolean;
  giveBack: boolean;
  confirm: boolean;
  cancel: boolean;
  /** Why the viewer cannot take or confirm, shown instead of the button (null: nothing to say). */
  note: string | null;
}

/** What the viewer may do with the errand (the same checks the writes make). */
async function abilities(viewer: Viewer, e: ErrandView): Promise<ErrandAbilities> {
  const own = viewer.householdId !== null && viewer.householdId === e.householdId;
  const volunteer = e.volunteerUserId === viewer.userId;
  const poster = e.posterUserId === viewer.userId;
  const villager = viewer.householdId !== null && viewer.homeVillageId === e.villageId;
  const out: ErrandAbilities = { take: false, giveBack: false, confirm: false, cancel: false, note: null };
  if (e.status === "open") {
    out.take = villager && !own;
    out.cancel = poster || own;
    if (!out.take && !out.cancel) out.note = own ? null : "本村村民登录后可以接这条需求";
  } else if (e.status === "taken") {
    out.giveBack = volunteer;
    out.confirm = !volunteer && (poster || own);
    out.cancel = !volunteer && (poster || own);
    if (volunteer) out.note = "办好后请告诉被帮助的人或发布人，由他们确认完成；自己不能确认自己的代跑。";
  }
  return out;
}

/** One errand for a person of its village (anyone else: 404), with what they may do. */
export async function errandFor(viewer: Viewer, id: number): Promise<{ errand: ErrandView; can: ErrandAbilities }> {
  const row = await errandQuery().where("e.id", "=", id).executeTakeFirst();
  if (!row || !isOfVillage(viewer, row.villageId)) throw new ErrandError(NOT_FOUND, "_form", 404);
  const errand = toView(row, now());
  return { errand, can: await abilities(viewer, errand) };
}

// ---- posting ------------------------------------------------------------------------------------

export interface PostableHousehold {
  id: number;
  villageId: number;
  label: string;
  kind: ErrandPosterKind;
  /** No member of the household has a login (the ones a 联户长 or grid worker posts for). */
  noPhone: boolean;
}

const CHOICE_LIMIT = 300;

/** The households a user may post a need for: their own, their group's (联户长), their grids' (网格员). */
export async function postableHouseholds(viewer: Viewer): Promise<PostableHousehold[]> {
  const base = () =>
    db()
      .selectFrom("households as h")
      .select((eb) => [
        "h.id", "h.village_id as villageId", "h.number",
        eb.selectFrom("members as hm").select("hm.name").whereRef("hm.household_id", "=", "h.id").where("hm.is_head", "=", constant(1)).where("hm.active", "=", constant(1)).limit(1).as("head"),
        eb
          .exists(
            eb.selectFrom("members as lm").innerJoin("users as lu", "lu.member_id", "lm.id").select("lu.id").whereRef("lm.household_id", "=", "h.id").where("lm.active", "=", constant(1)).where("lu.disabled", "=", constant(0)),
          )
          .as("hasLogin"),
      ]);
  type R = Awaited<ReturnType<ReturnType<typeof base>["execute"]>>[number];
  const out = new Map<number, PostableHousehold>();
  const add = (rows: R[], kind: ErrandPosterKind) => {
    for (const r of rows) {
      if (out.has(r.id)) continue;
      out.set(r.id, { id: r.id, villageId: r.villageId, label: `${r.head ?? "（无户主）"}家（${r.number}）`, kind, noPhone: !r.hasLogin });
    }
  };
  if (viewer.householdId !== null) add(await base().where("h.id", "=", viewer.householdId).execute(), "household");
  add(
    await base().innerJoin("household_groups as g", "g.id", "h.group_id").where("g.leader_user_id", "=", viewer.userId).orderBy("h.number").limit(CHOICE_LIMIT).execute(),
    "group_leader",
  );
  const inspectorVillages = viewer.roles.filter((g) => g.role === "inspector" && g.villageId !== null).map((g) => g.villageId!);
  if (inspectorVillages.length) {
    add(
      await base()
        .innerJoin("grids as gr", "gr.id", "h.grid_id")
        .where("gr.worker_user_id", "=", viewer.userId)
        .where("h.village_id", "in", inspectorVillages)
        .orderBy("h.number")
        .limit(CHOICE_LIMIT)
        .execute(),
      "grid_worker",
    );
  }
  // The ones without a phone first: they are who a leader posts for.
  return [...out.values()].sort((a, b) => (a.kind === "household" ? -1 : b.kind === "household" ? 1 : Number(b.noPhone) - Number(a.noPhone)));
}

/** How the viewer stands for the household: a member, its 联户长, its grid's 网格员, or not at all. */
async function posterKindFor(viewer: Viewer, householdId: number, villageId: number): Promise<ErrandPosterKind | null> {
  if (viewer.householdId === householdId) return "household";
  if (await isGroupLeaderOf(viewer.userId, householdId)) return "group_leader";
  const inspector = viewer.roles.some((g) => g.role === "inspector" && g.villageId === villageId);
  if (inspector && (await gridWorkerOf(householdId)) === viewer.userId) return "grid_worker";
  return null;
}

export interface PostInput {
  householdId: number;
  what: string;
  place: string;
  dueAt: number;
}

export async function postErrand(viewer: Viewer, input: PostInput): Promise<number> {
  const household = await db().selectFrom("households").select(["id", "village_id"]).where("id", "=", input.householdId).executeTakeFirst();
  if (!household) throw new ErrandError("请从列表中选择要帮助的农户", "householdId");
  const kind = await posterKindFor(viewer, household.id, household.village_id);
  if (kind === null) throw new ErrandError("只能为自己家、自己联户或自己网格的农户发布", "householdId");
  if (!(await errandRuleOf(household.village_id))?.active) throw new ErrandError(NOT_OPENED);
  const at = now();
  if (input.dueAt <= at) throw new ErrandError("截止日期不能早于今天", "dueDate");
  if (input.dueAt > at + (ERRAND_LIMITS.dueDays + 1) * 86_400_000) throw new ErrandError(`截止日期最多在 ${ERRAND_LIMITS.dueDays} 天以内`, "dueDate");
  return unitOfWork(async (tx) => {
    const { id } = await tx
      .insertInto("errands")
      .values({
        village_id: household.village_id, household_id: household.id, what: input.what, place: input.place, due_at: input.dueAt, status: "open",
        poster_user_id: viewer.userId, poster_kind: kind, created_at: at, updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await audit({
      actorUserId: viewer.userId, actorRole: auditRole(viewer, household.village_id, kind), villageId: household.village_id, action: "errand.post", targetType: "errand", targetId: id,
      after: { householdId: household.id, what: input.what, place: input.place, dueAt: input.dueAt },
    });
    return id;
  });
}

// ---- taking, giving back, cancelling ------------------------------------------------------------

async function errandRow(id: number) {
  const row = await db().selectFrom("errands").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new ErrandError(NOT_FOUND, "_form", 404);
  return row;
}

/** Why a state change found the errand in another state than it expected. */
function moved(status: ErrandStatus, wanted: "take" | "confirm" | "cancel" | "giveBack"): ErrandError {
  if (status === "cancelled") return new ErrandError("这条需求已经取消了");
  if (status === "done") return new ErrandError(wanted === "confirm" ? "这条代跑已经确认过了，积分申报只提交一次" : "这条代跑已经完成了");
  if (status === "taken" && wanted === "take") return new ErrandError("这条需求刚刚被别人接了，请看看其他需求");
  if (status === "open" && (wanted === "confirm" || wanted === "giveBack")) return new ErrandError("这条需求现在没有人接");
  return new ErrandError("这条需求的状态刚刚变了，请刷新页面再看");
}

/** A villager of the errand's village, not of the household helped, takes it. */
export async function takeErrand(viewer: Viewer, id: number): Promise<void> {
  const e = await errandRow(id);
  if (!isOfVillage(viewer, e.village_id)) throw new ErrandError(NOT_FOUND, "_form", 404);
  if (viewer.householdId === null || viewer.memberId === null || viewer.homeVillageId !== e.village_id) throw new ErrandError("只有本村村民可以接代跑");
  if (viewer.householdId === e.household_id) throw new ErrandError("不能接自己家的需求");
  const at = now();
  await unitOfWork(async (tx) => {
    const r = await tx
      .updateTable("errands")
      .set({ status: "taken", volunteer_user_id: viewer.userId, volunteer_member_id: viewer.memberId, volunteer_household_id: viewer.householdId, taken_at: at, updated_at: at })
      .where("id", "=", id)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const now_ = await tx.selectFrom("errands").select("status").where("id", "=", id).executeTakeFirstOrThrow();
      throw moved(now_.status, "take");
    }
    await audit({ actorUserId: viewer.userId, actorRole: auditRole(viewer, e.village_id), villageId: e.village_id, action: "errand.take", targetType: "errand", targetId: id });
    const name = (await tx.selectFrom("members").select("name").where("id", "=", viewer.memberId!).executeTakeFirst())?.name ?? viewer.displayName;
    await notifyUsers([e.poster_user_id], notices.errandTaken({ errandId: id, villageId: e.village_id, what: e.what, volunteer: name, takenAt: at }));
  });
}

/** The volunteer gives the errand back: it is open again for someone else. */
export async function giveBackErrand(viewer: Viewer, id: number): Promise<void> {
  const e = await errandRow(id);
  if (!isOfVillage(viewer, e.village_id)) throw new ErrandError(NOT_FOUND, "_form", 404);
  const at = now();
  await unitOfWork(async (tx) => {
    const r = await tx
      .updateTable("errands")
      .set({ status: "open", volunteer_user_id: null, volunteer_member_id: null, volunteer_household_id: null, taken_at: null, updated_at: at })
      .where("id", "=", id)
      .where("status", "=", "taken")
      .where("volunteer_user_id", "=", viewer.userId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const cur = await tx.selectFrom("errands").select(["status", "volunteer_user_id"]).where("id", "=", id).executeTakeFirstOrThrow();
      if (cur.status === "taken") throw new ErrandError("这条代跑不是你接的");
      throw moved(cur.status, "giveBack");
    }
    await audit({ actorUserId: viewer.userId, actorRole: auditRole(viewer, e.village_id), villageId: e.village_id, action: "errand.give_back", targetType: "errand", targetId: id });
  });
}

/** Whether the viewer speaks for the errand: its poster, or a member (with a login) of the household helped. */
function speaksFor(viewer: Viewer, e: { poster_user_id: number; household_id: number }): boolean {
  return e.poster_user_id === viewer.userId || (viewer.householdId !== null && viewer.householdId === e.household_id);
}

/** The poster or the household helped cancels a need not yet done; with a reason once someone has taken it. */
export async function cancelErrand(viewer: Viewer, id: number, reason: string): Promise<void> {
  const e = await errandRow(id);
  if (!isOfVillage(viewer, e.village_id)) throw new ErrandError(NOT_FOUND, "_form", 404);
  if (e.volunteer_user_id === viewer.userId) throw new ErrandError("你接了这条代跑：不想做了请点“不接了”，需求会留给别人");
  if (!speaksFor(viewer, e)) throw new ErrandError("只有发布人或被帮助的农户可以取消");
  if (e.status === "taken" && reason === "") throw new ErrandError("已经有人接了，取消要写明原因", "reason");
  const at = now();
  await unitOfWork(async (tx) => {
    // The state read above is re-checked by the update: taken → cancelled only if still held by the
    // same volunteer (whose notice then names the right errand) and with the reason that required.
    const r = await tx
      .updateTable("errands")
      .set({ status: "cancelled", cancelled_by_user_id: viewer.userId, cancel_reason: reason || null, cancelled_at: at, updated_at: at })
      .where("id", "=", id)
      .where("status", "=", e.status)
      .where((eb) => (e.volunteer_user_id === null ? eb("volunteer_user_id", "is", null) : eb("volunteer_user_id", "=", e.volunteer_user_id)))
      .where("status", "in", ["open", "taken"])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) {
      const cur = await tx.selectFrom("errands").select("status").where("id", "=", id).executeTakeFirstOrThrow();
      throw moved(cur.status, "cancel");
    }
    await audit({ actorUserId: viewer.userId, actorRole: auditRole(viewer, e.village_id, e.poster_user_id === viewer.userId ? e.poster_kind : "household"), villageId: e.village_id, action: "errand.cancel", targetType: "errand", targetId: id, after: { reason } });
    if (e.volunteer_user_id !== null) {
      await notifyUsers([e.volunteer_user_id], notices.errandCancelled({ errandId: id, villageId: e.village_id, what: e.what, reason }));
    }
  });
}

// ---- confirming ---------------------------------------------------------------------------------

/** The role the confirmer files the volunteer's claim under (recorded on the claim and in the audit). */
function filerRoleOf(viewer: Viewer, e: { poster_user_id: number; poster_kind: ErrandPosterKind; village_id: number; household_id: number }): FilerRole {
  if (viewer.householdId === e.household_id || (e.poster_user_id === viewer.userId && e.poster_kind === "household")) {
    return viewer.roles.find((g) => HOUSEHOLD_ROLES.includes(g.role) && g.villageId === e.village_id)?.role ?? "villager";
  }
  return e.poster_kind === "grid_worker" ? "inspector" : "group_leader";
}

/**
 * The person helped or the poster confirms the errand was done: the errand becomes done and the
 * volunteer's claim is filed, in one unit of work (a claim that cannot be filed, e.g. over the
 * rule's cap, leaves the errand taken and says why). Returns the claim id.
 */
export async function confirmErrand(viewer: Viewer, id: number): Promise<number> {
  const e = await errandRow(id);
  if (!isOfVillage(viewer, e.village_id)) throw new ErrandError(NOT_FOUND, "_form", 404);
  if (e.volunteer_user_id === viewer.userId) {
    throw new ErrandError("不能确认自己接的代跑：请被帮助的人或发布人确认");
  }
  if (!speaksFor(viewer, e)) throw new ErrandError("只有被帮助的农户或发布人可以确认完成");
  if (e.status !== "taken") throw moved(e.status, "confirm");
  const rule = await errandRuleOf(e.village_id);
  if (!rule) throw new ErrandError(NOT_OPENED);
  const at = now();
  try {
    return await unitOfWork(async (tx) => {
      const r = await tx
        .updateTable("errands")
        .set({ status: "done", confirmed_by_user_id: viewer.userId, confirmed_at: at, updated_at: at })
        .where("id", "=", id)
        .where("status", "=", "taken")
        .where("volunteer_user_id", "=", e.volunteer_user_id)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) {
        const cur = await tx.selectFrom("errands").select("status").where("id", "=", id).executeTakeFirstOrThrow();
        throw moved(cur.status, "confirm");
      }
      // The volunteer's own member record; a claim is per member.
      const [claimId] = await fileClaimBatch({
        villageId: e.village_id, filer: { userId: viewer.userId, role: filerRoleOf(viewer, e) }, source: { kind: "errand", id },
        items: [{ memberId: e.volunteer_member_id!, ruleId: rule.id, occurredAt: at, quantity: 1, note: `代跑：${e.what}`.slice(0, ERRAND_LIMITS.what + 4) }],
      });
      await tx.updateTable("errands").set({ claim_id: claimId }).where("id", "=", id).execute();
      await audit({ actorUserId: viewer.userId, actorRole: filerRoleOf(viewer, e), villageId: e.village_id, action: "errand.confirm", targetType: "errand", targetId: id, after: { claimId } });
      await notifyUsers([e.volunteer_user_id!], notices.errandConfirmed({ errandId: id, villageId: e.village_id, what: e.what, claimed: true }));
      return claimId;
    });
  } catch (err) {
    if (err instanceof ClaimError) throw new ErrandError(`没能提交志愿者的积分申报：${err.message}`);
    throw err;
  }
}

// ---- the scheduler: needs nobody took within a day ---------------------------------------------

/**
 * Tells the grid worker (and the 联户长 when someone else posted) of each need left untaken for a
 * day, once: the notice's dedupe key and the conditional mark make a second round, or two at once,
 * send nothing more. A bounded batch per round; the rest wait for the next minute.
 */
export async function noteUntakenErrands(limit = 200): Promise<number> {
  const at = now();
  const due = await db()
    .selectFrom("errands as e")
    .innerJoin("households as h", "h.id", "e.household_id")
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .leftJoin("household_groups as hg", "hg.id", "h.group_id")
    .select((eb) => [
      "e.id", "e.village_id", "e.what", "e.poster_user_id", "h.number", "g.worker_user_id", "hg.leader_user_id",
      eb.selectFrom("members as hm").select("hm.name").whereRef("hm.household_id", "=", "h.id").where("hm.is_head", "=", constant(1)).where("hm.active", "=", constant(1)).limit(1).as("head"),
    ])
    .where("e.status", "=", constant("open"))
    .where("e.overdue_noted_at", "is", null)
    .where("e.created_at", "<=", at - UNTAKEN_AFTER_MS)
    .orderBy("e.id")
    .limit(limit)
    .execute();
  let noted = 0;
  for (const e of due) {
    await unitOfWork(async (tx) => {
      const r = await tx.updateTable("errands").set({ overdue_noted_at: at }).where("id", "=", e.id).where("overdue_noted_at", "is", null).executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return;
      const to = [e.worker_user_id, e.leader_user_id].filter((u): u is number => u !== null);
      if (to.length) await notifyUsers(to, notices.errandUntaken({ errandId: e.id, villageId: e.village_id, what: e.what, household: `${e.head ?? ""}家（${e.number}）` }));
      noted++;
    });
  }
  return noted;
}
