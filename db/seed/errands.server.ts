// The demo's 代跑 (issue 18): each village's rule 红色代跑 chosen as its errand rule, and a few errands
// in various states, all for households without a phone login: one nobody has taken for two days
// (the grid worker's list shows it), one posted today, one taken by the demo villager (13900000001 in
// 桃源村), and one done whose claim waits for review. Rows are written directly (the poster is the
// household's 联户长 when it has one, otherwise the village's inspector); the done one's claim is
// filed through fileClaimBatch, as a confirm files it.
import { fileClaimBatch } from "../../app/claims/claims.server";
import { now } from "../../app/platform/clock.server";
import { constant, db, unitOfWork } from "../../app/platform/database.server";
import { insertRule } from "../../app/rules/rules.server";
import type { ErrandStatus } from "../schema";
import { firstStaff } from "./staff.server";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const NEEDS: { what: string; place: string; status: ErrandStatus; ageHours: number; dueDays: number }[] = [
  { what: "去镇上卫生院帮忙拿降压药", place: "青山镇卫生院", status: "open", ageHours: 50, dueDays: 1 },
  { what: "买两袋复合肥送到家", place: "镇农资店", status: "open", ageHours: 2, dueDays: 3 },
  { what: "陪老人去村卫生室量血压", place: "村卫生室", status: "taken", ageHours: 20, dueDays: 2 },
  { what: "代交这个月的电费", place: "村便民服务点", status: "done", ageHours: 72, dueDays: -1 },
];

export async function seedDemoErrands(): Promise<void> {
  const villages = await db().selectFrom("villages").select(["id"]).orderBy("id").execute();
  for (const v of villages) {
    const ruleId = await insertRule(v.id, { category: "volunteer", name: "红色代跑", points: 3, unit: "time", evidenceRequired: false, caps: { member_month: 30 } });
    await unitOfWork(async (tx) => void (await tx.updateTable("villages").set({ errand_rule_id: ruleId }).where("id", "=", v.id).execute()));
    const inspector = await firstStaff(v.id, "inspector");
    if (inspector === null) continue;
    // Households without any login, in number order: who a 联户长 or grid worker posts for.
    const helped = await db()
      .selectFrom("households as h")
      .leftJoin("household_groups as g", "g.id", "h.group_id")
      .select(["h.id", "g.leader_user_id"])
      .where("h.village_id", "=", v.id)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("members as m").innerJoin("users as u", "u.member_id", "m.id").select("u.id").whereRef("m.household_id", "=", "h.id"))))
      .orderBy("h.number")
      .limit(NEEDS.length)
      .execute();
    // Volunteers: the demo villager first (…01 / …11), then other villagers with a login, in phone order.
    const volunteers = await db()
      .selectFrom("users as u")
      .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
      .select(["u.id", "u.member_id", "m.household_id"])
      .where("m.village_id", "=", v.id)
      .where("u.phone", "like", "139%")
      .orderBy("u.phone")
      .limit(2)
      .execute();
    const at = now();
    for (const [i, need] of NEEDS.entries()) {
      const h = helped[i];
      const vol = need.status === "taken" ? volunteers[0] : volunteers[1] ?? volunteers[0];
      if (!h || !vol) continue;
      const poster = h.leader_user_id ?? inspector;
      const created = at - need.ageHours * HOUR;
      const taken = need.status === "taken" || need.status === "done";
      await unitOfWork(async (tx) => {
        const { id } = await tx
          .insertInto("errands")
          .values({
            village_id: v.id, household_id: h.id, what: need.what, place: need.place, due_at: created + need.dueDays * DAY + DAY, status: need.status,
            poster_user_id: poster, poster_kind: h.leader_user_id ? "group_leader" : "grid_worker",
            volunteer_user_id: taken ? vol.id : null, volunteer_member_id: taken ? vol.member_id : null, volunteer_household_id: taken ? vol.household_id : null,
            taken_at: taken ? created + 3 * HOUR : null, confirmed_by_user_id: need.status === "done" ? poster : null,
            confirmed_at: need.status === "done" ? created + 30 * HOUR : null, overdue_noted_at: need.ageHours >= 24 && need.status === "open" ? at : null,
            created_at: created, updated_at: created,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        if (need.status === "done") {
          const [claimId] = await fileClaimBatch({
            villageId: v.id, filer: { userId: poster, role: h.leader_user_id ? "group_leader" : "inspector" }, source: { kind: "errand", id },
            items: [{ memberId: vol.member_id!, ruleId, occurredAt: created + 30 * HOUR, quantity: 1, note: `代跑：${need.what}` }],
          });
          await tx.updateTable("errands").set({ claim_id: claimId }).where("id", "=", id).execute();
        }
      });
    }
  }
}
