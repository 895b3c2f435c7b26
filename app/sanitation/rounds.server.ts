// Sanitation rounds (卫生评比) as the committee runs them: create with a checklist, a date range and
// inspectors per grid; open; read the round's table; send a household back for re-inspection.
// Scoring lives in sanitation/inspections.server.ts, publishing in sanitation-publish.server.ts.
import { z } from "zod";
import type { InspectionStatus, RoundStatus } from "../../db/schema";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { householdOfUser } from "~/claims/claims.server";
import { checklistIn, listChecklists } from "./checklists.server";
import { SANITATION_MAX, type ChecklistSpec } from "./labels";
import { normalizeDigits, textSchema } from "~/platform/validation.server";

const DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3600_000;
const BAD_REQUEST = "请求有误，请刷新页面后再试";

export interface RoundRow {
  id: number;
  village_id: number;
  title: string;
  checklist_id: number;
  checklist: ChecklistSpec;
  starts_at: number;
  ends_at: number;
  status: RoundStatus;
  created_at: number;
  opened_at: number | null;
  published_at: number | null;
  published_by: number | null;
  redblack_json: string | null;
}

type StoredRound = Omit<RoundRow, "checklist"> & { checklist_json: string };

const parseRound = (r: StoredRound): RoundRow => {
  const { checklist_json, ...rest } = r;
  return { ...rest, checklist: JSON.parse(checklist_json) as ChecklistSpec };
};

/** A round of this village, or a 404 (never a hint that it exists elsewhere). */
export function roundIn(villageId: number, roundId: number): RoundRow {
  const r = stmt("select * from sanitation_rounds where id = ? and village_id = ?").get(roundId, villageId) as StoredRound | undefined;
  if (!r) notFound();
  return parseRound(r);
}

export function roundById(roundId: number): RoundRow | null {
  const r = stmt("select * from sanitation_rounds where id = ?").get(roundId) as StoredRound | undefined;
  return r ? parseRound(r) : null;
}

export interface RoundListRow {
  id: number;
  title: string;
  status: RoundStatus;
  starts_at: number;
  ends_at: number;
  households: number;
  done: number;
}

/** The village's rounds, newest first, with how many households are done; an inspector sees only theirs. */
export function listRounds(villageId: number, inspectorUserId: number | null = null): RoundListRow[] {
  return stmt(
    `select r.id, r.title, r.status, r.starts_at, r.ends_at,
       (select count(*) from households h where h.village_id = r.village_id
          and h.grid_id in (select grid_id from round_inspectors ri where ri.round_id = r.id)) as households,
       (select count(*) from inspections i where i.round_id = r.id and i.status <> 'returned') as done
     from sanitation_rounds r where r.village_id = ?
       and (? is null or exists (select 1 from round_inspectors ri where ri.round_id = r.id and ri.user_id = ?))
     order by r.starts_at desc, r.id desc`,
  ).all(villageId, inspectorUserId, inspectorUserId) as RoundListRow[];
}

// ---- creating and assigning ------------------------------------------------------------------

function chinaDateSchema(label: string) {
  return z
    .string({ error: `请选择${label}` })
    .transform(normalizeDigits)
    .pipe(
      z
        .string()
        .min(1, `请选择${label}`)
        .regex(/^\d{4}-\d{2}-\d{2}$/, `${label}格式不对，请用日期选择器选择`)
        .transform((s, ctx) => {
          const [y, m, d] = s.split("-").map(Number);
          const ms = Date.UTC(y, m - 1, d);
          const back = new Date(ms);
          if (y < 2000 || y > 2100 || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) {
            ctx.addIssue({ code: "custom", message: `${label}不是有效的日期` });
            return z.NEVER;
          }
          return ms - CHINA_OFFSET_MS;
        }),
    );
}

export const roundFieldsSchema = z
  .object({
    title: textSchema("评比名称", SANITATION_MAX.roundTitle),
    checklistId: z.string({ error: "请选择检查表" }).regex(/^\d{1,12}$/, "请选择检查表").transform(Number),
    startsOn: chinaDateSchema("开始日期"),
    endsOn: chinaDateSchema("结束日期"),
  })
  .superRefine((f, ctx) => {
    if (f.endsOn < f.startsOn) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "结束日期不能早于开始日期" });
    else if (f.endsOn - f.startsOn > 61 * DAY) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "一轮评比最长两个月" });
  });

