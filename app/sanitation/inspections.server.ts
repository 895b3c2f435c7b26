// Scoring door to door: an inspector assigned to a round's grids scores one household at a time.
// One row per (round, household), upserted: a repeated save carries the same values and gives the
// same row. A save made from a stale page (`version` the inspector saw) over another inspector's
// newer save is refused, so two inspectors racing leave one result; so is any stale save over a
// household the committee sent back. Nothing here files claims:
// publishing does (sanitation/publish.server.ts).
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Inspection } from "../../db/schema";
import { notFound } from "~/platform/access.server";
import { audit } from "~/audit/audit.server";
import { checkPhotos, newPhotoKey, photoFolder, removePhotos, storePhotos, uploadedFiles } from "~/claims/photos.server";
import { householdOfUser, type StoredPhoto } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { roundIn, type RoundRow } from "./rounds.server";
import { lastDayLabel, SANITATION_MAX, tierOf, type ChecklistSpec } from "./labels";
import { fieldErrors, normalizeDigits, textSchema } from "~/platform/validation.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export type InspectionRow = Inspection;

export async function inspectionOf(roundId: number, householdId: number): Promise<InspectionRow | null> {
  return (await db().selectFrom("inspections").selectAll().where("round_id", "=", roundId).where("household_id", "=", householdId).executeTakeFirst()) ?? null;
}

// ---- who may score whom --------------------------------------------------------------------------

export async function gridsOf(roundId: number, userId: number): Promise<number[]> {
  const rows = await db().selectFrom("round_inspectors").select("grid_id").where("round_id", "=", roundId).where("user_id", "=", userId).orderBy("grid_id").execute();
  return rows.map((r) => r.grid_id);
}

/** Why this inspector must not score this household, or null: their own household, or a declared relative's. */
function conflictMessage(ownHousehold: boolean, recused: boolean): string | null {
  if (ownHousehold) return "不能给自己家评分，请由本网格的其他检查员评分";
  if (recused) return "你已申报与这户是亲属（回避），请由本网格的其他检查员评分";
  return null;
}

/**
 * One household of the round's village as this inspector sees it: whether it is in one of their
 * grids (`assigned`) and whether they declared it a relative's (`recused`), as 0/1 (a CASE, since
 * EXISTS reads back as 0/1 on SQLite but as a boolean on PostgreSQL).
 */
function householdFor(round: RoundRow, userId: number, householdId: number) {
  return db()
    .selectFrom("households as h")
    .select((eb) => [
      "h.id", "h.grid_id",
      eb.case()
        .when(eb.exists(eb.selectFrom("round_inspectors as ri").select("ri.id").where("ri.round_id", "=", round.id).where("ri.user_id", "=", userId).whereRef("ri.grid_id", "=", "h.grid_id")))
        .then(1).else(0).end().as("assigned"),
      eb.case()
        .when(eb.exists(eb.selectFrom("inspection_recusals as x").select("x.id").where("x.user_id", "=", userId).whereRef("x.household_id", "=", "h.id")))
        .then(1).else(0).end().as("recused"),
    ])
    .where("h.id", "=", householdId)
    .where("h.village_id", "=", round.village_id);
}

/** The households of the inspector's grids in this round, with what is done (for the progress line). */
export async function scoringList(round: RoundRow, userId: number) {
  const grids = await gridsOf(round.id, userId);
  if (grids.length === 0) notFound();
  const rows = await db()
    .selectFrom("households as h")
    .innerJoin("grids as g", "g.id", "h.grid_id")
    .leftJoin("inspections as i", (j) => j.on("i.round_id", "=", round.id).onRef("i.household_id", "=", "h.id"))
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .select((eb) => [
      "h.id", "h.number", "h.address", "g.name as grid", "m.name as head", "i.status", "i.total", "i.tier",
      eb.case()
        .when(eb.exists(eb.selectFrom("inspection_recusals as x").select("x.id").where("x.user_id", "=", userId).whereRef("x.household_id", "=", "h.id")))
        .then(1).else(0).end().as("recused"),
    ])
    .where("h.village_id", "=", round.village_id)
    .where("h.grid_id", "in", grids)
    .orderBy("g.id")
    .orderBy("h.number")
    .execute();
  const own = await householdOfUser(userId);
  const out = rows.map(({ recused, ...r }) => ({ ...r, conflict: conflictMessage(r.id === own, recused === 1) !== null }));
  // Progress counts the households this inspector can score; 回避 ones are another inspector's.
  const mine = out.filter((r) => !r.conflict);
  const done = mine.filter((r) => r.status === "scored" || r.status === "absent").length;
  return { rows: out, done, total: mine.length, recused: out.length - mine.length };
}

