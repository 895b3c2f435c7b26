// Who may work at which store: keepers assigned to stores; a keeper with no assignment, and the
// village admin, work at every active store of the village.
import type { Selectable } from "kysely";
import type { Role } from "~/platform/roles";
import { forbidden, requireRole, type Access } from "~/platform/access.server";
import { constant, db } from "~/platform/database.server";
import type { StoreTable } from "../../db/schema";

export type StoreRow = Pick<Selectable<StoreTable>, "id" | "village_id" | "name" | "active">;

export interface KeeperCtx {
  userId: number;
  role: Role;
  villageId: number;
  stores: StoreRow[];
}

export function villageStores(villageId: number, activeOnly = true): Promise<StoreRow[]> {
  let q = db().selectFrom("stores").select(["id", "village_id", "name", "active"]).where("village_id", "=", villageId);
  if (activeOnly) q = q.where("active", "=", constant(1));
  return q.orderBy("id").execute();
}

/** A keeper assigned to some stores works at those; one assigned to none (or an admin) at all of the village's. */
export function storesOfKeeper(userId: number, villageId: number, role: Role): Promise<StoreRow[]> {
  if (role !== "store_keeper") return villageStores(villageId);
  // One statement instead of two: keepers run this on every scan and confirm.
  return db()
    .selectFrom("stores as s")
    .select(["s.id", "s.village_id", "s.name", "s.active"])
    .where("s.village_id", "=", villageId)
    .where("s.active", "=", constant(1))
    .where((eb) => {
      const assigned = () => eb.selectFrom("store_keepers as k").select("k.store_id").where("k.user_id", "=", userId).whereRef("k.village_id", "=", "s.village_id");
      return eb.or([eb("s.id", "in", assigned()), eb.not(eb.exists(assigned()))]);
    })
    .orderBy("s.id")
    .execute();
}

export const KEEPER_ROLES = ["store_keeper", "village_admin", "township_admin"] as const;

/** The keeper (or admin) of a village, with the stores they may work at. */
export async function requireKeeper(request: Request, villageId: number, roles: readonly Role[] = KEEPER_ROLES): Promise<KeeperCtx & { access: Access }> {
  const access = await requireRole(request, roles, villageId);
  const stores = await storesOfKeeper(access.viewer.userId, villageId, access.role);
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
