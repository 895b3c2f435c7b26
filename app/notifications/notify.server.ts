// 消息: writing notices into people's inboxes (decision 0034). Called INSIDE the caller's unit of work,
// so a write that rolls back notifies nobody; each event is ONE insert … select statement (a bulk
// batch credits thousands of claims, each with its notice), and (user_id, dedupe_key) is unique, so a
// replayed event (a retried approval, a re-run scheduler round) inserts nothing. The inbox row is the
// only delivery here; a later SMS or WeChat channel reads these rows from an outbox job outside the
// write's transaction (channels.server.ts), never sends from inside one.
import type { ExpressionBuilder } from "kysely";
import { now } from "~/platform/clock.server";
import { atomically, constant, db } from "~/platform/database.server";

export type NoticeKind =
  | "claim.approved"
  | "claim.rejected"
  | "claim.credited"
  | "claim.revoked"
  | "objection.filed"
  | "objection.decided"
  | "order.confirmed"
  | "order.voided"
  | "activity.cancelled"
  | "points.expiring"
  | "pin.locked"
  // 代跑 (issue 18)
  | "errand.taken"
  | "errand.confirmed"
  | "errand.cancelled"
  | "errand.untaken";

export interface Notice {
  kind: NoticeKind;
  villageId: number;
  title: string;
  body: string;
  /** A path inside the app that tapping the notice opens, or null. */
  link: string | null;
  /** The event, e.g. "claim:12:approved": each person gets it once. */
  dedupeKey: string;
}

/** Texts longer than these are cut: a notice is a line in an inbox, the page it links to has the rest. */
export const NOTICE_LIMITS = { title: 60, body: 300, link: 200, dedupeKey: 120 } as const;

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Only our own paths: a link is followed by a redirect, so nothing may point off the site. */
export function safeLink(link: string | null): string | null {
  return link !== null && /^\/(?![/\\])/.test(link) && link.length <= NOTICE_LIMITS.link ? link : null;
}

/** The notice's fields as a select list: bound values, cast so PostgreSQL knows their types there. */
function fields<DB, TB extends keyof DB>(eb: ExpressionBuilder<DB, TB>, n: Notice) {
  const text = (v: string | null) => eb.cast<string | null>(eb.val(v), "text");
  return [
    eb.cast<number>(eb.val(n.villageId), "bigint").as("village_id"),
    text(n.kind).as("kind"),
    text(clip(n.title, NOTICE_LIMITS.title)).as("title"),
    text(clip(n.body, NOTICE_LIMITS.body)).as("body"),
    text(safeLink(n.link)).as("link"),
    text(clip(n.dedupeKey, NOTICE_LIMITS.dedupeKey)).as("dedupe_key"),
    eb.cast<number>(eb.val(now()), "bigint").as("created_at"),
  ];
}

const COLUMNS = ["user_id", "village_id", "kind", "title", "body", "link", "dedupe_key", "created_at"] as const;

/** One statement: a row for each active login of these households. */
async function insertForHouseholds(householdIds: number[], n: Notice): Promise<void> {
  await atomically(async () => {
    await db()
      .insertInto("notifications")
      .columns([...COLUMNS])
      .expression(
        db()
          .selectFrom("users as u")
          .innerJoin("members as m", (j) => j.onRef("m.id", "=", "u.member_id").on("m.active", "=", constant(1)))
          .select("u.id")
          .select((eb) => fields(eb, n))
          .where("m.household_id", "in", householdIds)
          .where("u.disabled", "=", constant(0))
          // In the users' order: the rows get the same ids on either engine (a copied township compares equal).
          .orderBy("u.id"),
      )
      .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
      .execute();
  });
}

/** Every login of the household (each reads it on their own). */
export async function notifyHousehold(householdId: number, n: Notice): Promise<void> {
  await insertForHouseholds([householdId], n);
}

/** Every login of these households, in one statement (an activity's signed-up households). */
export async function notifyHouseholds(householdIds: number[], n: Notice): Promise<void> {
  const ids = [...new Set(householdIds)];
  if (ids.length) await insertForHouseholds(ids, n);
}

/** These logins (an objector, the committee), in one statement; disabled ones are skipped. */
export async function notifyUsers(userIds: number[], n: Notice): Promise<void> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) return;
  await atomically(async () => {
    await db()
      .insertInto("notifications")
      .columns([...COLUMNS])
      .expression(db().selectFrom("users as u").select("u.id").select((eb) => fields(eb, n)).where("u.id", "in", ids).where("u.disabled", "=", constant(0)).orderBy("u.id"))
      .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
      .execute();
  });
}

/** The committee members of a village (few): an objection to decide. */
export async function notifyCommittee(villageId: number, n: Notice): Promise<void> {
  const rows = await db().selectFrom("user_roles").select("user_id").where("role", "=", constant("committee")).where("village_id", "=", villageId).execute();
  await notifyUsers(rows.map((r) => r.user_id), n);
}
