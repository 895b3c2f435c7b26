// Scoring door to door: an inspector assigned to a round's grids scores one household at a time.
// One row per (round, household), upserted: a repeated save carries the same values and gives the
// same row. A save made from a stale page (`version` the inspector saw) over another inspector's
// newer save is refused, so two inspectors racing leave one result; so is any stale save over a
// household the committee sent back. Nothing here files claims:
// publishing does (sanitation/publish.server.ts).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { InspectionStatus } from "../../db/schema";
import { notFound } from "~/platform/access.server";
import { audit } from "~/audit/audit.server";
import { checkPhotos, newPhotoKey, photoFolder, removePhotos, storePhotos, uploadedFiles } from "~/claims/photos.server";
import { householdOfUser, type StoredPhoto } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";
import { roundIn, type RoundRow } from "./rounds.server";
import { lastDayLabel, SANITATION_MAX, tierOf, type ChecklistSpec } from "./labels";
import { fieldErrors, normalizeDigits, textSchema } from "~/platform/validation.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export interface InspectionRow {
  id: number;
  village_id: number;
  round_id: number;
  household_id: number;
  status: InspectionStatus;
  scores_json: string | null;
  total: number | null;
  tier: string | null;
  note: string;
  absent_reason: string | null;
  returned_reason: string | null;
  inspector_user_id: number;
  version: number;
  saved_at: number;
  claim_id: number | null;
}

export function inspectionOf(roundId: number, householdId: number): InspectionRow | null {
  return (stmt("select * from inspections where round_id = ? and household_id = ?").get(roundId, householdId) as InspectionRow | undefined) ?? null;
}

export interface InspectionPhotoRow {
  key: string;
  file: string;
  mime: string;
  bytes: number;
  cleaned_at: number | null;
}

export function photosOf(inspectionId: number): InspectionPhotoRow[] {
  return stmt("select key, file, mime, bytes, cleaned_at from inspection_photos where inspection_id = ? order by id").all(inspectionId) as InspectionPhotoRow[];
}

// ---- who may score whom --------------------------------------------------------------------------

export function gridsOf(roundId: number, userId: number): number[] {
  return (stmt("select grid_id from round_inspectors where round_id = ? and user_id = ? order by grid_id").all(roundId, userId) as { grid_id: number }[]).map((r) => r.grid_id);
}

/** Why this inspector must not score this household, or null: their own household, or a declared relative's. */
export function conflictOf(userId: number, householdId: number): string | null {
  if (householdOfUser(userId) === householdId) return "不能给自己家评分，请由本网格的其他检查员评分";
  if (stmt("select 1 from inspection_recusals where user_id = ? and household_id = ?").get(userId, householdId)) {
    return "你已申报与这户是亲属（回避），请由本网格的其他检查员评分";
  }
  return null;
}

export interface ScoringListRow {
  id: number;
  number: string;
  address: string;
  head: string | null;
  grid: string;
  status: InspectionStatus | null;
  total: number | null;
  tier: string | null;
  conflict: boolean;
}

/** The households of the inspector's grids in this round, with what is done (for the progress line). */
export function scoringList(round: RoundRow, userId: number): { rows: ScoringListRow[]; done: number; total: number; recused: number } {
  const grids = gridsOf(round.id, userId);
  if (grids.length === 0) notFound();
  const rows = stmt(
    `select h.id, h.number, h.address, g.name as grid,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head,
       i.status, i.total, i.tier
     from households h join grids g on g.id = h.grid_id
     left join inspections i on i.round_id = ? and i.household_id = h.id
     where h.village_id = ? and h.grid_id in (${grids.map(() => "?").join(",")})
     order by g.id, h.number`,
  ).all(round.id, round.village_id, ...grids) as Omit<ScoringListRow, "conflict">[];
  const out = rows.map((r) => ({ ...r, conflict: conflictOf(userId, r.id) !== null }));
  // Progress counts the households this inspector can score; 回避 ones are another inspector's.
  const mine = out.filter((r) => !r.conflict);
  const done = mine.filter((r) => r.status === "scored" || r.status === "absent").length;
  return { rows: out, done, total: mine.length, recused: out.length - mine.length };
}

