// Secret ballots: one per voter and category, up to N choices (N = the category's winners), changed
// as often as the voter likes until the window closes. A change rewrites the ballot's choices in one
// unit of work (BEGIN IMMEDIATE on SQLite), so two changes at once (two phones of one household) leave
// one ballot. Nothing here returns anybody's choices but the voter's own, and no count at all: counting
// is campaigns/results.server.ts, and only after the window closes. No audit row either: the audit log
// is for staff writes, and a row per ballot would tell the log's readers who voted when.
import { z } from "zod";
import { fail, formIdSchema, type Outcome } from "~/platform/forms.server";
import { nomineeKey } from "./nominations.server";
import { campaignIn, categoryOf } from "./campaigns.server";
import { MAX_WINNERS } from "./labels";
import { freezeElectorate, voterOf, type VoterIdentity } from "./voters.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";

export const ballotSchema = z.object({
  categoryId: formIdSchema,
  // Checkbox values; a category never has more places than MAX_WINNERS, so more is never a real form.
  choices: z.array(z.string().regex(/^\d{1,12}$/, BAD_REQUEST).transform(Number), { error: BAD_REQUEST }).max(MAX_WINNERS, BAD_REQUEST),
});

export interface Voter extends VoterIdentity {
  userId: number;
  villageId: number;
}

/** Casts or changes the voter's ballot in one category. */
export function castBallot(v: Voter, campaignId: number, categoryId: number, choices: number[]): Promise<Outcome<{ changed: boolean; category: string }>> {
  return unitOfWork(async (tx): Promise<Outcome<{ changed: boolean; category: string }>> => {
    const c = await campaignIn(v.villageId, campaignId);
    if (c.state !== "voting") return fail("_form", c.state === "closed" || c.state === "confirmed" ? "投票已经截止了" : "投票还没有开始");
    const cat = await categoryOf(campaignId, categoryId);
    if (!cat) return fail("_form", "请从本次评选的类别中选择");
    const picked = [...new Set(choices)];
    if (picked.length === 0) return fail(`choice-${cat.id}`, "请至少选一位候选人");
    if (picked.length > cat.winners) return fail(`choice-${cat.id}`, `“${cat.name}”最多选 ${cat.winners} 个，你选了 ${picked.length} 个`);
    const accepted = await tx
      .selectFrom("campaign_nominations")
      .select(["id", "category_id", "household_id", "member_id"])
      .where("category_id", "=", cat.id)
      .where("status", "=", "accepted")
      .execute();
    const standing = new Map(accepted.map((r) => [r.id, nomineeKey(r)]));
    if (picked.some((id) => !standing.has(id))) return fail(`choice-${cat.id}`, "只能从这个类别的候选人里选");
    // Two accepted nominations of one nominee (left from before duplicates were merged on accept) are one candidate.
    if (new Set(picked.map((id) => standing.get(id))).size < picked.length) {
      return fail(`choice-${cat.id}`, cat.kind === "household" ? "你选了两次同一户，请每户只选一次" : "你选了两次同一个人，请每人只选一次");
    }
    const voter = await voterOf(c, v);
    if (voter.key === null) return fail("_form", voter.why, 403);
    await freezeElectorate(c);
    const at = now();
    // One row per voter and category (unique), whichever phone got here first; a later cast counts a change.
    const ballot = await tx
      .insertInto("campaign_ballots")
      .values({ campaign_id: campaignId, category_id: cat.id, voter_key: voter.key, cast_by: v.userId, created_at: at, updated_at: at })
      .onConflict((oc) =>
        oc.columns(["category_id", "voter_key"]).doUpdateSet((eb) => ({
          cast_by: eb.ref("excluded.cast_by"),
          updated_at: eb.ref("excluded.updated_at"),
          changes: eb(eb.ref("campaign_ballots.changes"), "+", 1),
        })),
      )
      .returning(["id", "changes"])
      .executeTakeFirstOrThrow();
    await tx.deleteFrom("campaign_ballot_choices").where("ballot_id", "=", ballot.id).execute();
    await tx.insertInto("campaign_ballot_choices").values(picked.map((id) => ({ ballot_id: ballot.id, nomination_id: id }))).execute();
    // A new ballot starts at 0 changes; only the conflict branch above counts one.
    return { ok: true, changed: ballot.changes > 0, category: cat.name };
  });
}

/** The voter's own current choices, by category id: what the ballot form shows ticked. */
export async function ownChoices(campaignId: number, voterKey: string): Promise<Map<number, number[]>> {
  const rows = await db()
    .selectFrom("campaign_ballots as b")
    .innerJoin("campaign_ballot_choices as c", "c.ballot_id", "b.id")
    .select(["b.category_id", "c.nomination_id"])
    .where("b.campaign_id", "=", campaignId)
    .where("b.voter_key", "=", voterKey)
    .orderBy("c.nomination_id")
    .execute();
  const out = new Map<number, number[]>();
  for (const r of rows) out.set(r.category_id, [...(out.get(r.category_id) ?? []), r.nomination_id]);
  return out;
}
