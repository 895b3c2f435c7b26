// What is under way in 卫生评比, for the work tiles. Read-only.
import { constant, db } from "~/platform/database.server";

/** Rounds of the village open for scoring (started by the committee, not yet published). */
export async function openRoundCount(villageId: number): Promise<number> {
  const row = await db()
    .selectFrom("sanitation_rounds")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("village_id", "=", villageId)
    .where("status", "=", constant("open"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
