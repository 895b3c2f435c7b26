// Every staff write is recorded: who, under which role, in which village, what, before and after.
import { now } from "~/platform/clock.server";
import { atomically, db } from "~/platform/database.server";

export interface AuditInput {
  actorUserId: number | null;
  actorRole: string;
  villageId: number | null;
  action: string;
  targetType: string;
  targetId?: string | number | null;
  before?: unknown;
  after?: unknown;
}

/** Call inside the same unit of work as the write it records. */
export async function audit(a: AuditInput): Promise<void> {
  await atomically((tx) =>
    tx
      .insertInto("audit_log")
      .values({
        at: now(), actor_user_id: a.actorUserId, actor_role: a.actorRole, village_id: a.villageId, action: a.action, target_type: a.targetType,
        target_id: a.targetId == null ? null : String(a.targetId),
        before_json: a.before === undefined ? null : JSON.stringify(a.before),
        after_json: a.after === undefined ? null : JSON.stringify(a.after),
      })
      .execute(),
  );
}

export type AuditRow = Awaited<ReturnType<typeof listAudit>>[number];

/** A page of the log, newest first: one village's, or the whole township's (villageId null). */
export function listAudit(villageId: number | null, page: number, pageSize = 50) {
  let q = db()
    .selectFrom("audit_log as a")
    .leftJoin("users as u", "u.id", "a.actor_user_id")
    .select(["a.id", "a.at", "u.display_name as actor_name", "a.actor_role", "a.action", "a.target_type", "a.target_id", "a.before_json", "a.after_json"]);
  if (villageId !== null) q = q.where("a.village_id", "=", villageId);
  return q.orderBy("a.id", "desc").limit(pageSize).offset((page - 1) * pageSize).execute();
}
