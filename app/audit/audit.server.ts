// Every staff write is recorded: who, under which role, in which village, what, before and after.
import { now } from "~/platform/clock.server";
import { db, stmt } from "~/platform/database.server";

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

/** Call inside the same transaction as the write it records. */
export function audit(a: AuditInput): void {
  stmt(
      `insert into audit_log (at, actor_user_id, actor_role, village_id, action, target_type, target_id, before_json, after_json)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      now(), a.actorUserId, a.actorRole, a.villageId, a.action, a.targetType,
      a.targetId == null ? null : String(a.targetId),
      a.before === undefined ? null : JSON.stringify(a.before),
      a.after === undefined ? null : JSON.stringify(a.after),
    );
}

export interface AuditRow {
  id: number;
  at: number;
  actor_name: string | null;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before_json: string | null;
  after_json: string | null;
}

export function listAudit(villageId: number | null, page: number, pageSize = 50): AuditRow[] {
  return stmt(
      `select a.id, a.at, u.display_name as actor_name, a.actor_role, a.action, a.target_type, a.target_id, a.before_json, a.after_json
       from audit_log a left join users u on u.id = a.actor_user_id
       where (? is null or a.village_id = ?) order by a.id desc limit ? offset ?`,
    )
    .all(villageId, villageId, pageSize, (page - 1) * pageSize) as AuditRow[];
}