export type ScoringListRow = Awaited<ReturnType<typeof scoringList>>["rows"][number];

/** A household this inspector may open in this round (in one of their grids), or a 404. */
export async function scoringHousehold(round: RoundRow, userId: number, householdId: number) {
  // One row per photo of its inspection (none: one row with a null photo).
  const rows = await householdFor(round, userId, householdId)
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .leftJoin("inspections as i", (j) => j.on("i.round_id", "=", round.id).onRef("i.household_id", "=", "h.id"))
    .leftJoin("users as u", "u.id", "i.inspector_user_id")
    .leftJoin("inspection_photos as p", "p.inspection_id", "i.id")
    .select(["h.number", "h.address", "g.name as grid", "m.name as head", "u.display_name as inspector", "p.key as photo"])
    .orderBy("p.id")
    .execute();
  const h = rows[0];
  if (!h || h.grid_id === null || h.assigned !== 1) notFound();
  const inspection = await inspectionOf(round.id, householdId);
  return {
    household: { id: h.id, number: h.number, address: h.address, grid_id: h.grid_id, grid: h.grid, head: h.head },
    inspection,
    inspector: h.inspector,
    photos: rows.flatMap((r) => (r.photo === null ? [] : [r.photo])),
    conflict: conflictMessage(await householdOfUser(userId) === householdId, h.recused === 1),
  };
}

/** Why saving is closed for this household now, or null. A published round reopens only for an accepted re-inspection. */
async function closedReason(round: RoundRow, householdId: number): Promise<string | null> {
  if (round.status === "draft") return "评比还没开始，村委开始评比后才能评分";
  if (round.status === "published") return (await reinspectionAccepted(round.id, householdId)) ? null : "评比已公布，不能再改分";
  if (now() < round.starts_at) return "还没到这轮评比的检查时间";
  return null;
}

