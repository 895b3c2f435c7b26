// Campaigns on other pages: the notice board's section (campaigns under way, winners of confirmed
// ones) and a household's honour history. Winners only, never counts of unfinished campaigns.
import type { Campaign, ClaimStatus } from "../../db/schema";
import { nomineeLabel, STATE_LABELS } from "./labels";
import { listCampaigns, withState } from "./campaigns.server";
import { CLAIM_STATUS_LABELS } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { stmt } from "~/platform/database.server";

const DAY = 86_400_000;

export interface HonourRow {
  campaign_id: number;
  title: string;
  category: string;
  label: string;
  votes: number;
  by_tie: number;
  tie_reason: string | null;
  confirmed_at: number;
  points: number;
  claim_status: ClaimStatus;
  claim_status_label: string;
}

const WINNER_SELECT = `select w.campaign_id, c.title, k.name as category, h.number as household_number, w.member_id,
    coalesce(m.name, (select name from members hm where hm.household_id = w.household_id and hm.is_head = 1 and hm.active = 1)) as person,
    w.votes, w.by_tie, k.tie_reason, c.confirmed_at, cl.points, cl.status as claim_status
  from campaign_winners w join campaigns c on c.id = w.campaign_id join campaign_categories k on k.id = w.category_id
  join households h on h.id = w.household_id left join members m on m.id = w.member_id join claims cl on cl.id = w.claim_id`;

type WinnerRaw = Omit<HonourRow, "label" | "claim_status_label"> & { household_number: string; member_id: number | null; person: string | null };

function shaped(rows: WinnerRaw[]): HonourRow[] {
  return rows.map(({ household_number, member_id, person, ...r }) => ({
    ...r, label: nomineeLabel({ household_number, person, member_id }), claim_status_label: CLAIM_STATUS_LABELS[r.claim_status],
  }));
}

/** A household's honours, newest first (shown on the villager's and the admin's household page). */
export function householdHonours(householdId: number): HonourRow[] {
  return shaped(stmt(`${WINNER_SELECT} where w.household_id = ? order by c.confirmed_at desc, k.position, w.id`).all(householdId) as WinnerRaw[]);
}

/** Campaigns a villager can take part in right now (nominate or vote), for the home page. */
export function campaignsToJoin(villageId: number) {
  const at = now();
  const rows = stmt("select * from campaigns where village_id = ? and confirmed_at is null and nominate_from <= ? and vote_until > ? order by vote_until").all(villageId, at, at) as Campaign[];
  return rows
    .map((c) => withState(c, at))
    .filter((c) => c.state === "nominating" || c.state === "voting")
    .map((c) => ({ id: c.id, title: c.title, action: c.state === "voting" ? "去投票" : "去提名", until: c.state === "voting" ? c.vote_until : c.nominate_until }));
}

/** The notice board's section: campaigns under way (to join in) and the winners confirmed in the last year. */
export function campaignNotice(villageId: number) {
  const running = listCampaigns(villageId)
    .filter((c) => c.state === "nominating" || c.state === "voting" || c.state === "between" || c.state === "closed")
    .map((c) => ({ id: c.id, title: c.title, stateLabel: STATE_LABELS[c.state], until: c.state === "nominating" ? c.nominate_until : c.state === "voting" ? c.vote_until : null }));
  const winners = shaped(
    stmt(`${WINNER_SELECT} where w.village_id = ? and c.confirmed_at >= ? order by c.confirmed_at desc, c.id, k.position, w.votes desc, w.id`).all(villageId, now() - 366 * DAY) as WinnerRaw[],
  );
  const campaigns: { id: number; title: string; confirmed_at: number; winners: HonourRow[] }[] = [];
  for (const w of winners) {
    const last = campaigns[campaigns.length - 1];
    if (last?.id === w.campaign_id) last.winners.push(w);
    else campaigns.push({ id: w.campaign_id, title: w.title, confirmed_at: w.confirmed_at, winners: [w] });
  }
  return { running, confirmed: campaigns };
}