/** "gridId-userId" pairs from the assignment checkboxes; anything else is a malformed request. */
function parseAssignments(values: string[]): { gridId: number; userId: number }[] | null {
  const out: { gridId: number; userId: number }[] = [];
  for (const v of values) {
    const m = /^(\d{1,12})-(\d{1,12})$/.exec(v);
    if (!m) return null;
    out.push({ gridId: Number(m[1]), userId: Number(m[2]) });
  }
  return out;
}

export interface InspectorChoice {
  id: number;
  name: string;
}

/** The village's inspectors (active logins holding the role there). */
export function inspectorChoices(villageId: number): InspectorChoice[] {
  return stmt(
    `select distinct u.id, u.display_name as name from users u join user_roles r on r.user_id = u.id
     where r.village_id = ? and r.role = 'inspector' and u.disabled = 0 order by u.display_name, u.id`,
  ).all(villageId) as InspectorChoice[];
}

export function gridChoices(villageId: number): { id: number; name: string; households: number }[] {
  return stmt(
    "select g.id, g.name, (select count(*) from households h where h.grid_id = g.id) as households from grids g where g.village_id = ? order by g.id",
  ).all(villageId) as { id: number; name: string; households: number }[];
}

function checkAssignments(villageId: number, pairs: { gridId: number; userId: number }[]): string | null {
  if (pairs.length === 0) return "请至少给一个网格勾选检查员";
  const grids = new Set(gridChoices(villageId).map((g) => g.id));
  const inspectors = new Set(inspectorChoices(villageId).map((i) => i.id));
  for (const p of pairs) if (!grids.has(p.gridId) || !inspectors.has(p.userId)) return "请从列表中选择本村的网格和检查员";
  return null;
}

function writeAssignments(villageId: number, roundId: number, pairs: { gridId: number; userId: number }[]): void {
  stmt("delete from round_inspectors where round_id = ?").run(roundId);
  const add = stmt("insert or ignore into round_inspectors (village_id, round_id, grid_id, user_id) values (?, ?, ?, ?)");
  for (const p of pairs) add.run(villageId, roundId, p.gridId, p.userId);
}

export function createRound(actor: StaffActor, villageId: number, raw: Record<string, string>, assign: string[]): Outcome<{ roundId: number }> {
  const parsed = roundFieldsSchema.safeParse(raw);
  const pairs = parseAssignments(assign);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? "_form")] ??= i.message;
    return { ok: false, errors, status: 400 };
  }
  if (!pairs) return fail("assign", BAD_REQUEST);
  const f = parsed.data;
  const checklist = checklistIn(villageId, f.checklistId);
  if (!checklist || !checklist.active) return fail("checklistId", "请从列表中选择本村在用的检查表");
  const bad = checkAssignments(villageId, pairs);
  if (bad) return fail("assign", bad);
  return transact(() => {
    const at = now();
    const spec: ChecklistSpec = { name: checklist.name, items: checklist.items, tiers: checklist.tiers };
    const roundId = Number(
      stmt(
        `insert into sanitation_rounds (village_id, title, checklist_id, checklist_json, starts_at, ends_at, status, created_by, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)`,
      ).run(villageId, f.title, checklist.id, JSON.stringify(spec), f.startsOn, f.endsOn + DAY, actor.userId, at, at).lastInsertRowid,
    );
    writeAssignments(villageId, roundId, pairs);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.create", targetType: "round", targetId: roundId, after: { title: f.title, checklist: checklist.name, assignments: pairs } });
    return { ok: true as const, roundId };
  });
}

export function assignInspectors(actor: StaffActor, villageId: number, roundId: number, assign: string[]): Outcome {
  const pairs = parseAssignments(assign);
  if (!pairs) return fail("assign", BAD_REQUEST);
  const bad = checkAssignments(villageId, pairs);
  if (bad) return fail("assign", bad);
  return transact((): Outcome => {
    const round = roundIn(villageId, roundId);
    if (round.status === "published") return fail("assign", "评比已公布，不能再改分工");
    const before = assignments(roundId);
    writeAssignments(villageId, roundId, pairs);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.assign", targetType: "round", targetId: roundId, before, after: pairs });
    return { ok: true };
  });
}

export function assignments(roundId: number): { gridId: number; userId: number }[] {
  return stmt("select grid_id as gridId, user_id as userId from round_inspectors where round_id = ? order by grid_id, user_id").all(roundId) as { gridId: number; userId: number }[];
}

