// Sanitation rounds (卫生评比) as the committee runs them: create with a checklist, a date range and
// inspectors per grid; open; read the round's table; send a household back for re-inspection.
// Scoring lives in sanitation/inspections.server.ts, publishing in sanitation/publish.server.ts.
import { z } from "zod";
import type { RoundStatus } from "../../db/schema";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork, type Db } from "~/platform/database.server";
import { householdOfUser } from "~/claims/claims.server";
import { checklistIn } from "./checklists.server";
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

/** A round of this village, or a 404 (never a hint that it exists elsewhere). */
export async function roundIn(villageId: number, roundId: number): Promise<RoundRow> {
  const r = await db()
    .selectFrom("sanitation_rounds")
    .select(["id", "village_id", "title", "checklist_id", "checklist_json", "starts_at", "ends_at", "status", "created_at", "opened_at", "published_at", "published_by", "redblack_json"])
    .where("id", "=", roundId)
    .where("village_id", "=", villageId)
    .executeTakeFirst();
  if (!r) notFound();
  const { checklist_json, ...rest } = r;
  // Written once, from a checked template, when the round was created.
  const checklist: ChecklistSpec = JSON.parse(checklist_json);
  return { ...rest, checklist };
}

/** The village's rounds, newest first, with how many households are done; an inspector sees only theirs. */
export async function listRounds(villageId: number, inspectorUserId: number | null = null) {
  let q = db()
    .selectFrom("sanitation_rounds as r")
    .select((eb) => [
      "r.id", "r.title", "r.status", "r.starts_at", "r.ends_at",
      eb.fn
        .coalesce(
          eb.selectFrom("households as h")
            .select(eb.fn.countAll<number>().as("n"))
            .whereRef("h.village_id", "=", "r.village_id")
            .where("h.grid_id", "in", eb.selectFrom("round_inspectors as ri").select("ri.grid_id").whereRef("ri.round_id", "=", "r.id"))
            .$asScalar(),
          eb.lit(0),
        )
        .as("households"),
      eb.fn
        .coalesce(
          eb.selectFrom("inspections as i").select(eb.fn.countAll<number>().as("n")).whereRef("i.round_id", "=", "r.id").where("i.status", "<>", "returned").$asScalar(),
          eb.lit(0),
        )
        .as("done"),
    ])
    .where("r.village_id", "=", villageId);
  if (inspectorUserId !== null) {
    q = q.where((eb) => eb.exists(eb.selectFrom("round_inspectors as ri").select("ri.id").whereRef("ri.round_id", "=", "r.id").where("ri.user_id", "=", inspectorUserId)));
  }
  return q.orderBy("r.starts_at", "desc").orderBy("r.id", "desc").execute();
}

export type RoundListRow = Awaited<ReturnType<typeof listRounds>>[number];

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

/** The village's inspectors (active logins holding the role there). */
export function inspectorChoices(villageId: number) {
  return db()
    .selectFrom("users as u")
    .select(["u.id", "u.display_name as name"])
    .where("u.disabled", "=", 0)
    .where((eb) => eb.exists(eb.selectFrom("user_roles as r").select("r.id").whereRef("r.user_id", "=", "u.id").where("r.village_id", "=", villageId).where("r.role", "=", "inspector")))
    .orderBy("u.display_name")
    .orderBy("u.id")
    .execute();
}

export type InspectorChoice = Awaited<ReturnType<typeof inspectorChoices>>[number];

export function gridChoices(villageId: number) {
  return db()
    .selectFrom("grids as g")
    .select((eb) => [
      "g.id", "g.name",
      eb.fn.coalesce(eb.selectFrom("households as h").select(eb.fn.countAll<number>().as("n")).whereRef("h.grid_id", "=", "g.id").$asScalar(), eb.lit(0)).as("households"),
    ])
    .where("g.village_id", "=", villageId)
    .orderBy("g.id")
    .execute();
}

export type GridChoice = Awaited<ReturnType<typeof gridChoices>>[number];

