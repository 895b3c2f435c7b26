// The demo stores: 20+ goods with their pictures (db/seed/goods/*.webp), opening stock from the
// township's allocation, the keeper assigned to the store, and a counter PIN for the demo household.
import fs from "node:fs";
import path from "node:path";
import { now } from "../../app/platform/clock.server";
import { stmt, unitOfWork } from "../../app/platform/database.server";
import { DEMO_GOODS } from "./goods";
import { cleanGoodPhoto, type Photo } from "../../app/store/goods.server";
import { setPin } from "../../app/store/pin.server";
import { moveStock } from "../../app/store/stock.server";

export const DEMO_PIN = "135790";

/** A demo good's picture, cleaned like an admin's upload (cleanGoodPhoto), or null when the file is missing. */
async function photo(file: string): Promise<Photo | null> {
  const p = path.resolve("db/seed/goods", `${file}.webp`);
  return fs.existsSync(p) ? cleanGoodPhoto(fs.readFileSync(p)) : null;
}

export async function seedDemoStores(): Promise<void> {
  const stores = stmt("select id, village_id from stores order by id").all() as { id: number; village_id: number }[];
  // Decoded before the transaction: image work is async and must not run inside one.
  const photos = new Map<string, Photo | null>();
  for (const g of DEMO_GOODS) photos.set(g.file, await photo(g.file));
  // The store module writes through units of work: the seed's statements join this one.
  await unitOfWork(async () => {
    for (const [si, s] of stores.entries()) {
      const keeper = stmt("select user_id from user_roles where village_id = ? and role = 'store_keeper' order by user_id limit 1").get(s.village_id) as
        | { user_id: number }
        | undefined;
      if (keeper) stmt("insert or ignore into store_keepers (store_id, user_id, village_id, created_at) values (?, ?, ?, ?)").run(s.id, keeper.user_id, s.village_id, now());
      for (const [gi, g] of DEMO_GOODS.entries()) {
        const pic = photos.get(g.file) ?? null;
        const at = now();
        const goodId = Number(
          stmt(
            `insert into goods (village_id, store_id, name, category, unit, price, cost_fen, monthly_limit, low_stock, active, photo, photo_type, photo_version, photo_cleaned_at, created_at, updated_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, 5, 1, ?, ?, ?, ?, ?, ?)`,
          ).run(s.village_id, s.id, g.name, g.category, g.unit, g.price, Math.round(g.cost * 100), g.limit, pic?.bytes ?? null, pic?.type ?? null, pic ? 1 : 0, pic ? at : null, at, at).lastInsertRowid,
        );
        // A spread of stock levels so the demo shows 库存不足 and 已兑完 too.
        const qty = gi === 11 + si ? 0 : gi % 6 === 5 ? 3 : 20 + ((gi * 13 + si * 5) % 40);
        if (qty > 0) await moveStock({ villageId: s.village_id, goodId, kind: "restock", delta: qty, source: gi % 3 === 0 ? "上级拨款" : gi % 3 === 1 ? "村集体" : "乡贤捐赠", note: "开业备货", actorUserId: keeper?.user_id ?? null });
      }
    }
  });
  const home = stmt("select m.household_id, m.village_id from users u join members m on m.id = u.member_id where u.phone = '13900000001'").get() as
    | { household_id: number; village_id: number }
    | undefined;
  if (home) await setPin({ userId: null as unknown as number, role: "system", villageId: home.village_id }, home.household_id, home.village_id, DEMO_PIN);
}
