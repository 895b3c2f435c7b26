// Read-only views of claims: a household's claims, the review queue, one claim in detail, the 公示栏.
import { z } from "zod";
import type { ClaimStatus } from "../../db/schema";
import { CLAIM_STATUS_LABELS } from "./claims.server";
import { now } from "~/platform/clock.server";
import { stmt } from "~/platform/database.server";
import { latestEntries } from "~/ledger/statement.server";

const DAY_MS = 86_400_000;

export interface ClaimListRow {
  id: number;
  status: ClaimStatus;
  status_label: string;
  rule: string;
  member: string;
  household: string;
  points: number;
  quantity: number;
  unit: string;
  occurred_at: number;
  note: string;
  reason: string | null;
  notice_until: number | null;
  credited_at: number | null;
  credit_memo: string | null;
  revoke_memo: string | null;
  filer: string;
  photos: number;
  source_kind: string | null;
  source_id: number | null;
}

const LIST_SQL = `select c.id, c.status, r.name as rule, r.unit, m.name as member, h.number as household, c.points, c.quantity,
  c.occurred_at, c.note, c.reason, c.notice_until, c.credited_at, ct.memo as credit_memo, rt.memo as revoke_memo,
  u.display_name as filer, (select count(*) from claim_photos p where p.claim_id = c.id) as photos, c.source_kind, c.source_id
  from claims c join rules r on r.id = c.rule_id join members m on m.id = c.member_id join households h on h.id = c.household_id
  join users u on u.id = c.filer_user_id left join ledger_transactions ct on ct.id = c.credit_txn_id
  left join ledger_transactions rt on rt.id = c.revoke_txn_id`;

function labelled(rows: Omit<ClaimListRow, "status_label">[]): ClaimListRow[] {
  return rows.map((r) => ({ ...r, status_label: CLAIM_STATUS_LABELS[r.status] }));
}

export function householdClaims(householdId: number, limit = 100): ClaimListRow[] {
  return labelled(stmt(`${LIST_SQL} where c.household_id = ? order by c.id desc limit ?`).all(householdId, limit) as ClaimListRow[]);
}

// ---- review queue -----------------------------------------------------------

const optionalId = z
  .string()
  .nullish()
  .transform((s) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null));

export const queueFilterSchema = z.object({ rule: optionalId, grid: optionalId, filer: optionalId });
export type QueueFilter = z.infer<typeof queueFilterSchema>;

export const REVIEW_PAGE_SIZE = 50;
const QUEUE_WHERE = `c.village_id = ? and c.status = 'pending' and (? is null or c.rule_id = ?)
     and (? is null or h.grid_id = ?) and (? is null or c.filer_user_id = ?)`;

