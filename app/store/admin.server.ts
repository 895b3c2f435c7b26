// The village's stores and which keepers work at each (村管理员).
import { z } from "zod";
import { checkboxSchema, fail, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { openStoreAccount } from "~/ledger/ledger.server";
import { textSchema } from "~/platform/validation.server";

export const storeIntentSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("store.create"), name: textSchema("超市名称", 30) }),
    z.object({ intent: z.literal("store.update"), storeId: formIdSchema, name: textSchema("超市名称", 30), active: checkboxSchema }),
    z.object({ intent: z.literal("store.keepers"), storeId: formIdSchema, keepers: z.array(formIdSchema, { error: "请求有误，请刷新页面后再试" }).max(50, "请求有误，请刷新页面后再试") }),
  ],
  { error: "请求有误，请刷新页面后再试" },
);

export function storesWithKeepers(villageId: number) {
  const stores = stmt("select id, name, active from stores where village_id = ? order by id").all(villageId) as { id: number; name: string; active: number }[];
  const keepers = stmt(
    `select u.id, u.display_name as name, u.phone from users u join user_roles r on r.user_id = u.id
     where r.village_id = ? and r.role = 'store_keeper' and u.disabled = 0 order by u.id`,
  ).all(villageId) as { id: number; name: string; phone: string }[];
  const assigned = stmt("select store_id, user_id from store_keepers where village_id = ?").all(villageId) as { store_id: number; user_id: number }[];
  return stores.map((s) => ({ ...s, keepers: keepers.map((k) => ({ ...k, assigned: assigned.some((a) => a.store_id === s.id && a.user_id === k.id) })) }));
}

export function createStore(actor: StaffActor, villageId: number, name: string): Outcome<{ storeId: number }> {
  if (stmt("select 1 from stores where village_id = ? and name = ?").get(villageId, name)) return fail("name", "本村已有同名的超市");
  const storeId = transact(() => {
    const id = Number(stmt("insert into stores (village_id, name, created_at) values (?, ?, ?)").run(villageId, name, now()).lastInsertRowid);
    openStoreAccount(villageId, id);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.create", targetType: "store", targetId: id, after: { name } });
    return id;
  });
  return { ok: true, storeId };
}

function storeOf(villageId: number, storeId: number) {
  return stmt("select id, name, active from stores where id = ? and village_id = ?").get(storeId, villageId) as { id: number; name: string; active: number } | undefined;
}

export function updateStore(actor: StaffActor, villageId: number, storeId: number, name: string, active: boolean): Outcome {
  const s = storeOf(villageId, storeId);
  if (!s) throw new Response("找不到这个超市", { status: 404 });
  if (stmt("select 1 from stores where village_id = ? and name = ? and id <> ?").get(villageId, name, storeId)) return fail("name", "本村已有同名的超市");
  transact(() => {
    stmt("update stores set name = ?, active = ? where id = ?").run(name, active ? 1 : 0, storeId);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.update", targetType: "store", targetId: storeId, before: { name: s.name, active: s.active === 1 }, after: { name, active } });
  });
  return { ok: true };
}

/** Only users holding the store keeper role in this village can be assigned. */
export function setKeepers(actor: StaffActor, villageId: number, storeId: number, userIds: number[]): Outcome {
  if (!storeOf(villageId, storeId)) throw new Response("找不到这个超市", { status: 404 });
  const allowed = new Set((stmt("select user_id from user_roles where village_id = ? and role = 'store_keeper'").all(villageId) as { user_id: number }[]).map((r) => r.user_id));
  if (userIds.some((u) => !allowed.has(u))) return fail("keepers", "只能选择本村的店主");
  transact(() => {
    stmt("delete from store_keepers where store_id = ?").run(storeId);
    for (const u of new Set(userIds)) stmt("insert into store_keepers (store_id, user_id, village_id, created_at) values (?, ?, ?, ?)").run(storeId, u, villageId, now());
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "store.keepers", targetType: "store", targetId: storeId, after: { keepers: [...new Set(userIds)] } });
  });
  return { ok: true };
}
