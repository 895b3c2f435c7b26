// 积分清零 / 过期: the scheduler's job that expires points once per household and period, the notice
// a household sees before, and the committee's list of expiries with its 撤销. Points move only
// through the ledger: `expire()` posts kind "expiry" under the key expiry:<household>:<period> (a
// second post of a period is impossible, whoever runs it) and never touches held points.
import { z } from "zod";
import { audit } from "~/audit/audit.server";
import { expire, expiringAmount, expiryKey, LedgerError, reverse, type Actor } from "~/ledger/ledger.server";
import { now } from "~/platform/clock.server";
import { APPENDS, atomically, constant, db, unitOfWork } from "~/platform/database.server";
import { fail, formIdSchema, type Outcome, type StaffActor } from "~/platform/forms.server";
import { hasInvisible, normalizeDigits, pageSchema, textSchema } from "~/platform/validation.server";
import { notifyHousehold } from "~/notifications/notify.server";
import { dayWords, EXPIRY_LIMITS, periodWords } from "./labels";
import { dueRun, monthBefore, noticeRun, type Policy, type Run } from "./periods.server";

const SYSTEM: Actor = { userId: null, role: "system" };
/** Households looked at per read; each expiry is its own unit of work, so the writer is free between them. */
const BATCH = 100;

function policyColumns() {
  return ["v.id", "v.expiry_mode as mode", "v.expiry_months as months", "v.expiry_notice_days as noticeDays", "v.expiry_since as since"] as const;
}

export async function villagePolicy(villageId: number): Promise<Policy> {
  const row = await db().selectFrom("villages as v").select(policyColumns()).where("v.id", "=", villageId).executeTakeFirstOrThrow();
  return row;
}

function memoOf(policy: Policy, run: Run): string {
  if (policy.mode === "year_end") return `${periodWords(run.period)}积分过期（年底清零）`;
  return `${periodWords(monthBefore(run.keepEarnedSince))}及以前得到的积分已满 ${policy.months} 个月，过期清零`;
}

// ---- the scheduler's job -----------------------------------------------------------------------

export interface ExpiryRound {
  /** Expiry transactions this round created (replays not counted). */
  posted: number;
  points: number;
}

/**
 * Every village whose run is due and not yet done: each household with a positive balance and no
 * expiry of the period yet gets one `expire()` call. The village's period is marked done after a
 * pass in which nothing failed. Two rounds at once (two processes, the test clock's and the
 * minute's) post each expiry once: the ledger's key decides, and a replay counts for nothing.
 */
export async function runExpiry(at = now()): Promise<ExpiryRound> {
  const round: ExpiryRound = { posted: 0, points: 0 };
  const villages = await db().selectFrom("villages as v").select(policyColumns()).where("v.expiry_mode", "<>", constant("never")).orderBy("v.id").execute();
  for (const v of villages) {
    const run = dueRun(v, at);
    if (run) {
      const done = await db().selectFrom("expiry_runs").select("period").where("village_id", "=", v.id).where("period", "=", run.period).executeTakeFirst();
      if (!done) await runVillage(v.id, v, run, round);
    }
    const coming = noticeRun(v, at);
    if (coming) {
      const told = await db().selectFrom("expiry_notices").select("period").where("village_id", "=", v.id).where("period", "=", coming.period).executeTakeFirst();
      if (!told) await notifyVillage(v.id, coming);
    }
  }
  return round;
}

/** Keyset pages of a village's households with a positive balance, a batch at a time. */
async function* householdsWithPoints(villageId: number): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const batch = await db()
      .selectFrom("households as h")
      .innerJoin("accounts as a", "a.household_id", "h.id")
      .select("h.id")
      .where("h.village_id", "=", villageId)
      .where("a.balance", ">", 0)
      .where("h.id", ">", after)
      .orderBy("h.id")
      .limit(BATCH)
      .execute();
    if (!batch.length) return;
    after = batch[batch.length - 1].id;
    yield batch.map((h) => h.id);
    // Let requests waiting for the database in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * When a run's notice window opens: 消息 "积分即将过期" to each household with points to lose, once
 * per period (the inbox's dedupe key makes a second round's notice a no-op; expiry_notices stops the
 * rounds after the first from looking again).
 */
