// Demo sanitation rounds for each demo village: the default checklist; last month's round scored by
// the village's inspector and published four days ago (its 公示 has ended, so the scheduler credits
// its claims at start-up like any other; its 红黑榜 is on the notice board; households may still ask
// for re-inspection for three more days); and this month's round open, with
// the inspector on the grid they live in and a few households already scored. Everything goes
// through the same modules the pages use; no points move here.
import { firstStaff } from "./staff.server";
import { chinaMonth, chinaMonthStart, clockControl } from "../../app/platform/clock.server";
import { db } from "../../app/platform/database.server";
import { formatMonth } from "../../app/platform/format";
import { householdBalance } from "../../app/ledger/ledger.server";
import { markAbsent, saveScores } from "../../app/sanitation/inspections.server";
import { defaultChecklist, insertChecklist } from "../../app/sanitation/checklists.server";
import { publishRound } from "../../app/sanitation/publish.server";
import { createRound, openRound, roundIn, type RoundRow } from "../../app/sanitation/rounds.server";
import type { ChecklistItem } from "../../app/sanitation/labels";
import { decideFlag, roundFlags } from "../../app/flags/flags.server";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

/**
 * 流动红旗: the demo's committee settles a round's ties at once, each waiting flag to the first tied
 * household (by 户号) without one, with a reason, through the same module as the page.
 */
export async function decideDemoTies(villageId: number, roundId: number, committee: number): Promise<void> {
  for (;;) {
    const waiting = (await roundFlags(villageId, roundId)).flags.find((f) => f.householdId === null && f.endedAt === null);
    const pick = waiting?.tied.find((h) => !h.holds);
    if (!waiting || !pick) return;
    const out = await decideFlag({ userId: committee, role: "committee" }, villageId, roundId, { flagId: waiting.id, householdId: pick.id, reason: "并列户中，村委复看时院落保持得最好" });
    if (!out.ok) throw new Error(`演示红旗未能决定：${JSON.stringify(out.errors)}`);
  }
}

/** A fixed, household-specific total: mostly 良好 and 优秀, some 合格, a few 不合格. */
function totalFor(seed: number): number {
  let x = (seed * 2654435761) % 4294967296;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const u = next();
  const [lo, hi] = u < 0.07 ? [38, 59] : u < 0.22 ? [60, 74] : u < 0.62 ? [75, 89] : [90, 100];
  return lo + Math.floor(next() * (hi - lo + 1));
}

/** Item scores adding up to `total`, each within its maximum. */
function split(items: ChecklistItem[], total: number): number[] {
  const sum = items.reduce((s, i) => s + i.max, 0);
  const scores = items.map((i) => Math.floor((i.max * total) / sum));
  let left = total - scores.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0 && k < items.length * 2; k++) {
    const i = k % items.length;
    if (scores[i] < items[i].max) {
      scores[i]++;
      left--;
    }
  }
  return scores;
}

/**
 * `round` as read once after it opened: scoring changes none of its fields. 不合格 files a
 * deduction: a household that could not pay it gets 合格 instead (the demo leaves none below zero).
 */
async function score(round: RoundRow, inspector: number, householdId: number, at: number, withPhoto: boolean): Promise<void> {
  clockControl.set(at);
  let planned = totalFor(householdId * 31 + round.id);
  if (planned < 60 && (await householdBalance(householdId)).spendable < 10) planned = 60 + (planned % 15);
  const scores = split(round.checklist.items, planned);
  const raw: Record<string, string> = { note: "" };
  scores.forEach((s, k) => (raw[`s${k}`] = String(s)));
  const total = scores.reduce((a, b) => a + b, 0);
  if (total < 60) raw.note = "院内杂物堆放，厕所未清理";
  const form = new FormData();
  for (const [k, v] of Object.entries(raw)) form.append(k, v);
  if (withPhoto) form.append("photos", new File([new Uint8Array(PNG)], "photo.png", { type: "image/png" }));
  const out = await saveScores({ userId: inspector, role: "inspector" }, round, householdId, form, raw);
  if (!out.ok && out.status !== 403) throw new Error(`演示评分失败：${JSON.stringify(out.errors)}`);
}

