// The one hand-written description of the database, per kysely's docs.
// Times are epoch milliseconds (better-sqlite3 rejects Date); flags are 0/1.
import type { Generated, Insertable, Selectable } from "kysely";

import type { Role } from "../app/platform/roles";
export type { Role };

export type AccountKind = "household" | "issuance" | "store";
export type TxnKind = "award" | "deduction" | "redemption" | "reversal" | "adjustment" | "expiry";
export type HoldStatus = "active" | "released" | "converted";

export interface TownshipTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface VillageTable {
  id: Generated<number>;
  township_id: number;
  name: string;
  code: string;
  notice_days: Generated<number>;
  approvals_needed: Generated<number>;
  created_at: number;
  /** 积分排行 show heads' names in full (1) or masked, 刘*兵 (0, the default) (0013). */
  ranking_full_names: Generated<number>;
  /** 积分清零 (0015): 'never' (default), 'year_end', or 'months' (expiry_months after earning, oldest first). */
  expiry_mode: Generated<ExpiryMode>;
  expiry_months: Generated<number>;
  /** Days before a run that households see the notice on their home page. */
  expiry_notice_days: Generated<number>;
  /** When the current mode was chosen: a period whose run moment came earlier is never due. */
  expiry_since: number | null;
}

export type ExpiryMode = "never" | "year_end" | "months";

/** A village's expiry period done: every household visited (0015). */
export interface ExpiryRunTable {
  village_id: number;
  period: string;
  households: number;
  points: number;
  finished_at: number;
}

/** A village's households were sent the inbox notice of a period's run (0015). */
export interface ExpiryNoticeTable {
  village_id: number;
  period: string;
  notified_at: number;
}

export interface GridTable {
  id: Generated<number>;
  village_id: number;
  name: string;
}

export interface HouseholdTable {
  id: Generated<number>;
  village_id: number;
  grid_id: number | null;
  number: string;
  address: string;
  created_at: number;
}

export interface MemberTable {
  id: Generated<number>;
  village_id: number;
  household_id: number;
  name: string;
  relation: string;
  phone: string | null;
  is_head: number;
  can_redeem: Generated<number>;
  active: Generated<number>;
  created_at: number;
}

export interface UserTable {
  id: Generated<number>;
  phone: string;
  password_hash: string;
  display_name: string;
  member_id: number | null;
  must_change_password: number;
  disabled: Generated<number>;
  created_at: number;
  password_changed_at: number | null;
  /** 长辈模式 (large type) chosen for the account: 0 or 1. */
  elder_mode: Generated<number>;
}

export interface UserRoleTable {
  id: Generated<number>;
  user_id: number;
  role: Role;
  village_id: number | null;
  created_at: number;
}

export interface SessionTable {
  id: string; // sha256 of the cookie token: a leaked database holds no usable session
  user_id: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
  revoked_at: number | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  first_failure_at: number;
  blocked_until: number;
}

/** One lane of sign-in throttling (decision 0026); deleted after expires_at. */
export interface SignInThrottleTable {
  key: string;
  failures: number;
  first_failure_at: number;
  blocked_until: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor_user_id: number | null;
  actor_role: string;
  village_id: number | null;
  action: string;
  target_type: string;
  target_id: string | null;
  before_json: string | null;
  after_json: string | null;
}

export interface StoreTable {
  id: Generated<number>;
  village_id: number;
  name: string;
  active: Generated<number>;
  created_at: number;
}

export interface AccountTable {
  id: Generated<number>;
  village_id: number;
  kind: AccountKind;
  household_id: number | null;
  store_id: number | null;
  balance: Generated<number>;
  created_at: number;
  /** A household account's latest award (0012): who earned in the last 30/90 days. */
  last_earned_at: number | null;
}

/**
 * Per village and China-time month, what its households gained by kind and rule category (0012),
 * kept by the ledger in the posting transaction. A reversal is summed under the kind it reverses.
 */
