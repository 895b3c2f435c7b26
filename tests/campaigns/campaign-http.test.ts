// Honour campaigns through the real production server: a campaign created, nominated, accepted and
// voted on over HTTP with the test-only clock; no page and no data request (Remix's `.data`) shows a
// count or anybody else's choices before the close, for any role; after the close counts and turnout
// appear but never who voted for whom; a tie is decided and the result confirmed once. Writes by the
// wrong role or into another village are refused and write nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decode } from "turbo-stream";
import { openDatabase, type Engine } from "~/platform/database.server";
import { Client, startServer, type TestServer } from "../support/harness";
import { sqlOn } from "../support/sql";
import { tableFingerprints } from "../support/sweep";

type Who = "villager" | "committee" | "checker" | "inspector" | "store_keeper" | "village_admin" | "township_admin" | "other_villager";
const PHONES: Record<Who, string> = {
  villager: "13900000001", // a representative (demo)
  committee: "13900000003", // a representative too, living in the village
  checker: "13900000006",
  inspector: "13900000004",
  store_keeper: "13900000002",
  village_admin: "13900000005",
  township_admin: "13900000000",
  other_villager: "13900000011", // 杏花村
};
const DAY = 86_400_000;
const TITLE = "HTTP测试好婆婆评选";

let server: TestServer;
let database: Engine;
const clients = new Map<Who, Client>();
const c = (who: Who) => clients.get(who)!;
const one = async <T>(sql: string, ...args: unknown[]) => (await sqlOn(database).get<T>(sql, ...args)) as T;
let campaignId = 0;
let categoryId = 0;
let nominations: number[] = [];
let otherVillageCampaign = 0;
let nominees: { id: number; name: string; household_id: number }[] = [];

const chinaInput = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

async function advance(ms: number): Promise<void> {
  const r = await c("committee").post("/test/clock", { advanceMs: String(ms) });
  expect(r.status).toBe(200);
}

/** What Remix's data request for a page returns, decoded (single fetch, turbo-stream). */
async function loaderData(who: Who, path: string): Promise<unknown> {
  const [p, q] = path.split("?");
  const res = await fetch(`${server.url}${p === "/" ? "/_root" : p}.data${q ? `?${q}` : ""}`, { headers: { cookie: [...c(who).cookies].map(([k, v]) => `${k}=${v}`).join("; ") } });
  expect(res.status, `${who} ${path}.data`).toBe(200);
  return (await decode(res.body!)).value;
}

/** Every object in a value, depth first. */
function objects(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) v.forEach((x) => objects(x, out));
  else if (v && typeof v === "object") {
    out.push(v as Record<string, unknown>);
    Object.values(v).forEach((x) => objects(x, out));
  }
  return out;
}

const campaignTables = async () =>
  [...(await tableFingerprints(database, ["campaigns", "campaign_categories", "campaign_nominations", "campaign_electors", "campaign_ballots", "campaign_ballot_choices", "campaign_winners", "claims", "audit_log"])).values()].join(",");

beforeAll(async () => {
  server = await startServer({ TEST_CLOCK_CONTROL: "1" });
  database = openDatabase(server.database);
  for (const who of Object.keys(PHONES) as Who[]) {
    const client = new Client(server.url);
    await client.login(PHONES[who]);
    clients.set(who, client);
  }
  nominees = await sqlOn(database).all<(typeof nominees)[number]>(
    `select m.id, m.name, m.household_id from members m join households h on h.id = m.household_id
     where h.village_id = 1 and m.relation = '配偶' and m.active = 1 order by h.number, m.id limit 2`,
  );
  otherVillageCampaign = (await one<{ id: number }>("select id from campaigns where village_id = 2 order by id desc limit 1")).id;
});
afterAll(async () => {
  await database?.close();
  await server?.stop();
});

