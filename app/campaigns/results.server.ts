// Counting, ties and confirming. The only module that counts ballots, and it refuses to before the
// voting window closes: no page, for anyone, can show a count earlier. After the close it shows
// counts and turnout, never who voted for whom. Winners need at least one vote; a tie at the last
// winning place is decided by the committee with a reason. Confirming files one claim per winner
// (filer: the confirming committee member) in the same unit of work that records the winners; the
// claims then go through review and 公示 like any other. See docs/decisions/0021, 0022.
import { z } from "zod";
import { fail, formIdSchema, type Outcome } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { TEXT_LIMITS } from "./labels";
import { campaignIn, categoriesOf, type CampaignRow, type CategoryRow } from "./campaigns.server";
import { candidatesOf, type Candidate } from "./nominations.server";
import { electorateSize, freezeElectorate } from "./voters.server";
import { ClaimError, fileClaimBatch, householdOfUser } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import type { Role } from "~/platform/roles";
import { textSchema } from "~/platform/validation.server";

export class TooEarly extends Error {
  constructor() {
    super("投票截止前不能计票");
  }
}

export interface Turnout {
  voters: number;
  electorate: number;
  /** Whole percent, rounded down, so 49.9 % never reads as 50 %. */
  percent: number;
  quorum: number;
  met: boolean;
}

export interface ResultRow extends Candidate {
  votes: number;
  place: number; // 1-based, equal votes share a place
  outcome: "win" | "tie" | "out";
}

export interface CategoryResult {
  category: CategoryRow;
  rows: ResultRow[];
  /** Places left for the tied candidates at the boundary (0 when there is no tie). */
  tiePlaces: number;
  tieDecided: { choice: number[]; reason: string; by: string; at: number } | null;
  winners: ResultRow[]; // final, once any tie is decided
}

export interface CampaignResult {
  turnout: Turnout;
  categories: CategoryResult[];
  /** What stops confirming, in words; empty when it can be confirmed. */
  blockers: string[];
}

function closedOrThrow(c: CampaignRow): void {
  if (c.state !== "closed" && c.state !== "confirmed") throw new TooEarly();
}

export async function turnoutOf(c: CampaignRow): Promise<Turnout> {
  closedOrThrow(c);
  const { voters } = await db()
    .selectFrom("campaign_ballots")
    .select((eb) => eb.fn.count<number>("voter_key").distinct().as("voters"))
    .where("campaign_id", "=", c.id)
    .executeTakeFirstOrThrow();
  const electorate = await electorateSize(c);
  const percent = electorate === 0 ? 0 : Math.floor((voters * 100) / electorate);
  return { voters, electorate, percent, quorum: c.quorum, met: voters * 100 >= c.quorum * electorate && (electorate > 0 || c.quorum === 0) };
}

/** Every ticked choice of the campaign (ballot, nomination, category): read once, counted per category below. */
function choicesOf(campaignId: number) {
  return db()
    .selectFrom("campaign_ballot_choices as ch")
    .innerJoin("campaign_ballots as b", "b.id", "ch.ballot_id")
    .select(["ch.nomination_id as id", "ch.ballot_id as ballot", "b.category_id"])
    .where("b.campaign_id", "=", campaignId)
    .execute();
}
type Choice = Awaited<ReturnType<typeof choicesOf>>[number];

/** Ballots per candidate: a ballot counts once for a nominee, however many of the nominee's nominations it ticked. */
function votesOf(choices: Choice[], candidates: Candidate[]): Map<number, number> {
  return new Map(candidates.map((x) => [x.id, new Set(choices.filter((r) => x.ids.includes(r.id)).map((r) => r.ballot)).size]));
}

/**
 * The committee's stored pick, read as candidates: an id of a nominee's duplicate nomination means that
 * nominee. A pick that is not exactly the open places among the tied (it named one nominee twice)
 * is no decision, so the committee is asked again instead of a place being left empty.
 */
function tieChoiceOf(cat: CategoryRow, rows: ResultRow[], tiePlaces: number): number[] | null {
  if (cat.tie_choice === null) return null;
  const parsed = JSON.parse(cat.tie_choice) as unknown;
  if (!Array.isArray(parsed)) return null;
  const tied = rows.filter((r) => r.outcome === "tie");
  const choice = [...new Set(parsed.map((id) => tied.find((r) => r.ids.includes(id as number))?.id))];
  if (choice.length !== tiePlaces || choice.some((id) => id === undefined)) return null;
  return (choice as number[]).sort((a, b) => a - b);
}

