// What the campaign pages show and the posts they accept: the committee's page of one campaign and
// the villager's. Counts reach a page only through resultOf, which refuses before voting closes.
import { z } from "zod";
import { findGrant, requireHousehold, type Access } from "~/platform/access.server";
import { type Outcome } from "~/platform/forms.server";
import { ballotSchema, castBallot, ownChoices } from "./ballots.server";
import { STATE_LABELS, TEXT_LIMITS } from "./labels";
import {
  acceptNomination, candidatesOf, decideSchema, findNominees, mergeNomination, myNominations, nominate, nominateSchema, nominationsOf,
  rejectNomination, type NomineeChoice, type Nominator,
} from "./nominations.server";
import { confirmCampaign, decideTie, resultOf, tieSchema, type CampaignResult } from "./results.server";
import { electorateSize, voterOf } from "./voters.server";
import { campaignIn, campaignStaff, categoriesOf, listCampaigns, requireCommittee, type CampaignRow, type CategoryRow } from "./campaigns.server";
import { CLAIM_STATUS_LABELS, householdOfUser } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { fieldErrors } from "~/platform/validation.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

/** What every page shows of the campaign itself. */
export async function facts(c: CampaignRow) {
  return {
    id: c.id, title: c.title, description: c.description, state: c.state, stateLabel: STATE_LABELS[c.state],
    nominate_from: c.nominate_from, nominate_until: c.nominate_until, vote_from: c.vote_from, vote_until: c.vote_until,
    voters: c.voters, quorum: c.quorum, electorate: await electorateSize(c), confirmed_at: c.confirmed_at,
  };
}
/** The campaign as its pages show it (the facts list, the state tag). */
export type CampaignFactsView = Awaited<ReturnType<typeof facts>>;

function categoryFacts(cats: CategoryRow[]) {
  return cats.map((k) => ({ id: k.id, name: k.name, kind: k.kind, winners: k.winners, rule_name: k.rule_name, rule_points: k.rule_points }));
}

/** The nomination box's search state: which category (none when there is none), what was typed, what was found. */
export interface NomineeSearchView {
  cat: number | null;
  q: string;
  found: NomineeChoice[];
}

/** The nomination search: found only while nominating. */
async function search(c: CampaignRow, cats: CategoryRow[], opts: { cat: string | null; q: string | null }): Promise<NomineeSearchView> {
  const picked = cats.find((k) => String(k.id) === opts.cat) ?? cats.at(0);
  const q = (opts.q ?? "").trim().slice(0, TEXT_LIMITS.search);
  return { cat: picked?.id ?? null, q, found: c.state === "nominating" && picked ? await findNominees(c.village_id, picked.kind, q) : [] };
}

/** A closed campaign's result, as pages show it; null before the window closes (never a count earlier). */
function resultView(r: CampaignResult | null) {
  if (!r) return null;
  return {
    turnout: r.turnout,
    blockers: r.blockers,
    categories: r.categories.map((k) => ({
      id: k.category.id, name: k.category.name, winners: k.category.winners, tiePlaces: r.turnout.met ? k.tiePlaces : 0, tieDecided: k.tieDecided,
      // Under the quorum the result is void: nobody is shown as elected, no tie is asked about.
      rows: k.rows.map((x) => ({
        id: x.id, label: x.label, votes: x.votes, place: x.place, outcome: r.turnout.met ? x.outcome : ("out" as const), won: r.turnout.met && k.winners.some((w) => w.id === x.id),
      })),
    })),
  };
}
/** A result as the campaign pages show it. */
export type ResultView = NonNullable<ReturnType<typeof resultView>>;

/** Counted only once voting has closed: resultOf refuses earlier. */
async function closedResult(c: CampaignRow): Promise<CampaignResult | null> {
  return c.state === "closed" || c.state === "confirmed" ? await resultOf(c) : null;
}

async function winnerClaims(campaignId: number) {
  const rows = await db()
    .selectFrom("campaign_winners as w")
    .innerJoin("claims as c", "c.id", "w.claim_id")
    .select(["w.nomination_id", "w.claim_id", "c.status"])
    .where("w.campaign_id", "=", campaignId)
    .orderBy("w.id")
    .execute();
  return rows.map((r) => ({ ...r, statusLabel: CLAIM_STATUS_LABELS[r.status] }));
}

// ---- the committee's pages --------------------------------------------------------------

