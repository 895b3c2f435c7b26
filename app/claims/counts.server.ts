// What waits for the committee, for the work tiles (审核申报 12). Read-only and one indexed count.
import { constant, db } from "~/platform/database.server";

/** Claims of the village waiting for review: the same set the review queue lists (claims_village_status). */
export async function waitingCount(villageId: number): Promise<number> {
  const row = await db()
    .selectFrom("claims")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("village_id", "=", villageId)
    .where("status", "=", constant("pending"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