async function notifyVillage(villageId: number, run: Run): Promise<void> {
  const lastDay = dayWords(run.lastDay);
  let failed = 0;
  for await (const batch of householdsWithPoints(villageId)) {
    for (const householdId of batch) {
      try {
        const amount = await expiringAmount(householdId, run.keepEarnedSince);
        if (amount <= 0) continue;
        await notifyHousehold(householdId, {
          kind: "points.expiring", villageId, title: "积分即将过期",
          body: `您有 ${amount} 分将于 ${lastDay} 过期，请在此之前兑换。`, link: "/store", dedupeKey: `expiry:${run.period}`,
        });
      } catch (e) {
        failed++;
        console.error(`积分过期提醒出错：第 ${householdId} 户，${run.period}`, e);
      }
    }
  }
  if (failed) return;
  await atomically((tx) =>
    tx.insertInto("expiry_notices").values({ village_id: villageId, period: run.period, notified_at: now() }).onConflict((oc) => oc.columns(["village_id", "period"]).doNothing()).execute(),
  );
}

async function runVillage(villageId: number, policy: Policy, run: Run, round: ExpiryRound): Promise<void> {
  const memo = memoOf(policy, run);
  let failed = 0;
  for await (const batch of householdsWithPoints(villageId)) {
    const keys = batch.map((h) => expiryKey(h, run.period));
    const posted = new Set((await db().selectFrom("ledger_transactions").select("idem_key").where("idem_key", "in", keys).execute()).map((r) => r.idem_key));
    for (const householdId of batch) {
      if (posted.has(expiryKey(householdId, run.period))) continue;
      try {
        const r = await expire({ householdId, period: run.period, keepEarnedSince: run.keepEarnedSince, actor: SYSTEM, memo });
        if (r?.created) round.posted++;
      } catch (e) {
        failed++;
        console.error(`积分过期出错：第 ${householdId} 户，${run.period}`, e);
      }
    }
  }
  if (failed) return; // the next round tries the rest again
  const totals = await periodTotals(villageId, run.period);
  round.points += totals.points;
  await atomically((tx) =>
    tx
      .insertInto("expiry_runs")
      .values({ village_id: villageId, period: run.period, households: totals.households, points: totals.points, finished_at: now() })
      .onConflict((oc) => oc.columns(["village_id", "period"]).doNothing())
      .execute(),
  );
}

/** What a village's period expired, from the ledger (reversals not subtracted). */
async function periodTotals(villageId: number, period: string): Promise<{ households: number; points: number }> {
  const row = await db()
    .selectFrom("ledger_transactions as t")
    .innerJoin("ledger_entries as e", "e.txn_id", "t.id")
    .innerJoin("accounts as a", "a.id", "e.account_id")
    .select((eb) => [eb.fn.countAll<number>().as("households"), eb.fn.coalesce(eb.fn.sum<number>("e.amount"), eb.lit(0)).as("amount")])
    .where("t.village_id", "=", villageId)
    .where("t.kind", "=", constant("expiry"))
    .where("t.idem_key", "like", `expiry:%:${period}`)
    .where("a.kind", "=", constant("household"))
    .executeTakeFirstOrThrow();
  return { households: Number(row.households), points: -Number(row.amount) };
}

// ---- the household's notice ----------------------------------------------------------------------

export interface ExpiryNotice {
  amount: number;
  /** "2026年12月31日": the last day the points can be spent. */
  lastDay: string;
}

/** What the household will lose at the village's next run, from D days before it; null otherwise. */
export async function expiryNotice(householdId: number, at = now()): Promise<ExpiryNotice | null> {
  const v = await db()
    .selectFrom("households as h")
    .innerJoin("villages as v", "v.id", "h.village_id")
    .select(policyColumns())
    .where("h.id", "=", householdId)
    .executeTakeFirst();
  if (!v) return null;
  const run = noticeRun(v, at);
  if (!run) return null;
  const amount = await expiringAmount(householdId, run.keepEarnedSince);
  return amount > 0 ? { amount, lastDay: dayWords(run.lastDay) } : null;
}

// ---- the committee's page ------------------------------------------------------------------------

const PAGE_SIZE = 20;

export interface ExpiryRow {
  txnId: number;
  period: string;
  at: number;
  householdId: number;
  number: string;
  head: string | null;
  points: number;
  reversedAt: number | null;
  reversedMemo: string | null;
}

