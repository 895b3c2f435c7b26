// 批量发放 (bulk awards): one award rule applied to many households, one claim per household (to its
// head), filed through claims.server's fileClaimBatch with source { kind: "bulk", id }, so review
// (maker-checker), caps and 公示 are those of any claim.
//
// Invariants:
// - A batch is made once per key (unique): the same confirmed preview sent twice, or twice at once,
//   gives the one batch.
// - Each chosen household is one row, unique per batch, that leaves `waiting` (to `filed` with its
//   claim, or `skipped` with the reason) in the same unit of work as the claim is written. Filing
//   runs in chunks of CHUNK rows, one unit of work each (SQLite's one writer is never held for long);
//   a chunk that fails leaves its rows waiting, and the next run (the request, the background run,
//   the scheduler) resumes there. Two runners at once: SQLite serialises the units; on PostgreSQL the
//   second unit's update of the same rows conflicts and it runs again, finding them filed.
// - A cap is checked per household at preview (to show who would be refused) and again when filed,
//   inside the unit, counting claims still waiting for review: a second batch of the same monthly
//   award is refused for every household, not left for the reviewer to find.
import { audit } from "~/audit/audit.server";
import { capViolation, periodBounds } from "~/claims/caps.server";
import { ClaimError, fileClaimBatch, approveClaims, pointsFor, type ClaimItem, type Decider, type BatchOutcome } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { isUniqueViolation } from "~/platform/forms.server";
import type { Role } from "~/platform/roles";
import type { BulkBatch, Rule } from "../../db/schema";
import { BULK_LIMITS, MODE_LABELS, SKIPPED_SHOWN, type BulkMode } from "./labels";
import { notPostAllowance } from "~/rules/rules.server";

export class BulkError extends Error {
  constructor(message: string, readonly field: string = "_form", readonly status = 400) {
    super(message);
  }
}

/** Households filed per unit of work. */
export const CHUNK = 200;
const DAY_MS = 86_400_000;
const MAX_AGE_MS = 366 * DAY_MS;
/** Rows of an `in (…)` list per statement. */
const IN_LIST = 1000;

export type Choice =
  | { mode: "all" }
  | { mode: "grid"; gridId: number }
  | { mode: "list" | "file"; codes: string[] }
  | { mode: "not_deducted" };

export interface ChosenHousehold {
  id: number;
  number: string;
  grid: string | null;
  headId: number | null;
  headName: string | null;
}

// ---- choosing -------------------------------------------------------------------------------------

function householdRows(villageId: number) {
  return db()
    .selectFrom("households as h")
    .leftJoin("grids as g", "g.id", "h.grid_id")
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1)))
    .select(["h.id", "h.number", "g.name as grid", "m.id as headId", "m.name as headName"])
    .where("h.village_id", "=", villageId);
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A village's grid, or a field error. */
export async function gridOf(villageId: number, gridId: number) {
  const grid = await db().selectFrom("grids").select(["id", "name"]).where("id", "=", gridId).where("village_id", "=", villageId).executeTakeFirst();
  if (!grid) throw new BulkError("请从列表中选择本村的网格", "gridId");
  return grid;
}

/**
 * The households a choice names, by 户号. A list naming 户号 the village does not have is refused
 * as a whole (the unknown ones named), so nothing is filed for a list with a typing mistake.
 */
