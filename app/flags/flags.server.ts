// 流动红旗 (rotating red flags). Publishing a sanitation round calls handFlags inside its unit of
// work: the round's best-scoring households get the village's flags (N for the village, or N per
// grid), and the flags held before end (kept as history). At the boundary a tie is never broken by
// the software: the slot waits (household null, the tied households listed) until a committee member
// picks one with a reason (decideFlag). No points move here: a round's prizes are its claims.
import { z } from "zod";
import type { RedFlagScope } from "../../db/schema";
import { audit } from "~/audit/audit.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { fail, formIdSchema, isUniqueViolation, notFound, type Outcome } from "~/platform/forms.server";
import { textSchema } from "~/platform/validation.server";
import { FLAG_LIMITS, FLAG_MESSAGES } from "./labels";

interface Scored {
  householdId: number;
  gridId: number | null;
  total: number;
}

interface Slot {
  gridId: number | null;
  slot: number;
  householdId: number | null;
  total: number;
  tied: number[] | null;
}

/**
 * The slots of one scope (the village, or one grid): the `count` best totals get a flag each; when
 * the households sharing the score at the boundary are more than the flags left for them, every such
 * flag waits for the committee, which picks among exactly those households.
 */
export function slotsFor(scored: Scored[], count: number, gridId: number | null): Slot[] {
  const best = [...scored].sort((a, b) => b.total - a.total || a.householdId - b.householdId);
  if (count <= 0 || best.length === 0) return [];
  if (best.length <= count) return best.map((h, i) => ({ gridId, slot: i + 1, householdId: h.householdId, total: h.total, tied: null }));
  const boundary = best[count - 1].total;
  const above = best.filter((h) => h.total > boundary);
  const atBoundary = best.filter((h) => h.total === boundary);
  const slots: Slot[] = above.map((h, i) => ({ gridId, slot: i + 1, householdId: h.householdId, total: h.total, tied: null }));
  const left = count - above.length;
  if (atBoundary.length === left) {
    for (const h of atBoundary) slots.push({ gridId, slot: slots.length + 1, householdId: h.householdId, total: h.total, tied: null });
  } else {
    const tied = atBoundary.map((h) => h.householdId);
    for (let i = 0; i < left; i++) slots.push({ gridId, slot: slots.length + 1, householdId: null, total: boundary, tied });
  }
  return slots;
}

export interface Handed {
  held: number;
  waiting: number;
}

/**
 * Hands the round's flags, inside the publishing unit of work. Runs once per round: a round that
 * already has flag rows is left alone (and the unique keys refuse a second set anyway). A round
 * published after a later-dated round was hands nothing: the flag stays with the newer month.
 */
export async function handFlags(villageId: number, round: { id: number; starts_at: number }, at: number): Promise<Handed> {
  const done = await db().selectFrom("red_flags").select("id").where("round_id", "=", round.id).limit(1).executeTakeFirst();
  if (done) return { held: 0, waiting: 0 };
  const newer = await db()
    .selectFrom("sanitation_rounds")
    .select("id")
    .where("village_id", "=", villageId)
    .where("status", "=", "published")
    .where("id", "<>", round.id)
    .where((eb) => eb.or([eb("starts_at", ">", round.starts_at), eb.and([eb("starts_at", "=", round.starts_at), eb("id", ">", round.id)])]))
    .limit(1)
    .executeTakeFirst();
  if (newer) return { held: 0, waiting: 0 };
  const v = await db().selectFrom("villages").select(["red_flags", "red_flag_scope"]).where("id", "=", villageId).executeTakeFirstOrThrow();
  const rows = await db()
    .selectFrom("inspections as i")
    .innerJoin("households as h", "h.id", "i.household_id")
    .select(["i.household_id as householdId", "h.grid_id as gridId", "i.total"])
    .where("i.round_id", "=", round.id)
    .where("i.status", "=", "scored")
    .where("i.total", "is not", null)
    .execute();
  const scored: Scored[] = rows.map((r) => ({ householdId: r.householdId, gridId: r.gridId, total: r.total ?? 0 }));
  const scope: RedFlagScope = v.red_flag_scope;
  // The flags this round takes over: every current one, except, per grid, those of grids the round
  // did not score (a round of one grid leaves the other grids' flags where they are).
  const grids = [...new Set(scored.flatMap((s) => (s.gridId === null ? [] : [s.gridId])))];
  let end = db().updateTable("red_flags").set({ ended_at: at, ended_by_round_id: round.id }).where("village_id", "=", villageId).where("ended_at", "is", null);
  if (v.red_flags > 0 && scope === "grid") {
    end = end.where((eb) => (grids.length ? eb.or([eb("grid_id", "is", null), eb("grid_id", "in", grids)]) : eb("grid_id", "is", null)));
  }
  await end.execute();
  if (v.red_flags === 0) return { held: 0, waiting: 0 };
  const slots: Slot[] =
    scope === "village"
      ? slotsFor(scored, v.red_flags, null)
      : grids.sort((a, b) => a - b).flatMap((g) => slotsFor(scored.filter((s) => s.gridId === g), v.red_flags, g));
  for (const s of slots) {
    await db()
      .insertInto("red_flags")
      .values({
        village_id: villageId, round_id: round.id, grid_id: s.gridId, scope_key: s.gridId ?? 0, slot: s.slot, household_id: s.householdId,
        total: s.total, tied_json: s.tied ? JSON.stringify(s.tied) : null, created_at: at,
      })
      .execute();
  }
  const waiting = slots.filter((s) => s.householdId === null).length;
  return { held: slots.length - waiting, waiting };
}