/** A committee member accepted this household's re-inspection request: it may be scored again after publishing. */
export async function reinspectionAccepted(roundId: number, householdId: number): Promise<boolean> {
  const row = await db()
    .selectFrom("reinspection_requests")
    .select("id")
    .where("round_id", "=", roundId)
    .where("household_id", "=", householdId)
    .where("status", "=", "accepted")
    .executeTakeFirst();
  return row !== undefined;
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
  // superseded: a keyed save older (by the phone's clock) than one already written changed nothing.
  | { ok: true; inspectionId: number; total: number | null; tier: string | null; repeated: boolean; superseded?: boolean }
  | { ok: false; errors: Record<string, string>; status: number };

interface Inspector {
  userId: number;
  role: string;
}

/** A save the phone kept and sends with its own key (sanitation/offline.server.ts); clientAt is when it was tapped. */
export interface SaveKey {
  key: string;
  clientAt: number;
}

type Values = { kind: "scored"; scores: number[]; total: number; tier: string; note: string } | { kind: "absent"; reason: string };

function sameValues(row: InspectionRow, v: Values): boolean {
  if (v.kind === "absent") return row.status === "absent" && row.absent_reason === v.reason;
  return row.status === "scored" && row.scores_json === JSON.stringify(v.scores) && row.note === v.note;
}

const refused = (status: number, message: string): SaveResult => ({ ok: false, errors: { _form: message }, status });
const RACED = "这户刚由其他检查员保存，没有保存你的评分。请返回列表刷新后再看";

/**
 * The checks and the write in one unit of work, so two saves of one household never both pass the
 * version check. Returns the photo files the save replaced (to remove once committed).
 */
async function writeInspection(by: Inspector, round: RoundRow, householdId: number, version: number, v: Values, photos: StoredPhoto[], keyed?: SaveKey): Promise<{ result: SaveResult; replaced: string[] }> {
  if (!keyed) return checkAndWrite(by, round, householdId, version, v, photos);
  try {
    return await unitOfWork(async (tx) => {
      // First statement of the unit: the key's row is the lock. A second send of the key waits here
      // until the first commits (PostgreSQL), then finds the row and answers as the first did.
      const claimed = await tx
        .insertInto("inspection_saves")
        .values({ key: keyed.key, village_id: round.village_id, round_id: round.id, household_id: householdId, user_id: by.userId, kind: v.kind, outcome: "saved", client_at: keyed.clientAt, saved_at: now() })
        .onConflict((oc) => oc.column("key").doNothing())
        .returning("id")
        .executeTakeFirst();
      // A resend's photos were stored before this unit: attached to nothing, swept after it.
      if (!claimed) return { result: await keyedAnswer(by, round.id, householdId, keyed.key), replaced: photos.map((p) => p.file) };
      const out = await checkAndWrite(by, round, householdId, version, v, photos, keyed);
      if (!out.result.ok) throw new KeyedRefusal(out.result); // nothing stays written, the key's row neither
      await tx
        .updateTable("inspection_saves")
        .set({ outcome: out.result.superseded ? "superseded" : "saved", inspection_id: out.result.inspectionId, total: out.result.total, tier: out.result.tier })
        .where("key", "=", keyed.key)
        .execute();
      return out;
    });
  } catch (e) {
    if (e instanceof KeyedRefusal) return { result: e.result, replaced: [] };
    throw e;
  }
}

class KeyedRefusal extends Error {
  constructor(readonly result: SaveResult) {
    super("refused");
  }
}

/** What a key that was saved before answers: the first save's result, for its own inspector and household only. */
async function keyedAnswer(by: Inspector, roundId: number, householdId: number, key: string): Promise<SaveResult> {
  const row = await db().selectFrom("inspection_saves").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
  if (row.user_id !== by.userId || row.round_id !== roundId || row.household_id !== householdId || row.inspection_id === null) {
    return refused(409, "这次保存的编号已经用过了，没有保存。请重新打开这户再评分");
  }
  return { ok: true, inspectionId: row.inspection_id, total: row.total, tier: row.tier, repeated: true, ...(row.outcome === "superseded" ? { superseded: true } : {}) };
}

/**
 * Between two keyed saves of one household by one inspector the later tap on the phone wins, whatever order they
 * arrive in: an older one arriving after a newer one was written changes nothing (it is answered
 * as superseded, not refused: nothing is lost, the inspector's newer score stands). Saves of other
 * inspectors are judged by the page version as before.
 */
async function laterSaveExists(userId: number, roundId: number, householdId: number, keyed: SaveKey): Promise<boolean> {
  const later = await db()
    .selectFrom("inspection_saves")
    .select("id")
    .where("round_id", "=", roundId)
    .where("household_id", "=", householdId)
    .where("user_id", "=", userId)
    .where("outcome", "=", "saved")
    .where("key", "<>", keyed.key)
    .where("client_at", ">", keyed.clientAt)
    .executeTakeFirst();
  return later !== undefined;
}

function checkAndWrite(by: Inspector, round: RoundRow, householdId: number, version: number, v: Values, photos: StoredPhoto[], keyed?: SaveKey): Promise<{ result: SaveResult; replaced: string[] }> {
  return unitOfWork(async (tx) => {
    const done = (result: SaveResult) => ({ result, replaced: [] });
    const fresh = await roundIn(round.village_id, round.id); // the round as it is now, not as the page loaded it
    const target = await householdFor(fresh, by.userId, householdId).executeTakeFirst();
    if (!target || target.grid_id === null || target.assigned !== 1) notFound(); // not one of this inspector's households
    const closed = await closedReason(fresh, householdId);
    if (closed) return done(refused(400, closed));
    const conflict = conflictMessage(await householdOfUser(by.userId) === householdId, target.recused === 1);
    if (conflict) return done(refused(403, conflict));
    const row = await inspectionOf(round.id, householdId);
    if (keyed && row && (await laterSaveExists(by.userId, round.id, householdId, keyed))) {
      // The photos this save brought are attached to nothing: swept after the commit.
      return { result: { ok: true, inspectionId: row.id, total: row.total, tier: row.tier, repeated: false, superseded: true }, replaced: photos.map((p) => p.file) };
    }
    // A send-back is the committee's decision: a form from before it (a retry, the back button) must
    // not turn the row back into the old score, whoever posts it, the original inspector included.
    if (row && row.status === "returned" && row.version !== version) {
      return done(refused(409, `这户已被村委退回重评（${row.returned_reason ?? ""}），你提交的是退回前的页面，没有保存。请重新打开这户再评分`));
    }
    if (row && row.version !== version && row.inspector_user_id !== by.userId) {
      const who = await tx.selectFrom("users").select("display_name").where("id", "=", row.inspector_user_id).executeTakeFirstOrThrow();
      const what = row.status === "absent" ? "标记为未检查" : `评了 ${row.total} 分（${row.tier}）`;
      return done(refused(409, `这户刚由${who.display_name}${what}，没有保存你的评分。请返回列表刷新后再看`));
    }
    if (row && row.status !== "returned" && row.inspector_user_id === by.userId && photos.length === 0 && sameValues(row, v)) {
      return done({ ok: true, inspectionId: row.id, total: row.total, tier: row.tier, repeated: true }); // a double tap or a resent form
    }
    // After the last day a late save would land in the next month's caps; a send-back is the way to rescore.
    if (roundEnded(fresh) && row?.status !== "returned") return done(refused(400, endedMessage(fresh)));
    const at = now();
    const cols = v.kind === "scored"
      ? { status: "scored" as const, scores_json: JSON.stringify(v.scores), total: v.total, tier: v.tier, note: v.note, absent_reason: null }
      : { status: "absent" as const, scores_json: null, total: null, tier: null, note: "", absent_reason: v.reason };
    let id: number;
    if (row) {
      // Guarded by the version read above: a writer that got in between (possible where the engine
      // does not serialise units of work) leaves this one with nothing updated, and it is refused.
      const updated = await tx
        .updateTable("inspections")
        .set((eb) => ({ ...cols, returned_reason: null, inspector_user_id: by.userId, version: eb("version", "+", 1), saved_at: at }))
        .where("id", "=", row.id)
        .where("version", "=", row.version)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) return done(refused(409, RACED));
      id = row.id;
    } else {
      const inserted = await tx
        .insertInto("inspections")
        .values({ ...cols, village_id: round.village_id, round_id: round.id, household_id: householdId, inspector_user_id: by.userId, version: 1, saved_at: at, created_at: at })
        .onConflict((oc) => oc.columns(["round_id", "household_id"]).doNothing())
        .returning("id")
        .executeTakeFirst();
      if (!inserted) return done(refused(409, RACED));
      id = inserted.id;
    }
    let replaced: string[] = [];
    if (photos.length || v.kind === "absent") {
      replaced = (await tx.deleteFrom("inspection_photos").where("inspection_id", "=", id).returning("file").execute()).map((p) => p.file);
      if (photos.length) {
        await tx
          .insertInto("inspection_photos")
          .values(photos.map((p) => ({ village_id: round.village_id, inspection_id: id, key: newPhotoKey(), file: p.file, mime: p.mime, bytes: p.bytes, created_at: at, cleaned_at: p.cleanedAt })))
          .execute();
      }
    }
    await audit({
      actorUserId: by.userId, actorRole: by.role, villageId: round.village_id, action: v.kind === "scored" ? "inspection.score" : "inspection.absent",
      targetType: "inspection", targetId: id, before: row ? { status: row.status, total: row.total, tier: row.tier } : null,
      after: { status: cols.status, scores: cols.scores_json, total: cols.total, tier: cols.tier, note: cols.note, reason: cols.absent_reason, photos: photos.length },
    });
    return { result: { ok: true, inspectionId: id, total: cols.total, tier: cols.tier, repeated: false }, replaced };
  });
}