export function openRound(actor: StaffActor, villageId: number, roundId: number): Outcome {
  return transact((): Outcome => {
    const round = roundIn(villageId, roundId);
    if (round.status !== "draft") return fail("_form", round.status === "open" ? "评比已经开始了" : "评比已公布");
    if (assignments(roundId).length === 0) return fail("_form", "请先给网格分配检查员，再开始评比");
    stmt("update sanitation_rounds set status = 'open', opened_at = ?, opened_by = ?, updated_at = ? where id = ?").run(now(), actor.userId, now(), roundId);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.open", targetType: "round", targetId: roundId });
    return { ok: true };
  });
}

/** Before publishing: a scored (or 未检查) household goes back to the inspectors with a reason, by a committee member not of that household. */
export function sendBack(actor: StaffActor, villageId: number, roundId: number, householdId: number, reason: string): Outcome {
  return transact((): Outcome => {
    const round = roundIn(villageId, roundId);
    if (round.status !== "open") return fail("_form", round.status === "published" ? "评比已公布，请通过复查申请改分" : "评比还没开始");
    const row = stmt("select id, status from inspections where round_id = ? and household_id = ?").get(roundId, householdId) as { id: number; status: InspectionStatus } | undefined;
    if (!row) return fail("_form", "这户还没有评分，不用退回");
    if (row.status === "returned") return fail("_form", "这户已经退回重评了");
    // As for every committee decision (claims/claims.server.ts checkDecider): never on one's own household.
    if (householdOfUser(actor.userId) === householdId) return fail("_form", "不能处理本户的评分，请由另一位村委委员处理");
    stmt("update inspections set status = 'returned', returned_reason = ?, version = version + 1 where id = ?").run(reason, row.id);
    audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "inspection.return", targetType: "inspection", targetId: row.id, before: { status: row.status }, after: { reason } });
    return { ok: true };
  });
}

// ---- the round's table -------------------------------------------------------------------------

export interface TableRow {
  household_id: number;
  number: string;
  head: string | null;
  grid: string | null;
  inspection_id: number | null;
  status: InspectionStatus | null;
  scores_json: string | null;
  total: number | null;
  tier: string | null;
  note: string | null;
  absent_reason: string | null;
  returned_reason: string | null;
  inspector: string | null;
  inspector_user_id: number | null;
  saved_at: number | null;
  claim_id: number | null;
  claim_status: string | null;
  photos: string | null; // comma-separated photo keys (base64url: no commas)
}

/** Every household of the round's grids with its inspection (if any), in grid and number order. */
export function roundTable(roundId: number): TableRow[] {
  return stmt(
    `select h.id as household_id, h.number, (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head,
       g.name as grid, i.id as inspection_id, i.status, i.scores_json, i.total, i.tier, i.note, i.absent_reason, i.returned_reason,
       u.display_name as inspector, i.inspector_user_id, i.saved_at, i.claim_id, c.status as claim_status,
       (select group_concat(p.key) from inspection_photos p where p.inspection_id = i.id) as photos
     from households h join sanitation_rounds r on r.id = ? and r.village_id = h.village_id
     left join grids g on g.id = h.grid_id
     left join inspections i on i.round_id = r.id and i.household_id = h.id
     left join users u on u.id = i.inspector_user_id
     left join claims c on c.id = i.claim_id
     where h.grid_id in (select grid_id from round_inspectors where round_id = r.id)
        or i.id is not null
     order by g.id, h.number`,
  ).all(roundId) as TableRow[];
}

// ---- the committee page's posts ----------------------------------------------------------------

export const roundIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("round.open") }),
    z.object({ intent: z.literal("round.assign") }),
    z.object({ intent: z.literal("round.publish") }),
    z.object({ intent: z.literal("inspection.return"), householdId: formIdSchema, reason: textSchema("退回原因", SANITATION_MAX.returnReason) }),
    z.object({ intent: z.literal("request.accept"), requestId: formIdSchema }),
    z.object({ intent: z.literal("request.decline"), requestId: formIdSchema, note: textSchema("不同意的理由", SANITATION_MAX.declineNote) }),
    z.object({ intent: z.literal("request.apply"), requestId: formIdSchema }),
  ],
  { error: BAD_REQUEST },
);