// ---- the committee decides a tie ------------------------------------------------------------------

export const decideSchema = z.object(
  {
    flagId: formIdSchema,
    householdId: z.string({ error: FLAG_MESSAGES.household }).regex(/^\d{1,12}$/, FLAG_MESSAGES.household).transform(Number),
    reason: textSchema("理由", FLAG_LIMITS.reason).pipe(z.string().min(1, FLAG_MESSAGES.reason)),
  },
  { error: "请求有误，请刷新页面后再试" },
);

export type Decision = z.infer<typeof decideSchema>;

/**
 * A committee member gives a waiting flag to one of the tied households. Once: the update only
 * touches a slot still waiting, so of two members deciding at once one wins and the other is told.
 */
export async function decideFlag(by: { userId: number; role: string }, villageId: number, roundId: number, d: Decision): Promise<Outcome<{ householdId: number }>> {
  if (by.role !== "committee") return fail("_form", FLAG_MESSAGES.committee, 403);
  try {
    return await unitOfWork(async (): Promise<Outcome<{ householdId: number }>> => {
      const flag = await db()
        .selectFrom("red_flags")
        .select(["id", "household_id", "tied_json", "ended_at"])
        .where("id", "=", d.flagId)
        .where("village_id", "=", villageId)
        .where("round_id", "=", roundId)
        .executeTakeFirst();
      if (!flag) notFound();
      if (flag.household_id !== null) return fail("_form", flag.tied_json ? FLAG_MESSAGES.taken : "这面红旗不需要村委决定", 409);
      if (flag.ended_at !== null) return fail("_form", FLAG_MESSAGES.ended, 409);
      // Written by handFlags from the tied households' ids.
      const tied: number[] = JSON.parse(flag.tied_json ?? "[]");
      if (!tied.includes(d.householdId)) return fail("householdId", FLAG_MESSAGES.notTied);
      const at = now();
      const done = await db()
        .updateTable("red_flags")
        .set({ household_id: d.householdId, decided_by: by.userId, reason: d.reason, decided_at: at })
        .where("id", "=", flag.id)
        .where("household_id", "is", null)
        .where("ended_at", "is", null)
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) !== 1) return fail("_form", FLAG_MESSAGES.taken, 409);
      await audit({ actorUserId: by.userId, actorRole: by.role, villageId, action: "flag.decide", targetType: "red_flag", targetId: flag.id, after: { roundId, householdId: d.householdId, tied, reason: d.reason } });
      return { ok: true, householdId: d.householdId };
    });
  } catch (e) {
    // Two waiting flags of one round given to the same household at once: the second is refused.
    if (isUniqueViolation(e, "red_flags.")) return fail("householdId", FLAG_MESSAGES.twice, 409);
    throw e;
  }
}

// ---- what pages show -------------------------------------------------------------------------------

// At most one active head per household (unique index members_one_head): the join adds no rows.
const HEAD = (j: any) => j.onRef("m.household_id", "=", "h.id").on("m.is_head", "=", constant(1)).on("m.active", "=", constant(1));

/** The flags a household holds now, with the month of the round that gave them. */
export function householdFlags(householdId: number) {
  return db()
    .selectFrom("red_flags as f")
    .innerJoin("sanitation_rounds as r", "r.id", "f.round_id")
    .select(["f.id", "f.village_id as villageId", "r.title", "r.starts_at as startsAt"])
    .where("f.household_id", "=", householdId)
    .where("f.ended_at", "is", null)
    .orderBy("f.id")
    .execute();
}

export type HouseholdFlag = Awaited<ReturnType<typeof householdFlags>>[number];

/** The village's current holders (and waiting slots), by grid and slot. */
export function currentFlags(villageId: number) {
  return db()
    .selectFrom("red_flags as f")
    .innerJoin("sanitation_rounds as r", "r.id", "f.round_id")
    .leftJoin("households as h", "h.id", "f.household_id")
    .leftJoin("members as m", HEAD)
    .leftJoin("grids as g", "g.id", "f.grid_id")
    .select(["f.id", "f.round_id as roundId", "r.title", "r.starts_at as startsAt", "f.total", "f.household_id as householdId", "h.number", "m.name as head", "g.name as grid"])
    .where("f.village_id", "=", villageId)
    .where("f.ended_at", "is", null)
    .orderBy("f.scope_key")
    .orderBy("f.slot")
    .execute();
}