describe("a campaign over HTTP", () => {
  it("the demo's waiting duplicate nomination, once accepted, joins the household's standing candidacy instead of becoming a second one", async () => {
    const dup = await one<{ id: number; campaign_id: number; standing: number }>(
      `select n.id, n.campaign_id, s.id as standing from campaign_nominations n join campaign_nominations s
         on s.category_id = n.category_id and s.household_id = n.household_id and coalesce(s.member_id, 0) = coalesce(n.member_id, 0) and s.status = 'accepted'
       where n.village_id = 1 and n.status = 'proposed' order by n.id limit 1`,
    );
    expect(dup).toBeDefined();
    const r = await c("checker").post(`/v/1/campaigns/${dup.campaign_id}`, { intent: "nomination.accept", nominationId: String(dup.id) });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`已经是候选，这条提名已合并到 #${dup.standing}，理由一并保留`);
    expect(await one<{ status: string; merged_into: number }>("select status, merged_into from campaign_nominations where id = ?", dup.id)).toEqual({ status: "merged", merged_into: dup.standing });
    const standing = await one<{ n: number }>(
      "select count(*) as n from campaign_nominations where category_id = (select category_id from campaign_nominations where id = ?) and household_id = (select household_id from campaign_nominations where id = ?) and status = 'accepted'", dup.id, dup.id,
    );
    expect(standing.n).toBe(1);
  });

  it("is created by the committee and nominated by a villager and the committee; the committee accepts", async () => {
    const now = Date.now();
    const rule = (await one<{ id: number }>("select id from rules where village_id = 1 and name = '好婆婆'")).id;
    const r = await c("committee").post("/v/1/campaigns/new", {
      title: TITLE, nominateFrom: chinaInput(now - 3600_000), nominateUntil: chinaInput(now + DAY), voteFrom: chinaInput(now + DAY),
      voteUntil: chinaInput(now + 2 * DAY), voters: "representatives", quorum: "10", cat1Name: "好婆婆", cat1Kind: "member", cat1Winners: "1", cat1Rule: String(rule),
    });
    expect(r.status, r.text.slice(0, 300)).toBe(302);
    campaignId = Number(/\/v\/1\/campaigns\/(\d+)\?created=1$/.exec(r.location ?? "")![1]);
    categoryId = (await one<{ id: number }>("select id from campaign_categories where campaign_id = ?", campaignId)).id;

    const a = await c("villager").post(`/campaigns/${campaignId}`, { intent: "nominate", categoryId: String(categoryId), nomineeId: String(nominees[0].id), reason: "照顾老人" });
    expect(a.status).toBe(200);
    expect(a.text).toContain(`已提名 ${nominees[0].name}`);
    const b = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "nominate", categoryId: String(categoryId), nomineeId: String(nominees[1].id), reason: "邻里称赞" });
    expect(b.status).toBe(200);
    nominations = (await sqlOn(database).all<{ id: number }>("select id from campaign_nominations where campaign_id = ? order by id", campaignId)).map((x) => x.id);
    expect(nominations).toHaveLength(2);
    for (const id of nominations) {
      const ok = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "nomination.accept", nominationId: String(id) });
      expect(ok.status).toBe(200);
    }
    expect((await one<{ n: number }>("select count(*) as n from campaign_nominations where campaign_id = ? and status = 'accepted'", campaignId)).n).toBe(2);
  });

  it("a nomination of the committee member's own household is another committee member's to decide", async () => {
    const own = await one<{ member_id: number; name: string }>("select m.id as member_id, m.name from users u join members m on m.id = u.member_id where u.phone = ?", PHONES.committee);
    const filed = await c("villager").post(`/campaigns/${campaignId}`, { intent: "nominate", categoryId: String(categoryId), nomineeId: String(own.member_id), reason: "热心肠" });
    expect(filed.status).toBe(200);
    const id = (await one<{ id: number }>("select id from campaign_nominations where campaign_id = ? and member_id = ?", campaignId, own.member_id)).id;
    // The page offers no decision on it to him, and says who decides.
    const page = await c("committee").get(`/v/1/campaigns/${campaignId}`);
    const block = page.text.slice(page.text.indexOf(`data-nomination="${id}"`)).split("data-nomination=")[1];
    expect(block).toContain("这是你家的提名，请由另一位村委委员处理");
    expect(block).not.toContain("确定为候选");
    expect(block).not.toContain("不采纳");
    const before = await campaignTables();
    const refused = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "nomination.accept", nominationId: String(id) });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("不能处理本户的提名，请由另一位村委委员处理");
    expect(await campaignTables()).toBe(before);
    // The other committee member decides (here: not taken up, so the candidates stay the two above).
    const rejected = await c("checker").post(`/v/1/campaigns/${campaignId}`, { intent: "nomination.reject", nominationId: String(id), note: "本次只评一位" });
    expect(rejected.status).toBe(200);
    expect((await one<{ status: string }>("select status from campaign_nominations where id = ?", id)).status).toBe("rejected");
  });

  it("refuses writes by the wrong role or from another village, writing nothing", async () => {
    const before = await campaignTables();
    const create = { title: "偷偷发起", nominateFrom: "2030-01-01T08:00", nominateUntil: "2030-01-02T08:00", voteFrom: "2030-01-02T08:00", voteUntil: "2030-01-03T08:00", voters: "household", quorum: "0", cat1Name: "好婆婆", cat1Kind: "member", cat1Winners: "1", cat1Rule: "1" };
    const accept = { intent: "nomination.accept", nominationId: String(nominations[0]) };
    const nominate = { intent: "nominate", categoryId: String(categoryId), nomineeId: String(nominees[0].id), reason: "再提" };
    const posts: [Who, string, Record<string, string>, number][] = [
      ["inspector", "/v/1/campaigns/new", create, 403],
      ["village_admin", "/v/1/campaigns/new", create, 403],
      ["township_admin", "/v/1/campaigns/new", create, 403], // reads the committee's pages, never writes
      ["township_admin", `/v/1/campaigns/${campaignId}`, accept, 403],
      ["village_admin", `/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" }, 403],
      ["villager", `/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" }, 403],
      ["store_keeper", `/campaigns/${campaignId}`, nominate, 403], // no household
      ["committee", "/v/2/campaigns/new", create, 403],
      ["committee", `/v/2/campaigns/${otherVillageCampaign}`, accept, 403],
      ["committee", `/v/1/campaigns/${otherVillageCampaign}`, accept, 404],
      ["villager", `/campaigns/${otherVillageCampaign}`, nominate, 404],
      ["other_villager", `/campaigns/${campaignId}`, nominate, 404],
    ];
    for (const [who, path, body, status] of posts) {
      const r = await c(who).post(path, body);
      expect(r.status, `${who} POST ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(r.text).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await campaignTables()).toBe(before);
  });

  it("keeps every count secret until the close, on every page and data request, for every role", async () => {
    const early = await c("villager").post(`/campaigns/${campaignId}`, { intent: "ballot", categoryId: String(categoryId), choice: String(nominations[0]) });
    expect(early.status).toBe(400);
    expect(early.text).toContain("投票还没有开始");
    await advance(DAY + 60_000);
    // The villager picks the first; the committee member the second, after first picking the first (changed: counted once).
    for (const [who, choice] of [["villager", 0], ["committee", 0], ["committee", 1]] as const) {
      const r = await c(who).post(`/campaigns/${campaignId}`, { intent: "ballot", categoryId: String(categoryId), choice: String(nominations[choice]) });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
    }
    expect((await one<{ n: number }>("select count(*) as n from campaign_ballots where campaign_id = ?", campaignId)).n).toBe(2);
    // A villager who is not a representative cannot vote, and writes nothing.
    const notRep = await one<{ phone: string } | undefined>(
      `select u.phone from users u join members m on m.id = u.member_id join user_roles r on r.user_id = u.id and r.role = 'villager'
       where m.village_id = 1 and m.is_representative = 0 and u.disabled = 0 order by u.id limit 1`,
    );
    const plain = new Client(server.url);
    await plain.login(notRep!.phone);
    const before = await campaignTables();
    const refused = await plain.post(`/campaigns/${campaignId}`, { intent: "ballot", categoryId: String(categoryId), choice: String(nominations[0]) });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("你不是村民代表");
    expect(await campaignTables()).toBe(before);

    const campaignPages = [`/campaigns/${campaignId}`, `/v/1/campaigns/${campaignId}`];
    const otherPages = ["/", "/campaigns", "/v/1/campaigns", "/v/1/notice", "/v/1/notice?print=1", "/household", `/v/1/admin/households/${nominees[0].household_id}`, "/work"];
    let seen = 0;
    for (const who of Object.keys(PHONES) as Who[]) {
      for (const path of [...campaignPages, ...otherPages]) {
        const page = await c(who).get(path);
        if (page.status !== 200) continue; // refused roles see nothing at all
        seen++;
        const data = objects(await loaderData(who, path));
        // No result, turnout or count of this campaign anywhere.
        expect(data.filter((o) => "turnout" in o), `${who} ${path}`).toEqual([]);
        expect(data.filter((o) => "votes" in o && (o.campaign_id === campaignId || nominations.includes(o.id as number))), `${who} ${path}`).toEqual([]);
        if (campaignPages.includes(path)) {
          expect(page.text, `${who} ${path}`).not.toMatch(/\d+\s*(?:<!-- -->)?\s*票/);
          expect(page.text).not.toContain('data-testid="result"');
        }
      }
    }
    expect(seen).toBeGreaterThan(20);
    // Each voter sees their own choice, nobody else's.
    const mine = async (who: Who) => objects(await loaderData(who, `/campaigns/${campaignId}`)).find((o) => "choices" in o)!.choices;
    expect(await mine("villager")).toEqual({ [categoryId]: [nominations[0]] });
    expect(await mine("committee")).toEqual({ [categoryId]: [nominations[1]] });
    expect(await mine("inspector")).toEqual({}); // not a representative
    // Nor can the committee confirm or decide a tie before the close.
    const confirm = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" });
    expect(confirm.status).toBe(400);
    expect(confirm.text).toContain("投票截止后才能确认结果");
    const tie = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "tie.decide", categoryId: String(categoryId), pick: String(nominations[0]), reason: "抽签" });
    expect(tie.status).toBe(400);
    expect(tie.text).toContain("投票截止后才能处理同票");
  });

  it("after the close shows counts and turnout, never who voted for whom; a tie is decided with a reason and confirmed once", async () => {
    await advance(DAY);
    const data = objects(await loaderData("committee", `/v/1/campaigns/${campaignId}`));
    expect(data.find((o) => "turnout" in o)!.turnout).toMatchObject({ voters: 2, quorum: 10, met: true });
    const rows = data.filter((o) => "votes" in o && nominations.includes(o.id as number));
    expect(rows.map((r) => [r.id, r.votes, r.outcome])).toEqual([[nominations[0], 1, "tie"], [nominations[1], 1, "tie"]]);
    for (const who of ["villager", "committee", "township_admin", "inspector"] as Who[]) {
      for (const path of [`/campaigns/${campaignId}`, `/v/1/campaigns/${campaignId}`]) {
        if ((await c(who).get(path)).status !== 200) continue;
        const text = JSON.stringify(await loaderData(who, path));
        for (const secret of ["voter_key", "cast_by", "member:", "household:", "ballot_id"]) expect(text, `${who} ${path}`).not.toContain(secret);
      }
    }
    const page = await c("villager").get(`/campaigns/${campaignId}`);
    expect(page.text).toContain('data-testid="result"');
    expect(page.text).toMatch(/1\s*(?:<!-- -->)?\s*票/);

    const refused = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("最后 1 个名额有同票");
    const decided = await c("checker").post(`/v/1/campaigns/${campaignId}`, { intent: "tie.decide", categoryId: String(categoryId), pick: String(nominations[0]), reason: "村两委会议表决 5:2" });
    expect(decided.status, decided.text.slice(0, 300)).toBe(200);
    const confirmed = await c("committee").post(`/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain("1 条积分申报已提交");
    const again = await c("checker").post(`/v/1/campaigns/${campaignId}`, { intent: "campaign.confirm" });
    expect(again.status).toBe(200);
    expect(again.text).toContain("结果已经确认过了");
    expect(await sqlOn(database).all("select member_id, status, filer_user_id from claims where source_kind = 'campaign' and source_id = ?", campaignId)).toEqual([
      { member_id: nominees[0].id, status: "pending", filer_user_id: (await one<{ id: number }>("select id from users where phone = ?", PHONES.committee)).id },
    ]);
    const board = await c("inspector").get("/v/1/notice");
    expect(board.text).toContain(TITLE);
    expect(board.text).toContain("村两委会议表决 5:2");
  });
});
