// Demo 志愿队伍 ("1 + 5 + N"): the township's own service team with members from every village, and
// two squads per village (environment, care for the elderly), each with a leader; the demo
// activities are put in them, so the team pages and the township's table show hours.
import { db, unitOfWork } from "../../app/platform/database.server";
import { firstStaff } from "./staff.server";

const DAY = 86_400_000;

/** Adults of the village, household by household in a fixed order (the same on both engines). */
function adults(villageId: number) {
  return db()
    .selectFrom("members")
    .select(["id", "village_id"])
    .where("village_id", "=", villageId)
    .where("active", "=", 1)
    .where("relation", "in", ["户主", "配偶"])
    .orderBy("household_id", "desc")
    .orderBy("id")
    .execute();
}

async function team(townshipId: number, villageId: number | null, name: string, description: string, by: number, at: number): Promise<number> {
  const { id } = await db()
    .insertInto("volunteer_teams")
    .values({ township_id: townshipId, village_id: villageId, name, description, created_by: by, created_at: at, updated_at: at })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

async function join(teamId: number, people: { id: number; village_id: number }[], leaders: number, by: number, at: number): Promise<void> {
  if (!people.length) return;
  await db()
    .insertInto("volunteer_team_members")
    .values(people.map((p, i) => ({ team_id: teamId, member_id: p.id, village_id: p.village_id, is_leader: i < leaders ? 1 : 0, added_by: by, created_at: at })))
    .execute();
}

/** After the demo activities: teams, members, and which activity belongs to which team. */
export async function seedDemoTeams(today: number): Promise<void> {
  const at = today - 30 * DAY;
  await unitOfWork(async (tx) => {
    const admin = await tx.selectFrom("user_roles").select("user_id as id").where("role", "=", "township_admin").orderBy("id").limit(1).executeTakeFirstOrThrow();
    const villages = await tx.selectFrom("villages").select(["id", "township_id"]).orderBy("id").execute();
    if (!villages.length) return;
    const township = await team(villages[0].township_id, null, "青山镇志愿服务总队", "全镇志愿服务的骨干：防汛抗旱、大型活动保障，每周为独居老人上门理发。", admin.id, at);
    const townshipPeople: { id: number; village_id: number }[] = [];
    for (const v of villages) {
      const committee = await firstStaff(v.id, "committee");
      if (committee === null) continue;
      const people = await adults(v.id);
      // The demo villager (13900000001 / 13900000011) is in the village's environment squad.
      const demo = await tx
        .selectFrom("users as u")
        .innerJoin("members as m", "m.id", "u.member_id")
        .select(["m.id", "m.village_id"])
        .where("u.phone", "in", ["13900000001", "13900000011"])
        .where("m.village_id", "=", v.id)
        .orderBy("m.id")
        .executeTakeFirst();
      const others = people.filter((p) => p.id !== demo?.id);
      const env = await team(v.township_id, v.id, "环境整治队", "清扫村道、河道保洁、垃圾分类宣传。", committee, at);
      const care = await team(v.township_id, v.id, "孝老服务队", "看望孤寡老人，帮独居老人打扫、买药、理发。", committee, at);
      await join(env, [...others.slice(0, 8), ...(demo ? [demo] : [])], 1, committee, at);
      await join(care, others.slice(8, 14), 1, committee, at);
      townshipPeople.push(...others.slice(14, 17));
      const put = (teamId: number, titles: string[]) =>
        tx.updateTable("activities").set({ team_id: teamId }).where("village_id", "=", v.id).where("title", "in", titles).execute();
      await put(env, ["清扫村道", "河道保洁", "扫雪除冰"]);
      await put(care, ["看望孤寡老人"]);
      await put(township, ["垃圾分类宣传", "植树护绿"]);
    }
    await join(township, townshipPeople, 2, admin.id, at);
  });
}