/** A household this inspector may open in this round (in one of their grids), or a 404. */
export function scoringHousehold(round: RoundRow, userId: number, householdId: number) {
  const grids = gridsOf(round.id, userId);
  const h = stmt(
    `select h.id, h.number, h.address, h.grid_id, g.name as grid,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head
     from households h left join grids g on g.id = h.grid_id where h.id = ? and h.village_id = ?`,
  ).get(householdId, round.village_id) as { id: number; number: string; address: string; grid_id: number | null; grid: string | null; head: string | null } | undefined;
  if (!h || h.grid_id === null || !grids.includes(h.grid_id)) notFound();
  const inspection = inspectionOf(round.id, householdId);
  const inspector = inspection ? (stmt("select display_name from users where id = ?").get(inspection.inspector_user_id) as { display_name: string }).display_name : null;
  return { household: h, inspection, inspector, photos: inspection ? photosOf(inspection.id).map((p) => p.key) : [], conflict: conflictOf(userId, householdId) };
}

/** Why saving is closed for this household now, or null. A published round reopens only for an accepted re-inspection. */
function closedReason(round: RoundRow, householdId: number): string | null {
  if (round.status === "draft") return "评比还没开始，村委开始评比后才能评分";
  if (round.status === "published") {
    const accepted = stmt("select 1 from reinspection_requests where round_id = ? and household_id = ? and status = 'accepted'").get(round.id, householdId);
    return accepted ? null : "评比已公布，不能再改分";
  }
  if (now() < round.starts_at) return "还没到这轮评比的检查时间";
  return null;
}

/** An open round past its last day: only households sent back (退回重评) may still be scored. */
export function roundEnded(round: RoundRow): boolean {
  return round.status === "open" && now() >= round.ends_at;
}

const endedMessage = (round: RoundRow) => `这轮评比 ${lastDayLabel(round.ends_at)} 已结束，不能再评分；需要改分请村委退回重评`;

// ---- the scoring form ------------------------------------------------------------------------------

const versionSchema = z
  .string()
  .optional()
  .transform((s) => s ?? "0")
  .pipe(z.string().regex(/^\d{1,9}$/, BAD_REQUEST).transform(Number));

/** The scores of every checklist item (s0, s1, ...), the note and the version the page showed. */
export function scoreSchema(checklist: ChecklistSpec) {
  const shape: Record<string, z.ZodType> = {
    note: z.string().optional().transform((s) => s ?? "").pipe(textSchema("备注", SANITATION_MAX.scoreNote, false, true)),
    version: versionSchema,
  };
  checklist.items.forEach((item, i) => {
    const msg = `${item.name}应为 0 到 ${item.max} 的整数`;
    shape[`s${i}`] = z
      .string({ error: `请给“${item.name}”打分` })
      .transform(normalizeDigits)
      .pipe(z.string().min(1, `请给“${item.name}”打分`).regex(new RegExp(`^\\d{1,${SANITATION_MAX.scoreDigits}}$`), msg).transform(Number).pipe(z.number().max(item.max, msg)));
  });
  return z.object(shape);
}

export const absentSchema = z.object({ reason: textSchema("未检查原因", SANITATION_MAX.absentReason), version: versionSchema });

export type SaveResult =
  | { ok: true; inspectionId: number; total: number | null; tier: string | null; repeated: boolean }
  | { ok: false; errors: Record<string, string>; status: number };

interface Inspector {
  userId: number;
  role: string;
}

type Values = { kind: "scored"; scores: number[]; total: number; tier: string; note: string } | { kind: "absent"; reason: string };

function sameValues(row: InspectionRow, v: Values): boolean {
  if (v.kind === "absent") return row.status === "absent" && row.absent_reason === v.reason;
  return row.status === "scored" && row.scores_json === JSON.stringify(v.scores) && row.note === v.note;
}

