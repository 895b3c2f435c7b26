// Closing an activity: every member who attended gets one claim (hours → points by the rule), filed in
// one batch together with the activity's change to "closed", in one unit of work. The claims then go
// through review and 公示 like any other claim; nothing here moves points.
import { fail, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { ClaimError, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { activityIn } from "./activities.server";
import { defaultHours } from "./checkin.server";
import type { Role } from "~/platform/roles";

export async function closeActivity(closer: { userId: number; role: Role }, villageId: number, activityId: number): Promise<Outcome<{ claims: number }>> {
  try {
    return await unitOfWork(async (tx): Promise<Outcome<{ claims: number }>> => {
      const a = await activityIn(villageId, activityId);
      if (a.status === "cancelled") return fail("_form", "活动已取消，不能结束");
      if (a.status === "closed") return fail("_form", "活动已经结束了，积分申报已提交过");
      if (now() < a.starts_at) return fail("_form", "活动还没开始，不能结束");
      const rows = await tx.selectFrom("activity_attendance").select(["id", "member_id", "hours"]).where("activity_id", "=", activityId).orderBy("id").execute();
      const day = formatTime(a.starts_at).slice(0, 10);
      const items = rows.map((r) => {
        const hours = r.hours ?? defaultHours(a);
        const quantity = a.rule_unit === "hour" ? hours : 1;
        const note = `志愿活动：${a.title}（${day}${a.rule_unit === "hour" ? `，${hours} 小时` : ""}）`;
        return { memberId: r.member_id, ruleId: a.rule_id, occurredAt: a.starts_at, quantity, note };
      });
      const ids = items.length
        ? await fileClaimBatch({ villageId, filer: closer, source: { kind: "activity", id: activityId }, items })
        : [];
      if (rows.length) {
        // Each attendance row gets its claim in one statement (kysely writes a number in THEN as a
        // literal, so PostgreSQL types the CASE as an integer, not as text).
        await tx
          .updateTable("activity_attendance")
          .set((eb) => {
            let claim = eb.case("id").when(rows[0].id).then(ids[0]);
            for (let i = 1; i < rows.length; i++) claim = claim.when(rows[i].id).then(ids[i]);
            return { claim_id: claim.end() };
          })
          .where("activity_id", "=", activityId)
          .where("id", "in", rows.map((r) => r.id))
          .execute();
      }
      await tx.updateTable("activities").set({ status: "closed", closed_at: now(), closed_by: closer.userId, updated_at: now() }).where("id", "=", activityId).execute();
      await audit({
        actorUserId: closer.userId, actorRole: closer.role, villageId, action: "activity.close", targetType: "activity", targetId: activityId,
        before: { status: "open" }, after: { status: "closed", claims: ids },
      });
      return { ok: true, claims: ids.length };
    });
  } catch (e) {
    // A cap reached, a rule retired meanwhile: nothing was written; the organiser can fix attendance and retry.
    if (e instanceof ClaimError) return fail("_form", `不能结束活动：${e.message}`, e.status === 404 ? 400 : e.status);
    throw e;
  }
}

/** How many claims closing the activity filed (for the closed activity's page). */
export async function claimsOfActivity(activityId: number): Promise<number> {
  const row = await db()
    .selectFrom("activity_attendance")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("activity_id", "=", activityId)
    .where("claim_id", "is not", null)
    .executeTakeFirstOrThrow();
  return row.n;
}
