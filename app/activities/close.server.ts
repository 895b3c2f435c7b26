// Closing an activity: every member who attended gets one claim (hours → points by the rule), filed in
// one batch together with the activity's change to "closed", in one transaction. The claims then go
// through review and 公示 like any other claim; nothing here moves points.
import { fail, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { ClaimError, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt, unitOfWork } from "~/platform/database.server";
import { formatTime } from "~/platform/format";
import { activityIn } from "./activities.server";
import { defaultHours } from "./checkin.server";
import type { Role } from "~/platform/roles";

export async function closeActivity(closer: { userId: number; role: Role }, villageId: number, activityId: number): Promise<Outcome<{ claims: number }>> {
  try {
    return await unitOfWork(async (): Promise<Outcome<{ claims: number }>> => {
      const a = activityIn(villageId, activityId);
      if (a.status === "cancelled") return fail("_form", "活动已取消，不能结束");
      if (a.status === "closed") return fail("_form", "活动已经结束了，积分申报已提交过");
      if (now() < a.starts_at) return fail("_form", "活动还没开始，不能结束");
      const rows = stmt("select id, member_id, hours from activity_attendance where activity_id = ? order by id").all(activityId) as {
        id: number;
        member_id: number;
        hours: number | null;
      }[];
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
      const link = stmt("update activity_attendance set claim_id = ? where id = ?");
      rows.forEach((r, i) => link.run(ids[i], r.id));
      stmt("update activities set status = 'closed', closed_at = ?, closed_by = ?, updated_at = ? where id = ?").run(now(), closer.userId, now(), activityId);
      audit({
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
export function claimsOfActivity(activityId: number): number {
  return (stmt("select count(*) as n from activity_attendance where activity_id = ? and claim_id is not null").get(activityId) as { n: number }).n;
}