export async function committeeListPage(request: Request, villageId: number) {
  const access = await campaignStaff(request, villageId);
  return {
    villageId, canCreate: access.role === "committee",
    campaigns: (await listCampaigns(villageId)).map((c) => ({
      id: c.id, title: c.title, state: c.state, stateLabel: STATE_LABELS[c.state], categories: c.categories, nominations: c.nominations,
      nominate_from: c.nominate_from, vote_from: c.vote_from, vote_until: c.vote_until,
    })),
  };
}

export async function committeeCampaignPage(request: Request, villageId: number, campaignId: number, opts: { cat: string | null; q: string | null; created: boolean }) {
  const access = await campaignStaff(request, villageId);
  const c = await campaignIn(villageId, campaignId);
  const canAct = access.role === "committee";
  const beforeVoting = c.state === "draft" || c.state === "nominating" || c.state === "between";
  const counted = await closedResult(c);
  // The member's own household: its nominations and ties are another committee member's to decide.
  const home = await householdOfUser(access.viewer.userId);
  const ownTies = counted && home !== null ? counted.categories.filter((k) => k.rows.some((x) => x.outcome === "tie" && x.household_id === home)).map((k) => k.category.id) : [];
  const cats = await categoriesOf(campaignId);
  return {
    villageId, at: now(), created: opts.created, canAct, campaign: await facts(c), categories: categoryFacts(cats),
    // Who nominated is the committee's to know, and the record of every decision.
    nominations: (await nominationsOf(campaignId)).map((n) => ({
      id: n.id, category_id: n.category_id, household_id: n.household_id, member_id: n.member_id, label: n.label, reason: n.reason,
      status: n.status, merged_into: n.merged_into, nominator: n.nominator, decision_note: n.decision_note, created_at: n.created_at,
      own: n.household_id === home,
    })),
    canDecide: canAct && beforeVoting,
    search: canAct ? await search(c, cats, opts) : { cat: null, q: "", found: [] },
    result: resultView(counted), ownTies,
    claims: c.state === "confirmed" ? await winnerClaims(campaignId) : [],
  };
}

export interface PageReply {
  intent: string;
  /** The category or nomination the post was about, to put the message next to it. */
  target: number | null;
  ok: string | null;
  errors: Record<string, string>;
  status: number;
}

function reply(intent: string, target: number | null, out: Outcome, ok: string): PageReply {
  return out.ok ? { intent, target, ok, errors: {}, status: 200 } : { intent, target, ok: null, errors: out.errors, status: out.status ?? 400 };
}

function refused(intent: string, target: number | null, error: z.ZodError, onForm: string[] = []): PageReply {
  const errors = fieldErrors(error);
  for (const k of ["intent", "categoryId", "nominationId", "intoId", ...onForm]) {
    if (errors[k] && !errors._form) errors._form = errors[k];
  }
  return { intent, target, ok: null, errors: Object.keys(errors).length ? errors : { _form: BAD_REQUEST }, status: 400 };
}

const targetOf = (form: Record<string, string>, key: string) => (/^\d{1,12}$/.test(form[key] ?? "") ? Number(form[key]) : null);

async function nominateReply(by: Nominator, villageId: number, campaignId: number, form: Record<string, string>): Promise<PageReply> {
  const target = targetOf(form, "categoryId");
  const parsed = nominateSchema.safeParse(form);
  if (!parsed.success) return refused("nominate", target, parsed.error);
  const out = await nominate(by, villageId, campaignId, parsed.data);
  return reply("nominate", target, out, out.ok ? `已提名 ${out.label}，等村委审核后成为候选` : "");
}

export async function committeeCampaignAction(request: Request, villageId: number, campaignId: number, form: Record<string, string>, multi: { picks: string[] }): Promise<PageReply> {
  const access = await campaignStaff(request, villageId);
  requireCommittee(access); // the township admin reads, never writes
  await campaignIn(villageId, campaignId);
  const by = { userId: access.viewer.userId, role: access.role };
  const intent = form.intent ?? "";
  switch (intent) {
    case "nominate":
      return nominateReply(by, villageId, campaignId, form);
    case "nomination.accept":
    case "nomination.reject":
    case "nomination.merge":
      return await decisionReply(by, villageId, campaignId, form);
    case "tie.decide": {
      const target = targetOf(form, "categoryId");
      const parsed = tieSchema.safeParse({ ...form, picks: multi.picks });
      if (!parsed.success) return refused(intent, target, parsed.error, ["picks"]);
      return reply(intent, target, await decideTie(by, villageId, campaignId, parsed.data.categoryId, parsed.data.picks, parsed.data.reason), "已记录村委的决定和理由");
    }
    case "campaign.confirm": {
      const out = await confirmCampaign(by, villageId, campaignId);
      const ok = out.ok ? (out.already ? "结果已经确认过了，没有重复提交积分申报" : `结果已确认公布，${out.claims} 条积分申报已提交，等另一位村委委员审核后进入公示`) : "";
      return reply(intent, null, out, ok);
    }
    default:
      return { intent, target: null, ok: null, errors: { _form: BAD_REQUEST }, status: 400 };
  }
}