function categoryResult(cat: CategoryRow, candidates: Candidate[], choices: Choice[]): CategoryResult {
  const mine = candidates.filter((x) => x.category_id === cat.id);
  const votes = votesOf(choices.filter((r) => r.category_id === cat.id), mine);
  const sorted = mine
    .map((x) => ({ ...x, votes: votes.get(x.id) ?? 0 }))
    .sort((a, b) => b.votes - a.votes || a.id - b.id);
  const rows: ResultRow[] = sorted.map((x) => ({ ...x, place: 1 + sorted.filter((y) => y.votes > x.votes).length, outcome: "out" }));
  // Only candidates with at least one vote can win.
  const eligible = rows.filter((r) => r.votes > 0);
  let tiePlaces = 0;
  if (eligible.length <= cat.winners) eligible.forEach((r) => (r.outcome = "win"));
  else {
    const boundary = eligible[cat.winners - 1].votes;
    const sure = eligible.filter((r) => r.votes > boundary);
    const tied = eligible.filter((r) => r.votes === boundary);
    sure.forEach((r) => (r.outcome = "win"));
    if (sure.length + tied.length === cat.winners) tied.forEach((r) => (r.outcome = "win"));
    else {
      tiePlaces = cat.winners - sure.length;
      tied.forEach((r) => (r.outcome = "tie"));
    }
  }
  const choice = tiePlaces > 0 ? tieChoiceOf(cat, rows, tiePlaces) : null;
  const tieDecided = tiePlaces > 0 && choice && cat.tie_reason !== null ? { choice, reason: cat.tie_reason, by: cat.tie_by_name ?? "", at: cat.tie_at ?? 0 } : null;
  const winners = rows.filter((r) => r.outcome === "win" || (r.outcome === "tie" && tieDecided?.choice.includes(r.id)));
  return { category: cat, rows, tiePlaces, tieDecided, winners };
}

/** The result, once voting has closed. Throws TooEarly before: callers must not even ask. */
export async function resultOf(c: CampaignRow): Promise<CampaignResult> {
  closedOrThrow(c);
  const turnout = await turnoutOf(c);
  const candidates = await candidatesOf(c.id);
  const choices = await choicesOf(c.id);
  const categories = (await categoriesOf(c.id)).map((cat) => categoryResult(cat, candidates, choices));
  const blockers: string[] = [];
  if (!turnout.met) blockers.push(`投票率 ${turnout.percent}%，没有达到最低投票率 ${turnout.quorum}%，结果无效，不能确认`);
  for (const r of categories) if (r.tiePlaces > 0 && !r.tieDecided) blockers.push(`“${r.category.name}”最后 ${r.tiePlaces} 个名额有同票，请村委先决定并写明理由`);
  return { turnout, categories, blockers };
}

// ---- ties ------------------------------------------------------------------------------------------

export const tieSchema = z.object({
  categoryId: formIdSchema,
  picks: z.array(z.string().regex(/^\d{1,12}$/, "请求有误，请刷新页面后再试").transform(Number)).max(40, "请求有误，请刷新页面后再试"),
  reason: textSchema("决定理由", TEXT_LIMITS.tieReason, true, true),
});

export interface Committee {
  userId: number;
  role: Role;
}

/** Records (or replaces, until confirmed) the committee's pick among tied candidates, with the reason. */
export function decideTie(by: Committee, villageId: number, campaignId: number, categoryId: number, picks: number[], reason: string): Promise<Outcome> {
  return unitOfWork(async (tx): Promise<Outcome> => {
    const c = await campaignIn(villageId, campaignId);
    if (c.state === "confirmed") return fail("_form", "结果已经确认公布，不能再改");
    if (c.state !== "closed") return fail("_form", "投票截止后才能处理同票");
    const result = await resultOf(c);
    if (!result.turnout.met) return fail("_form", "没有达到最低投票率，结果无效，不用处理同票");
    const r = result.categories.find((x) => x.category.id === categoryId);
    if (!r) return fail("_form", "请从本次评选的类别中选择");
    if (r.tiePlaces === 0) return fail("_form", `“${r.category.name}”没有需要决定的同票`);
    // As for claims: nobody decides where their own household stands to gain or lose a place.
    const home = await householdOfUser(by.userId);
    if (home !== null && r.rows.some((x) => x.outcome === "tie" && x.household_id === home)) return fail("_form", "同票的候选里有你家，请由另一位村委委员处理");
    const tied = new Set(r.rows.filter((x) => x.outcome === "tie").map((x) => x.id));
    const chosen = [...new Set(picks)];
    if (chosen.some((id) => !tied.has(id))) return fail(`pick-${categoryId}`, "只能从同票的候选人里选");
    if (chosen.length !== r.tiePlaces) return fail(`pick-${categoryId}`, `请选出 ${r.tiePlaces} 个，你选了 ${chosen.length} 个`);
    const before = r.tieDecided ? { choice: r.tieDecided.choice, reason: r.tieDecided.reason } : null;
    await tx
      .updateTable("campaign_categories")
      .set({ tie_choice: JSON.stringify(chosen.sort((a, b) => a - b)), tie_reason: reason, tie_by: by.userId, tie_at: now() })
      .where("id", "=", categoryId)
      .execute();
    await audit({
      actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.tie", targetType: "campaign", targetId: campaignId,
      before, after: { category: r.category.name, choice: chosen, tied: [...tied], reason },
    });
    return { ok: true };
  });
}

