// 流动红旗: publishing a round hands the flags to its best households (village-wide or per grid),
// ties wait for the committee (picked among the tied only, with a reason, audited), a second publish
// never hands twice, and the next round's publication ends the holders' flags (kept as history).
import { afterAll, describe, expect, it } from "vitest";
import { clockControl } from "~/platform/clock.server";
import { decideFlag, currentFlags, flagCertificate, flagHistory, handFlags, householdFlags, roundFlags, slotsFor, waitingFlags } from "~/flags/flags.server";
import { FLAG_MESSAGES } from "~/flags/labels";
import { publishRound } from "~/sanitation/publish.server";
import { createRound, openRound, roundIn } from "~/sanitation/rounds.server";
import { settingsSchema, updateVillageSettings, villageSettings } from "~/rules/rules.server";
import { sqlOn } from "../support/sql";
import { openNovemberRound, sanitationVillage, score, type SanitationVillage } from "../sanitation/fixture";

const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8);
const publisher = (v: SanitationVillage) => ({ userId: v.committee1, role: "committee" as const });
const n = async (text: string, ...args: unknown[]) => Number((await sqlOn().get<{ n: number }>(text, ...args))!.n);

afterAll(() => clockControl.reset());

async function village(code: string, flags: number, scope: "village" | "grid" = "village") {
  clockControl.set(china(2026, 11, 10));
  const v = await sanitationVillage(code);
  await sqlOn().run("update villages set red_flags = ?, red_flag_scope = ? where id = ?", flags, scope, v.villageId);
  return v;
}

/** Scores each household (total split over the two items) with inspector 2, who may score every grid. */
async function scoreAll(v: SanitationVillage, roundId: number, totals: [number, number][]) {
  for (const [h, total] of totals) expect(await score(v, v.inspector2, roundId, h, [Math.min(total, 50), total - Math.min(total, 50)])).toMatchObject({ ok: true });
}

/** A December round on the checklist November's used, over both grids or only grid 一. */
async function decemberRound(v: SanitationVillage, grids: number[] = [v.g1, v.g2]): Promise<number> {
  clockControl.set(china(2026, 12, 10));
  const checklistId = (await sqlOn().get<{ id: number }>("select id from checklists where village_id = ? order by id limit 1", v.villageId))!.id;
  const committee = { userId: v.committee1, role: "committee", villageId: v.villageId };
  const made = await createRound(committee, v.villageId, { title: "2026年12月", checklistId: String(checklistId), startsOn: "2026-12-01", endsOn: "2026-12-31" }, grids.map((g) => `${g}-${v.inspector2}`));
  if (!made.ok) throw new Error(JSON.stringify(made.errors));
  expect(await openRound(committee, v.villageId, made.roundId)).toMatchObject({ ok: true });
  return made.roundId;
}

const holders = async (villageId: number) => (await currentFlags(villageId)).map((f) => f.householdId);

describe("handing the flags", () => {
  it("gives the village's flags to the round's best totals, and nothing else (the prizes stay the round's claims)", async () => {
    const v = await village("FL1", 2);
    const roundId = await openNovemberRound(v);
    await scoreAll(v, roundId, [[v.C, 90], [v.D, 80], [v.E, 70], [v.A, 60]]);
    const claimsBefore = await n("select count(*) as n from claims where village_id = ?", v.villageId);
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true, claims: 4 });
    expect(await holders(v.villageId)).toEqual([v.C, v.D]);
    // One claim per scored household, as without flags: the flag itself moves no points.
    expect(await n("select count(*) as n from claims where village_id = ?", v.villageId)).toBe(claimsBefore + 4);
    expect((await householdFlags(v.C)).map((f) => f.title)).toEqual(["2026年11月"]);
    expect(await householdFlags(v.E)).toEqual([]);
    const cert = await flagCertificate(v.villageId, (await householdFlags(v.C))[0].id);
    expect(cert).toMatchObject({ number: "003", head: "丙", total: 90, village: "FL1村" });
  });

  it("per grid: each grid's best household gets that grid's flag", async () => {
    const v = await village("FL2", 1, "grid");
    const roundId = await openNovemberRound(v);
    await scoreAll(v, roundId, [[v.C, 90], [v.D, 95], [v.E, 70]]);
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true });
    const flags = await currentFlags(v.villageId);
    expect(flags.map((f) => [f.grid, f.householdId, f.total])).toEqual([
      ["一网格", v.D, 95],
      ["二网格", v.E, 70],
    ]);
  });

  it("hands no flag when the village has none (0), and publishing then ends the flags held before", async () => {
    const v = await village("FL3", 1);
    const nov = await openNovemberRound(v);
    await scoreAll(v, nov, [[v.C, 90], [v.D, 80]]);
    expect(await publishRound(publisher(v), v.villageId, nov)).toMatchObject({ ok: true });
    expect(await holders(v.villageId)).toEqual([v.C]);
    await sqlOn().run("update villages set red_flags = 0 where id = ?", v.villageId);
    const dec = await decemberRound(v);
    await scoreAll(v, dec, [[v.C, 90], [v.D, 80]]);
    expect(await publishRound(publisher(v), v.villageId, dec)).toMatchObject({ ok: true });
    expect(await holders(v.villageId)).toEqual([]);
    expect(await n("select count(*) as n from red_flags where round_id = ?", dec)).toBe(0);
  });

  it("the slots rule: above the boundary handed, a tie at the boundary waits with exactly the tied", () => {
    const h = (householdId: number, total: number) => ({ householdId, gridId: null, total });
    expect(slotsFor([h(1, 90), h(2, 80), h(3, 80), h(4, 70)], 2, null).map((s) => [s.householdId, s.tied])).toEqual([[1, null], [null, [2, 3]]]);
    expect(slotsFor([h(1, 90), h(2, 80), h(3, 80), h(4, 70)], 3, null).map((s) => s.householdId)).toEqual([1, 2, 3]);
    expect(slotsFor([h(1, 80), h(2, 80), h(3, 80)], 2, null).map((s) => [s.householdId, s.tied])).toEqual([[null, [1, 2, 3]], [null, [1, 2, 3]]]);
    expect(slotsFor([h(1, 80)], 3, null).map((s) => s.householdId)).toEqual([1]);
    expect(slotsFor([], 3, null)).toEqual([]);
  });
});

