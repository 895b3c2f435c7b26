// The village's stores and which keepers work at each (村管理员).
import { z } from "zod";
import { checkboxSchema, fail, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import { openStoreAccount } from "~/ledger/ledger.server";
import { textSchema } from "~/platform/validation.server";
import { TEXT_LIMITS } from "./labels";

export const storeIntentSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("store.create"), name: textSchema("超市名称", TEXT_LIMITS.storeName) }),
    z.object({ intent: z.literal("store.update"), storeId: formIdSchema, name: textSchema("超市名称", TEXT_LIMITS.storeName), active: checkboxSchema }),
    z.object({ intent: z.literal("store.keepers"), storeId: formIdSchema, keepers: z.array(formIdSchema, { error: "请求有误，请刷新页面后再试" }).max(50, "请求有误，请刷新页面后再试") }),
  ],
  { error: "请求有误，请刷新页面后再试" },
);

export async function storesWithKeepers(villageId: number) {
  const stores = await db().selectFrom("stores").select(["id", "name", "active"]).where("village_id", "=", villageId).orderBy("id").execute();
  const keepers = await db()
    .selectFrom("users as u")
    .innerJoin("user_roles as r", "r.user_id", "u.id")
    .select(["u.id", "u.display_name as name", "u.phone"])
    .where("r.village_id", "=", villageId)
    .where("r.role", "=", "store_keeper")
    .where("u.disabled", "=", 0)
    .orderBy("u.id")
    .execute();
  const assigned = await db().selectFrom("store_keepers").select(["store_id", "user_id"]).where("village_id", "=", villageId).execute();
  return stores.map((s) => ({ ...s, keepers: keepers.map((k) => ({ ...k, assigned: assigned.some((a) => a.store_id === s.id && a.user_id === k.id) })) }));
}

/** Another store of the village with the name (villagers pick stores by name). */
async function nameTaken(villageId: number, name: string, exceptId: number | null): Promise<boolean> {
  let q = db().selectFrom("stores").select("id").where("village_id", "=", villageId).where("name", "=", name);
  if (exceptId !== null) q = q.where("id", "<>", exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export function createStore(actor: StaffActor, villageId: number, name: string): Promise<Outcome<{ storeId: number }>> {
  return unitOfWork(async (): Promise<Outcome<{ storeId: number }>> => {
    if (await nameTaken(villageId, name, null)) return fail("name", "本村已有同名的超市");
    const { id } = await db().insertInto("stores").values({ village_id: villageId, name, created_at: now() }).returning("id").executeTakeFirstOrThrow();
    await openStoreAccount(villageId, id);
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.create", targetType: "store", targetId: id, after: { name } });
    return { ok: true, storeId: id };
  });
}

function storeOf(villageId: number, storeId: number) {
  return db().selectFrom("stores").select(["id", "name", "active"]).where("id", "=", storeId).where("village_id", "=", villageId).executeTakeFirst();
}

export function updateStore(actor: StaffActor, villageId: number, storeId: number, name: string, active: boolean): Promise<Outcome> {
  return unitOfWork(async (): Promise<Outcome> => {
    const s = await storeOf(villageId, storeId);
    if (!s) throw new Response("找不到这个超市", { status: 404 });
    if (await nameTaken(villageId, name, storeId)) return fail("name", "本村已有同名的超市");
    await db().updateTable("stores").set({ name, active: active ? 1 : 0 }).where("id", "=", storeId).execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.update", targetType: "store", targetId: storeId, before: { name: s.name, active: s.active === 1 }, after: { name, active } });
    return { ok: true };
  });
}

/** Only users holding the store keeper role in this village can be assigned. */
export function setKeepers(actor: StaffActor, villageId: number, storeId: number, userIds: number[]): Promise<Outcome> {
  return unitOfWork(async (): Promise<Outcome> => {
    if (!(await storeOf(villageId, storeId))) throw new Response("找不到这个超市", { status: 404 });
    const keepers = await db().selectFrom("user_roles").select("user_id").where("village_id", "=", villageId).where("role", "=", "store_keeper").execute();
    const allowed = new Set(keepers.map((r) => r.user_id));
    if (userIds.some((u) => !allowed.has(u))) return fail("keepers", "只能选择本村的店主");
    const chosen = [...new Set(userIds)];
    await db().deleteFrom("store_keepers").where("store_id", "=", storeId).execute();
    if (chosen.length) {
      const at = now();
      await db().insertInto("store_keepers").values(chosen.map((u) => ({ store_id: storeId, user_id: u, village_id: villageId, created_at: at }))).execute();
    }
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.keepers", targetType: "store", targetId: storeId, after: { keepers: chosen } });
    return { ok: true };
  });
}
