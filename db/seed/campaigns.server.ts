// Demo honour campaigns for each demo village: fifteen village representatives (the demo villager and
// the demo committee member among them), one campaign finished earlier in the year whose winners
// were confirmed and their claims approved (the scheduler credits them when their 公示 has ended),
// and one campaign in its nomination window with a few nominations. Everything goes through the
// campaign and claims modules with the clock set to each step's time.
import { staffOf } from "./staff.server";
import { approveClaim } from "../../app/claims/claims.server";
import { castBallot } from "../../app/campaigns/ballots.server";
import { acceptNomination, nominate } from "../../app/campaigns/nominations.server";
import { confirmCampaign } from "../../app/campaigns/results.server";
import { markRepresentatives } from "../../app/campaigns/voters.server";
import { categoriesOf, createCampaign, type CategoryInput } from "../../app/campaigns/campaigns.server";
import { chinaYear, clockControl } from "../../app/platform/clock.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { insertRule } from "../../app/rules/rules.server";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** China-time day offset from today, at an hour. */
function dayAt(today: number, days: number, hour: number): number {
  return Math.floor((today + CHINA) / DAY) * DAY - CHINA + days * DAY + hour * HOUR;
}
const DEMO_PHONES = ["13900000001", "13900000003", "13900000011", "13900000013"];

interface Person {
  member_id: number;
  household_id: number;
  user_id: number | null;
}

async function ruleId(villageId: number, name: string): Promise<number> {
  const found = await db().selectFrom("rules").select("id").where("village_id", "=", villageId).where("name", "=", name).where("active", "=", 1).executeTakeFirst();
  return found?.id ?? await insertRule(villageId, { category: "family", name, points: 30, unit: "time", evidenceRequired: false, caps: { household_year: 30 } });
}