async function households(villageId: number, gridIds: number[] | null): Promise<{ id: number; grid_id: number | null }[]> {
  const all = await db().selectFrom("households").select(["id", "grid_id"]).where("village_id", "=", villageId).orderBy("grid_id").orderBy("number").execute();
  return gridIds ? all.filter((h) => h.grid_id !== null && gridIds.includes(h.grid_id)) : all;
}

export async function seedDemoSanitation(today: number): Promise<void> {
  const villages = await db().selectFrom("villages").select("id").orderBy("id").execute();
  const thisMonth = chinaMonth(today);
  const monthStart = chinaMonthStart(thisMonth);
  const lastMonth = chinaMonth(monthStart - DAY);
  const lastStart = chinaMonthStart(lastMonth);
  const day = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);
  try {
    for (const { id: villageId } of villages) {
      const inspector = await firstStaff(villageId, "inspector");
      const committee = await firstStaff(villageId, "committee");
      const admin = await firstStaff(villageId, "village_admin");
      if (!inspector || !committee) continue;
      clockControl.set(lastStart - 5 * DAY);
      // The checklist the village has used all year (db/seed/history.server.ts), else a new one.
      const used = await db().selectFrom("checklists").select("id").where("village_id", "=", villageId).orderBy("id").limit(1).executeTakeFirst();
      const checklistId = used?.id ?? await insertChecklist(villageId, await defaultChecklist(villageId), admin);
      const grids = (await db().selectFrom("grids").select("id").where("village_id", "=", villageId).orderBy("id").execute()).map((g) => g.id);
      const actor = { userId: committee, role: "committee", villageId };

      // Last month: every grid, scored over nine days, published four days ago: its 公示 (3 days) has
      // ended, so the scheduler credits the claims at start-up, and households may still ask for 复查.
      const publishAt = today - 4 * DAY;
      const scoreEnd = Math.min(monthStart, publishAt) - HOUR;
      const last = await createRound(actor, villageId, { title: formatMonth(lastMonth), checklistId: String(checklistId), startsOn: day(lastStart), endsOn: day(monthStart - DAY) }, grids.map((g) => `${g}-${inspector}`));
      if (!last.ok) throw new Error(JSON.stringify(last.errors));
      clockControl.set(scoreEnd - 10 * DAY);
      await openRound(actor, villageId, last.roundId);
      const lastRound = await roundIn(villageId, last.roundId);
      const all = await households(villageId, null);
      for (const [i, h] of all.entries()) {
        const at = scoreEnd - 9 * DAY + Math.floor((i * 9 * DAY) / all.length);
        if (i % 23 === 11) {
          clockControl.set(at);
          await markAbsent({ userId: inspector, role: "inspector" }, lastRound, h.id, { reason: "家里没人，外出打工", version: "0" });
          continue;
        }
        await score(lastRound, inspector, h.id, at, totalFor(h.id * 31 + last.roundId) < 60);
      }
      clockControl.set(publishAt);
      const published = await publishRound({ userId: committee, role: "committee" }, villageId, last.roundId);
      if (!published.ok) throw new Error(`演示评比未能公布：${JSON.stringify(published.errors)}`);
      await decideDemoTies(villageId, last.roundId, committee);

      // This month: open, the inspector on the grid of their own household (shown as 回避), five already scored.
      clockControl.set(Math.max(monthStart, today - 3 * DAY));
      const home = await db()
        .selectFrom("users as u")
        .innerJoin("members as m", "m.id", "u.member_id")
        .innerJoin("households as h", "h.id", "m.household_id")
        .select(["m.household_id", "h.grid_id"])
        .where("u.id", "=", inspector)
        .executeTakeFirst();
      const grid = home?.grid_id ?? grids[0];
      const now = await createRound(actor, villageId, { title: formatMonth(thisMonth), checklistId: String(checklistId), startsOn: day(monthStart), endsOn: day(chinaMonthStart(chinaMonth(monthStart + 32 * DAY)) - DAY) }, [`${grid}-${inspector}`]);
      if (!now.ok) throw new Error(JSON.stringify(now.errors));
      await openRound(actor, villageId, now.roundId);
      const mine = (await households(villageId, [grid])).filter((h) => h.id !== home?.household_id).slice(0, 5);
      const nowRound = await roundIn(villageId, now.roundId);
      for (const [i, h] of mine.entries()) await score(nowRound, inspector, h.id, monthStart + Math.floor(((today - monthStart) * (i + 1)) / 7), false);
    }
  } finally {
    clockControl.reset();
  }
}