export type CurrentFlag = Awaited<ReturnType<typeof currentFlags>>[number];

/** Past and present holders, by round, newest round first; a page of rounds at a time. */
export async function flagHistory(villageId: number, page: number) {
  const size = FLAG_LIMITS.historyPage;
  const rounds = await db()
    .selectFrom("sanitation_rounds as r")
    .select(["r.id", "r.title", "r.starts_at as startsAt", "r.published_at as publishedAt"])
    .where("r.village_id", "=", villageId)
    .where((eb) => eb.exists(eb.selectFrom("red_flags as f").select("f.id").whereRef("f.round_id", "=", "r.id")))
    .orderBy("r.starts_at", "desc")
    .orderBy("r.id", "desc")
    .limit(size + 1)
    .offset((page - 1) * size)
    .execute();
  const shown = rounds.slice(0, size);
  const ids = shown.map((r) => r.id);
  const flags = ids.length
    ? await db()
        .selectFrom("red_flags as f")
        .leftJoin("households as h", "h.id", "f.household_id")
        .leftJoin("members as m", HEAD)
        .leftJoin("grids as g", "g.id", "f.grid_id")
        .select(["f.id", "f.round_id as roundId", "f.total", "f.household_id as householdId", "h.number", "m.name as head", "g.name as grid", "f.reason", "f.ended_at as endedAt"])
        .where("f.round_id", "in", ids)
        .orderBy("f.scope_key")
        .orderBy("f.slot")
        .execute()
    : [];
  return { rounds: shown.map((r) => ({ ...r, flags: flags.filter((f) => f.roundId === r.id) })), more: rounds.length > size };
}

/** A round's slots for the committee's page: who holds each, and for a waiting one the tied households. */
export async function roundFlags(villageId: number, roundId: number) {
  const round = await db().selectFrom("sanitation_rounds").select(["id", "title", "status", "starts_at as startsAt"]).where("id", "=", roundId).where("village_id", "=", villageId).executeTakeFirst();
  if (!round) notFound();
  const flags = await db()
    .selectFrom("red_flags as f")
    .leftJoin("households as h", "h.id", "f.household_id")
    .leftJoin("members as m", HEAD)
    .leftJoin("grids as g", "g.id", "f.grid_id")
    .leftJoin("users as u", "u.id", "f.decided_by")
    .select(["f.id", "f.total", "f.household_id as householdId", "f.tied_json", "h.number", "m.name as head", "g.name as grid", "f.reason", "u.display_name as decidedBy", "f.ended_at as endedAt"])
    .where("f.round_id", "=", roundId)
    .orderBy("f.scope_key")
    .orderBy("f.slot")
    .execute();
  const tiedIds = [...new Set(flags.flatMap((f) => (f.tied_json ? (JSON.parse(f.tied_json) as number[]) : [])))];
  const tiedRows = tiedIds.length
    ? await db().selectFrom("households as h").leftJoin("members as m", HEAD).select(["h.id", "h.number", "m.name as head"]).where("h.id", "in", tiedIds).orderBy("h.number").execute()
    : [];
  const held = new Set(flags.flatMap((f) => (f.householdId === null ? [] : [f.householdId])));
  return {
    round,
    flags: flags.map(({ tied_json, ...f }) => {
      const tied: number[] = tied_json ? JSON.parse(tied_json) : [];
      return { ...f, tied: tiedRows.filter((h) => tied.includes(h.id)).map((h) => ({ ...h, holds: held.has(h.id) })) };
    }),
  };
}

/** How many flags of the village wait for the committee (the current round's only). */
export async function waitingFlags(villageId: number): Promise<{ roundId: number; count: number } | null> {
  const row = await db()
    .selectFrom("red_flags")
    .select((eb) => ["round_id as roundId", eb.fn.countAll<number>().as("count")])
    .where("village_id", "=", villageId)
    .where("ended_at", "is", null)
    .where("household_id", "is", null)
    .groupBy("round_id")
    .orderBy("round_id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? { roundId: row.roundId, count: Number(row.count) } : null;
}

/** A certificate: a flag that was held (now or before), with its household, round and village. */
export async function flagCertificate(villageId: number, flagId: number) {
  const row = await db()
    .selectFrom("red_flags as f")
    .innerJoin("sanitation_rounds as r", "r.id", "f.round_id")
    .innerJoin("households as h", "h.id", "f.household_id")
    .leftJoin("members as m", HEAD)
    .innerJoin("villages as v", "v.id", "f.village_id")
    .leftJoin("grids as g", "g.id", "f.grid_id")
    .select(["f.id", "f.total", "f.created_at as handedAt", "f.decided_at as decidedAt", "f.ended_at as endedAt", "r.title", "r.starts_at as startsAt", "h.number", "m.name as head", "v.name as village", "g.name as grid"])
    .where("f.id", "=", flagId)
    .where("f.village_id", "=", villageId)
    .executeTakeFirst();
  if (!row) notFound();
  return row;
}
