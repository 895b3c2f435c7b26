// One of several processes signing up at the same instant (see ../capacity-race.test.ts).
// Env: DATABASE_PATH (or the inherited DATABASE_URL), SIGNER (JSON Villager), ACTIVITIES (JSON number[]), START_AT (epoch ms). Prints a JSON report.
import { signUp } from "~/activities/signups.server";
import { closeDatabase, unitOfWork } from "~/platform/database.server";

const signer = JSON.parse(process.env.SIGNER!) as { userId: number; memberId: number; householdId: number; villageId: number };
const activities = JSON.parse(process.env.ACTIVITIES!) as number[];
const startAt = Number(process.env.START_AT);

await unitOfWork(async () => {}); // open and warm the connection before the start line
const results: { activityId: number; ok: boolean; message: string | null }[] = [];
for (const activityId of activities) {
  // Every process starts each round at the same wall-clock instant.
  const at = startAt + activities.indexOf(activityId) * 200;
  while (Date.now() < at) {
    /* spin: a sleep would blur the start */
  }
  const out = await signUp(signer, activityId, signer.memberId);
  results.push({ activityId, ok: out.ok, message: out.ok ? null : (out.errors._form ?? null) });
}
process.stdout.write(JSON.stringify(results));
// On PostgreSQL the idle pool would keep the process alive for another 10 s.
await closeDatabase();