export async function chooseHouseholds(villageId: number, choice: Choice): Promise<ChosenHousehold[]> {
  let rows: ChosenHousehold[];
  if (choice.mode === "all") rows = await householdRows(villageId).orderBy("h.number").limit(BULK_LIMITS.households + 1).execute();
  else if (choice.mode === "grid") {
    await gridOf(villageId, choice.gridId);
    rows = await householdRows(villageId).where("h.grid_id", "=", choice.gridId).orderBy("h.number").limit(BULK_LIMITS.households + 1).execute();
  } else if (choice.mode === "not_deducted") {
    const [from, to] = periodBounds("month", now());
    rows = await householdRows(villageId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb.selectFrom("claims as c")
              .select("c.id")
              .whereRef("c.household_id", "=", "h.id")
              .where("c.points", "<", 0)
              .where("c.occurred_at", ">=", from)
              .where("c.occurred_at", "<", to)
              .where("c.status", "in", ["pending", "notice", "objected", "credited"]),
          ),
        ),
      )
      .orderBy("h.number")
      .limit(BULK_LIMITS.households + 1)
      .execute();
  } else {
    if (choice.codes.length === 0) throw new BulkError("名单里没有户号，请填写要发放的户号", choice.mode === "list" ? "codes" : "file");
    if (choice.codes.length > BULK_LIMITS.households) throw new BulkError(`一次最多 ${BULK_LIMITS.households} 户，请分成几批`, choice.mode === "list" ? "codes" : "file");
    rows = [];
    for (const part of chunks(choice.codes, IN_LIST)) rows.push(...(await householdRows(villageId).where("h.number", "in", part).execute()));
    const known = new Set(rows.map((r) => r.number));
    const unknown = choice.codes.filter((c) => !known.has(c));
    if (unknown.length) {
      const shown = unknown.slice(0, 30).map((c) => (c.length > 20 ? `${c.slice(0, 20)}…` : c)).join("、");
      throw new BulkError(
        `本村没有这些户号：${shown}${unknown.length > 30 ? ` 等 ${unknown.length} 个` : `（共 ${unknown.length} 个）`}。请改正后再预览，什么也没有登记。`,
        choice.mode === "list" ? "codes" : "file",
      );
    }
    rows.sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  }
  if (rows.length === 0) throw new BulkError(choice.mode === "not_deducted" ? "本月每一户都有扣分，没有可以发放的户" : "没有选中任何户", choice.mode === "grid" ? "gridId" : "mode");
  if (rows.length > BULK_LIMITS.households) throw new BulkError(`一次最多 ${BULK_LIMITS.households} 户，请按网格分成几批`, "mode");
  return rows;
}

/** The same households again by id (the confirm step carries the previewed ids). */
async function householdsById(villageId: number, ids: number[]): Promise<ChosenHousehold[]> {
  const rows: ChosenHousehold[] = [];
  for (const part of chunks(ids, IN_LIST)) rows.push(...(await householdRows(villageId).where("h.id", "in", part).execute()));
  if (rows.length !== new Set(ids).size) throw new BulkError("名单里有不是本村的户，请重新预览");
  return rows;
}

/** How a choice reads on the batch list. */
export async function describeChoice(villageId: number, choice: Choice, count: number): Promise<string> {
  if (choice.mode === "grid") return `网格：${(await gridOf(villageId, choice.gridId)).name}`;
  if (choice.mode === "list" || choice.mode === "file") return `户号名单 ${count} 户`;
  return MODE_LABELS[choice.mode];
}

// ---- the rule and the amount -------------------------------------------------------------------------

/** An active award rule of the village (bulk awards never deduct). */
export async function awardRule(villageId: number, ruleId: number): Promise<Rule> {
  const rule = await db().selectFrom("rules").selectAll().where("id", "=", ruleId).where("village_id", "=", villageId).executeTakeFirst();
  if (!rule || rule.points <= 0) throw new BulkError("请从列表中选择本村的加分细则", "ruleId");
  if (!rule.active) throw new BulkError(`细则“${rule.name}”已停用，不能再发放`, "ruleId");
  return rule;
}

function checkWhen(occurredAt: number): void {
  const at = now();
  if (occurredAt > at) throw new BulkError("日期不能晚于今天", "date");
  if (occurredAt < at - MAX_AGE_MS) throw new BulkError("只能发放一年以内的事项", "date");
}

function amount(rule: Rule, quantity: number): number {
  try {
    return pointsFor(rule, quantity);
  } catch (e) {
    if (e instanceof ClaimError) throw new BulkError(e.message, "quantity");
    throw e;
  }
}

