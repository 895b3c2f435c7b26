// The demo stores: 20+ goods with their pictures (db/seed/goods/*.webp), opening stock from the
// township's allocation and the keeper assigned to the store. Run when the demo's year starts; the
// keeper restocks each good to its shelf (`par`) through the year (db/seed/history.server.ts).
import fs from "node:fs";
import path from "node:path";
import { now } from "../../app/platform/clock.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { DEMO_GOODS } from "./goods";
import { cleanGoodPhoto, type Photo } from "../../app/store/goods.server";
import { moveStock } from "../../app/store/stock.server";

export const DEMO_PIN = "135790";

/** A demo good's picture, cleaned like an admin's upload (cleanGoodPhoto), or null when the file is missing. */
async function photo(file: string): Promise<Photo | null> {
  const p = path.resolve("db/seed/goods", `${file}.webp`);
  return fs.existsSync(p) ? await cleanGoodPhoto(fs.readFileSync(p)) : null;
}

/** A good's shelf: most hold 12-31, some only a few (the demo shows 库存不足), one runs out (已兑完). */
function shelf(gi: number, si: number): { par: number; soldOut: boolean } {
  if (gi === 11 + si) return { par: 8, soldOut: true };
  return { par: gi % 6 === 5 ? 6 : 12 + ((gi * 13 + si * 5) % 20), soldOut: false };
}

/** The goods of each village's store (by village id), in DEMO_GOODS' order, with their shelves. */
export async function seedDemoStores(): Promise<Map<number, { id: number; par: number; soldOut: boolean }[]>> {
  const out = new Map<number, { id: number; par: number; soldOut: boolean }[]>();
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
      const list = goods.map(({ id }, gi) => ({ id, ...shelf(gi, si) }));
      for (const [gi, g] of list.entries()) {
        await moveStock({ villageId: s.village_id, goodId: g.id, kind: "restock", delta: g.par, source: gi % 3 === 0 ? "上级拨款" : gi % 3 === 1 ? "村集体" : "乡贤捐赠", note: "开业备货", actorUserId: keeper?.user_id ?? null });
      }
      out.set(s.village_id, list);
    }
  });
  return out;
}
