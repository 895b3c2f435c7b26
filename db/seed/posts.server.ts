// The demo's 定岗认责 (issue 18): 桃源村 (the first village) defines the six posts villages name, each
// with its own rule "定岗：<name>"; a few villagers hold them since three months ago (13900000001
// among them, so the villager page shows a record), and last month's duty is confirmed by the grid's
// 网格员 (the inspector): done for most, which files a claim now waiting for review, not done for one.
// Everything goes through posts.server.ts, as the pages do. Deterministic: both engines seed the same.
import { chinaMonth, now } from "../../app/platform/clock.server";
import { constant, db, unitOfWork } from "../../app/platform/database.server";
import { previousMonth } from "../../app/posts/labels";
import { appoint, confirmMonth, createPost } from "../../app/posts/posts.server";
import { firstStaff } from "./staff.server";

const POSTS = [
  { name: "民情信息员", duties: "走访联系的农户，收集群众诉求，每月向网格员上报一次。", allowance: 20, seats: 7 },
  { name: "纠纷调解员", duties: "邻里有矛盾时先行劝解，调解不了的及时报告村委。", allowance: 20, seats: 3 },
  { name: "治安协管员", duties: "协助夜间巡逻，发现安全隐患及时报告。", allowance: 15, seats: 5 },
  { name: "文明倡导员", duties: "宣传移风易俗，带头做好门前三包和垃圾分类。", allowance: 10, seats: 7 },
  { name: "志愿服务员", duties: "每月参加一次志愿服务，帮扶孤寡老人。", allowance: 10, seats: 10 },
  { name: "带富先锋员", duties: "带动农户发展产业，每月至少帮带一户。", allowance: 20, seats: 3 },
];

export async function seedDemoPosts(): Promise<void> {
  const village = await db().selectFrom("villages").select("id").orderBy("id").executeTakeFirst();
  if (!village) return;
  const v = village.id;
  const committee = await firstStaff(v, "committee");
  const inspector = await firstStaff(v, "inspector");
  if (committee === null || inspector === null) return;
  const actor = { userId: committee, role: "committee", villageId: v };
  const postIds: number[] = [];
  for (const p of POSTS) {
    const out = await createPost(actor, v, p);
    if (!out.ok) throw new Error(`演示岗位 ${p.name}：${JSON.stringify(out.errors)}`);
    postIds.push(out.postId);
  }
  // Holders: the demo villager, then other villagers with a login, not of a staff member's household.
  const staffHouseholds = db()
    .selectFrom("user_roles as r")
    .innerJoin("users as su", "su.id", "r.user_id")
    .innerJoin("members as sm", "sm.id", "su.member_id")
    .select("sm.household_id")
    .where("r.village_id", "=", v)
    .where("r.role", "in", ["inspector", "committee", "store_keeper", "village_admin"]);
  const people = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
    .select(["m.id", "u.phone"])
    .where("m.village_id", "=", v)
    .where((eb) => eb.or([eb("u.phone", "=", "13900000001"), eb("m.household_id", "not in", staffHouseholds)]))
    .orderBy((eb) => eb.case().when("u.phone", "=", "13900000001").then(0).else(1).end())
    .orderBy("u.phone")
    .limit(5)
    .execute();
  const current = chinaMonth(now());
  const last = previousMonth(current);
  const start = previousMonth(previousMonth(last));
  for (const [i, person] of people.entries()) {
    // The demo villager is 文明倡导员; the others take the posts in order.
    const postId = i === 0 ? postIds[3] : postIds[(i - 1) % postIds.length];
    const made = await appoint(actor, v, postId, person.id);
    if (!made.ok) throw new Error(`演示任命：${JSON.stringify(made.errors)}`);
    await unitOfWork(async (tx) => void (await tx.updateTable("post_holdings").set({ start_month: start }).where("id", "=", made.holdingId).execute()));
    const by = { userId: inspector, role: "inspector" as const };
    const done = i !== 2;
    const out = await confirmMonth(by, v, made.holdingId, last, done, done ? "" : "当月外出务工，未走访");
    if (!out.ok) throw new Error(`演示确认：${JSON.stringify(out.errors)}`);
  }
}