export async function awardRules(villageId: number) {
  return db()
    .selectFrom("rules")
    .select(["id", "name", "points", "unit", "category"])
    .where("village_id", "=", villageId)
    .where("active", "=", constant(1))
    .where("points", ">", 0)
    .where(notPostAllowance)
    .orderBy("category")
    .orderBy("points", "desc")
    .orderBy("id")
    .execute();
}

export async function gridsOf(villageId: number) {
  return db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("name").execute();
}

// ---- preview -------------------------------------------------------------------------------------------

export interface BulkInput {
  ruleId: number;
  choice: Choice;
  occurredAt: number;
  quantity: number;
  note: string;
}

export interface PreviewRow extends ChosenHousehold {
  /** Why this household would be skipped (no head, a cap), or null. */
  refusal: string | null;
}

const NO_HEAD = "这户没有在册的户主，无法登记";

async function refusalOf(rule: Rule, h: { id: number; headId: number | null }, occurredAt: number, points: number): Promise<string | null> {
  if (h.headId === null) return NO_HEAD;
  return capViolation(rule, { memberId: h.headId, householdId: h.id, occurredAt, points }, [], true);
}

/** What a batch would file: households, points each, the total, and who a cap (or no head) would skip. Reads only. */
export async function previewBulk(villageId: number, input: BulkInput) {
  const rule = await awardRule(villageId, input.ruleId);
  const points = amount(rule, input.quantity);
  checkWhen(input.occurredAt);
  const chosen = await chooseHouseholds(villageId, input.choice);
  const rows: PreviewRow[] = [];
  for (const h of chosen) rows.push({ ...h, refusal: await refusalOf(rule, h, input.occurredAt, points) });
  const filed = rows.filter((r) => r.refusal === null).length;
  return {
    rule: { id: rule.id, name: rule.name, points: rule.points, unit: rule.unit },
    points,
    households: rows.length,
    filed,
    total: filed * points,
    refused: rows.filter((r) => r.refusal !== null),
    ids: rows.map((r) => r.id),
    chosen: await describeChoice(villageId, input.choice, rows.length),
  };
}

export type BulkPreview = Awaited<ReturnType<typeof previewBulk>>;

// ---- making the batch ----------------------------------------------------------------------------------

export interface CreateBatchInput {
  key: string;
  ruleId: number;
  householdIds: number[];
  occurredAt: number;
  quantity: number;
  note: string;
  /** The points each household was shown in the preview. */
  points: number;
  chosen: string;
}

export interface Filer {
  userId: number;
  role: Role;
}

async function batchByKey(key: string) {
  return db().selectFrom("bulk_batches").select(["id", "village_id"]).where("key", "=", key).executeTakeFirst();
}

/**
 * The batch of this key: made now with its households waiting, or the one made already (the same
 * form sent again, or twice at once). Files nothing yet (see fileNextChunk).
 */