/** Photo files no row points at any more (replaced by a later save) are removed after the commit. */
async function sweepFiles(files: string[]): Promise<void> {
  if (files.length === 0) return;
  const used = await db()
    .selectFrom("inspection_photos")
    .select("file")
    .where("file", "in", files)
    .unionAll(db().selectFrom("claim_photos").select("file").where("file", "in", files))
    .execute();
  const kept = new Set(used.map((r) => r.file));
  for (const file of files) if (!kept.has(file)) fs.rmSync(path.join(photoFolder(), file), { force: true });
}

/** Saves one household's scores from the scoring form; writes nothing (no file either) when refused. */
export async function saveScores(by: Inspector, round: RoundRow, householdId: number, form: FormData, raw: Record<string, string>, keyed?: SaveKey): Promise<SaveResult> {
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
  const stored = storePhotos(round.village_id, checked.photos); // file I/O before the unit of work, never inside it
  let out: Awaited<ReturnType<typeof writeInspection>>;
  try {
    out = await writeInspection(by, round, householdId, data.version as number, values, stored, keyed);
  } catch (e) {
    removePhotos(stored);
    throw e;
  }
  if (!out.result.ok) removePhotos(stored);
  else await sweepFiles(out.replaced);
  return out.result;
}

/** Marks a household 未检查 (nobody home) with a reason. */
export async function markAbsent(by: Inspector, round: RoundRow, householdId: number, raw: Record<string, string>, keyed?: SaveKey): Promise<SaveResult> {
  const parsed = absentSchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.version) errors._form = errors.version;
    return { ok: false, errors, status: 400 };
  }
  const out = await writeInspection(by, round, householdId, parsed.data.version, { kind: "absent", reason: parsed.data.reason }, [], keyed);
  if (out.result.ok) await sweepFiles(out.replaced);
  return out.result;
}

