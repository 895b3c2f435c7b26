// The one access helper every loader and action uses: who is asking, in which role, for which village.
import { redirect } from "@remix-run/node";
import type { Role } from "./roles";
import { db, stmt } from "./db.server";
import { currentSession } from "./session.server";
import { getUser, rolesOf, type RoleGrant } from "./users.server";

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

async function loadViewer(request: Request): Promise<Viewer | null> {
  const session = await currentSession(request);
  if (!session) return null;
  const user = getUser(session.user_id);
  if (!user || user.disabled) return null;
  const member = user.member_id
    ? (stmt("select household_id, village_id from members where id = ? and active = 1").get(user.member_id) as
        | { household_id: number; village_id: number }
        | undefined)
    : undefined;
  const roles = rolesOf(user.id);
  return {
    userId: user.id,
    sessionId: session.id,
    displayName: user.display_name,
    phone: user.phone,
    memberId: member ? user.member_id : null,
    householdId: member?.household_id ?? null,
    homeVillageId: member?.village_id ?? roles.find((r) => r.villageId !== null)?.villageId ?? null,
    roles,
    mustChangePassword: user.must_change_password === 1,
  };
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
  if (grant.role === "township_admin" && villageId !== null && !stmt("select 1 from villages where id = ?").get(villageId)) {
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
    if (!stmt("select 1 from villages where id = ?").get(villageId)) notFound();
    return viewer;
  }
  throw forbidden();
}
