// Campaigns on other pages: the notice board's section (campaigns under way, winners of confirmed
// ones) and a household's honour history. Winners only, never counts of unfinished campaigns.
import type { NotNull } from "kysely";
import { nomineeLabel, STATE_LABELS } from "./labels";
import { listCampaigns, withState } from "./campaigns.server";
import { headNameOf } from "~/people/households.server";
import { CLAIM_STATUS_LABELS } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";

const DAY = 86_400_000;

/** Winners with their campaign, category, name and the claim that pays them (confirmed campaigns only). */
function winners() {
  return db()
    .selectFrom("campaign_winners as w")
    .innerJoin("campaigns as c", "c.id", "w.campaign_id")
    .innerJoin("campaign_categories as k", "k.id", "w.category_id")
    .innerJoin("households as h", "h.id", "w.household_id")
    .leftJoin("members as m", "m.id", "w.member_id")
    .innerJoin("claims as cl", "cl.id", "w.claim_id")
    .select((eb) => [
      "w.campaign_id", "c.title", "k.name as category", "h.number as household_number", "w.member_id",
      eb.fn.coalesce("m.name", headNameOf(eb.ref("w.household_id"))).as("person"),
      "w.votes", "w.by_tie", "k.tie_reason", "c.confirmed_at", "cl.points", "cl.status as claim_status",
    ])
    .where("c.confirmed_at", "is not", null)
    .$narrowType<{ confirmed_at: NotNull }>();
}

type WinnerRaw = Awaited<ReturnType<ReturnType<typeof winners>["executeTakeFirstOrThrow"]>>;

function shaped(rows: WinnerRaw[]) {
  return rows.map(({ household_number, member_id, person, ...r }) => ({
    ...r, label: nomineeLabel({ household_number, person, member_id }), claim_status_label: CLAIM_STATUS_LABELS[r.claim_status],
  }));
}

/** One honour as the notice board and the household pages show it. */
export type HonourRow = ReturnType<typeof shaped>[number];

/** A household's honours, newest first (shown on the villager's and the admin's household page). */
export async function householdHonours(householdId: number): Promise<HonourRow[]> {
  return shaped(await winners().where("w.household_id", "=", householdId).orderBy("c.confirmed_at", "desc").orderBy("k.position").orderBy("w.id").execute());
}

/** Campaigns a villager can take part in right now (nominate or vote), for the home page. */
export async function campaignsToJoin(villageId: number) {
  const at = now();
  const rows = await db()
    .selectFrom("campaigns")
    .selectAll()
    .where("village_id", "=", villageId)
    .where("confirmed_at", "is", null)
    .where("nominate_from", "<=", at)
    .where("vote_until", ">", at)
    .orderBy("vote_until")
    .execute();
  return rows
    .map((c) => withState(c, at))
    .filter((c) => c.state === "nominating" || c.state === "voting")
    .map((c) => ({ id: c.id, title: c.title, action: c.state === "voting" ? "去投票" : "去提名", until: c.state === "voting" ? c.vote_until : c.nominate_until }));
}

/** The notice board's section: campaigns under way (to join in) and the winners confirmed in the last year. */
export async function campaignNotice(villageId: number) {
  const running = (await listCampaigns(villageId))
    .filter((c) => c.state === "nominating" || c.state === "voting" || c.state === "between" || c.state === "closed")
    .map((c) => ({ id: c.id, title: c.title, stateLabel: STATE_LABELS[c.state], until: c.state === "nominating" ? c.nominate_until : c.state === "voting" ? c.vote_until : null }));
  const rows = await winners()
    .where("w.village_id", "=", villageId)
    .where("c.confirmed_at", ">=", now() - 366 * DAY)
    .orderBy("c.confirmed_at", "desc")
    .orderBy("c.id")
    .orderBy("k.position")
    .orderBy("w.votes", "desc")
    .orderBy("w.id")
    .execute();
  const campaigns: { id: number; title: string; confirmed_at: number; winners: HonourRow[] }[] = [];
  for (const w of shaped(rows)) {
    const last = campaigns[campaigns.length - 1];
    if (last?.id === w.campaign_id) last.winners.push(w);
    else campaigns.push({ id: w.campaign_id, title: w.title, confirmed_at: w.confirmed_at, winners: [w] });
  }
  return { running, confirmed: campaigns };
}