/** The checks and the upsert, in one IMMEDIATE transaction (synchronous). */
function writeInspection(by: Inspector, round: RoundRow, householdId: number, version: number, v: Values, photos: StoredPhoto[]): SaveResult {
  return transact((): SaveResult => {
    const fresh = roundIn(round.village_id, round.id); // the round as it is now, not as the page loaded it
    scoringHousehold(fresh, by.userId, householdId); // 404 when not one of this inspector's households
    const closed = closedReason(fresh, householdId);
    if (closed) return { ok: false, errors: { _form: closed }, status: 400 };
    const conflict = conflictOf(by.userId, householdId);
    if (conflict) return { ok: false, errors: { _form: conflict }, status: 403 };
    const row = inspectionOf(round.id, householdId);
    // A send-back is the committee's decision: a form from before it (a retry, the back button) must
    // not turn the row back into the old score, whoever posts it, the original inspector included.
    if (row && row.status === "returned" && row.version !== version) {
      return { ok: false, errors: { _form: `这户已被村委退回重评（${row.returned_reason ?? ""}），你提交的是退回前的页面，没有保存。请重新打开这户再评分` }, status: 409 };
    }
    if (row && row.version !== version && row.inspector_user_id !== by.userId) {
      const name = (stmt("select display_name from users where id = ?").get(row.inspector_user_id) as { display_name: string }).display_name;
      const what = row.status === "absent" ? "标记为未检查" : `评了 ${row.total} 分（${row.tier}）`;
      return { ok: false, errors: { _form: `这户刚由${name}${what}，没有保存你的评分。请返回列表刷新后再看` }, status: 409 };
    }
    if (row && row.status !== "returned" && row.inspector_user_id === by.userId && photos.length === 0 && sameValues(row, v)) {
      return { ok: true, inspectionId: row.id, total: row.total, tier: row.tier, repeated: true }; // a double tap or a resent form
    }
    // After the last day a late save would land in the next month's caps; a send-back is the way to rescore.
    if (roundEnded(fresh) && row?.status !== "returned") return { ok: false, errors: { _form: endedMessage(fresh) }, status: 400 };
    const at = now();
    const cols = v.kind === "scored"
      ? { status: "scored", scores: JSON.stringify(v.scores), total: v.total, tier: v.tier, note: v.note, reason: null }
      : { status: "absent", scores: null, total: null, tier: null, note: "", reason: v.reason };
    let id: number;
    if (row) {
      id = row.id;
      stmt(
        `update inspections set status = ?, scores_json = ?, total = ?, tier = ?, note = ?, absent_reason = ?, returned_reason = null,
           inspector_user_id = ?, version = version + 1, saved_at = ? where id = ?`,
      ).run(cols.status, cols.scores, cols.total, cols.tier, cols.note, cols.reason, by.userId, at, id);
    } else {
      id = Number(
        stmt(
          `insert into inspections (village_id, round_id, household_id, status, scores_json, total, tier, note, absent_reason, inspector_user_id, version, saved_at, created_at)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        ).run(round.village_id, round.id, householdId, cols.status, cols.scores, cols.total, cols.tier, cols.note, cols.reason, by.userId, at, at).lastInsertRowid,
      );
    }
    if (photos.length || v.kind === "absent") {
      stmt("delete from inspection_photos where inspection_id = ?").run(id);
      const add = stmt("insert into inspection_photos (village_id, inspection_id, key, file, mime, bytes, created_at, cleaned_at) values (?, ?, ?, ?, ?, ?, ?, ?)");
      for (const p of photos) add.run(round.village_id, id, newPhotoKey(), p.file, p.mime, p.bytes, at, p.cleanedAt);
    }
    audit({
      actorUserId: by.userId, actorRole: by.role, villageId: round.village_id, action: v.kind === "scored" ? "inspection.score" : "inspection.absent",
      targetType: "inspection", targetId: id, before: row ? { status: row.status, total: row.total, tier: row.tier } : null, after: { ...cols, photos: photos.length },
    });
    return { ok: true, inspectionId: id, total: cols.total, tier: cols.tier, repeated: false };
  });
}

/** Photo files no row points at any more (replaced by a later save) are removed after the commit. */
function sweepFiles(files: string[]): void {
  for (const file of files) {
    const used = stmt("select 1 from inspection_photos where file = ? union all select 1 from claim_photos where file = ? limit 1").get(file, file);
    if (!used) fs.rmSync(path.join(photoFolder(), file), { force: true });
  }
}

/** Saves one household's scores from the scoring form; writes nothing (no file either) when refused. */
export async function saveScores(by: Inspector, round: RoundRow, householdId: number, form: FormData, raw: Record<string, string>): Promise<SaveResult> {
  const parsed = scoreSchema(round.checklist).safeParse(raw);
  const checked = await checkPhotos(uploadedFiles(form));
  if (!parsed.success || !checked.ok) {
    const errors = parsed.success ? {} : fieldErrors(parsed.error);
    if (errors.version) errors._form = errors.version;
    if (!checked.ok) errors.photos = checked.message;
    return { ok: false, errors, status: 400 };
  }
  const data = parsed.data as Record<string, number | string>;
  const scores = round.checklist.items.map((_, i) => data[`s${i}`] as number);
  const total = scores.reduce((a, b) => a + b, 0);
  const values: Values = { kind: "scored", scores, total, tier: tierOf(round.checklist.tiers, total).name, note: data.note as string };
  const old = inspectionOf(round.id, householdId);
  const oldFiles = old && checked.photos.length ? photosOf(old.id).map((p) => p.file) : [];
  const stored = storePhotos(round.village_id, checked.photos);
  try {
    const out = writeInspection(by, round, householdId, data.version as number, values, stored);
    if (!out.ok) removePhotos(stored);
    else sweepFiles(oldFiles);
    return out;
  } catch (e) {
    removePhotos(stored);
    throw e;
  }
}

/** Marks a household 未检查 (nobody home) with a reason. */
export function markAbsent(by: Inspector, round: RoundRow, householdId: number, raw: Record<string, string>): SaveResult {
  const parsed = absentSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.version) errors._form = errors.version;
    return { ok: false, errors, status: 400 };
  }
  const old = inspectionOf(round.id, householdId);
  const oldFiles = old ? photosOf(old.id).map((p) => p.file) : [];
  const out = writeInspection(by, round, householdId, parsed.data.version, { kind: "absent", reason: parsed.data.reason }, []);
  if (out.ok) sweepFiles(oldFiles);
  return out;
}

/** The next household to score after this one: the next not done in list order, wrapping round; null when all are done. */
export function nextHousehold(round: RoundRow, userId: number, after: number): number | null {
  const { rows } = scoringList(round, userId);
  const ended = roundEnded(round);
  const todo = (r: ScoringListRow) => !r.conflict && (r.status === "returned" || (r.status === null && !ended));
  const i = rows.findIndex((r) => r.id === after);
  const next = [...rows.slice(i + 1), ...rows.slice(0, Math.max(i, 0))].find(todo);
  return next?.id ?? null;
}

// ---- 回避: households of relatives -------------------------------------------------------------------

export const recusalIntent = z.discriminatedUnion(
  "intent",
  [
    z.object({
      intent: z.literal("recusal.add"),
      number: z.string({ error: "请填写户号" }).transform(normalizeDigits).pipe(z.string().min(1, "请填写户号").regex(new RegExp(`^[0-9A-Za-z-]{1,${SANITATION_MAX.householdNumber}}$`), "户号只含数字或字母，如 008")),
      relation: textSchema("亲属关系", SANITATION_MAX.relation),
    }),
    z.object({ intent: z.literal("recusal.remove"), recusalId: z.string({ error: BAD_REQUEST }).regex(/^\d{1,12}$/, BAD_REQUEST).transform(Number) }),
  ],
  { error: BAD_REQUEST },
);

export function recusalsOf(userId: number, villageId: number): { id: number; household_id: number; number: string; head: string | null; relation: string }[] {
  return stmt(
    `select r.id, r.household_id, h.number, r.relation,
       (select m.name from members m where m.household_id = h.id and m.is_head = 1 and m.active = 1 limit 1) as head
     from inspection_recusals r join households h on h.id = r.household_id where r.user_id = ? and r.village_id = ? order by h.number`,
  ).all(userId, villageId) as { id: number; household_id: number; number: string; head: string | null; relation: string }[];
}

export type RecusalResult = { ok: true; message: string } | { ok: false; errors: Record<string, string>; status: number };

export function changeRecusals(by: Inspector, villageId: number, raw: Record<string, string>): RecusalResult {
  const parsed = recusalIntent.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.recusalId) errors._form = errors.intent ?? errors.recusalId;
    return { ok: false, errors, status: 400 };
  }
  const i = parsed.data;
  return transact((): RecusalResult => {
    if (i.intent === "recusal.remove") {
      const row = stmt("select id, household_id from inspection_recusals where id = ? and user_id = ? and village_id = ?").get(i.recusalId, by.userId, villageId) as { id: number; household_id: number } | undefined;
      if (!row) return { ok: false, errors: { _form: "找不到这条回避申报" }, status: 400 };
      stmt("delete from inspection_recusals where id = ?").run(row.id);
      audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "recusal.remove", targetType: "household", targetId: row.household_id });
      return { ok: true, message: "已取消回避" };
    }
    const h = stmt("select id from households where village_id = ? and number = ?").get(villageId, i.number) as { id: number } | undefined;
    if (!h) return { ok: false, errors: { number: "本村没有这个户号" }, status: 400 };
    if (householdOfUser(by.userId) === h.id) return { ok: false, errors: { number: "这是你自己家，本来就不能给自己家评分，不用申报" }, status: 400 };
    if (stmt("select 1 from inspection_recusals where user_id = ? and household_id = ?").get(by.userId, h.id)) {
      return { ok: false, errors: { number: "这户已经申报过回避了" }, status: 400 };
    }
    stmt("insert into inspection_recusals (village_id, user_id, household_id, relation, created_at) values (?, ?, ?, ?, ?)").run(villageId, by.userId, h.id, i.relation, now());
    audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "recusal.add", targetType: "household", targetId: h.id, after: { relation: i.relation } });
    return { ok: true, message: `已申报回避 ${i.number} 号户` };
  });
}