export interface LedgerMonthTable {
  village_id: number;
  month: string;
  kind: Exclude<TxnKind, "reversal">;
  category: RuleCategory | "";
  reversal: number;
  points: number;
  txns: number;
}

export interface AccountScoreTable {
  account_id: number;
  year: number;
  score: number;
}

export interface AccountMonthTable {
  account_id: number;
  month: string; // "2026-11", China time
  entries: number;
  income: number;
  spent: number;
}

export interface LedgerTransactionTable {
  id: Generated<number>;
  village_id: number;
  kind: TxnKind;
  idem_key: string;
  request_hash: string;
  reverses_id: number | null;
  actor_user_id: number | null;
  actor_role: string;
  member_id: number | null;
  rule_id: number | null;
  cause_kind: string | null;
  cause_id: number | null;
  memo: string;
  created_at: number;
}

export interface LedgerEntryTable {
  id: number;
  txn_id: number;
  account_id: number;
  amount: number;
  score_delta: number;
  score_year: number;
  created_at: number;
  prev_hash: string;
  hash: string;
}

export interface HoldTable {
  id: Generated<number>;
  village_id: number;
  account_id: number;
  amount: number;
  status: HoldStatus;
  idem_key: string;
  request_hash: string;
  cause_kind: string | null;
  cause_id: number | null;
  actor_user_id: number | null;
  created_at: number;
  expires_at: number;
  settled_at: number | null;
  settled_txn_id: number | null;
}

export type RuleCategory = "volunteer" | "sanitation" | "family" | "village_rules" | "other";
export type RuleUnit = "time" | "hour";

export interface RuleTable {
  id: Generated<number>;
  village_id: number;
  category: RuleCategory;
  name: string;
  points: number;
  unit: RuleUnit;
  evidence_required: Generated<number>;
  active: Generated<number>;
  created_at: number;
  updated_at: number;
  cap_member_day: number | null;
  cap_member_month: number | null;
  cap_member_year: number | null;
  cap_household_day: number | null;
  cap_household_month: number | null;
  cap_household_year: number | null;
}

export type ActivityStatus = "open" | "cancelled" | "closed";

export interface ActivityTable {
  id: Generated<number>;
  village_id: number;
  title: string;
  description: string;
  place: string;
  starts_at: number;
  ends_at: number;
  signup_deadline: number;
  capacity: number;
  organiser_user_id: number;
  rule_id: number;
  status: Generated<ActivityStatus>;
  cancel_reason: string | null;
  created_by: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
  closed_by: number | null;
}

export interface ActivitySignupTable {
  id: Generated<number>;
  village_id: number;
  activity_id: number;
  member_id: number;
  status: "active" | "cancelled";
  signed_up_by: number;
  created_at: number;
  updated_at: number;
}

export interface ActivityAttendanceTable {
  id: Generated<number>;
  village_id: number;
  activity_id: number;
  member_id: number;
  method: "scan" | "manual";
  hours: number | null;
  recorded_by: number;
  created_at: number;
  claim_id: number | null;
}

// ---- store (0003) ----
export type OrderStatus = "pending" | "confirmed" | "cancelled" | "replaced" | "expired" | "voided";
export type StockKind = "restock" | "redemption" | "void" | "correction";

export interface StoreKeeperTable {
  store_id: number;
  user_id: number;
  village_id: number;
  created_at: number;
}