async function decisionReply(by: Nominator, villageId: number, campaignId: number, form: Record<string, string>): Promise<PageReply> {
  const intent = form.intent ?? "";
  const target = targetOf(form, "nominationId");
  const parsed = decideSchema.safeParse(form);
  if (!parsed.success) return refused(intent, target, parsed.error);
  const d = parsed.data;
  switch (d.intent) {
    case "nomination.accept": {
      const out = await acceptNomination(by, villageId, campaignId, d.nominationId);
      const ok = !out.ok ? "" : out.mergedInto ? `${out.label} 已经是候选，这条提名已合并到 #${out.mergedInto}，理由一并保留` : `${out.label} 已确定为候选`;
      return reply(intent, target, out, ok);
    }
    case "nomination.reject": {
      const out = await rejectNomination(by, villageId, campaignId, d.nominationId, d.note);
      return reply(intent, target, out, out.ok ? `已不采纳对 ${out.label} 的提名` : "");
    }
    case "nomination.merge": {
      const out = await mergeNomination(by, villageId, campaignId, d.nominationId, d.intoId);
      return reply(intent, target, out, out.ok ? `已合并到对 ${out.label} 的提名` : "");
    }
  }
}

// ---- the villager's pages ---------------------------------------------------------------------

export async function villagerListPage(request: Request) {
  const viewer = await requireHousehold(request);
  return {
    campaigns: (await listCampaigns(viewer.homeVillageId)).map((c) => ({
      id: c.id, title: c.title, state: c.state, stateLabel: STATE_LABELS[c.state], categories: c.categories,
      nominate_from: c.nominate_from, nominate_until: c.nominate_until, vote_from: c.vote_from, vote_until: c.vote_until,
    })),
  };
}

export async function villagerCampaignPage(request: Request, campaignId: number, opts: { cat: string | null; q: string | null }) {
  const viewer = await requireHousehold(request);
  const c = await campaignIn(viewer.homeVillageId, campaignId);
  const voter = c.state === "voting" ? await voterOf(c, { householdId: viewer.householdId, memberId: viewer.memberId }) : null;
  const choices: Record<string, number[]> = voter?.key ? Object.fromEntries(await ownChoices(campaignId, voter.key)) : {};
  const cats = await categoriesOf(campaignId);
  return {
    at: now(), campaign: await facts(c), categories: categoryFacts(cats),
    candidates: (await candidatesOf(campaignId)).map((x) => ({ id: x.id, ids: x.ids, category_id: x.category_id, label: x.label, reasons: x.reasons })),
    mine: (await myNominations(campaignId, viewer.userId)).map((n) => ({ id: n.id, category_id: n.category_id, label: n.label, reason: n.reason, status: n.status, decision_note: n.decision_note })),
    search: await search(c, cats, opts),
    canVote: voter?.key != null,
    cannotVote: voter && voter.key === null ? voter.why : null,
    choices,
    result: resultView(await closedResult(c)),
  };
}

function nominatorRole(access: Pick<Access, "viewer">, villageId: number): Nominator["role"] {
  return findGrant(access.viewer, ["household_head", "villager"], villageId)?.role ?? "villager";
}

export async function villagerCampaignAction(request: Request, campaignId: number, form: Record<string, string>, multi: { choices: string[] }): Promise<PageReply> {
  const viewer = await requireHousehold(request);
  const villageId = viewer.homeVillageId;
  await campaignIn(villageId, campaignId);
  const intent = form.intent ?? "";
  if (intent === "nominate") return nominateReply({ userId: viewer.userId, role: nominatorRole({ viewer }, villageId) }, villageId, campaignId, form);
  if (intent !== "ballot") return { intent, target: null, ok: null, errors: { _form: BAD_REQUEST }, status: 400 };
  const target = targetOf(form, "categoryId");
  const parsed = ballotSchema.safeParse({ categoryId: form.categoryId, choices: multi.choices });
  if (!parsed.success) return refused(intent, target, parsed.error, ["choices"]);
  const out = await castBallot({ userId: viewer.userId, villageId, householdId: viewer.householdId, memberId: viewer.memberId }, campaignId, parsed.data.categoryId, parsed.data.choices);
  return reply(intent, target, out, out.ok ? `“${out.category}”的票${out.changed ? "已改好" : "已投出"}。截止前还可以改。` : "");
}
