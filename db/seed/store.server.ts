// The demo stores: 20+ goods with their pictures (db/seed/goods/*.webp), opening stock from the
// township's allocation, the keeper assigned to the store, and a counter PIN for the demo household.
import fs from "node:fs";
import path from "node:path";
import { now } from "../../app/platform/clock.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { DEMO_GOODS } from "./goods";
import { cleanGoodPhoto, type Photo } from "../../app/store/goods.server";
import { setPin } from "../../app/store/pin.server";
import { moveStock } from "../../app/store/stock.server";

export const DEMO_PIN = "135790";

/** A demo good's picture, cleaned like an admin's upload (cleanGoodPhoto), or null when the file is missing. */
async function photo(file: string): Promise<Photo | null> {
  const p = path.resolve("db/seed/goods", `${file}.webp`);
  return fs.existsSync(p) ? await cleanGoodPhoto(fs.readFileSync(p)) : null;
}

export async function seedDemoStores(): Promise<void> {
  const stores = await db().selectFrom("stores").select(["id", "village_id"]).orderBy("id").execute();
  // Decoded before the unit of work: image work is async and must not run inside one.
  const photos = new Map<string, Photo | null>();
  for (const g of DEMO_GOODS) photos.set(g.file, await photo(g.file));
  await unitOfWork(async (tx) => {
    for (const [si, s] of stores.entries()) {
      const keeper = await tx
        .selectFrom("user_roles")
        .select("user_id")
        .where("village_id", "=", s.village_id)
        .where("role", "=", "store_keeper")
        .orderBy("user_id")
        .limit(1)
        .executeTakeFirst();
      if (keeper) {
        await tx
          .insertInto("store_keepers")
          .values({ store_id: s.id, user_id: keeper.user_id, village_id: s.village_id, created_at: now() })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      // Every good in one statement; the ids follow DEMO_GOODS' order.
      const at = now();
      const goods = await tx
        .insertInto("goods")
        .values(DEMO_GOODS.map((g) => {
          const pic = photos.get(g.file) ?? null;
          return {
            village_id: s.village_id, store_id: s.id, name: g.name, category: g.category, unit: g.unit, price: g.price,
            cost_fen: Math.round(g.cost * 100), monthly_limit: g.limit, low_stock: 5, active: 1, photo: pic?.bytes ?? null,
            photo_type: pic?.type ?? null, photo_version: pic ? 1 : 0, photo_cleaned_at: pic ? at : null, created_at: at, updated_at: at,
          };
        }))
        .returning("id")
        .execute();
      for (const [gi, { id: goodId }] of goods.entries()) {
        // A spread of stock levels so the demo shows 库存不足 and 已兑完 too.
        const qty = gi === 11 + si ? 0 : gi % 6 === 5 ? 3 : 20 + ((gi * 13 + si * 5) % 40);
        if (qty > 0) await moveStock({ villageId: s.village_id, goodId, kind: "restock", delta: qty, source: gi % 3 === 0 ? "上级拨款" : gi % 3 === 1 ? "村集体" : "乡贤捐赠", note: "开业备货", actorUserId: keeper?.user_id ?? null });
      }
    }
  });
  const home = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", "m.id", "u.member_id")
    .select(["m.household_id", "m.village_id"])
    .where("u.phone", "=", "13900000001")
    .executeTakeFirst();
  if (home) await setPin({ userId: null as unknown as number, role: "system", villageId: home.village_id }, home.household_id, home.village_id, DEMO_PIN);
}