export interface GoodTable {
  id: Generated<number>;
  village_id: number;
  store_id: number;
  name: string;
  category: string;
  unit: string;
  price: number;
  cost_fen: number;
  monthly_limit: number | null;
  low_stock: Generated<number>;
  stock: Generated<number>;
  active: Generated<number>;
  photo: Buffer | null;
  photo_type: string | null;
  photo_version: Generated<number>;
  /** When the photo was re-encoded without metadata; null for one stored before 0008. */
  photo_cleaned_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OrderTable {
  id: Generated<number>;
  village_id: number;
  store_id: number;
  household_id: number;
  member_id: number | null;
  channel: "phone" | "counter";
  status: OrderStatus;
  code: string | null;
  token: string | null;
  total: number;
  idem_key: string;
  hold_id: number | null;
  txn_id: number | null;
  balance_after: number | null;
  created_by: number | null;
  created_at: number;
  expires_at: number | null;
  closed_at: number | null;
  confirmed_by: number | null;
  void_txn_id: number | null;
  voided_by: number | null;
  voided_role: string | null;
  voided_at: number | null;
  void_reason: string | null;
  replaced_by: number | null;
}

export interface OrderItemTable {
  id: Generated<number>;
  order_id: number;
  village_id: number;
  good_id: number;
  name: string;
  unit: string;
  price: number;
  cost_fen: number;
  qty: number;
}

export interface StockMovementTable {
  id: Generated<number>;
  village_id: number;
  good_id: number;
  kind: StockKind;
  delta: number;
  stock_after: number;
  source: string | null;
  note: string;
  order_id: number | null;
  actor_user_id: number | null;
  created_at: number;
}

export interface HouseholdPinTable {
  household_id: number;
  village_id: number;
  pin_hash: string;
  set_by: number | null;
  set_at: number;
  failures: Generated<number>;
  locked_until: Generated<number>;
  last_failure_at: number | null;
}

export interface DayCloseTable {
  id: Generated<number>;
  village_id: number;
  store_id: number;
  day: string;
  closed_by: number;
  closed_at: number;
  summary_json: string;
}

export interface SettlementTable {
  id: Generated<number>;
  village_id: number;
  store_id: number;
  month: string;
  points: number;
  cost_fen: number;
  settled_by: number;
  settled_at: number;
}

export interface Database extends ClaimsDatabase {
  townships: TownshipTable;
  villages: VillageTable;
  expiry_runs: ExpiryRunTable;
  expiry_notices: ExpiryNoticeTable;
  grids: GridTable;
  households: HouseholdTable;
  members: MemberTable;
  users: UserTable;
  user_roles: UserRoleTable;
  sessions: SessionTable;
  login_throttle: LoginThrottleTable;
  sign_in_throttle: SignInThrottleTable;
  audit_log: AuditLogTable;
  stores: StoreTable;
  accounts: AccountTable;
  account_scores: AccountScoreTable;
  account_months: AccountMonthTable;
  ledger_months: LedgerMonthTable;
  ledger_transactions: LedgerTransactionTable;
  ledger_entries: LedgerEntryTable;
  holds: HoldTable;
  rules: RuleTable;
  activities: ActivityTable;
  activity_signups: ActivitySignupTable;
  activity_attendance: ActivityAttendanceTable;
  store_keepers: StoreKeeperTable;
  goods: GoodTable;
  orders: OrderTable;
  order_items: OrderItemTable;
  stock_movements: StockMovementTable;
  household_pins: HouseholdPinTable;
  day_closes: DayCloseTable;
  settlements: SettlementTable;
  // sanitation rounds (0006)
  checklists: ChecklistTable;
  sanitation_rounds: SanitationRoundTable;
  round_inspectors: RoundInspectorTable;
  inspections: InspectionTable;
  inspection_photos: InspectionPhotoTable;
  inspection_recusals: InspectionRecusalTable;
  reinspection_requests: ReinspectionRequestTable;
}

export type Household = Selectable<HouseholdTable>;
export type Member = Selectable<MemberTable>;
export type User = Selectable<UserTable>;
export type NewMember = Insertable<MemberTable>;
// Rows as `select *` returns them.
export type Rule = Selectable<RuleTable>;
export type Order = Selectable<OrderTable>;

// ---- claims (0004) ----------------------------------------------------------
export type ClaimStatus = "pending" | "rejected" | "notice" | "objected" | "credited" | "revoked";

export interface ClaimTable {
  id: Generated<number>;
  village_id: number;
  household_id: number;
  member_id: number;
  rule_id: number;
  occurred_at: number;
  quantity: number;
  points: number;
  note: string;
  status: ClaimStatus;
  filer_user_id: number;
  filer_role: string;
  source_kind: string | null;
  source_id: number | null;
  reason: string | null;
  decided_by_user_id: number | null;
  approved_at: number | null;
  notice_until: number | null;
  credit_txn_id: number | null;
  credited_at: number | null;
  revoke_txn_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface ClaimApprovalTable {
  id: Generated<number>;
  village_id: number;
  claim_id: number;
  user_id: number;
  role: string;
  created_at: number;
}

export interface ClaimPhotoTable {
  id: Generated<number>;
  village_id: number;
  claim_id: number;
  /** Random, unguessable: the photo's URL carries it, never the id (0008). */
  key: string;
  file: string;
  mime: string;
  bytes: number;
  created_at: number;
  /** When the file was re-encoded without metadata; null for an original stored before 0008. */
  cleaned_at: number | null;
}

export interface ObjectionTable {
  id: Generated<number>;
  village_id: number;
  claim_id: number;
  objector_user_id: number;
  reason: string;
  status: "open" | "upheld" | "dismissed";
  resolved_by_user_id: number | null;
  resolution: string | null;
  created_at: number;
  resolved_at: number | null;
}

export type Claim = Selectable<ClaimTable>;

export interface ClaimsDatabase {
  claims: ClaimTable;
  claim_approvals: ClaimApprovalTable;
  claim_photos: ClaimPhotoTable;
  objections: ObjectionTable;
}

// ---- sanitation rounds (0006) -------------------------------------------------
export type RoundStatus = "draft" | "open" | "published";
export type InspectionStatus = "scored" | "absent" | "returned";
export type ReinspectionStatus = "open" | "accepted" | "declined" | "applied";

export interface ChecklistTable {
  id: Generated<number>;
  village_id: number;
  name: string;
  items_json: string; // [{ name, max }]
  tiers_json: string; // [{ name, min, ruleId }], best tier first
  active: Generated<number>;
  created_by: number | null;
  created_at: number;
  updated_at: number;
}

export interface SanitationRoundTable {
  id: Generated<number>;
  village_id: number;
  title: string;
  checklist_id: number;
  checklist_json: string; // { name, items, tiers } as the template was when the round was created
  starts_at: number;
  ends_at: number;
  status: RoundStatus;
  created_by: number;
  created_at: number;
  updated_at: number;
  opened_at: number | null;
  opened_by: number | null;
  published_at: number | null;
  published_by: number | null;
  redblack_json: string | null;
}

export interface RoundInspectorTable {
  id: Generated<number>;
  village_id: number;
  round_id: number;
  grid_id: number;
  user_id: number;
}

export interface InspectionTable {
  id: Generated<number>;
  village_id: number;
  round_id: number;
  household_id: number;
  status: InspectionStatus;
  scores_json: string | null; // item scores in the checklist's order
  total: number | null;
  tier: string | null;
  note: string;
  absent_reason: string | null;
  returned_reason: string | null;
  inspector_user_id: number;
  version: number;
  saved_at: number;
  created_at: number;
  claim_id: number | null;
}

export interface InspectionPhotoTable {
  id: Generated<number>;
  village_id: number;
  inspection_id: number;
  key: string;
  file: string;
  mime: string;
  bytes: number;
  created_at: number;
  cleaned_at: number | null;
}

export interface InspectionRecusalTable {
  id: Generated<number>;
  village_id: number;
  user_id: number;
  household_id: number;
  relation: string;
  created_at: number;
}

export interface ReinspectionRequestTable {
  id: Generated<number>;
  village_id: number;
  round_id: number;
  household_id: number;
  requested_by: number;
  reason: string;
  status: ReinspectionStatus;
  decided_by: number | null;
  decision_note: string | null;
  old_claim_id: number | null;
  new_claim_id: number | null;
  created_at: number;
  decided_at: number | null;
  applied_at: number | null;
}

export type SanitationRound = Selectable<SanitationRoundTable>;
export type Inspection = Selectable<InspectionTable>;
export type ReinspectionRequest = Selectable<ReinspectionRequestTable>;
// ---- honour campaigns (0007) --------------------------------------------------
// Declaration merging keeps these appended: members gains a column, Database gains tables.
export interface MemberTable {
  is_representative: Generated<number>; // 村民代表: votes in campaigns whose voters are representatives
}

export type CampaignVoters = "representatives" | "household";
export type CampaignKind = "household" | "member";
export type NominationStatus = "proposed" | "accepted" | "rejected" | "merged";

export interface CampaignTable {
  id: Generated<number>;
  village_id: number;
  title: string;
  description: Generated<string>;
  nominate_from: number;
  nominate_until: number;
  vote_from: number;
  vote_until: number;
  voters: CampaignVoters;
  quorum: number;
  created_by: number;
  created_at: number;
  electorate_at: number | null;
  electorate: number | null;
  confirmed_at: number | null;
  confirmed_by: number | null;
}

export interface CampaignCategoryTable {
  id: Generated<number>;
  campaign_id: number;
  village_id: number;
  position: number;
  name: string;
  kind: CampaignKind;
  winners: number;
  rule_id: number;
  tie_choice: string | null;
  tie_reason: string | null;
  tie_by: number | null;
  tie_at: number | null;
}

export interface CampaignNominationTable {
  id: Generated<number>;
  campaign_id: number;
  category_id: number;
  village_id: number;
  household_id: number;
  member_id: number | null;
  reason: string;
  nominated_by: number;
  nominator_role: string;
  status: NominationStatus;
  merged_into: number | null;
  decided_by: number | null;
  decided_at: number | null;
  decision_note: string | null;
  created_at: number;
}

export interface CampaignElectorTable {
  campaign_id: number;
  voter_key: string;
}

export interface CampaignBallotTable {
  id: Generated<number>;
  campaign_id: number;
  category_id: number;
  voter_key: string;
  cast_by: number;
  changes: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface CampaignBallotChoiceTable {
  ballot_id: number;
  nomination_id: number;
}

export interface CampaignWinnerTable {
  id: Generated<number>;
  campaign_id: number;
  category_id: number;
  nomination_id: number;
  village_id: number;
  household_id: number;
  member_id: number | null;
  votes: number;
  by_tie: number;
  claim_id: number;
  created_at: number;
}

export interface Database {
  campaigns: CampaignTable;
  campaign_categories: CampaignCategoryTable;
  campaign_nominations: CampaignNominationTable;
  campaign_electors: CampaignElectorTable;
  campaign_ballots: CampaignBallotTable;
  campaign_ballot_choices: CampaignBallotChoiceTable;
  campaign_winners: CampaignWinnerTable;
}

export type Campaign = Selectable<CampaignTable>;
export type CampaignCategory = Selectable<CampaignCategoryTable>;
export type CampaignNomination = Selectable<CampaignNominationTable>;

// ---- 消息 notifications (0017) ----------------------------------------------------------------------

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  village_id: number;
  kind: string;
  title: string;
  body: Generated<string>;
  link: string | null;
  /** Unique per user: the same event notifies a person once. */
  dedupe_key: string;
  created_at: number;
  read_at: number | null;
}

export interface Database {
  notifications: NotificationTable;
}

// ---- 批量发放 bulk awards (0016) ----------------------------------------------------------------------

export type BulkBatchStatus = "filing" | "done";
export type BulkHouseholdStatus = "waiting" | "filed" | "skipped";

export interface BulkBatchTable {
  id: Generated<number>;
  village_id: number;
  rule_id: number;
  /** Made when the committee previewed; unique, so the same form sent twice files one batch. */
  key: string;
  filer_user_id: number;
  filer_role: string;
  chosen: string;
  occurred_at: number;
  quantity: number;
  points: number;
  note: Generated<string>;
  households: number;
  filed: Generated<number>;
  skipped: Generated<number>;
  status: BulkBatchStatus;
  created_at: number;
  updated_at: number;
}

export interface BulkBatchHouseholdTable {
  id: Generated<number>;
  batch_id: number;
  village_id: number;
  household_id: number;
  member_id: number | null;
  status: BulkHouseholdStatus;
  reason: string | null;
  claim_id: number | null;
}

export interface Database {
  bulk_batches: BulkBatchTable;
  bulk_batch_households: BulkBatchHouseholdTable;
}

export type BulkBatch = Selectable<BulkBatchTable>;

// ---- 申诉 appeals (0018) ------------------------------------------------------------------------------

export interface VillageTable {
  /** Days after an award or deduction was credited that the household may appeal it; 0 = no appeals. */
  appeal_days: Generated<number>;
}

export type AppealStatus = "pending" | "upheld" | "modified" | "revoked";

export interface AppealTable {
  id: Generated<number>;
  village_id: number;
  household_id: number;
  /** The ledger transaction appealed: unique, one appeal per entry. */
  txn_id: number;
  claim_id: number | null;
  /** Signed points as the household saw them when it appealed. */
  points: number;
  reason: string;
  filer_user_id: number;
  status: AppealStatus;
  decided_by_user_id: number | null;
  decided_role: string | null;
  decision_note: string | null;
  new_points: number | null;
  reversal_txn_id: number | null;
  new_txn_id: number | null;
  created_at: number;
  decided_at: number | null;
}

export interface AppealPhotoTable {
  id: Generated<number>;
  village_id: number;
  appeal_id: number;
  key: string;
  file: string;
  mime: string;
  bytes: number;
  created_at: number;
  cleaned_at: number | null;
}

export interface Database {
  appeals: AppealTable;
  appeal_photos: AppealPhotoTable;
}

export type Appeal = Selectable<AppealTable>;

// ---- offline sanitation saves (0019) --------------------------------------------
export interface InspectionSaveTable {
  id: Generated<number>;
  key: string;
  village_id: number;
  round_id: number;
  household_id: number;
  user_id: number;
  kind: "scored" | "absent";
  outcome: "saved" | "superseded";
  inspection_id: number | null;
  total: number | null;
  tier: string | null;
  client_at: number;
  saved_at: number;
}

export interface Database {
  inspection_saves: InspectionSaveTable;
}

// ---- 网格 + 联户长 household groups (0020) ------------------------------------------------------------
export interface GridTable {
  /** The grid's 网格员: a user with the inspector role in the village. */
  worker_user_id: number | null;
}

export interface VillageTable {
  /** 联户长 see their group's balances (1) or only names and records (0, the default). */
  group_leader_sees_balances: Generated<number>;
}

export interface HouseholdTable {
  group_id: number | null;
}

export interface HouseholdGroupTable {
  id: Generated<number>;
  village_id: number;
  grid_id: number | null;
  name: string;
  /** The 联户长: a villager's account. */
  leader_user_id: number | null;
  created_at: number;
}

export interface Database {
  household_groups: HouseholdGroupTable;
}

// ---- 志愿队伍 volunteer teams (0021) ----------------------------------------------------------------
export interface VolunteerTeamTable {
  id: Generated<number>;
  township_id: number;
  /** null: the township's own team (members from any of its villages). */
  village_id: number | null;
  name: string;
  description: Generated<string>;
  created_by: number;
  created_at: number;
  updated_at: number;
}

export interface VolunteerTeamMemberTable {
  id: Generated<number>;
  team_id: number;
  member_id: number;
  /** The member's village. */
  village_id: number;
  is_leader: Generated<number>;
  added_by: number;
  created_at: number;
}

export interface ActivityTable {
  /** The volunteer team the activity belongs to, if any. */
  team_id: number | null;
}

export interface Database {
  volunteer_teams: VolunteerTeamTable;
  volunteer_team_members: VolunteerTeamMemberTable;
}

// ---- 定岗认责 posts (0022) -----------------------------------------------------------------------
export interface PostTable {
  id: Generated<number>;
  village_id: number;
  name: string;
  duties: Generated<string>;
  /** Points a month for the post fulfilled: the points of its own rule. */
  allowance: number;
  /** How many may hold the post at once. */
  seats: number;
  rule_id: number;
  active: Generated<number>;
  created_by: number;
  created_at: number;
  updated_at: number;
}

export type PostHoldingStatus = "applied" | "active" | "refused" | "ended";

export interface PostHoldingTable {
  id: Generated<number>;
  village_id: number;
  post_id: number;
  member_id: number;
  status: PostHoldingStatus;
  note: Generated<string>;
  requested_by: number;
  decided_by: number | null;
  reason: string | null;
  /** China-time month "YYYY-MM" the holding began (set when it became active). */
  start_month: string | null;
  started_at: number | null;
  end_month: string | null;
  ended_at: number | null;
  ended_by: number | null;
  created_at: number;
  updated_at: number;
}

export interface PostMonthTable {
  id: Generated<number>;
  village_id: number;
  holding_id: number;
  month: string;
  done: number;
  reason: string | null;
  claim_id: number | null;
  confirmed_by: number;
  created_at: number;
}

export interface Database {
  posts: PostTable;
  post_holdings: PostHoldingTable;
  post_months: PostMonthTable;
}

// ---- 流动红旗 rotating red flags (0024) -------------------------------------------------------------
export type RedFlagScope = "village" | "grid";

export interface VillageTable {
  /** How many flags a published round hands out (per village or per grid); 0 = no red flags. */
  red_flags: Generated<number>;
  red_flag_scope: Generated<RedFlagScope>;
}

export interface RedFlagTable {
  id: Generated<number>;
  village_id: number;
  round_id: number;
  grid_id: number | null;
  /** grid_id, or 0 for a village-wide flag. */
  scope_key: number;
  slot: number;
  /** null while a tie waits for the committee. */
  household_id: number | null;
  total: number;
  /** The tied households' ids (JSON array) the committee picks from. */
  tied_json: string | null;
  decided_by: number | null;
  reason: string | null;
  decided_at: number | null;
  created_at: number;
  ended_at: number | null;
  ended_by_round_id: number | null;
}

export interface Database {
  red_flags: RedFlagTable;
}

// ---- 代跑 mutual-aid errands (0023) -----------------------------------------------------------------
export type ErrandStatus = "open" | "taken" | "done" | "cancelled";
export type ErrandPosterKind = "household" | "grid_worker" | "group_leader";

export interface VillageTable {
  /** The rule an errand's claim is filed under; null: 代跑 not opened in the village. */
  errand_rule_id: number | null;
}

export interface ErrandTable {
  id: Generated<number>;
  village_id: number;
  /** The household helped. */
  household_id: number;
  what: string;
  place: string;
  due_at: number;
  status: ErrandStatus;
  poster_user_id: number;
  poster_kind: ErrandPosterKind;
  volunteer_user_id: number | null;
  volunteer_member_id: number | null;
  volunteer_household_id: number | null;
  taken_at: number | null;
  confirmed_by_user_id: number | null;
  confirmed_at: number | null;
  claim_id: number | null;
  cancelled_by_user_id: number | null;
  cancel_reason: string | null;
  cancelled_at: number | null;
  overdue_noted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  errands: ErrandTable;
}
