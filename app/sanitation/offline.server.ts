// Saves an inspector's phone kept while offline and sends later (the scoring pages' service worker
// and queue: sanitation/offline-queue.ts). Each save carries a key the phone made when it kept it
// and the time it was tapped: the key makes a resend change nothing (inspections.server.ts keeps it
// in inspection_saves, unique), the time decides between two saves of one household (the later tap
// wins). Every refusal is a Chinese sentence the phone shows beside the household in its waiting
// list, so a save that cannot land is never lost silently.
import { z } from "zod";
import { notFound } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { fieldErrors } from "~/platform/validation.server";
import { markAbsent, saveScores, type SaveResult } from "./inspections.server";
import type { RoundRow } from "./rounds.server";

/** crypto.randomUUID's shape (the phone makes one per save); anything else is refused before any write. */
const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BAD_KEY = "这次保存的编号不对，没有保存。请重新打开这户再评分";

export const keySchema = z.object({
  key: z.string({ error: BAD_KEY }).regex(KEY, BAD_KEY),
  at: z.string({ error: BAD_KEY }).regex(/^\d{1,15}$/, BAD_KEY).transform(Number),
  intent: z.enum(["score", "absent"], { error: "请求有误，请重新打开这户再评分" }),
});

export interface OfflineReply {
  ok: boolean;
  message: string; // shown beside the household in the waiting list
}

const LOST_GRID = "这户已不归你检查（村委改了分工），这次保存的评分没有交上。请联系村委";

/**
 * One kept save, sent again. A household of another village is a 404 like any page; one of this
 * village the inspector no longer has (the grid was given to someone else) is a refusal in words.
 */
export async function sendKeptSave(by: { userId: number; role: string }, round: RoundRow, householdId: number, form: FormData, raw: Record<string, string>): Promise<{ reply: OfflineReply; status: number }> {
  const h = await db().selectFrom("households").select(["id", "number"]).where("id", "=", householdId).where("village_id", "=", round.village_id).executeTakeFirst();
  if (!h) notFound();
  const parsed = keySchema.safeParse(raw);
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    return { reply: { ok: false, message: errors.key ?? errors.at ?? errors.intent ?? BAD_KEY }, status: 400 };
  }
  // A phone whose clock runs ahead must not win over saves tapped later: never later than arrival.
  const keyed = { key: parsed.data.key, clientAt: Math.min(parsed.data.at, now()) };
  let out: SaveResult;
  try {
    out = parsed.data.intent === "score" ? await saveScores(by, round, householdId, form, raw, keyed) : await markAbsent(by, round, householdId, raw, keyed);
  } catch (e) {
    if (e instanceof Response && e.status === 404) return { reply: { ok: false, message: LOST_GRID }, status: 403 };
    throw e;
  }
  if (!out.ok) {
    const first = out.errors._form ?? Object.values(out.errors)[0] ?? "没有保存，请重新打开这户再评分";
    return { reply: { ok: false, message: first }, status: out.status };
  }
  if (out.superseded) return { reply: { ok: true, message: `${h.number}号户已有你后来保存的结果，以后来的为准` }, status: 200 };
  const what = out.total === null ? "未检查" : `${out.total} 分，${out.tier}`;
  return { reply: { ok: true, message: `已提交 ${h.number}号户：${what}` }, status: 200 };
}
