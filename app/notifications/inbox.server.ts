// 消息 (the inbox): a person's notices, newest first, read state per person; for committee members the
// live counts of what waits for them (claims to review, objections to decide), computed on each view
// instead of stored: a bulk batch files 2,000 claims, and one row per claim per member would be
// 2,000 rows each that say less than one number.
import { z } from "zod";
import { waitingCount } from "~/claims/counts.server";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { formIdSchema } from "~/platform/forms.server";
import type { Viewer } from "~/platform/access.server";
import { safeLink } from "./notify.server";
import { UNREAD_CAP } from "./limits";

export const INBOX_PAGE_SIZE = 20;

/** The header's badge, on every page: one count over the (user_id, read_at) index, stopped at the cap. */
export async function unreadCount(userId: number): Promise<number> {
  const row = await db()
    .selectFrom((eb) =>
      eb.selectFrom("notifications").select("id").where("user_id", "=", userId).where("read_at", "is", null).limit(UNREAD_CAP + 1).as("u"),
    )
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface LiveCount {
  villageId: number;
  /** Named only for a member of more than one village's committee. */
  village: string | null;
  kind: "claims" | "objections";
  n: number;
  to: string;
}

/** What waits for a committee member in each village they sit on; nothing for anyone else. */
export async function committeeCounts(viewer: Pick<Viewer, "roles">): Promise<LiveCount[]> {
  const villages = [...new Set(viewer.roles.flatMap((r) => (r.role === "committee" && r.villageId !== null ? [r.villageId] : [])))];
  const out: LiveCount[] = [];
  if (villages.length === 0) return out;
  // The village's name only matters to someone on the committee of more than one.
  const names = villages.length > 1 ? await db().selectFrom("villages").select(["id", "name"]).where("id", "in", villages).execute() : [];
  for (const v of villages) {
    const village = names.find((x) => x.id === v)?.name ?? null;
    const claims = await waitingCount(v);
    const { n: objections } = await db()
      .selectFrom("objections")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("village_id", "=", v)
      .where("status", "=", constant("open"))
      .executeTakeFirstOrThrow();
    out.push({ villageId: v, village, kind: "claims", n: claims, to: `/v/${v}/review` });
    out.push({ villageId: v, village, kind: "objections", n: Number(objections), to: `/v/${v}/notice` });
  }
  return out;
}

export async function inboxPage(userId: number, page: number) {
  const { n } = await db().selectFrom("notifications").select((eb) => eb.fn.countAll<number>().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / INBOX_PAGE_SIZE));
  const current = Math.min(page, pages);
  const rows = await db()
    .selectFrom("notifications")
    .select(["id", "kind", "title", "body", "link", "created_at", "read_at"])
    .where("user_id", "=", userId)
    .orderBy("id", "desc")
    .limit(INBOX_PAGE_SIZE)
    .offset((current - 1) * INBOX_PAGE_SIZE)
    .execute();
  return { rows: rows.map((r) => ({ ...r, read: r.read_at !== null })), total, page: current, pages };
}

export const inboxIntent = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("open"), id: formIdSchema }), z.object({ intent: z.literal("read-all") })],
  { error: "请求有误，请刷新页面后再试" },
);

export type InboxReply = { ok: true; to: string } | { ok: false; error: string; status: number };

const NOT_FOUND = "找不到这条消息，可能已经删除，请刷新页面";

/**
 * Marks one of the viewer's own notices read and answers where to go. Someone else's id finds
 * nothing (the update names the viewer too), so it reads as not found and changes nothing.
 */
export async function openNotice(userId: number, id: number): Promise<InboxReply> {
  if (!Number.isSafeInteger(id) || id < 1) return { ok: false, error: NOT_FOUND, status: 404 };
  const row = await db().selectFrom("notifications").select(["id", "link", "read_at"]).where("id", "=", id).where("user_id", "=", userId).executeTakeFirst();
  if (!row) return { ok: false, error: NOT_FOUND, status: 404 };
  if (row.read_at === null) {
    // A blind write: marking read twice (double tap, two tabs) is the same as once.
    await unitOfWork(
      async (tx) => {
        await tx.updateTable("notifications").set({ read_at: now() }).where("id", "=", id).where("user_id", "=", userId).where("read_at", "is", null).execute();
      },
      { blindWrite: true },
    );
  }
  return { ok: true, to: safeLink(row.link) ?? "/messages" };
}

export async function markAllRead(userId: number): Promise<number> {
  return unitOfWork(
    async (tx) => {
      const r = await tx.updateTable("notifications").set({ read_at: now() }).where("user_id", "=", userId).where("read_at", "is", null).executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    { blindWrite: true },
  );
}
