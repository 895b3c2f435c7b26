// What waits at the counter, for the keeper's 扫码核销 tile. Read-only.
import { now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { storesOfKeeper } from "./access.server";

/**
 * Codes villagers have made and could show at this keeper's stores now: pending and not yet expired
 * (an expired code stops counting at expires_at, whether or not the scheduler has marked it). Runs on
 * the partial index orders_pending_store, like the stock holds.
 */
export async function liveCodeCount(userId: number, villageId: number, at = now()): Promise<number> {
  const stores = (await storesOfKeeper(userId, villageId, "store_keeper")).map((s) => s.id);
  if (stores.length === 0) return 0;
  const row = await db()
    .selectFrom("orders")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("store_id", "in", stores)
    .where("status", "=", constant("pending"))
    .where("expires_at", ">", at)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