/** The pending claims matching the filter, oldest first, a page at a time (50 fit one approve-many form). */
export function reviewQueue(villageId: number, f: QueueFilter, page = 1) {
  const args = [villageId, f.rule, f.rule, f.grid, f.grid, f.filer, f.filer];
  const total = (stmt(`select count(*) as n from claims c join households h on h.id = c.household_id where ${QUEUE_WHERE}`).get(...args) as { n: number }).n;
  const pages = Math.max(1, Math.ceil(total / REVIEW_PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = stmt(`${LIST_SQL} where ${QUEUE_WHERE} order by c.id limit ? offset ?`).all(...args, REVIEW_PAGE_SIZE, (current - 1) * REVIEW_PAGE_SIZE) as ClaimListRow[];
  const approvals = stmt(
    `select a.claim_id, u.display_name as name from claim_approvals a join users u on u.id = a.user_id
     join claims c on c.id = a.claim_id where c.village_id = ? and c.status = 'pending'`,
  ).all(villageId) as { claim_id: number; name: string }[];
  const options = {
    rules: stmt("select distinct r.id, r.name from claims c join rules r on r.id = c.rule_id where c.village_id = ? and c.status = 'pending' order by r.name").all(villageId) as { id: number; name: string }[],
    grids: stmt("select id, name from grids where village_id = ? order by name").all(villageId) as { id: number; name: string }[],
    filers: stmt("select distinct u.id, u.display_name as name from claims c join users u on u.id = c.filer_user_id where c.village_id = ? and c.status = 'pending' order by u.display_name").all(villageId) as { id: number; name: string }[],
  };
  const approvalsNeeded = (stmt("select approvals_needed as n from villages where id = ?").get(villageId) as { n: number }).n;
  return {
    rows: labelled(rows).map((r) => ({ ...r, approvedBy: approvals.filter((a) => a.claim_id === r.id).map((a) => a.name) })),
    options, approvalsNeeded, total, page: current, pages,
  };
}

// ---- one claim ----------------------------------------------------------------

export function claimDetail(villageId: number, claimId: number) {
  const row = stmt(`${LIST_SQL} where c.id = ? and c.village_id = ?`).get(claimId, villageId) as ClaimListRow | undefined;
  if (!row) return null;
  const [claim] = labelled([row]);
  const meta = stmt(
    "select c.household_id, c.filer_user_id, g.name as grid from claims c join households h on h.id = c.household_id left join grids g on g.id = h.grid_id where c.id = ?",
  ).get(claimId) as { household_id: number; filer_user_id: number; grid: string | null };
  const photos = stmt("select key from claim_photos where claim_id = ? order by id").all(claimId) as { key: string }[];
  const approvals = stmt("select u.display_name as name, a.created_at as at from claim_approvals a join users u on u.id = a.user_id where a.claim_id = ? order by a.id").all(claimId) as { name: string; at: number }[];
  const objections = stmt(
    `select o.id, o.reason, o.status, o.resolution, o.created_at as at, o.objector_user_id, u.display_name as objector
     from objections o join users u on u.id = o.objector_user_id where o.claim_id = ? order by o.id`,
  ).all(claimId) as { id: number; reason: string; status: string; resolution: string | null; at: number; objector_user_id: number; objector: string }[];
  const recentClaims = householdClaims(meta.household_id, 8).filter((c) => c.id !== claimId);
  return { claim, grid: meta.grid, filerUserId: meta.filer_user_id, photos, approvals, objections, recentClaims, recentEntries: latestEntries(meta.household_id, 8) };
}

// ---- the 公示栏 -----------------------------------------------------------------

const SOURCE_TITLES: Record<string, { sql: string; label: (title: string) => string }> = {
  round: { sql: "select title from sanitation_rounds where id = ? and village_id = ?", label: (t) => (t.includes("评比") ? t : `${t}卫生评比`) },
  activity: { sql: "select title from activities where id = ? and village_id = ?", label: (t) => `志愿活动：${t}` },
  campaign: { sql: "select title from campaigns where id = ? and village_id = ?", label: (t) => `评选：${t}` },
};

/** "round:3" → "2026年11月卫生评比": what the 公示栏 calls a batch of claims filed together. */
function sourceTitles(villageId: number, rows: { source_kind: string | null; source_id: number | null }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) {
    const key = `${r.source_kind}:${r.source_id}`;
    const known = r.source_kind ? SOURCE_TITLES[r.source_kind] : undefined;
    if (!known || r.source_id === null || key in out) continue;
    const row = stmt(known.sql).get(r.source_id, villageId) as { title: string } | undefined;
    if (row) out[key] = known.label(row.title);
  }
  return out;
}

export function noticeBoard(villageId: number, viewerUserId: number) {
  const at = now();
  const since = at - 30 * DAY_MS;
  const inNotice = labelled(
    stmt(`${LIST_SQL} where c.village_id = ? and c.status in ('notice', 'objected') order by c.notice_until, c.id`).all(villageId) as ClaimListRow[],
  ).map((c) => ({ ...c, daysLeft: Math.max(0, Math.ceil(((c.notice_until ?? at) - at) / DAY_MS)) }));
  const mine = new Set(
    (stmt("select claim_id from objections where village_id = ? and objector_user_id = ?").all(villageId, viewerUserId) as { claim_id: number }[]).map((r) => r.claim_id),
  );
  const credited = labelled(
    stmt(`${LIST_SQL} where c.village_id = ? and c.status = 'credited' and c.credited_at >= ? order by c.credited_at desc limit 200`).all(villageId, since) as ClaimListRow[],
  );
  const resolved = stmt(
    `select o.id, o.status, o.reason, o.resolution, o.resolved_at, r.name as rule, m.name as member, h.number as household
     from objections o join claims c on c.id = o.claim_id join rules r on r.id = c.rule_id join members m on m.id = c.member_id
     join households h on h.id = c.household_id where o.village_id = ? and o.status <> 'open' and o.resolved_at >= ? order by o.resolved_at desc limit 100`,
  ).all(villageId, since) as { id: number; status: string; reason: string; resolution: string | null; resolved_at: number; rule: string; member: string; household: string }[];
  const village = stmt("select name, notice_days from villages where id = ?").get(villageId) as { name: string; notice_days: number };
  return {
    village, now: at, sources: sourceTitles(villageId, [...inNotice, ...credited]),
    inNotice: inNotice.map((c) => ({ ...c, objectedByMe: mine.has(c.id) })),
    awards: credited.filter((c) => c.points > 0),
    deductions: credited.filter((c) => c.points < 0),
    resolved,
  };
}