// ---- confirming -------------------------------------------------------------------------------------

type Member = { id: number; household_id: number; is_head: number; active: number };

/** The winners' households' members and the winning members themselves: what recipient() decides from, in one read. */
async function membersOfWinners(winners: ResultRow[]): Promise<Member[]> {
  if (winners.length === 0) return [];
  const households = [...new Set(winners.map((w) => w.household_id))];
  const people = winners.flatMap((w) => (w.member_id === null ? [] : [w.member_id]));
  return db()
    .selectFrom("members")
    .select(["id", "household_id", "is_head", "active"])
    .where((eb) => eb.or([eb("household_id", "in", households), ...(people.length ? [eb("id", "in", people)] : [])]))
    .execute();
}

/**
 * Who receives the claim: a person's honour that person, a household honour the household's head (the
 * points belong to the household anyway). A person who has left the roster since the vote cannot hold
 * a claim, so their household's head receives it (the note says so) while the household has one;
 * otherwise the confirm names the winner and what the village admin must put right.
 */
function recipient(w: ResultRow, cat: CategoryRow, members: Member[]): { memberId: number; note: string } {
  const head = members.find((m) => m.household_id === w.household_id && m.is_head === 1 && m.active === 1);
  if (w.member_id === null) {
    if (!head) throw new ClaimError(`${w.label}没有在册的户主，请村管理员先在花名册里设好户主`);
    return { memberId: head.id, note: "" };
  }
  const person = members.find((m) => m.id === w.member_id);
  if (person?.active === 1) return { memberId: w.member_id, note: "" };
  if (!head) throw new ClaimError(`“${cat.name}”当选者${w.label}已不在册，本户也没有在册的户主。请村管理员在花名册里重新启用这位成员，或给本户设好户主，再来确认`);
  return { memberId: head.id, note: `；当选者${w.label}已不在册，积分记在户主名下` };
}

/**
 * Confirms the winners: one unit of work records them, files their claims (source: this campaign)
 * and marks the campaign confirmed. A second confirm changes nothing and says so.
 */
export async function confirmCampaign(by: Committee, villageId: number, campaignId: number): Promise<Outcome<{ claims: number; already: boolean }>> {
  try {
    return await unitOfWork(async (tx): Promise<Outcome<{ claims: number; already: boolean }>> => {
      const c = await campaignIn(villageId, campaignId);
      if (by.role !== "committee") return fail("_form", "只有村委委员可以确认结果", 403);
      if (c.state === "confirmed") return { ok: true, claims: 0, already: true };
      if (c.state !== "closed") return fail("_form", "投票截止后才能确认结果");
      await freezeElectorate(c); // nobody voted: the list is frozen now, so the turnout shown stays what it was
      const fresh = await campaignIn(villageId, campaignId);
      const result = await resultOf(fresh);
      if (result.blockers.length) return fail("_form", result.blockers[0]);
      const winners = result.categories.flatMap((r) => r.winners.map((w) => ({ w, cat: r.category, byTie: r.tieDecided?.choice.includes(w.id) ?? false })));
      const members = await membersOfWinners(winners.map(({ w }) => w));
      const items = winners.map(({ w, cat }) => {
        const to = recipient(w, cat, members);
        return { memberId: to.memberId, ruleId: cat.rule_id, occurredAt: c.vote_until, quantity: 1, note: `民主评议：${c.title}·${cat.name}（${w.votes} 票）${to.note}` };
      });
      const claimIds = items.length ? await fileClaimBatch({ villageId, filer: by, source: { kind: "campaign", id: campaignId }, items }) : [];
      const at = now();
      if (winners.length) {
        await tx
          .insertInto("campaign_winners")
          .values(winners.map(({ w, cat, byTie }, i) => ({
            campaign_id: campaignId, category_id: cat.id, nomination_id: w.id, village_id: villageId, household_id: w.household_id, member_id: w.member_id,
            votes: w.votes, by_tie: byTie ? 1 : 0, claim_id: claimIds[i], created_at: at,
          })))
          .execute();
      }
      await tx.updateTable("campaigns").set({ confirmed_at: at, confirmed_by: by.userId }).where("id", "=", campaignId).execute();
      await audit({
        actorUserId: by.userId, actorRole: by.role, villageId, action: "campaign.confirm", targetType: "campaign", targetId: campaignId,
        // Readable on the audit page: words, not nested objects.
        after: {
          turnout: `${result.turnout.voters}/${result.turnout.electorate}，${result.turnout.percent}%（最低 ${result.turnout.quorum}%）`,
          winners: winners.map(({ w, cat }) => `${cat.name}：${w.label}（${w.votes} 票）`), claims: claimIds,
        },
      });
      return { ok: true, claims: claimIds.length, already: false };
    });
  } catch (e) {
    // A cap reached or a rule retired since: nothing was written; the message says what to fix.
    if (e instanceof ClaimError) return fail("_form", `不能确认：${e.message}`, e.status === 404 ? 400 : e.status);
    throw e;
  }
}
