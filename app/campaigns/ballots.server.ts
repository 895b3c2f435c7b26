// Secret ballots: one per voter and category, up to N choices (N = the category's winners), changed
// as often as the voter likes until the window closes. A change rewrites the ballot's choices in one
// IMMEDIATE transaction, so two changes at once (two phones of one household) leave one ballot.
// Nothing here returns anybody's choices but the voter's own, and no count at all: counting is
// campaigns/results.server.ts, and only after the window closes. No audit row either: the audit log
// is for staff writes, and a row per ballot would tell the log's readers who voted when.
import { z } from "zod";
import { fail, formIdSchema, type Outcome } from "~/platform/forms.server";
import { nomineeKey } from "./nominations.server";
import { campaignIn, categoryOf } from "./campaigns.server";
import { MAX_WINNERS } from "./labels";
import { freezeElectorateInTxn, voterOf, type VoterIdentity } from "./voters.server";
import { now } from "~/platform/clock.server";
import { stmt, transact } from "~/platform/database.server";

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
export function castBallot(v: Voter, campaignId: number, categoryId: number, choices: number[]): Outcome<{ changed: boolean; category: string }> {
  return transact((): Outcome<{ changed: boolean; category: string }> => {
    const c = campaignIn(v.villageId, campaignId);
    if (c.state !== "voting") return fail("_form", c.state === "closed" || c.state === "confirmed" ? "投票已经截止了" : "投票还没有开始");
    const cat = categoryOf(campaignId, categoryId);
    if (!cat) return fail("_form", "请从本次评选的类别中选择");
    const picked = [...new Set(choices)];
    if (picked.length === 0) return fail(`choice-${cat.id}`, "请至少选一位候选人");
    if (picked.length > cat.winners) return fail(`choice-${cat.id}`, `“${cat.name}”最多选 ${cat.winners} 个，你选了 ${picked.length} 个`);
    const standing = new Map(
      (stmt("select id, category_id, household_id, member_id from campaign_nominations where category_id = ? and status = 'accepted'").all(cat.id) as
        { id: number; category_id: number; household_id: number; member_id: number | null }[]).map((r) => [r.id, nomineeKey(r)]),
    );
    if (picked.some((id) => !standing.has(id))) return fail(`choice-${cat.id}`, "只能从这个类别的候选人里选");
    // Two accepted nominations of one nominee (left from before duplicates were merged on accept) are one candidate.
    if (new Set(picked.map((id) => standing.get(id))).size < picked.length) {
      return fail(`choice-${cat.id}`, cat.kind === "household" ? "你选了两次同一户，请每户只选一次" : "你选了两次同一个人，请每人只选一次");
    }
    const voter = voterOf(c, v);
    if (voter.key === null) return fail("_form", voter.why, 403);
    freezeElectorateInTxn(c);
    const at = now();
    const prior = stmt("select id from campaign_ballots where category_id = ? and voter_key = ?").get(cat.id, voter.key) as { id: number } | undefined;
    const ballot = stmt(
      `insert into campaign_ballots (campaign_id, category_id, voter_key, cast_by, created_at, updated_at) values (?, ?, ?, ?, ?, ?)
       on conflict (category_id, voter_key) do update set cast_by = excluded.cast_by, updated_at = excluded.updated_at, changes = changes + 1
       returning id`,
    ).get(campaignId, cat.id, voter.key, v.userId, at, at) as { id: number };
    stmt("delete from campaign_ballot_choices where ballot_id = ?").run(ballot.id);
    const add = stmt("insert into campaign_ballot_choices (ballot_id, nomination_id) values (?, ?)");
    for (const id of picked) add.run(ballot.id, id);
    return { ok: true, changed: !!prior, category: cat.name };
  });
}

/** The voter's own current choices, by category id: what the ballot form shows ticked. */
export function ownChoices(campaignId: number, voterKey: string): Map<number, number[]> {
  const rows = stmt(
    `select b.category_id, c.nomination_id from campaign_ballots b join campaign_ballot_choices c on c.ballot_id = b.id
     where b.campaign_id = ? and b.voter_key = ? order by c.nomination_id`,
  ).all(campaignId, voterKey) as { category_id: number; nomination_id: number }[];
  const out = new Map<number, number[]>();
  for (const r of rows) out.set(r.category_id, [...(out.get(r.category_id) ?? []), r.nomination_id]);
  return out;
}