async function checkAssignments(villageId: number, pairs: { gridId: number; userId: number }[]): Promise<string | null> {
  if (pairs.length === 0) return "请至少给一个网格勾选检查员";
  const grids = new Set((await gridChoices(villageId)).map((g) => g.id));
  const inspectors = new Set((await inspectorChoices(villageId)).map((i) => i.id));
  for (const p of pairs) if (!grids.has(p.gridId) || !inspectors.has(p.userId)) return "请从列表中选择本村的网格和检查员";
  return null;
}

async function writeAssignments(tx: Db, villageId: number, roundId: number, pairs: { gridId: number; userId: number }[]): Promise<void> {
  await tx.deleteFrom("round_inspectors").where("round_id", "=", roundId).execute();
  // A checkbox posted twice is one assignment (the table holds each pair once).
  const unique = [...new Map(pairs.map((p) => [`${p.gridId}-${p.userId}`, p])).values()];
  if (unique.length === 0) return;
  await tx
    .insertInto("round_inspectors")
    .values(unique.map((p) => ({ village_id: villageId, round_id: roundId, grid_id: p.gridId, user_id: p.userId })))
    .execute();
}

export async function createRound(actor: StaffActor, villageId: number, raw: Record<string, string>, assign: string[]): Promise<Outcome<{ roundId: number }>> {
  const parsed = roundFieldsSchema.safeParse(raw);
  const pairs = parseAssignments(assign);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const i of parsed.error.issues) errors[String(i.path[0] ?? "_form")] ??= i.message;
    return { ok: false, errors, status: 400 };
  }
  if (!pairs) return fail("assign", BAD_REQUEST);
  const f = parsed.data;
  const checklist = await checklistIn(villageId, f.checklistId);
  if (!checklist || !checklist.active) return fail("checklistId", "请从列表中选择本村在用的检查表");
  const bad = await checkAssignments(villageId, pairs);
  if (bad) return fail("assign", bad);
  return unitOfWork(async (tx) => {
    const at = now();
    const spec: ChecklistSpec = { name: checklist.name, items: checklist.items, tiers: checklist.tiers };
    const { id: roundId } = await tx
      .insertInto("sanitation_rounds")
      .values({
        village_id: villageId, title: f.title, checklist_id: checklist.id, checklist_json: JSON.stringify(spec), starts_at: f.startsOn, ends_at: f.endsOn + DAY,
        status: "draft", created_by: actor.userId, created_at: at, updated_at: at,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeAssignments(tx, villageId, roundId, pairs);
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.create", targetType: "round", targetId: roundId, after: { title: f.title, checklist: checklist.name, assignments: pairs } });
    return { ok: true as const, roundId };
  });
}

export async function assignInspectors(actor: StaffActor, villageId: number, roundId: number, assign: string[]): Promise<Outcome> {
  const pairs = parseAssignments(assign);
  if (!pairs) return fail("assign", BAD_REQUEST);
  const bad = await checkAssignments(villageId, pairs);
  if (bad) return fail("assign", bad);
  return unitOfWork(async (tx): Promise<Outcome> => {
    const round = await roundIn(villageId, roundId);
    if (round.status === "published") return fail("assign", "评比已公布，不能再改分工");
    const before = await assignments(roundId);
    await writeAssignments(tx, villageId, roundId, pairs);
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.assign", targetType: "round", targetId: roundId, before, after: pairs });
    return { ok: true };
  });
}

export function assignments(roundId: number) {
  return db()
    .selectFrom("round_inspectors")
    .select(["grid_id as gridId", "user_id as userId"])
    .where("round_id", "=", roundId)
    .orderBy("grid_id")
    .orderBy("user_id")
    .execute();
}

export function openRound(actor: StaffActor, villageId: number, roundId: number): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    const round = await roundIn(villageId, roundId);
    if (round.status !== "draft") return fail("_form", round.status === "open" ? "评比已经开始了" : "评比已公布");
    if ((await assignments(roundId)).length === 0) return fail("_form", "请先给网格分配检查员，再开始评比");
    const at = now();
    await tx.updateTable("sanitation_rounds").set({ status: "open", opened_at: at, opened_by: actor.userId, updated_at: at }).where("id", "=", roundId).execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "round.open", targetType: "round", targetId: roundId });
    return { ok: true };
  });
}