describe("a tie at the boundary", () => {
  it("waits for the committee, who picks only among the tied, with a reason, audited, once", async () => {
    const v = await village("FL4", 2);
    const roundId = await openNovemberRound(v);
    await scoreAll(v, roundId, [[v.C, 95], [v.D, 85], [v.E, 85], [v.A, 70]]);
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true });
    const { flags } = await roundFlags(v.villageId, roundId);
    expect(flags.map((f) => f.householdId)).toEqual([v.C, null]);
    const slot = flags[1];
    expect(slot.tied.map((t) => t.id).sort()).toEqual([v.D, v.E].sort());
    expect(await waitingFlags(v.villageId)).toEqual({ roundId, count: 1 });

    // The form's rules: a household and a reason are required.
    expect(settingsSchema).toBeDefined();
    const { decideSchema } = await import("~/flags/flags.server");
    expect(decideSchema.safeParse({ flagId: String(slot.id), householdId: String(v.D), reason: "  " }).success).toBe(false);
    expect(decideSchema.safeParse({ flagId: String(slot.id), reason: "卫生一直好" }).success).toBe(false);

    const by = { userId: v.committee1, role: "committee" };
    // Not in the tie (C holds the other flag; A scored lower): refused, nothing written.
    expect(await decideFlag(by, v.villageId, roundId, { flagId: slot.id, householdId: v.A, reason: "理由" })).toMatchObject({ ok: false, errors: { householdId: FLAG_MESSAGES.notTied } });
    expect(await decideFlag(by, v.villageId, roundId, { flagId: slot.id, householdId: v.C, reason: "理由" })).toMatchObject({ ok: false });
    // Not the committee: refused.
    expect(await decideFlag({ userId: v.admin, role: "village_admin" }, v.villageId, roundId, { flagId: slot.id, householdId: v.D, reason: "理由" })).toMatchObject({ ok: false, status: 403 });
    expect(await n("select count(*) as n from audit_log where action = 'flag.decide' and village_id = ?", v.villageId)).toBe(0);

    expect(await decideFlag(by, v.villageId, roundId, { flagId: slot.id, householdId: v.E, reason: "门前三包坚持得好" })).toMatchObject({ ok: true, householdId: v.E });
    expect(await holders(v.villageId)).toEqual([v.C, v.E]);
    expect(await n("select count(*) as n from audit_log where action = 'flag.decide' and target_id = ?", String(slot.id))).toBe(1);
    expect(await waitingFlags(v.villageId)).toBeNull();
    // A second decision (the same or another member, the same or another household) changes nothing.
    const again = await decideFlag({ userId: v.committee2, role: "committee" }, v.villageId, roundId, { flagId: slot.id, householdId: v.D, reason: "另一位也来决定" });
    expect(again).toMatchObject({ ok: false, errors: { _form: FLAG_MESSAGES.taken } });
    expect(await holders(v.villageId)).toEqual([v.C, v.E]);
    expect((await roundFlags(v.villageId, roundId)).flags[1]).toMatchObject({ householdId: v.E, reason: "门前三包坚持得好" });
    // Another village's committee cannot reach this round's flag.
    await expect(decideFlag(by, v.villageId + 1_000_000, roundId, { flagId: slot.id, householdId: v.D, reason: "x" })).rejects.toMatchObject({ status: 404 });
  });
});

