// Caps (上限) of a rule: absolute points under the rule in the China-time day, month or year of
// the claim's date, for one member and for one household. What counts: claims already approved
// (公示中, 有异议, 已入账), and at a villager's or inspector's own filing also those waiting for review.
// Filing and approval both check, inside the same unit of work as their write (on SQLite an
// IMMEDIATE transaction), so two approvals racing for the last unit are serialised.
import type { ClaimStatus, Rule } from "../../db/schema";
import { chinaMonthStart } from "~/platform/clock.server";
import { db } from "~/platform/database.server";

/** What a cap check needs of a rule. */
export type CapRule = Pick<Rule, "id" | "cap_member_day" | "cap_member_month" | "cap_member_year" | "cap_household_day" | "cap_household_month" | "cap_household_year">;

type Period = "day" | "month" | "year";
type Scope = "member" | "household";

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;
const PERIOD_WORDS: Record<Period, [string, string]> = { day: ["每天", "当天"], month: ["每月", "当月"], year: ["每年", "当年"] };
const SCOPE_WORDS: Record<Scope, string> = { member: "该成员", household: "该户" };

/** [start, end) in epoch ms of the China-time day, month or year containing `at`. */
export function periodBounds(period: Period, at: number): [number, number] {
  const local = new Date(at + CHINA_OFFSET_MS);
  if (period === "day") {
    const start = Math.floor((at + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS;
    return [start, start + DAY_MS];
  }
  const y = local.getUTCFullYear();
  if (period === "year") return [Date.UTC(y, 0, 1) - CHINA_OFFSET_MS, Date.UTC(y + 1, 0, 1) - CHINA_OFFSET_MS];
  const m = local.getUTCMonth();
  const month = (yy: number, mm: number) => `${yy}-${String(mm + 1).padStart(2, "0")}`;
  return [chinaMonthStart(month(y, m)), chinaMonthStart(m === 11 ? month(y + 1, 0) : month(y, m + 1))];
}

export interface CapCandidate {
  memberId: number;
  householdId: number;
  occurredAt: number;
  points: number;
}

/** A claim not yet in the table that counts too (an earlier item of the same batch). */
export interface Counted {
  member_id: number;
  household_id: number;
  occurred_at: number;
  points: number;
}

type CapKey = `${Scope}_${Period}`;
const CAP_ORDER: { scope: Scope; period: Period; key: CapKey }[] = (["member", "household"] as const).flatMap((scope) =>
  (["day", "month", "year"] as const).map((period) => ({ scope, period, key: `${scope}_${period}` as const })),
);
const WIDER: Record<Period, number> = { day: 0, month: 1, year: 2 };

/**
 * Points already used under the rule, per cap the rule has, in ONE statement: each cap is a sum
 * over its own scope and period; the rows read are the rule's in the widest period asked for (day
 * within month within year, all China time), through the index on (rule_id, occurred_at).
 */
async function usedSoFar(ruleId: number, c: CapCandidate, caps: typeof CAP_ORDER, countPending: boolean) {
  const statuses: ClaimStatus[] = countPending ? ["pending", "notice", "objected", "credited"] : ["notice", "objected", "credited"];
  const widest = caps.reduce<Period>((w, k) => (WIDER[k.period] > WIDER[w] ? k.period : w), "day");
  const [from, to] = periodBounds(widest, c.occurredAt);
  return db()
    .selectFrom("claims")
    .select((eb) =>
      caps.map(({ scope, period, key }) => {
        const [start, end] = periodBounds(period, c.occurredAt);
        const who = scope === "member" ? eb("member_id", "=", c.memberId) : eb("household_id", "=", c.householdId);
        const counts = eb.and([who, eb("occurred_at", ">=", start), eb("occurred_at", "<", end)]);
        const points = eb.case().when(counts).then(eb.fn<number>("abs", ["points"])).else(eb.lit(0)).end();
        return eb.fn.coalesce(eb.fn.sum<number>(points), eb.lit(0)).as(key);
      }),
    )
    .where("rule_id", "=", ruleId)
    .where("occurred_at", ">=", from)
    .where("occurred_at", "<", to)
    .where("status", "in", statuses)
    .where((eb) => eb.or([eb("member_id", "=", c.memberId), eb("household_id", "=", c.householdId)]))
    .executeTakeFirstOrThrow(); // an aggregate without group by: always one row
}

/**
 * The first cap the candidate would exceed, as a message naming the cap and what remains; null if
 * none. `alsoCounting` are claims not yet approved that should count too (earlier items of a batch).
 * `countPending` also counts claims still waiting for review: a villager filing by hand cannot pile
 * up claims beyond the cap while the committee has not looked yet.
 */
export async function capViolation(rule: CapRule, c: CapCandidate, alsoCounting: Counted[] = [], countPending = false): Promise<string | null> {
  const caps = CAP_ORDER.flatMap((k) => {
    const cap = rule[`cap_${k.key}`];
    return cap === null ? [] : [{ ...k, cap }];
  });
  if (caps.length === 0) return null;
  const usedBefore = await usedSoFar(rule.id, c, caps, countPending);
  const want = Math.abs(c.points);
  for (const { scope, period, key, cap } of caps) {
    const bounds = periodBounds(period, c.occurredAt);
    const who = scope === "member" ? c.memberId : c.householdId;
    const extra = alsoCounting
      .filter((x) => (scope === "member" ? x.member_id : x.household_id) === who && x.occurred_at >= bounds[0] && x.occurred_at < bounds[1])
      .reduce((s, x) => s + Math.abs(x.points), 0);
    const used = usedBefore[key] + extra;
    if (used + want > cap) {
      const [every, that] = PERIOD_WORDS[period];
      const left = Math.max(cap - used, 0);
      return `超出上限：这条细则${SCOPE_WORDS[scope]}${every}最多 ${cap} 分，${that}已有 ${used} 分${countPending ? "（含待审核）" : ""}，还剩 ${left} 分，本次 ${want} 分`;
    }
  }
  return null;
}