/** The demo logins' members first, then one grown-up login per household spread over the village, then two without a login. */
async function chooseRepresentatives(villageId: number): Promise<Person[]> {
  const fixed = await db()
    .selectFrom("users as u")
    .innerJoin("members as m", "m.id", "u.member_id")
    .select(["m.id as member_id", "m.household_id", "u.id as user_id"])
    .where("m.village_id", "=", villageId)
    .where("u.phone", "in", DEMO_PHONES)
    .orderBy("u.phone")
    .execute();
  // Every grown-up villager login, household by household; each household's first login (the lowest
  // user id) is kept below, with its member.
  const logins = await db()
    .selectFrom("members as m")
    .innerJoin("users as u", "u.member_id", "m.id")
    .innerJoin("user_roles as r", (j) => j.onRef("r.user_id", "=", "u.id").on("r.role", "=", "villager").onRef("r.village_id", "=", "m.village_id"))
    .select(["m.id as member_id", "m.household_id", "u.id as user_id"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", 1)
    .where("m.relation", "in", ["户主", "配偶", "子女", "儿媳"])
    .orderBy("m.household_id")
    .orderBy("u.id")
    .execute();
  const withLogin: Person[] = [];
  for (const p of logins) if (withLogin.at(-1)?.household_id !== p.household_id) withLogin.push(p);
  const without = await db()
    .selectFrom("members as m")
    .select(["m.id as member_id", "m.household_id"])
    .where("m.village_id", "=", villageId)
    .where("m.active", "=", 1)
    .where("m.relation", "=", "户主")
    .where((eb) => eb.not(eb.exists(eb.selectFrom("users as u").select("u.id").whereRef("u.member_id", "=", "m.id"))))
    .orderBy("m.household_id", "desc")
    .limit(2)
    .execute();
  const taken = new Set(fixed.map((p) => p.household_id));
  const spread = withLogin.filter((p) => !taken.has(p.household_id)).filter((_, i) => i % 3 === 0).slice(0, 13 - fixed.length);
  return [...fixed, ...spread, ...without.map((p) => ({ ...p, user_id: null }))];
}

/** Candidates of a kind: grandmothers (the spouse in a household with a daughter-in-law), daughters-in-law, or households. */
async function candidates(villageId: number, kind: "popo" | "xifu" | "family", skip: number, n: number): Promise<{ id: number; household_id: number }[]> {
  const members = db().selectFrom("members as m").select(["m.id", "m.household_id"]).where("m.village_id", "=", villageId).where("m.active", "=", 1);
  let rows: { id: number; household_id: number }[];
  if (kind === "popo") {
    rows = await members
      .where("m.relation", "=", "配偶")
      .where((eb) => eb.exists(eb.selectFrom("members as d").select("d.id").whereRef("d.household_id", "=", "m.household_id").where("d.relation", "=", "儿媳").where("d.active", "=", 1)))
      .orderBy("m.household_id")
      .execute();
  } else if (kind === "xifu") {
    rows = await members.where("m.relation", "=", "儿媳").orderBy("m.household_id", "desc").execute();
  } else {
    // A fixed scatter over the village rather than the first households in number order.
    const households = await db().selectFrom("households").select(["id", "number"]).where("village_id", "=", villageId).orderBy("id").execute();
    rows = households
      .map((h) => ({ id: h.id, household_id: h.id, key: (Number(h.number) * 7) % 31 }))
      .sort((a, b) => a.key - b.key || a.id - b.id)
      .map(({ id, household_id }) => ({ id, household_id }));
  }
  return rows.slice(skip, skip + n);
}

const REASONS = {
  popo: ["照顾瘫痪在床的公公十多年，从不叫苦", "待儿媳像亲闺女，婆媳和睦，邻里称赞", "帮儿子儿媳带孙子，还常给孤寡老人送饭", "家里家外操持得井井有条，热心调解邻里矛盾"],
  xifu: ["丈夫外出打工，一人照顾两位老人和孩子", "婆婆住院一个月，天天守在床边", "孝敬老人，主动承担家务，村里有口皆碑", "带头参加志愿服务，家里老人说她比亲闺女还亲"],
  family: ["家风好，夫妻和睦，孩子考上大学", "庭院干净整洁，连续评为卫生优秀户", "热心公益，修路时主动让出自家地", "勤劳致富，还带着邻居一起种果树"],
} as const;

export async function seedDemoCampaigns(today: number): Promise<void> {
  const villages = await db().selectFrom("villages").select("id").orderBy("id").execute();
  for (const { id: villageId } of villages) {
    const [committee, secondCommittee] = await staffOf(villageId, "committee");
    if (!committee || !secondCommittee) continue;
    const reps = await chooseRepresentatives(villageId);
    await unitOfWork(async () => {
      await markRepresentatives(reps.map((r) => r.member_id));
      await finishedCampaign(villageId, today, reps, committee, secondCommittee);
      await openCampaign(villageId, today, reps, committee);
      clockControl.set(today);
    });
  }
}

function must<T extends { ok: boolean }>(out: T, what: string): T & { ok: true } {
  if (!out.ok) throw new Error(`演示评选：${what}失败 ${JSON.stringify(out)}`);
  return out as T & { ok: true };
}

/** `start` is 08:00 of a day: a week of nominations to 18:00, a day for the committee, three days of voting to 18:00. */
async function create(villageId: number, committee: number, title: string, start: number, categories: CategoryInput[], description: string): Promise<number> {
  clockControl.set(start - DAY);
  const out = await createCampaign({ userId: committee, role: "committee", villageId }, villageId, {
    title, description, nominateFrom: start, nominateUntil: start + 6 * DAY + 10 * HOUR, voteFrom: start + 8 * DAY, voteUntil: start + 10 * DAY + 10 * HOUR,
    voters: "representatives", quorum: 50, categories,
  });
  return must(out, "发起").campaignId;
}

/**
 * Nominated, voted on by most representatives, confirmed, and the claims approved by the other
 * committee member: their 公示 ended two days ago, so the scheduler credits them at the demo's first
 * start (the seed itself writes only the demo's own ledger history). Ending before the start also keeps
 * a later clock move (the end-to-end tests move it three days) from crediting the demo household's
 * honour in the middle of a test that expects its balance to rise by its own claim only.
 */
async function finishedCampaign(villageId: number, today: number, reps: Person[], committee: number, checker: number): Promise<void> {
  const start = dayAt(today, -17, 8);
  const year = chinaYear(start);
  const id = await create(villageId, committee, `${year}年“好婆婆”“好媳妇”“最美家庭”评选`, start, [
    { row: 1, name: "好婆婆", kind: "member", winners: 2, ruleId: await ruleId(villageId, "好婆婆") },
    { row: 2, name: "好媳妇", kind: "member", winners: 2, ruleId: await ruleId(villageId, "好媳妇") },
    { row: 3, name: "最美家庭", kind: "household", winners: 3, ruleId: await ruleId(villageId, "最美家庭") },
  ], "弘扬孝老爱亲、勤俭持家的好家风。由村民代表投票，村两委确认后公示。");
  const voters = reps.filter((r): r is Person & { user_id: number } => r.user_id !== null);
  const cats = await categoriesOf(id);
  // The demo villager's household is among the 最美家庭 candidates (and wins): its page shows the honour.
  const home = reps[0];
  const families = (await candidates(villageId, "family", 0, 5)).filter((h) => h.household_id !== home.household_id).slice(0, 4);
  const picks = [await candidates(villageId, "popo", 0, 4), await candidates(villageId, "xifu", 0, 4), [{ id: home.household_id, household_id: home.household_id }, ...families]];
  clockControl.set(start + 2 * DAY);
  const nominations: number[][] = [];
  for (const [k, cat] of cats.entries()) {
    const ids: number[] = [];
    for (const [i, p] of picks[k].entries()) {
      const by = voters[(i + k) % voters.length];
      const reason = REASONS[(["popo", "xifu", "family"] as const)[k]][i % 4];
      ids.push(must(await nominate({ userId: by.user_id, role: "villager" }, villageId, id, { categoryId: cat.id, nomineeId: p.id, reason }), "提名").nominationId);
    }
    nominations.push(ids);
  }
  clockControl.set(start + 7 * DAY + 9 * HOUR);
  for (const n of nominations.flat()) must(await acceptNomination({ userId: committee, role: "committee" }, villageId, id, n), "确定候选");
  // Most representatives vote: clear winners, no tie.
  for (const [i, v] of voters.slice(0, Math.max(1, voters.length - 2)).entries()) {
    clockControl.set(start + 8 * DAY + (i + 1) * HOUR);
    const who = { userId: v.user_id, villageId, householdId: v.household_id, memberId: v.member_id };
    for (const [k, cat] of cats.entries()) {
      const ns = nominations[k];
      // Two places: the first two candidates lead; three places: the first three.
      const choice = cat.winners === 2 ? [ns[0], i % 3 === 0 ? ns[2] : ns[1]] : [ns[0], ns[1], i % 3 === 0 ? ns[3] : ns[2]];
      must(await castBallot(who, id, cat.id, choice), "投票");
    }
  }
  clockControl.set(dayAt(today, -6, 10));
  must(await confirmCampaign({ userId: committee, role: "committee" }, villageId, id), "确认");
  clockControl.set(dayAt(today, -5, 9)); // with the village's 3 days of 公示: ended two days ago
  const claims = await db().selectFrom("campaign_winners").select("claim_id").where("campaign_id", "=", id).orderBy("id").execute();
  for (const c of claims) await approveClaim(villageId, c.claim_id, { userId: checker, role: "committee" });
}

/** In its nomination window: a few nominations waiting for the committee, two already accepted, one a duplicate. */
async function openCampaign(villageId: number, today: number, reps: Person[], committee: number): Promise<void> {
  const start = dayAt(today, -2, 8);
  const year = chinaYear(today);
  const id = await create(villageId, committee, `${year}年度“文明家庭”“孝老爱亲”评选`, start, [
    { row: 1, name: "文明家庭", kind: "household", winners: 5, ruleId: await ruleId(villageId, "文明家庭") },
    { row: 2, name: "孝老爱亲", kind: "member", winners: 3, ruleId: await ruleId(villageId, "孝老爱亲事迹") },
  ], "请推荐身边家风好、孝敬老人的家庭和个人，写清具体事迹。");
  const voters = reps.filter((r): r is Person & { user_id: number } => r.user_id !== null).slice(1); // the demo villager nominates by hand
  const [family, filial] = await categoriesOf(id);
  const households = await candidates(villageId, "family", 10, 3);
  const people = await candidates(villageId, "xifu", 6, 2);
  const planned = [
    ...households.map((h, i) => ({ cat: family.id, nominee: h.id, by: voters[i], reason: REASONS.family[(i + 1) % 4] })),
    { cat: family.id, nominee: households[0].id, by: voters[4], reason: "这户人家孝顺老人、邻里和睦，大家都知道" },
    ...people.map((p, i) => ({ cat: filial.id, nominee: p.id, by: voters[5 + i], reason: REASONS.xifu[i] })),
  ];
  const made: number[] = [];
  for (const [i, x] of planned.entries()) {
    clockControl.set(start + i * 2 * HOUR);
    made.push(must(await nominate({ userId: x.by.user_id, role: "villager" }, villageId, id, { categoryId: x.cat, nomineeId: x.nominee, reason: x.reason }), "提名").nominationId);
  }
  clockControl.set(start + DAY);
  must(await acceptNomination({ userId: committee, role: "committee" }, villageId, id, made[0]), "确定候选");
  must(await acceptNomination({ userId: committee, role: "committee" }, villageId, id, made[4]), "确定候选");
}
