// Who may work at which store: keepers assigned to stores; a keeper with no assignment, and the
// village admin, work at every active store of the village.
import type { Role } from "./roles";
import { forbidden, requireRole, type Access } from "./access.server";
import { stmt } from "./db.server";

export interface StoreRow {
  id: number;
  village_id: number;
  name: string;
  active: number;
}

export interface KeeperCtx {
  userId: number;
  role: Role;
  villageId: number;
  stores: StoreRow[];
}

export function villageStores(villageId: number, activeOnly = true): StoreRow[] {
  return stmt(`select id, village_id, name, active from stores where village_id = ? ${activeOnly ? "and active = 1" : ""} order by id`).all(villageId) as StoreRow[];
}

export function storesOfKeeper(userId: number, villageId: number, role: Role): StoreRow[] {
  const all = villageStores(villageId);
  if (role !== "store_keeper") return all;
  const mine = new Set(
    (stmt("select store_id from store_keepers where user_id = ? and village_id = ?").all(userId, villageId) as { store_id: number }[]).map((r) => r.store_id),
  );
  return mine.size ? all.filter((s) => mine.has(s.id)) : all;
}

export const KEEPER_ROLES = ["store_keeper", "village_admin", "township_admin"] as const;

/** The keeper (or admin) of a village, with the stores they may work at. */
export async function requireKeeper(request: Request, villageId: number, roles: readonly Role[] = KEEPER_ROLES): Promise<KeeperCtx & { access: Access }> {
  const access = await requireRole(request, roles, villageId);
  const stores = storesOfKeeper(access.viewer.userId, villageId, access.role);
  return { access, userId: access.viewer.userId, role: access.role, villageId, stores };
}

/** The store chosen by ?store= (or the first one); a store the keeper may not use is a 403. */
export function pickStore(ctx: KeeperCtx, raw: string | null | undefined): StoreRow {
  if (ctx.stores.length === 0) throw new Response("本村还没有开设积分超市，请村管理员先添加超市", { status: 404 });
  if (!raw) return ctx.stores[0];
  const s = ctx.stores.find((x) => String(x.id) === raw);
  if (!s) throw forbidden("你不是这个超市的店主");
  return s;
}
