// The 联户长's own pages (我的联户): the households of the groups a user leads, one household in
// detail with its recent claims, and a claim filed for one of its members (filer role "group_leader";
// reviewed and put on 公示 like any claim). A household outside the leader's groups is a 404.
import { ClaimError, fileClaimBatch } from "~/claims/claims.server";
import { chinaToday, claimFormSchema } from "~/claims/forms.server";
import { checkPhotos, removePhotos, storePhotos, uploadedFiles } from "~/claims/photos.server";
import { householdClaims } from "~/claims/views.server";
import { constant, db } from "~/platform/database.server";
import { forbidden, notFound } from "~/platform/access.server";
import { fieldErrors, formToObject } from "~/platform/validation.server";
import { isGroupLeaderOf, leadsAnyGroup } from "./groups.server";
import { notPostAllowance } from "~/rules/rules.server";

/** A household as the leader's list shows it. `balance` is null when the village hides balances. */
export interface GroupHousehold {
  id: number;
  number: string;
  address: string;
  head: string | null;
  /** The first phone number on file (the head's first), or null: 无手机. */
  phone: string | null;
  members: number;
  balance: number | null;
}

export interface LeaderGroup {
  id: number;
  name: string;
  grid: string | null;
  villageId: number;
  village: string;
  showBalances: boolean;
  households: GroupHousehold[];
}

async function householdRows(where: { groupIds?: number[]; householdId?: number }) {
  let q = db()
    .selectFrom("households as h")
    .leftJoin("accounts as a", (j) => j.onRef("a.household_id", "=", "h.id").on("a.kind", "=", constant("household")))
    .select(["h.id", "h.number", "h.address", "h.group_id", "a.balance"]);
  if (where.groupIds) q = q.where("h.group_id", "in", where.groupIds);
  if (where.householdId !== undefined) q = q.where("h.id", "=", where.householdId);
  const households = await q.orderBy("h.number").execute();
  if (households.length === 0) return [];
  const members = await db()
    .selectFrom("members")
    .select(["id", "household_id", "name", "relation", "phone", "is_head"])
    .where("household_id", "in", households.map((h) => h.id))
    .where("active", "=", constant(1))
    .orderBy("is_head", "desc")
    .orderBy("id")
    .execute();
  return households.map((h) => {
    const mine = members.filter((m) => m.household_id === h.id);
    return { ...h, members: mine, head: mine.find((m) => m.is_head === 1)?.name ?? null, phone: mine.find((m) => m.phone)?.phone ?? null };
  });
}

/** The groups the user leads, each with its households (balances only where the village allows). */
export async function leaderGroups(userId: number): Promise<LeaderGroup[]> {
  const groups = await db()
    .selectFrom("household_groups as g")
    .innerJoin("villages as v", "v.id", "g.village_id")
    .leftJoin("grids as r", "r.id", "g.grid_id")
    .select(["g.id", "g.name", "r.name as grid", "g.village_id", "v.name as village", "v.group_leader_sees_balances"])
    .where("g.leader_user_id", "=", userId)
    .orderBy("g.id")
    .execute();
  if (groups.length === 0) return [];
  const rows = await householdRows({ groupIds: groups.map((g) => g.id) });
  return groups.map((g) => {
    const show = g.group_leader_sees_balances === 1;
    return {
      id: g.id, name: g.name, grid: g.grid, villageId: g.village_id, village: g.village, showBalances: show,
      households: rows
        .filter((h) => h.group_id === g.id)
        .map((h) => ({ id: h.id, number: h.number, address: h.address, head: h.head, phone: h.phone, members: h.members.length, balance: show ? Number(h.balance ?? 0) : null })),
    };
  });
}

/** One household of the leader's group in detail, or a 404 (another group's, another village's, none). */
export async function leaderHousehold(userId: number, householdId: number) {
  if (!(await isGroupLeaderOf(userId, householdId))) {
    // Someone who leads no group is refused the page; a leader asking for another household learns nothing of it.
    if (!(await leadsAnyGroup(userId))) throw forbidden("你没有权限查看：这一页是联户长的，你还没有被村里设为联户长");
    notFound();
  }
  const [h] = await householdRows({ householdId });
  if (!h) notFound();
  const g = await db()
    .selectFrom("household_groups as g")
    .innerJoin("villages as v", "v.id", "g.village_id")
    .select(["g.id", "g.name", "g.village_id", "v.group_leader_sees_balances"])
    .where("g.id", "=", h.group_id!)
    .executeTakeFirstOrThrow();
  const show = g.group_leader_sees_balances === 1;
  const rules = await db()
    .selectFrom("rules")
    .select(["id", "category", "name", "points", "unit", "evidence_required"])
    .where("village_id", "=", g.village_id)
    .where("active", "=", constant(1))
    .where("points", ">", 0)
    .where(notPostAllowance)
    .orderBy("category")
    .orderBy("points", "desc")
    .orderBy("id")
    .execute();
  return {
    group: { id: g.id, name: g.name, villageId: g.village_id },
    household: { id: h.id, number: h.number, address: h.address, head: h.head, phone: h.phone, balance: show ? Number(h.balance ?? 0) : null },
    members: h.members.map((m) => ({ id: m.id, name: m.name, relation: m.relation, phone: m.phone, household: h.number })),
    claims: await householdClaims(householdId, 10),
    form: { members: h.members.map((m) => ({ id: m.id, name: m.name, relation: m.relation, household: h.number })), rules, today: chinaToday() },
  };
}

export type LeaderFileResult = { ok: true; ids: number[] } | { ok: false; errors: Record<string, string>; status: number };

const FORM_FIELD: Record<string, string> = { occurredAt: "date" };

/**
 * The claim form filed by a 联户长 for a member of one household of their group. The member must be
 * of that household (the page offers no other); claims.server.ts checks the group again inside the
 * batch. Nothing is written (no photo file either) when refused.
 */
export async function fileForGroupHousehold(userId: number, villageId: number, householdId: number, form: FormData): Promise<LeaderFileResult> {
  const parsed = claimFormSchema.safeParse(formToObject(form));
  const checked = await checkPhotos(uploadedFiles(form));
  if (!parsed.success || !checked.ok) {
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    if (!checked.ok) errors.photos = checked.message;
    return { ok: false, errors, status: 400 };
  }
  const member = await db().selectFrom("members").select("household_id").where("id", "=", parsed.data.memberId).executeTakeFirst();
  if (member?.household_id !== householdId) return { ok: false, errors: { memberId: "请从列表中选择这一户的成员" }, status: 400 };
  const stored = storePhotos(villageId, checked.photos);
  try {
    const ids = await fileClaimBatch({
      villageId, filer: { userId, role: "group_leader" },
      items: [{ memberId: parsed.data.memberId, ruleId: parsed.data.ruleId, occurredAt: parsed.data.date, quantity: parsed.data.quantity, note: parsed.data.note, photos: stored }],
    });
    return { ok: true, ids };
  } catch (e) {
    removePhotos(stored);
    if (!(e instanceof ClaimError)) throw e;
    return { ok: false, errors: { [FORM_FIELD[e.field] ?? e.field]: e.message }, status: e.status === 404 ? 400 : e.status };
  }
}