describe("once per round, and rotating", () => {
  it("a second publish (or a second hand-out) does not hand the flags twice", async () => {
    const v = await village("FL5", 1);
    const roundId = await openNovemberRound(v);
    await scoreAll(v, roundId, [[v.C, 90], [v.D, 80]]);
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: true });
    expect(await publishRound(publisher(v), v.villageId, roundId)).toMatchObject({ ok: false });
    expect(await handFlags(v.villageId, await roundIn(v.villageId, roundId), Date.now())).toEqual({ held: 0, waiting: 0 });
    expect(await n("select count(*) as n from red_flags where round_id = ?", roundId)).toBe(1);
    expect(await holders(v.villageId)).toEqual([v.C]);
  });

  it("the next round's publication ends the holders' flags; the history keeps them by round", async () => {
    const v = await village("FL6", 1);
    const nov = await openNovemberRound(v);
    await scoreAll(v, nov, [[v.C, 90], [v.D, 80]]);
    expect(await publishRound(publisher(v), v.villageId, nov)).toMatchObject({ ok: true });
    const dec = await decemberRound(v);
    await scoreAll(v, dec, [[v.C, 70], [v.D, 92]]);
    expect(await publishRound(publisher(v), v.villageId, dec)).toMatchObject({ ok: true });
    expect(await holders(v.villageId)).toEqual([v.D]);
    expect(await householdFlags(v.C)).toEqual([]);
    const ended = (await sqlOn().get<{ ended_at: number | null; ended_by_round_id: number | null }>("select ended_at, ended_by_round_id from red_flags where round_id = ?", nov))!;
    expect(Number(ended.ended_by_round_id)).toBe(dec);
    expect(ended.ended_at).not.toBeNull();
    const history = await flagHistory(v.villageId, 1);
    expect(history.rounds.map((r) => [r.title, r.flags.map((f) => f.householdId)])).toEqual([["2026年12月", [v.D]], ["2026年11月", [v.C]]]);
    expect(history.more).toBe(false);
    // C's certificate of November is still there (history), marked ended.
    const novFlag = (await roundFlags(v.villageId, nov)).flags[0];
    expect(await flagCertificate(v.villageId, novFlag.id)).toMatchObject({ number: "003" });
  });

  it("per grid, a round of one grid leaves the other grids' flags where they are", async () => {
    const v = await village("FL7", 1, "grid");
    const nov = await openNovemberRound(v);
    await scoreAll(v, nov, [[v.C, 90], [v.D, 80], [v.E, 70]]);
    expect(await publishRound(publisher(v), v.villageId, nov)).toMatchObject({ ok: true });
    const dec = await decemberRound(v, [v.g1]);
    await scoreAll(v, dec, [[v.C, 70], [v.D, 92]]);
    expect(await publishRound(publisher(v), v.villageId, dec)).toMatchObject({ ok: true });
    expect((await holders(v.villageId)).sort()).toEqual([v.D, v.E].sort());
  });

  it("a round published after a later month's hands nothing: the flag stays with the newer month", async () => {
    const v = await village("FL8", 1);
    const nov = await openNovemberRound(v);
    await scoreAll(v, nov, [[v.C, 90]]);
    const dec = await decemberRound(v);
    await scoreAll(v, dec, [[v.D, 80]]);
    expect(await publishRound(publisher(v), v.villageId, dec)).toMatchObject({ ok: true });
    expect(await publishRound(publisher(v), v.villageId, nov)).toMatchObject({ ok: true });
    expect(await holders(v.villageId)).toEqual([v.D]);
    expect(await n("select count(*) as n from red_flags where round_id = ?", nov)).toBe(0);
  });
});

describe("the village setting", () => {
  const base = { noticeDays: "3", approvalsNeeded: "1", rankingNames: "masked", expiryMode: "never", expiryMonths: "12", expiryNoticeDays: "30" };

  it("is saved with the village's settings, and a form without the fields keeps the village's", async () => {
    const v = await village("FL9", 0);
    const actor = { userId: v.admin, role: "village_admin", villageId: v.villageId };
    const parsed = settingsSchema.parse({ ...base, redFlags: "３", redFlagScope: "grid" });
    expect(await updateVillageSettings(actor, v.villageId, parsed)).toMatchObject({ ok: true });
    expect(await villageSettings(v.villageId)).toMatchObject({ redFlags: 3, redFlagScope: "grid" });
    expect(await updateVillageSettings(actor, v.villageId, settingsSchema.parse(base))).toMatchObject({ ok: true });
    expect(await villageSettings(v.villageId)).toMatchObject({ redFlags: 3, redFlagScope: "grid" });
  });

  it("refuses a count outside 0–20 and an unknown scope, with Chinese messages", () => {
    for (const redFlags of ["21", "-1", "1.5", "abc", ""]) {
      const r = settingsSchema.safeParse({ ...base, redFlags });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0].message).toBe(FLAG_MESSAGES.count);
    }
    const r = settingsSchema.safeParse({ ...base, redFlags: "1", redFlagScope: "town" });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toBe(FLAG_MESSAGES.scope);
  });
});
