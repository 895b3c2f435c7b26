// The one access helper every loader and action uses: who is asking, in which role, for which village.
import { constant } from "~/platform/database.server";
import { redirect } from "@remix-run/node";
import type { Role } from "./roles";
import { db } from "./database.server";
import { noteUser } from "./request-scope.server";
import { keepAlive, sessionIdOf } from "./session.server";
import type { RoleGrant } from "~/people/users.server";

export interface Viewer {
  userId: number;
  sessionId: string;
  displayName: string;
  phone: string;
  memberId: number | null;
  householdId: number | null;
  homeVillageId: number | null;
  roles: RoleGrant[];
  mustChangePassword: boolean;
  /** 长辈模式 chosen for the account (see elder.server.ts). */
  elderMode: boolean;
  /** Leads a household group (联户长, issue 18): a grant kept on the group, not in user_roles. */
  leadsGroup: boolean;
}

// The root loader and the route loader both ask; answer each page or data request once. Not for
// posts: the loaders that run after an action in the same request must see what the action changed.
const perRequest = new WeakMap<Request, Promise<Viewer | null>>();

export function getViewer(request: Request): Promise<Viewer | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return loadViewer(request);
  let viewer = perRequest.get(request);
  if (!viewer) perRequest.set(request, (viewer = loadViewer(request)));
  return viewer;
}

// Session, login, household and roles in one statement (one row per role): under load each
// statement a request runs costs ~10–20 µs (cold caches), several times what it costs in a tight loop.
function viewerRows(sessionId: string) {
  return db()
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .leftJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .leftJoin("user_roles as r", "r.user_id", "u.id")
    .select([
      "s.id", "s.user_id", "s.created_at", "s.last_seen_at", "s.expires_at",
      "u.display_name", "u.phone", "u.member_id", "u.must_change_password", "u.disabled", "u.elder_mode",
      "m.household_id", "m.village_id", "r.role", "r.village_id as role_village_id",
      (eb) => eb.exists(eb.selectFrom("household_groups as g").select("g.id").whereRef("g.leader_user_id", "=", "u.id")).as("leads_group"),
    ])
    .where("s.id", "=", sessionId)
    .where("s.revoked_at", "is", null)
    .orderBy("r.id")
    .execute();
}

async function loadViewer(request: Request): Promise<Viewer | null> {
  const id = await sessionIdOf(request);
  if (!id) return null;
  const rows = await viewerRows(id);
  const row = rows[0];
  if (!row || !(await keepAlive(row)) || row.disabled) return null;
  noteUser(row.user_id);
  const roles: RoleGrant[] = rows.flatMap((r) => (r.role === null ? [] : [{ role: r.role, villageId: r.role_village_id }]));
  const member = row.household_id !== null;
  return {
    userId: row.user_id,
    sessionId: row.id,
    displayName: row.display_name,
    phone: row.phone,
    memberId: member ? row.member_id : null,
    householdId: row.household_id,
    homeVillageId: member ? row.village_id : (roles.find((r) => r.villageId !== null)?.villageId ?? null),
    roles,
    mustChangePassword: row.must_change_password === 1,
    elderMode: row.elder_mode === 1,
    leadsGroup: Boolean(row.leads_group),
  };
}

/** Whether the village exists (ids in URLs are typed by anyone). */
async function villageExists(villageId: number): Promise<boolean> {
  return (await db().selectFrom("villages").select("id").where("id", "=", villageId).executeTakeFirst()) !== undefined;
}

export function forbidden(message = "你没有权限查看这个页面"): Response {
  return new Response(message, { status: 403, statusText: "Forbidden" });
}

/** Signed in, password already changed; otherwise redirect to sign-in or the forced change. */
export async function requireViewer(request: Request, opts: { allowPasswordChange?: boolean } = {}): Promise<Viewer> {
  const viewer = await getViewer(request);
  const url = new URL(request.url);
  if (!viewer) throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  if (viewer.mustChangePassword && !opts.allowPasswordChange) throw redirect("/password");
  return viewer;
}

export interface Access {
  viewer: Viewer;
  role: Role;
  villageId: number | null;
}

/** Allows the first of `roles` the viewer holds in `villageId` (township admin: anywhere). Throws 403 otherwise. */
export async function requireRole(request: Request, roles: readonly Role[], villageId: number | null): Promise<Access> {
  const viewer = await requireViewer(request);
  const grant = findGrant(viewer, roles, villageId);
  if (!grant) throw forbidden();
  // A village grant implies the village exists (foreign key); only the township admin can name one
  // that does not, which is a 404, never a 500 later.
  if (grant.role === "township_admin" && villageId !== null && !(await villageExists(villageId))) {
    throw new Response("找不到这个村", { status: 404 });
  }
  return { viewer, role: grant.role, villageId };
}

export function findGrant(viewer: Pick<Viewer, "roles">, roles: readonly Role[], villageId: number | null): RoleGrant | undefined {
  return viewer.roles.find(
    (g) => roles.includes(g.role) && (g.role === "township_admin" || (villageId !== null && g.villageId === villageId)),
  );
}

/** A villager's own household: the viewer must be an active member of it. */
export async function requireHousehold(request: Request): Promise<Viewer & { householdId: number; homeVillageId: number }> {
  const viewer = await requireViewer(request);
  if (viewer.householdId === null || viewer.homeVillageId === null) throw forbidden("你的账号没有关联农户，无法查看积分");
  return viewer as Viewer & { householdId: number; homeVillageId: number };
}

/** An id that does not exist or belongs to another village is a 404, never a hint that it exists elsewhere. */
export function notFound(): never {
  throw new Response("找不到这个页面", { status: 404, statusText: "Not Found" });
}

/** Parses a route's numeric id parameter; a malformed id is a 404, never a 500. */
export function idParam(value: string | undefined): number {
  const n = Number(value);
  if (!value || !/^\d{1,12}$/.test(value) || !Number.isSafeInteger(n)) notFound();
  return n;
}

/** Anyone of the village: a member living there, anyone holding a role there, or the township admin. */
/** Lives in the village (a household there) or holds any role in it; the township admin everywhere. */
export function isOfVillage(viewer: Viewer, villageId: number): boolean {
  const inside = viewer.homeVillageId === villageId && viewer.householdId !== null;
  return inside || viewer.roles.some((g) => g.villageId === villageId || g.role === "township_admin");
}

export async function requireVillagePerson(request: Request, villageId: number): Promise<Viewer> {
  const viewer = await requireViewer(request);
  if (isOfVillage(viewer, villageId)) {
    if (!(await villageExists(villageId))) notFound();
    return viewer;
  }
  throw forbidden();
}
