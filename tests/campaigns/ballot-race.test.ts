// The same voter changing a ballot from two phones at the same instant, each phone its own OS process
// on the one database (the SQLite file or the PostgreSQL database): one household from two members'
// logins, and one representative signed in twice. However the changes interleave there is one ballot
// per voter and category, its choices are exactly one phone's last choice (never a mix), and the
// count after the close counts it once.
import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acceptNomination, nominate } from "~/campaigns/nominations.server";
import { resultOf } from "~/campaigns/results.server";
import { campaignIn, categoriesOf } from "~/campaigns/campaigns.server";
import { clockControl, now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { campaignVillage, DAY, inOrder, markRepresentatives, newCampaign, type CampaignVillage } from "./fixture";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ROUNDS = 12;

/** A phone's process: `ready` once its connection is open; `go(startAt)` starts its changes; `done` its report. */
function run(config: object) {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "workers/ballot-worker.ts")], {
    // The test's database: its SQLite file (DATABASE_PATH), or on PostgreSQL its DATABASE_URL, both inherited.
    cwd: ROOT, env: { ...process.env, CONFIG: JSON.stringify(config) }, stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on("data", (d) => {
    out += d;
    if (out.includes("READY\n")) onReady();
  });
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    child.on("exit", (code) => {
      onReady(); // a worker that died before READY: its exit code and stderr say why
      resolve({ code, out: out.replace("READY\n", ""), err });
    }),
  );
  return { ready, done, go: (startAt: number) => child.stdin.end(`${startAt}\n`) };
}

afterEach(() => clockControl.reset());

/** A campaign with one household category (2 places) and four standing candidates; returns what the workers need. */
async function setUp(v: CampaignVillage, voters: "household" | "representatives") {
  const t0 = now();
  clockControl.set(t0);
  const id = await newCampaign(v, { voters, quorum: 0 });
  const family = (await categoriesOf(id)).find((k) => k.kind === "household")!;
  const nominations = await inOrder([1, 2, 3, 4], async (i) => {
    const out = await nominate({ userId: v.homes[5].headUser, role: "household_head" }, v.villageId, id, { categoryId: family.id, nomineeId: v.homes[i].householdId, reason: "好" });
    if (!out.ok) throw new Error(JSON.stringify(out));
    await acceptNomination({ userId: v.committee1, role: "committee" }, v.villageId, id, out.nominationId);
    return out.nominationId;
  });
  return { id, family, nominations, votingAt: t0 + DAY + 60_000, closedAt: t0 + 2 * DAY + 60_000 };
}

async function race(v: CampaignVillage, phones: { userId: number; memberId: number }[], voters: "household" | "representatives") {
  const { id, family, nominations: n, votingAt, closedAt } = await setUp(v, voters);
  // Phone A always picks the first two, phone B the last two: a mixed ballot would show up.
  const picks = [[n[0], n[1]], [n[2], n[3]]];
  const workers = phones.map((p, k) =>
    run({
      voter: { userId: p.userId, memberId: p.memberId, householdId: v.homes[0].householdId, villageId: v.villageId },
      campaignId: id, categoryId: family.id, rounds: Array(ROUNDS).fill(picks[k]), clockAt: votingAt,
    }),
  );
  // Both have started tsx and opened the database (slower on PostgreSQL) before the start time is set.
  await Promise.all(workers.map((w) => w.ready));
  const startAt = Date.now() + 500;
  for (const w of workers) w.go(startAt);
  const results = await Promise.all(workers.map((w) => w.done));
  for (const r of results) expect(r.code, r.err).toBe(0);
  const reports = results.map((r) => JSON.parse(r.out) as { ok: boolean; message: string | null; lateBy: number }[]);
  // Both phones' first changes began at the same instant: the race did happen.
  for (const report of reports) expect(report[0].lateBy, JSON.stringify(report)).toBeLessThanOrEqual(0);
  const replies = reports.flat();
  expect(replies.filter((r) => !r.ok)).toEqual([]); // no busy database, no constraint error, no refusal
  const ballots = await sqlOn().all<{ id: number; voter_key: string; changes: number }>("select id, voter_key, changes from campaign_ballots where campaign_id = ?", id);
  expect(ballots).toHaveLength(1);
  expect(ballots[0].changes).toBe(2 * ROUNDS - 1);
  const chosen = (await sqlOn().all<{ nomination_id: number }>("select nomination_id from campaign_ballot_choices where ballot_id = ? order by nomination_id", ballots[0].id)).map((r) => r.nomination_id);
  expect([picks[0], picks[1]].map((p) => JSON.stringify(p))).toContain(JSON.stringify(chosen));
  // The electorate was frozen once, whichever phone got there first.
  const electors = (await sqlOn().get<{ n: number }>("select count(*) as n from campaign_electors where campaign_id = ?", id))!.n;
  expect(electors).toBe((await campaignIn(v.villageId, id)).electorate);
  clockControl.set(closedAt);
  const r = await resultOf(await campaignIn(v.villageId, id));
  expect(r.turnout.voters).toBe(1);
  const votes = r.categories.find((k) => k.category.id === family.id)!.rows;
  expect(votes.reduce((s, x) => s + x.votes, 0)).toBe(2); // one ballot of two choices, counted once
  expect(votes.filter((x) => x.votes === 1).map((x) => x.id).sort((a, b) => a - b)).toEqual(chosen);
  return { ballots, chosen };
}

describe("one ballot under concurrent changes", () => {
  it(`two members of one household change its ballot at the same instants, ${ROUNDS} times: one ballot, one phone's choice`, async () => {
    const v = await campaignVillage("BRACE1");
    const { ballots } = await race(v, [{ userId: v.homes[0].headUser, memberId: v.homes[0].head }, { userId: v.daughterInLaw.user, memberId: v.daughterInLaw.member }], "household");
    expect(ballots[0].voter_key).toBe(`household:${v.homes[0].householdId}`);
  }, 60_000);

  it(`one representative signed in on two phones does the same: one ballot, one phone's choice`, async () => {
    const v = await campaignVillage("BRACE2");
    await markRepresentatives([v.homes[0].head, v.homes[1].head, v.homes[2].head]);
    const phone = { userId: v.homes[0].headUser, memberId: v.homes[0].head };
    const { ballots } = await race(v, [phone, phone], "representatives");
    expect(ballots[0].voter_key).toBe(`member:${v.homes[0].head}`);
  }, 60_000);
});
