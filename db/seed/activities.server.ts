// Demo volunteer activities for each demo village: a few coming up (one under way today, for trying
// the check-in QR), one cancelled that the demo villager had signed up for, and one finished whose
// attendance was turned into claims waiting for review.
import { clockControl } from "../../app/platform/clock.server";
import { stmt, unitOfWork } from "../../app/platform/database.server";
import { closeActivity } from "../../app/activities/close.server";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** The rules activities pay by: the village's own volunteer rule of that name or unit when it has one, else two demo ones. */
function volunteerRule(villageId: number, unit: "time" | "hour", at: number, preferred = ""): number {
  const found = stmt(
    `select id from rules where village_id = ? and category = 'volunteer' and unit = ? and active = 1 and points > 0
     order by name <> ?, id limit 1`,
  ).get(villageId, unit, preferred) as { id: number } | undefined;
  if (found) return found.id;
  const [name, points] = unit === "time" ? ["志愿活动签到（每次）", 5] : ["志愿活动服务时长（每小时）", 2];
  return Number(
    stmt(
      `insert into rules (village_id, category, name, points, unit, evidence_required, active, created_at, updated_at, cap_member_day)
       values (?, 'volunteer', ?, ?, ?, 0, 1, ?, ?, ?)`,
    ).run(villageId, name, points, unit, at, at, unit === "time" ? 20 : 24).lastInsertRowid,
  );
}

function staff(villageId: number, role: string): number {
  return (stmt("select r.user_id from user_roles r join users u on u.id = r.user_id where r.village_id = ? and r.role = ? order by u.phone limit 1").get(villageId, role) as { user_id: number }).user_id;
}

/** Adults with a relation that means grown-up, household by household in a fixed order. */
function adults(villageId: number): { id: number; household_id: number }[] {
  return stmt(
    `select id, household_id from members where village_id = ? and active = 1 and relation in ('户主', '配偶', '儿媳')
     order by household_id, id`,
  ).all(villageId) as { id: number; household_id: number }[];
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
  const villages = stmt("select id from villages order by id").all() as { id: number }[];
  for (const { id: villageId } of villages) {
    const committee = staff(villageId, "committee");
    const inspector = staff(villageId, "inspector");
    const people = adults(villageId);
    const demoHome = (stmt(
      `select m.id, m.household_id from users u join members m on m.id = u.member_id
       join user_roles r on r.user_id = u.id and r.role = 'villager' and r.village_id = ?
       where u.phone in ('13900000001', '13900000011')`,
    ).get(villageId) as { id: number; household_id: number } | undefined) ?? null;
    // The demo villager's household: a member other than the login itself signs up (a parent without a phone).
    const homeOther = demoHome
      ? (stmt("select id from members where household_id = ? and id <> ? and active = 1 order by id limit 1").get(demoHome.household_id, demoHome.id) as { id: number } | undefined)
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

    const held = transact(() => {
      clockControl.set(today);
      for (const p of plans) {
        const id = insertActivity(villageId, p, volunteerRule(villageId, p.unit, today, p.rule), p.organiser === "committee" ? committee : inspector, committee, today - 7 * DAY);
        const members = take(p.signups);
        if (p.title === "清扫村道" && homeOther && !members.includes(homeOther.id)) members.push(homeOther.id);
        for (const m of members) signUp(villageId, id, m, committee, today - 3 * DAY);
        // Under way: a few have scanned the QR already (never the demo villager, who can try it).
        if (p.starts < today) for (const m of members.slice(0, 3)) attend(villageId, id, m, "scan", committee, today - 30 * MINUTE);
      }

      // Cancelled for the weather: the demo household had signed up and sees it cancelled.
      const cancelled = insertActivity(
        villageId,
        { title: "植树护绿", description: "在村东坡地补种树苗。", place: "村东坡地", starts: dayAt(today, 3, 8), hours: 3, capacity: 20, unit: "time", organiser: "committee", signups: 0 },
        volunteerRule(villageId, "time", today, "义务植树"), committee, committee, today - 6 * DAY,
      );
      const cancelledMembers = [...new Set([...take(5), ...(homeOther ? [homeOther.id] : [])])];
      for (const m of cancelledMembers) signUp(villageId, cancelled, m, committee, today - 4 * DAY);
      stmt("update activities set status = 'cancelled', cancel_reason = ?, updated_at = ? where id = ?").run("气象台发布大风预警，改期另行通知", today - DAY, cancelled);

      // Finished ten days ago, organised by the inspector, who closed it into claims: the demo's
      // committee member did not file them, so can review them (maker-checker).
      const heldAt = dayAt(today, -10, 8, 30);
      const finished = insertActivity(
        villageId,
        { title: "扫雪除冰", description: "清扫村道和学校门口的积雪。", place: "村小学门口", starts: heldAt, hours: 3, capacity: 15, unit: "hour", organiser: "inspector", signups: 0 },
        volunteerRule(villageId, "hour", today), inspector, committee, heldAt - 5 * DAY,
      );
      const came = take(8);
      for (const m of came) signUp(villageId, finished, m, committee, heldAt - 2 * DAY);
      came.slice(0, 7).forEach((m, i) => attend(villageId, finished, m, i < 5 ? "scan" : "manual", inspector, heldAt + 10 * MINUTE + i * MINUTE, i === 0 ? 2 : null));
      return { id: finished, heldAt };
    });
    // Closing is a unit of work of its own, after the synchronous transaction above has committed.
    clockControl.set(held.heldAt + 4 * HOUR);
    const closed = await closeActivity({ userId: inspector, role: "inspector" }, villageId, held.id);
    // A village catalogue with tight caps may refuse the batch: the activity then stays open to close by hand.
    if (!closed.ok) console.warn(`演示活动未能结束：${closed.errors._form}`);
    clockControl.set(today);
  }
}

function insertActivity(villageId: number, p: Plan, ruleId: number, organiser: number, createdBy: number, createdAt: number): number {
  return Number(
    stmt(
      `insert into activities (village_id, title, description, place, starts_at, ends_at, signup_deadline, capacity,
         organiser_user_id, rule_id, created_by, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(villageId, p.title, p.description, p.place, p.starts, p.starts + p.hours * HOUR, p.starts - 12 * HOUR, p.capacity, organiser, ruleId, createdBy, createdAt, createdAt)
      .lastInsertRowid,
  );
}

function signUp(villageId: number, activityId: number, memberId: number, by: number, at: number): void {
  stmt(
    `insert into activity_signups (village_id, activity_id, member_id, status, signed_up_by, created_at, updated_at)
     values (?, ?, ?, 'active', ?, ?, ?)`,
  ).run(villageId, activityId, memberId, by, at, at);
}

function attend(villageId: number, activityId: number, memberId: number, method: "scan" | "manual", by: number, at: number, hours: number | null = null): void {
  stmt(
    `insert into activity_attendance (village_id, activity_id, member_id, method, hours, recorded_by, created_at)
     values (?, ?, ?, ?, ?, ?, ?)`,
  ).run(villageId, activityId, memberId, method, hours, by, at);
}