/**
 * The next household to score after this one: the next not done in list order, wrapping round; null
 * when all are done. `rows` is the inspector's list when the caller has it already.
 */
export async function nextHousehold(round: RoundRow, userId: number, after: number, rows?: ScoringListRow[]): Promise<number | null> {
  const list = rows ?? (await scoringList(round, userId)).rows;
  const ended = roundEnded(round);
  const todo = (r: ScoringListRow) => !r.conflict && (r.status === "returned" || (r.status === null && !ended));
  const i = list.findIndex((r) => r.id === after);
  const next = [...list.slice(i + 1), ...list.slice(0, Math.max(i, 0))].find(todo);
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

export function recusalsOf(userId: number, villageId: number) {
  return db()
    .selectFrom("inspection_recusals as r")
    .innerJoin("households as h", "h.id", "r.household_id")
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .select(["r.id", "r.household_id", "h.number", "r.relation", "m.name as head"])
    .where("r.user_id", "=", userId)
    .where("r.village_id", "=", villageId)
    .orderBy("h.number")
    .execute();
}

export type RecusalResult = { ok: true; message: string } | { ok: false; errors: Record<string, string>; status: number };

export async function changeRecusals(by: Inspector, villageId: number, raw: Record<string, string>): Promise<RecusalResult> {
  const parsed = recusalIntent.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.recusalId) errors._form = errors.intent ?? errors.recusalId;
    return { ok: false, errors, status: 400 };
  }
  const i = parsed.data;
  return unitOfWork(async (tx): Promise<RecusalResult> => {
    if (i.intent === "recusal.remove") {
      const row = await tx
        .selectFrom("inspection_recusals")
        .select(["id", "household_id"])
        .where("id", "=", i.recusalId)
        .where("user_id", "=", by.userId)
        .where("village_id", "=", villageId)
        .executeTakeFirst();
      if (!row) return { ok: false, errors: { _form: "找不到这条回避申报" }, status: 400 };
      await tx.deleteFrom("inspection_recusals").where("id", "=", row.id).execute();
      await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "recusal.remove", targetType: "household", targetId: row.household_id });
      return { ok: true, message: "已取消回避" };
    }
    const h = await tx.selectFrom("households").select("id").where("village_id", "=", villageId).where("number", "=", i.number).executeTakeFirst();
    if (!h) return { ok: false, errors: { number: "本村没有这个户号" }, status: 400 };
    if (await householdOfUser(by.userId) === h.id) return { ok: false, errors: { number: "这是你自己家，本来就不能给自己家评分，不用申报" }, status: 400 };
    const declared = await tx.selectFrom("inspection_recusals").select("id").where("user_id", "=", by.userId).where("household_id", "=", h.id).executeTakeFirst();
    if (declared) return { ok: false, errors: { number: "这户已经申报过回避了" }, status: 400 };
    await tx.insertInto("inspection_recusals").values({ village_id: villageId, user_id: by.userId, household_id: h.id, relation: i.relation, created_at: now() }).execute();
    await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "recusal.add", targetType: "household", targetId: h.id, after: { relation: i.relation } });
    return { ok: true, message: `已申报回避 ${i.number} 号户` };
  });
}