/** The page's query: a page number and, optionally, one household's 户号 (what a committee is asked about). */
export const expiriesQuerySchema = z.object({
  page: pageSchema,
  number: z
    .string()
    .nullish()
    .transform((s) => normalizeDigits((s ?? "").trim()))
    .refine((s) => s.length <= 20 && !/[<>]/.test(s) && !hasInvisible(s), "户号最多 20 个字，不能含特殊符号"),
});

/** One page of the village's expiries (of one household when `number` is given), newest first. */
export async function villageExpiries(villageId: number, page: number, number = ""): Promise<{ rows: ExpiryRow[]; page: number; pages: number; total: number }> {
  const household = number
    ? await db().selectFrom("households").select("id").where("village_id", "=", villageId).where("number", "=", number).executeTakeFirst()
    : null;
  if (number && !household) return { rows: [], page: 1, pages: 1, total: 0 };
  const { total } = await db()
    .selectFrom("ledger_transactions as t")
    .$if(household != null, (qb) =>
      qb.innerJoin("ledger_entries as e", "e.txn_id", "t.id").innerJoin("accounts as a", "a.id", "e.account_id").where("a.household_id", "=", household!.id),
    )
    .select((eb) => eb.fn.countAll<number>().as("total"))
    .where("t.village_id", "=", villageId)
    .where("t.kind", "=", constant("expiry"))
    .executeTakeFirstOrThrow();
  const pages = Math.max(1, Math.ceil(Number(total) / PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = await db()
    .selectFrom("ledger_transactions as t")
    .innerJoin("ledger_entries as e", "e.txn_id", "t.id")
    .innerJoin("accounts as a", (j) => j.onRef("a.id", "=", "e.account_id").on("a.kind", "=", constant("household")))
    .innerJoin("households as h", "h.id", "a.household_id")
    .leftJoin("members as m", (j) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)))
    .leftJoin("ledger_transactions as r", "r.reverses_id", "t.id")
    .select(["t.id as txnId", "t.idem_key as key", "t.created_at as at", "h.id as householdId", "h.number", "m.name as head", "e.amount", "r.created_at as reversedAt", "r.memo as reversedMemo"])
    .where("t.village_id", "=", villageId)
    .where("t.kind", "=", constant("expiry"))
    .$if(household != null, (qb) => qb.where("h.id", "=", household!.id))
    .orderBy("t.id", "desc")
    .limit(PAGE_SIZE)
    .offset((current - 1) * PAGE_SIZE)
    .execute();
  return {
    rows: rows.map(({ key, amount, ...r }) => ({ ...r, period: key.split(":")[2] ?? "", points: -amount })),
    page: current,
    pages,
    total: Number(total),
  };
}

export const reverseExpirySchema = z.object({
  txnId: formIdSchema,
  // Made when the page was drawn: a double tap or a resent form reverses once.
  key: z.string({ error: "请求有误，请刷新页面后再试" }).regex(/^[0-9a-f]{32}$/, "请求有误，请刷新页面后再试"),
  reason: textSchema("撤销理由", EXPIRY_LIMITS.reasonMax),
});

/** 撤销 one expiry: a reversal (红冲) with the committee member's reason, and an audit row. */
export async function reverseExpiry(actor: StaffActor, villageId: number, input: z.infer<typeof reverseExpirySchema>): Promise<Outcome<{ created: boolean }>> {
  const txn = await db()
    .selectFrom("ledger_transactions")
    .select(["id", "idem_key"])
    .where("id", "=", input.txnId)
    .where("village_id", "=", villageId)
    .where("kind", "=", constant("expiry"))
    .executeTakeFirst();
  if (!txn) return fail("_form", "找不到这笔过期记录，请刷新页面后再试", 404);
  try {
    return await unitOfWork(async () => {
      const r = await reverse({ txnId: txn.id, idemKey: `expiry-reverse:${input.key}`, actor: { userId: actor.userId, role: actor.role }, memo: `撤销积分过期：${input.reason}` });
      if (r.created) {
        await audit({
          actorUserId: actor.userId, actorRole: actor.role, villageId, action: "expiry.reverse", targetType: "ledger_transaction", targetId: txn.id,
          before: { period: txn.idem_key.split(":")[2] }, after: { reason: input.reason },
        });
      }
      return { ok: true as const, created: r.created };
    }, APPENDS);
  } catch (e) {
    if (e instanceof LedgerError && (e.code === "already_reversed" || e.code === "idempotency_conflict")) return fail("_form", "这笔过期已经撤销过了", 409);
    throw e;
  }
}