/** Before publishing: a scored (or 未检查) household goes back to the inspectors with a reason, by a committee member not of that household. */
export function sendBack(actor: StaffActor, villageId: number, roundId: number, householdId: number, reason: string): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    const round = await roundIn(villageId, roundId);
    if (round.status !== "open") return fail("_form", round.status === "published" ? "评比已公布，请通过复查申请改分" : "评比还没开始");
    const row = await tx.selectFrom("inspections").select(["id", "status"]).where("round_id", "=", roundId).where("household_id", "=", householdId).executeTakeFirst();
    if (!row) return fail("_form", "这户还没有评分，不用退回");
    if (row.status === "returned") return fail("_form", "这户已经退回重评了");
    // As for every committee decision (claims/claims.server.ts checkDecider): never on one's own household.
    if (await householdOfUser(actor.userId) === householdId) return fail("_form", "不能处理本户的评分，请由另一位村委委员处理");
    await tx
      .updateTable("inspections")
      .set((eb) => ({ status: "returned", returned_reason: reason, version: eb("version", "+", 1) }))
      .where("id", "=", row.id)
      .execute();
    await audit({ actorUserId: actor.userId, actorRole: actor.role, villageId, action: "inspection.return", targetType: "inspection", targetId: row.id, before: { status: row.status }, after: { reason } });
    return { ok: true };
  });
}

// ---- the round's table -------------------------------------------------------------------------

/** The households a round covers: those of its inspectors' grids, and any already inspected in it (moved since). */
function roundHouseholds(roundId: number) {
  return db()
    .selectFrom("households as h")
    .innerJoin("sanitation_rounds as r", (j) => j.on("r.id", "=", roundId).onRef("r.village_id", "=", "h.village_id"))
    .leftJoin("inspections as i", (j) => j.onRef("i.round_id", "=", "r.id").onRef("i.household_id", "=", "h.id"))
    .where((eb) =>
      eb.or([
        eb("h.grid_id", "in", eb.selectFrom("round_inspectors as ri").select("ri.grid_id").whereRef("ri.round_id", "=", "r.id")),
        eb("i.id", "is not", null),
      ]),
    );
}

/** How many households the round covers (the 红黑榜's count). */
export async function roundHouseholdCount(roundId: number): Promise<number> {
  const { n } = await roundHouseholds(roundId).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return n;
}

/** Every household of the round's grids with its inspection (if any), in grid and number order. */
export async function roundTable(roundId: number) {
  // One row per photo (none: one row with a null photo), folded per household below.
  const rows = await roundHouseholds(roundId)
    .leftJoin("grids as g", "g.id", "h.grid_id")
    // At most one active head per household (unique index members_one_head): the join adds no rows.
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .leftJoin("users as u", "u.id", "i.inspector_user_id")
    .leftJoin("claims as c", "c.id", "i.claim_id")
    .leftJoin("inspection_photos as p", "p.inspection_id", "i.id")
    .select([
      "h.id as household_id", "h.number", "m.name as head", "g.name as grid", "i.id as inspection_id", "i.status", "i.scores_json", "i.total", "i.tier", "i.note",
      "i.absent_reason", "i.returned_reason", "u.display_name as inspector", "i.inspector_user_id", "i.saved_at", "i.claim_id", "c.status as claim_status", "p.key as photo",
    ])
    // Households without a grid first, as SQLite orders nulls (said explicitly: PostgreSQL orders them last).
    .orderBy("g.id", (ob) => ob.asc().nullsFirst())
    .orderBy("h.number")
    .orderBy("p.id")
    .execute();
  const table = new Map<number, Omit<(typeof rows)[number], "photo"> & { photos: string[] }>();
  for (const { photo, ...row } of rows) {
    const seen = table.get(row.household_id);
    if (!seen) table.set(row.household_id, { ...row, photos: photo === null ? [] : [photo] });
    else if (photo !== null) seen.photos.push(photo);
  }
  return [...table.values()];
}

export type TableRow = Awaited<ReturnType<typeof roundTable>>[number];

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
