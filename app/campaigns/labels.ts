// Honour campaigns: states and their Chinese labels; shared by server and UI (no server code here).
import type { CampaignKind, CampaignVoters, NominationStatus } from "../../db/schema";

/** The admin household page's post that marks or unmarks a village representative. */
export const REPRESENTATIVE_INTENT = "member.representative";

/** Category rows on the create form. */
export const MAX_CATEGORIES = 4;

/** Places per category: the create form's 评选名额 and the most a ballot may tick. */
export const MAX_WINNERS = 20;
/** The minimum turnout is a whole percent, 0 to this. */
export const MAX_QUORUM = 100;

/**
 * The longest text each campaign field takes, in characters: the server's schemas and the forms'
 * maxLength both read these, so a form never lets a villager type more than the server keeps.
 * Numbers: quorum 0–MAX_QUORUM, winners 1–MAX_WINNERS, as many digits as those take.
 */
export const TEXT_LIMITS = {
  title: 40, description: 500, categoryName: 12, quorumDigits: String(MAX_QUORUM).length, winnersDigits: String(MAX_WINNERS).length,
  nominationReason: 200, rejectNote: 100, tieReason: 200, search: 20,
} as const;

/** Who may vote, as the create form offers it (first: the default); the schema accepts exactly these. */
export const VOTER_CHOICES = [
  { value: "representatives", label: "村民代表（每人一票）" },
  { value: "household", label: "每户一票" },
] as const satisfies readonly { value: CampaignVoters; label: string }[];

/** What a category honours, as the create form offers it (first: the default); the schema accepts exactly these. */
export const KIND_CHOICES = [
  { value: "member", label: "评个人（如好婆婆、好媳妇）" },
  { value: "household", label: "评家庭（如文明家庭、最美家庭）" },
] as const satisfies readonly { value: CampaignKind; label: string }[];

export type CampaignState = "draft" | "nominating" | "between" | "voting" | "closed" | "confirmed";

export interface CampaignWindows {
  nominate_from: number;
  nominate_until: number;
  vote_from: number;
  vote_until: number;
  confirmed_at: number | null;
}

/** A campaign's state comes from its windows and the clock; no scheduler moves it. */
export function stateOf(c: CampaignWindows, at: number): CampaignState {
  if (c.confirmed_at !== null) return "confirmed";
  if (at < c.nominate_from) return "draft";
  if (at < c.nominate_until) return "nominating";
  if (at < c.vote_from) return "between";
  if (at < c.vote_until) return "voting";
  return "closed";
}

export const STATE_LABELS: Record<CampaignState, string> = {
  draft: "未开始",
  nominating: "提名中",
  between: "提名已截止",
  voting: "投票中",
  closed: "投票已截止",
  confirmed: "已公布结果",
};

export const KIND_LABELS: Record<CampaignKind, string> = { household: "评家庭", member: "评个人" };

export const VOTER_LABELS: Record<CampaignVoters, string> = {
  representatives: "村民代表投票（每位代表一票）",
  household: "每户一票（户里任何一位有账号的成员都可以投或改）",
};

export const NOMINATION_LABELS: Record<NominationStatus, string> = {
  proposed: "待审核",
  accepted: "已确定为候选",
  rejected: "未采纳",
  merged: "已合并",
};

/** "012号户 王建国家" or "王秀英（012号户）". */
export function nomineeLabel(n: { household_number: string; person: string | null; member_id: number | null }): string {
  return n.member_id === null ? `${n.household_number}号户 ${n.person ?? ""}家` : `${n.person ?? ""}（${n.household_number}号户）`;
}
