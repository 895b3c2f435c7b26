// Demo volunteer activities for each demo village: a few coming up (one under way today, for trying
// the check-in QR), one cancelled that the demo villager had signed up for, and one finished whose
// attendance was turned into claims waiting for review.
import { firstStaff } from "./staff.server";
import { clockControl } from "../../app/platform/clock.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { closeActivity } from "../../app/activities/close.server";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** The rules activities pay by: the village's own volunteer rule of that name or unit when it has one, else two demo ones. */
async function volunteerRule(villageId: number, unit: "time" | "hour", at: number, preferred = ""): Promise<number> {
  const found = await db()
    .selectFrom("rules")
    .select("id")
    .where("village_id", "=", villageId)
    .where("category", "=", "volunteer")
    .where("unit", "=", unit)
    .where("active", "=", 1)
    .where("points", ">", 0)
    .orderBy((eb) => eb.case().when("name", "=", preferred).then(0).else(1).end())
    .orderBy("id")
    .limit(1)
    .executeTakeFirst();
  if (found) return found.id;
  const [name, points] = unit === "time" ? ["志愿活动签到（每次）", 5] as const : ["志愿活动服务时长（每小时）", 2] as const;
  const { id } = await db()
    .insertInto("rules")
    .values({
      village_id: villageId, category: "volunteer", name, points, unit, evidence_required: 0, active: 1, created_at: at, updated_at: at,
      cap_member_day: unit === "time" ? 20 : 24,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/** Adults with a relation that means grown-up, household by household in a fixed order. */
function adults(villageId: number) {
  return db()
    .selectFrom("members")
    .select(["id", "household_id"])
    .where("village_id", "=", villageId)
    .where("active", "=", 1)
    .where("relation", "in", ["户主", "配偶", "儿媳"])
    .orderBy("household_id")
    .orderBy("id")
    .execute();
}

/** China-time day offset from today at hh:mm. */
function dayAt(today: number, days: number, hour: number, minute = 0): number {
  const midnight = Math.floor((today + CHINA) / DAY) * DAY - CHINA;
  return midnight + days * DAY + hour * HOUR + minute * MINUTE;
}

interface Plan {
  title: string;
  /** The catalogue rule this kind of work is paid by, when the village has it. */
  rule?: string;
  description: string;
  place: string;
  starts: number;
  hours: number;
  capacity: number;
  unit: "time" | "hour";
  organiser: "committee" | "inspector";
  signups: number;
}

export async function seedDemoActivities(today: number): Promise<void> {
  const villages = await db().selectFrom("villages").select("id").orderBy("id").execute();
  for (const { id: villageId } of villages) {
    const committee = await firstStaff(villageId, "committee");
    const inspector = await firstStaff(villageId, "inspector");
    if (committee === null || inspector === null) throw new Error(`演示村 ${villageId} 缺少村委委员或检查员`);
    const people = await adults(villageId);
    const demoHome = await db()
      .selectFrom("users as u")
      .innerJoin("members as m", "m.id", "u.member_id")
      .innerJoin("user_roles as r", (j) => j.onRef("r.user_id", "=", "u.id").on("r.role", "=", "villager").on("r.village_id", "=", villageId))
      .select(["m.id", "m.household_id"])
      .where("u.phone", "in", ["13900000001", "13900000011"])
      .orderBy("m.id")
      .limit(1)
      .executeTakeFirst();
    // The demo villager's household: a member other than the login itself signs up (a parent without a phone).
    const homeOther = demoHome
      ? await db()
        .selectFrom("members")
        .select("id")
        .where("household_id", "=", demoHome.household_id)
        .where("id", "<>", demoHome.id)
        .where("active", "=", 1)
        .orderBy("id")
        .limit(1)
        .executeTakeFirst()
      : undefined;

    const plans: Plan[] = [
      { title: "垃圾分类宣传", description: "在村委会门口摆台，向村民讲解垃圾分类，发放宣传单。", place: "村委会广场", starts: Math.floor((today - HOUR) / (30 * MINUTE)) * 30 * MINUTE, hours: 3, capacity: 12, unit: "hour", organiser: "committee", signups: 9 },
      { title: "清扫村道", rule: "清扫村道", description: "清扫主干道和小组道路的落叶、垃圾，自带扫帚。", place: "村委会门口集合", starts: dayAt(today, 2, 8, 30), hours: 2.5, capacity: 20, unit: "time", organiser: "committee", signups: 11 },
      { title: "看望孤寡老人", rule: "帮扶孤寡老人", description: "分组走访独居老人，帮忙打扫卫生、陪同聊天。", place: "村卫生室集合", starts: dayAt(today, 5, 14), hours: 3, capacity: 8, unit: "time", organiser: "inspector", signups: 7 },
      { title: "河道保洁", description: "清理村边河道漂浮物和岸边垃圾，按服务时长计分。", place: "南河桥头", starts: dayAt(today, 9, 7, 30), hours: 4, capacity: 15, unit: "hour", organiser: "committee", signups: 4 },
    ];
    let cursor = 0;
    const take = (n: number) => {
      const out = people.slice(cursor, cursor + n).map((p) => p.id);
      cursor += n;
      return out;
    };

    const held = await unitOfWork(async (tx) => {
      clockControl.set(today);
      for (const p of plans) {
        const rule = await volunteerRule(villageId, p.unit, today, p.rule);
        const id = await insertActivity(villageId, p, rule, p.organiser === "committee" ? committee : inspector, committee, today - 7 * DAY);
        const members = take(p.signups);
        if (p.title === "清扫村道" && homeOther && !members.includes(homeOther.id)) members.push(homeOther.id);
        await signUp(villageId, id, members, committee, today - 3 * DAY);
        // Under way: a few have scanned the QR already (never the demo villager, who can try it).
        if (p.starts < today) await attend(villageId, id, members.slice(0, 3).map((m) => ({ m, method: "scan", by: committee, at: today - 30 * MINUTE })));
      }

      // Cancelled for the weather: the demo household had signed up and sees it cancelled.
      const cancelled = await insertActivity(
        villageId,
        { title: "植树护绿", description: "在村东坡地补种树苗。", place: "村东坡地", starts: dayAt(today, 3, 8), hours: 3, capacity: 20, unit: "time", organiser: "committee", signups: 0 },
        await volunteerRule(villageId, "time", today, "义务植树"), committee, committee, today - 6 * DAY,
      );
      const cancelledMembers = [...new Set([...take(5), ...(homeOther ? [homeOther.id] : [])])];
      await signUp(villageId, cancelled, cancelledMembers, committee, today - 4 * DAY);
      await tx
        .updateTable("activities")
        .set({ status: "cancelled", cancel_reason: "气象台发布大风预警，改期另行通知", updated_at: today - DAY })
        .where("id", "=", cancelled)
        .execute();

      // Finished ten days ago, organised by the inspector, who closed it into claims: the demo's
      // committee member did not file them, so can review them (maker-checker).
      const heldAt = dayAt(today, -10, 8, 30);
      const finished = await insertActivity(
        villageId,
        { title: "扫雪除冰", description: "清扫村道和学校门口的积雪。", place: "村小学门口", starts: heldAt, hours: 3, capacity: 15, unit: "hour", organiser: "inspector", signups: 0 },
        await volunteerRule(villageId, "hour", today), inspector, committee, heldAt - 5 * DAY,
      );
      const came = take(8);
      await signUp(villageId, finished, came, committee, heldAt - 2 * DAY);
      await attend(villageId, finished, came.slice(0, 7).map((m, i) => ({
        m, method: i < 5 ? "scan" : "manual", by: inspector, at: heldAt + 10 * MINUTE + i * MINUTE, hours: i === 0 ? 2 : null,
      })));
      return { id: finished, heldAt };
    });
    // Closing is a unit of work of its own, after the one above has committed.
    clockControl.set(held.heldAt + 4 * HOUR);
    const closed = await closeActivity({ userId: inspector, role: "inspector" }, villageId, held.id);
    // A village catalogue with tight caps may refuse the batch: the activity then stays open to close by hand.
    if (!closed.ok) console.warn(`演示活动未能结束：${closed.errors._form}`);
    clockControl.set(today);
  }
}

async function insertActivity(villageId: number, p: Plan, ruleId: number, organiser: number, createdBy: number, createdAt: number): Promise<number> {
  const { id } = await db()
    .insertInto("activities")
    .values({
      village_id: villageId, title: p.title, description: p.description, place: p.place, starts_at: p.starts, ends_at: p.starts + p.hours * HOUR,
      signup_deadline: p.starts - 12 * HOUR, capacity: p.capacity, organiser_user_id: organiser, rule_id: ruleId, created_by: createdBy,
      created_at: createdAt, updated_at: createdAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return id;
}

/** The members signed up, in one statement (ids follow the list's order). */
async function signUp(villageId: number, activityId: number, memberIds: number[], by: number, at: number): Promise<void> {
  if (!memberIds.length) return;
  await db()
    .insertInto("activity_signups")
    .values(memberIds.map((m) => ({ village_id: villageId, activity_id: activityId, member_id: m, status: "active" as const, signed_up_by: by, created_at: at, updated_at: at })))
    .execute();
}

interface Attendance {
  m: number;
  method: "scan" | "manual";
  by: number;
  at: number;
  hours?: number | null;
}

/** Attendance records in one statement (ids follow the list's order: closing files claims by id). */
async function attend(villageId: number, activityId: number, rows: Attendance[]): Promise<void> {
  if (!rows.length) return;
  await db()
    .insertInto("activity_attendance")
    .values(rows.map((r) => ({ village_id: villageId, activity_id: activityId, member_id: r.m, method: r.method, hours: r.hours ?? null, recorded_by: r.by, created_at: r.at })))
    .execute();
}