export async function createBatch(villageId: number, filer: Filer, input: CreateBatchInput): Promise<{ batchId: number; created: boolean }> {
  if (filer.role !== "committee") throw new BulkError("只有村委委员可以批量发放", "_form", 403);
  const existing = await batchByKey(input.key);
  if (existing) return sameVillage(existing, villageId);
  const rule = await awardRule(villageId, input.ruleId);
  const points = amount(rule, input.quantity);
  if (points !== input.points) throw new BulkError(`细则“${rule.name}”的分值已经改了，请重新预览`);
  checkWhen(input.occurredAt);
  if (input.householdIds.length === 0) throw new BulkError("没有选中任何户");
  if (input.householdIds.length > BULK_LIMITS.households) throw new BulkError(`一次最多 ${BULK_LIMITS.households} 户，请分成几批`);
  const households = await householdsById(villageId, [...new Set(input.householdIds)]);
  try {
    const batchId = await unitOfWork(async (tx) => {
      const at = now();
      const { id } = await tx
        .insertInto("bulk_batches")
        .values({
          village_id: villageId, rule_id: rule.id, key: input.key, filer_user_id: filer.userId, filer_role: filer.role, chosen: input.chosen,
          occurred_at: input.occurredAt, quantity: input.quantity, points, note: input.note, households: households.length, status: "filing",
          created_at: at, updated_at: at,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const part of chunks(households, 200)) {
        await tx
          .insertInto("bulk_batch_households")
          .values(part.map((h) => ({ batch_id: id, village_id: villageId, household_id: h.id, member_id: h.headId, status: "waiting" as const })))
          .execute();
      }
      await audit({
        actorUserId: filer.userId, actorRole: filer.role, villageId, action: "bulk.create", targetType: "bulk_batch", targetId: id,
        after: { rule: rule.name, chosen: input.chosen, households: households.length, points, note: input.note },
      });
      return id;
    });
    return { batchId, created: true };
  } catch (e) {
    // The same key at once from another request: that one made the batch.
    if (!isUniqueViolation(e, "bulk_batches.key")) throw e;
    const made = await batchByKey(input.key);
    if (!made) throw e;
    return sameVillage(made, villageId);
  }
}

function sameVillage(batch: { id: number; village_id: number }, villageId: number): { batchId: number; created: boolean } {
  // A key is random and made for one village's form; another village's is a forged or mixed-up form.
  if (batch.village_id !== villageId) throw new BulkError("请求有误，请刷新页面后再试");
  return { batchId: batch.id, created: false };
}

// ---- filing ---------------------------------------------------------------------------------------------

export interface ChunkResult {
  filed: number;
  skipped: number;
  done: boolean;
}

/**
 * Files the next CHUNK waiting households of the batch in one unit of work: each one a claim (or
 * skipped with the reason), the rows and the batch's counts updated with them.
 */
export async function fileNextChunk(batchId: number): Promise<ChunkResult> {
  return unitOfWork(async (tx) => {
    const batch = await tx.selectFrom("bulk_batches").selectAll().where("id", "=", batchId).executeTakeFirst();
    if (!batch || batch.status === "done") return { filed: 0, skipped: 0, done: true };
    const rows = await tx
      .selectFrom("bulk_batch_households")
      .select(["id", "household_id", "member_id"])
      .where("batch_id", "=", batchId)
      .where("status", "=", constant("waiting"))
      .orderBy("id")
      .limit(CHUNK)
      .execute();
    const rule = await tx.selectFrom("rules").selectAll().where("id", "=", batch.rule_id).executeTakeFirstOrThrow();
    const skips: { id: number; reason: string }[] = [];
    const toFile: { id: number; item: ClaimItem }[] = [];
    for (const r of rows) {
      const refusal = rule.active ? await refusalOf(rule, { id: r.household_id, headId: r.member_id }, batch.occurred_at, batch.points) : `细则“${rule.name}”已停用，不能再发放`;
      if (refusal) skips.push({ id: r.id, reason: refusal });
      else toFile.push({ id: r.id, item: { memberId: r.member_id!, ruleId: rule.id, occurredAt: batch.occurred_at, quantity: batch.quantity, note: batch.note } });
    }
    const filed = await fileItems(batch, toFile, skips);
    for (const f of filed) {
      await tx.updateTable("bulk_batch_households").set({ status: "filed", claim_id: f.claimId }).where("id", "=", f.id).execute();
    }
    for (const s of skips) {
      await tx.updateTable("bulk_batch_households").set({ status: "skipped", reason: s.reason }).where("id", "=", s.id).execute();
    }
    const done = rows.length < CHUNK || !(await anyWaiting(batchId));
    const at = now();
    await tx
      .updateTable("bulk_batches")
      .set((eb) => ({
        filed: eb("filed", "+", filed.length), skipped: eb("skipped", "+", skips.length), status: done ? "done" : "filing", updated_at: at,
      }))
      .where("id", "=", batchId)
      .execute();
    if (done) {
      await audit({
        actorUserId: batch.filer_user_id, actorRole: batch.filer_role, villageId: batch.village_id, action: "bulk.done", targetType: "bulk_batch", targetId: batchId,
        after: { filed: batch.filed + filed.length, skipped: batch.skipped + skips.length },
      });
    }
    return { filed: filed.length, skipped: skips.length, done };
  });
}

async function anyWaiting(batchId: number): Promise<boolean> {
  const row = await db().selectFrom("bulk_batch_households").select("id").where("batch_id", "=", batchId).where("status", "=", constant("waiting")).limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * The chunk's claims in one fileClaimBatch (a savepoint of the chunk's unit). Should it refuse one
 * item (a head deactivated since the preview), the items are filed one by one instead and the
 * refused ones skipped with the claim module's message.
 */
async function fileItems(batch: BulkBatch, toFile: { id: number; item: ClaimItem }[], skips: { id: number; reason: string }[]) {
  if (toFile.length === 0) return [];
  const input = (items: ClaimItem[]) => ({
    villageId: batch.village_id, filer: { userId: batch.filer_user_id, role: batch.filer_role as Role }, source: { kind: "bulk", id: batch.id }, items,
  });
  try {
    const ids = await fileClaimBatch(input(toFile.map((t) => t.item)));
    return toFile.map((t, i) => ({ id: t.id, claimId: ids[i] }));
  } catch (e) {
    if (!(e instanceof ClaimError)) throw e;
  }
  const filed: { id: number; claimId: number }[] = [];
  for (const t of toFile) {
    try {
      const [claimId] = await fileClaimBatch(input([t.item]));
      filed.push({ id: t.id, claimId });
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      skips.push({ id: t.id, reason: e.message });
    }
  }
  return filed;
}

/**
 * Files chunk after chunk until the batch is done, `budgetMs` has passed or `stop()` says so;
 * returns whether it is done.
 */
export async function runBatch(batchId: number, budgetMs = Number.POSITIVE_INFINITY, stop: () => boolean = () => false): Promise<boolean> {
  const started = Date.now();
  for (;;) {
    const r = await fileNextChunk(batchId);
    if (r.done) return true;
    if (Date.now() - started >= budgetMs || stop()) return false;
    // Let the requests queued behind this chunk have the writer before the next one.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const background = new Map<number, Promise<void>>();
let stopping = false;

/** Goes on filing a large batch after the request has answered; the scheduler resumes it if this process stops. */
export function continueInBackground(batchId: number): void {
  if (background.has(batchId) || stopping) return;
  const run = (async () => {
    try {
      await runBatch(batchId, Number.POSITIVE_INFINITY, () => stopping);
    } catch (e) {
      console.error(`批量发放 #${batchId} 登记中断，下一轮定时任务接着登记`, e);
    } finally {
      background.delete(batchId);
    }
  })();
  background.set(batchId, run);
}

/** Shutdown: the background runs end after their current chunk; the scheduler resumes them at the next start. */
export async function stopBackground(): Promise<void> {
  stopping = true;
  await Promise.all([...background.values()]);
}

/** The scheduler's job: batches left filing (a process that stopped mid-way), each to its end. */
export async function resumeBulkBatches(limit = 20): Promise<number> {
  const open = await db().selectFrom("bulk_batches").select("id").where("status", "=", constant("filing")).orderBy("id").limit(limit).execute();
  let finished = 0;
  for (const { id } of open) {
    try {
      if (await runBatch(id)) finished++;
    } catch (e) {
      console.error(`批量发放 #${id} 登记失败，下一轮再试`, e);
    }
  }
  return finished;
}

// ---- reading ------------------------------------------------------------------------------------------

export async function listBatches(villageId: number, page: number, pageSize = 20) {
  const rows = await db()
    .selectFrom("bulk_batches as b")
    .innerJoin("rules as r", "r.id", "b.rule_id")
    .innerJoin("users as u", "u.id", "b.filer_user_id")
    .select(["b.id", "b.chosen", "b.points", "b.households", "b.filed", "b.skipped", "b.status", "b.created_at", "b.occurred_at", "r.name as rule", "u.display_name as filer"])
    .where("b.village_id", "=", villageId)
    .orderBy("b.id", "desc")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  const count = await db().selectFrom("bulk_batches").select((eb) => eb.fn.countAll<number>().as("n")).where("village_id", "=", villageId).executeTakeFirstOrThrow();
  const total = Number(count.n);
  return { rows, total, page, pages: Math.max(1, Math.ceil(total / pageSize)) };
}

/** A batch of this village with its progress, its claims by status and its skipped households; 404 otherwise. */
export async function batchView(villageId: number, batchId: number) {
  const batch = await db()
    .selectFrom("bulk_batches as b")
    .innerJoin("rules as r", "r.id", "b.rule_id")
    .innerJoin("users as u", "u.id", "b.filer_user_id")
    .select([
      "b.id", "b.rule_id", "b.chosen", "b.points", "b.quantity", "b.note", "b.households", "b.filed", "b.skipped", "b.status", "b.created_at", "b.occurred_at",
      "b.filer_user_id", "r.name as rule", "r.unit", "u.display_name as filer",
    ])
    .where("b.id", "=", batchId)
    .where("b.village_id", "=", villageId)
    .executeTakeFirst();
  if (!batch) throw new BulkError("找不到这批发放", "_form", 404);
  const byStatus = await db()
    .selectFrom("bulk_batch_households as bh")
    .innerJoin("claims as c", "c.id", "bh.claim_id")
    .select((eb) => ["c.status", eb.fn.countAll<number>().as("n"), eb.fn.sum<number>("c.points").as("points")])
    .where("bh.batch_id", "=", batchId)
    .groupBy("c.status")
    .execute();
  const skipped = await db()
    .selectFrom("bulk_batch_households as bh")
    .innerJoin("households as h", "h.id", "bh.household_id")
    .leftJoin("members as m", "m.id", "bh.member_id")
    .select(["bh.id", "h.number", "m.name as head", "bh.reason"])
    .where("bh.batch_id", "=", batchId)
    .where("bh.status", "=", constant("skipped"))
    .orderBy("h.number")
    .limit(SKIPPED_SHOWN)
    .execute();
  const claims = Object.fromEntries(byStatus.map((s) => [s.status, { n: Number(s.n), points: Number(s.points) }]));
  return { batch, claims, skipped };
}

export type BatchView = Awaited<ReturnType<typeof batchView>>;

/** Approves the batch's claims still waiting for review, up to `limit` per call (each its own unit, see approveClaims). */
export async function approveBatch(villageId: number, batchId: number, by: Decider, limit = 500): Promise<BatchOutcome & { left: number }> {
  const { batch } = await batchView(villageId, batchId); // 404 for another village's batch
  if (batch.filer_user_id === by.userId) throw new BulkError("不能审核自己提交的申报，请由另一位村委委员审核");
  const pending = (cap: number) =>
    db()
      .selectFrom("bulk_batch_households as bh")
      .innerJoin("claims as c", "c.id", "bh.claim_id")
      .select("c.id")
      .where("bh.batch_id", "=", batchId)
      .where("c.status", "=", constant("pending"))
      .orderBy("c.id")
      .limit(cap)
      .execute();
  const ids = (await pending(limit)).map((r) => r.id);
  if (ids.length === 0) throw new BulkError("这批没有等待审核的申报了");
  const out = await approveClaims(villageId, ids, by);
  const left = await db()
    .selectFrom("bulk_batch_households as bh")
    .innerJoin("claims as c", "c.id", "bh.claim_id")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("bh.batch_id", "=", batchId)
    .where("c.status", "=", constant("pending"))
    .executeTakeFirstOrThrow();
  return { ...out, left: Number(left.n) };
}
