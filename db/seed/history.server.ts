// The demo's year of history, lived through the app's own modules with the clock set to each
// event's time: claims filed by villagers, inspectors and the committee, reviewed by a committee
// member who did not file them (nor lives in the household), through 公示 (some with an objection)
// and credited by the scheduler's own job; volunteer activities with sign-ups and attendance,
// closed into claims; a sanitation round a month, scored on the grid and published; orders made on
// the villagers' phones and confirmed by the keeper, counter sales with the household PIN, a few
// voided; restocks, day closes and monthly settlements. The seed writes no table itself here:
// points move only through the ledger, called by the claims and store modules, so every point has
// its rule, claim, reviewer and 公示, and every redemption its order and stock movements.
// Deterministic: seeded generators decide who does what, and the events run in time order.
import { chinaMonth, chinaMonthStart, clockControl, now } from "../../app/platform/clock.server";
import { APPENDS, db, unitOfWork } from "../../app/platform/database.server";
import { formatMonth } from "../../app/platform/format";
import type { Role } from "../../app/platform/roles";
import { householdBalance } from "../../app/ledger/ledger.server";
import {
  approveClaim, ClaimError, creditDueClaims, fileClaimBatch, objectToClaim, rejectClaim, resolveObjection, revokeClaim, type ClaimItem,
} from "../../app/claims/claims.server";
import { checkPhotos, removePhotos, storePhotos, type CheckedPhoto } from "../../app/claims/photos.server";
import { createActivity } from "../../app/activities/activities.server";
import { signUp } from "../../app/activities/signups.server";
import { checkInByScan, markAttendance, setHours } from "../../app/activities/checkin.server";
import { closeActivity } from "../../app/activities/close.server";
import { defaultChecklist, insertChecklist } from "../../app/sanitation/checklists.server";
import { createRound, openRound, roundIn, type RoundRow } from "../../app/sanitation/rounds.server";
import { markAbsent, saveScores } from "../../app/sanitation/inspections.server";
import { publishRound } from "../../app/sanitation/publish.server";
import { decideDemoTies } from "./sanitation.server";
import { cancelOrder, confirmOrder, createOrder, expireOrders, householdOrder, monthTakenByGood, type CartLine, type Keeper } from "../../app/store/checkout.server";
import { counterCheckout } from "../../app/store/counter.server";
import { voidOrder, chinaDay } from "../../app/store/order-void.server";
import { changeStock, storeGoods } from "../../app/store/goods.server";
import { heldByGood } from "../../app/store/stock.server";
import { closeDay, dayStart, settleMonth } from "../../app/store/reports.server";
import { RESTOCK_SOURCES } from "../../app/store/labels";
import { setPin } from "../../app/store/pin.server";
import { rng, type Rng } from "./rng";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The village's 公示 (the demo villages keep the default 3 days). */
const NOTICE = 3 * DAY;

// ---- who lives in the demo --------------------------------------------------------------------

export interface Person {
  name: string;
  relation: string;
  age: number;
  female: boolean;
  phone: string | null;
}

/** A member's own login (villager; household_head for the head). */
export interface Login {
  userId: number;
  memberId: number;
  head: boolean;
}

export interface SeedHousehold {
  id: number;
  key: string; // "TY-008"
  number: string;
  gridIndex: number;
  members: { id: number; p: Person }[];
  logins: Login[];
  diligence: number; // how often it earns
  saveUpTo: number; // a household saves up to this before it goes shopping
  reserve: number; // points its shopping leaves alone
  /** The household of a fixed demo login: it leaves this month's store to the person trying the demo. */
  demoLogin: boolean;
  demoHome: boolean; // 13900000001's
  /** The counter PIN, for the few households that redeem at the counter. */
  pin: string | null;
  /** Deductions approved and not yet credited: shopping leaves them alone too. */
  owed: number;
}

export interface SeedGood {
  id: number;
  par: number; // the keeper restocks to this
  soldOut: boolean; // the good the demo shows 已兑完: not restocked this month, the rest written off at the stock-take
}

export interface SeedVillage {
  name: string;
  code: string;
  seed: number;
  id: number;
  households: SeedHousehold[];
  gridIds: number[];
  gridNames: string[];
  storeId: number;
  goods: SeedGood[];
  /** The two committee members: the first lives in the village, the second not. */
  committee: [number, number];
  inspector: number;
  keeper: number;
  admin: number;
  /** Staff user → the household they live in. */
  homeOf: Map<number, number>;
  checklistId: number;
}

// ---- what the village does ---------------------------------------------------------------------

interface ActivityKind {
  name: string;
  rule: string;
  hours: [number, number];
  months: number[] | null;
  place: string;
  description: string;
}

const HOURLY = "参加志愿服务（按小时）";
/**
 * The year's volume is what seeding can afford: every test server seeds a copy, and through the real
 * flows a claim costs about 35 statements (filed, approved, credited) where a bare posting cost 10.
 */
const ACTIVITIES_A_MONTH = 2;

const ACTIVITIES: ActivityKind[] = [
  { name: "清扫村道", rule: "清扫村道", hours: [2, 2], months: null, place: "村委会门口集合", description: "清扫主干道和小组道路的落叶、垃圾，自带扫帚。" },
  { name: "看望孤寡老人", rule: "帮扶孤寡老人", hours: [3, 3], months: null, place: "村卫生室集合", description: "分组走访独居老人，帮忙打扫卫生、陪同聊天。" },
  { name: "垃圾分类宣传", rule: HOURLY, hours: [2, 3], months: null, place: "村委会广场", description: "在村委会门口摆台讲解垃圾分类，发放宣传单。" },
  { name: "河道保洁", rule: HOURLY, hours: [2, 4], months: [4, 5, 6, 7, 8, 9, 10], place: "南河桥头", description: "清理村边河道漂浮物和岸边垃圾，按服务时长计分。" },
  { name: "植树护绿", rule: "义务植树", hours: [3, 3], months: [3, 4], place: "村东坡地", description: "在村东坡地补种树苗，自带铁锹。" },
  { name: "秸秆禁烧巡查", rule: HOURLY, hours: [2, 4], months: [6, 10, 11], place: "村委会门口集合", description: "分片巡查田间地头，劝阻焚烧秸秆。" },
  { name: "防汛值守", rule: "参加防汛抗旱", hours: [4, 4], months: [6, 7, 8], place: "北堤防汛点", description: "汛期轮流值守堤坝，发现险情及时报告。" },
  { name: "春节文艺演出服务", rule: HOURLY, hours: [3, 4], months: [1, 2], place: "村文化广场", description: "搭台、摆凳子、维持秩序，演出后打扫场地。" },
  { name: "扫雪除冰", rule: HOURLY, hours: [2, 3], months: [12, 1, 2], place: "村小学门口", description: "清扫村道和学校门口的积雪。" },
  { name: "老年人体检引导", rule: HOURLY, hours: [3, 4], months: [3, 9], place: "村卫生室", description: "引导老人排队、登记、陪同检查。" },
];

/** What villagers claim on their phones for their own household. */
const OWN_CLAIMS: { rule: string; weight: number; qty: [number, number]; notes: string[]; months?: number[]; photo?: boolean }[] = [
  { rule: "清扫村道", weight: 6, qty: [1, 1], notes: ["清扫门前到村口的路段", "雪后清扫小组道路", "清理村道边的落叶和塑料袋"] },
  { rule: "门前三包达标", weight: 6, qty: [1, 1], notes: ["门前无杂物，绿化带整洁", "门前水沟清理干净", "门前柴草已挪进院里"] },
  { rule: "垃圾分类投放正确", weight: 3, qty: [1, 1], notes: ["厨余垃圾和其他垃圾分开投放", "可回收物单独送到回收点"] },
  { rule: "参加村民议事会", weight: 3, qty: [1, 1], notes: ["讨论修路集资方案", "讨论自来水改造", "讨论村规民约修订"] },
  { rule: "参加农业技能培训", weight: 3, qty: [1, 1], notes: ["果树修剪培训", "测土配方施肥培训", "电商直播卖货培训"] },
  { rule: HOURLY, weight: 4, qty: [2, 3], notes: ["协助村卫生室老年人体检登记", "帮村小学修缮围墙", "协助疫苗接种点维持秩序"] },
  { rule: "帮扶孤寡老人", weight: 3, qty: [1, 1], notes: ["帮五保户挑水、打扫院子", "陪独居老人去镇上看病"] },
  { rule: "无偿献血", weight: 1, qty: [1, 1], notes: ["县血站流动献血车献血 300 毫升"], photo: true },
  { rule: "孝老爱亲事迹", weight: 1, qty: [1, 1], notes: ["照顾瘫痪在床的父亲三年，邻居都知道", "母亲住院半个月，一直在床边照顾"], photo: true },
  { rule: "子女考上大学", weight: 2, qty: [1, 1], notes: ["孩子考上省城的大学"], months: [8], photo: true },
  { rule: "移风易俗·婚事新办", weight: 1, qty: [1, 1], notes: ["儿子结婚不收彩礼、不摆流水席"], months: [1, 2, 5, 10], photo: true },
];

const REJECTIONS = [
  "同一件事已经由活动登记过了，不重复计分",
  "当天村里没有组织这项活动，请写清具体情况后重新申报",
  "说明太简单，请写清时间和地点后重新申报",
];

const OBJECTIONS = ["那天我在村口，没看到他家有人来", "这次他家没有人参加", "他家门口还堆着柴草，不算达标"];
const DISMISSALS = ["经核实，有签到表和照片，属实", "经网格员现场查看，属实"];
const UPHOLDINGS = ["经核实，与申报不符，不予计分", "经查看现场，申报时间有误，不予计分"];

/** 村规民约: what the inspector records, with a photo, as a deduction claim. */
const VIOLATIONS: { rule: string; details: string[]; months: number[] | null }[] = [
  { rule: "乱扔垃圾", details: ["往河沟倒垃圾", "垃圾未入桶，扔在路边"], months: null },
  { rule: "乱堆乱放柴草杂物", details: ["门前堆放柴草，占用村道", "路边堆放建筑垃圾"], months: null },
  { rule: "焚烧秸秆", details: ["田间焚烧秸秆", "地头焚烧玉米秆"], months: [6, 10, 11] },
  { rule: "占道晾晒", details: ["在村道上晾晒玉米", "在村道上晒稻谷"], months: [7, 8, 9, 10] },
  { rule: "散养家禽污染道路", details: ["鸡鸭散养，粪便污染村道"], months: null },
];

const VOID_REASONS = ["村民当场退回：买错了规格", "商品包装破损，村民不要了", "村民改主意了，当场退回"];

/** Round totals by tier: 优秀 90+, 良好 75+, 合格 60+, 不合格 below (the demo checklist's tiers). */
const TIER_BAND: Record<Tier, [number, number]> = { 优秀: [90, 99], 良好: [75, 89], 合格: [60, 74], 不合格: [45, 59] };
type Tier = "优秀" | "良好" | "合格" | "不合格";
const CHECKLIST_MAX = [25, 20, 20, 20, 15];

// ---- the timeline ------------------------------------------------------------------------------

interface Ev {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/** Events in time order (ties in the order they were added), on a binary heap: events add events. */
class Timeline {
  private heap: Ev[] = [];
  private seq = 0;
  private keys = new Set<string>();
  constructor(readonly from: number, readonly until: number) {}

  get size(): number {
    return this.heap.length;
  }

  /** Adds an event inside [from, until); with a key, only the first event of that key. */
  add(at: number, run: () => Promise<void>, key?: string): boolean {
    if (at < this.from || at >= this.until) return false;
    if (key !== undefined) {
      if (this.keys.has(key)) return false;
      this.keys.add(key);
    }
    const h = this.heap;
    h.push({ at, seq: this.seq++, run });
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    return true;
  }

  pop(): Ev {
    const h = this.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Ev, b: Ev): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Runs the events in time order, the clock at each one's time, a few hundred per unit of work (one
 * commit each instead of one per event). The events keep state between them outside the database
 * (the generators, what a household owes): a unit PostgreSQL started again part-way would replay
 * them and seed another township than SQLite, so each unit begins with the ledger's lock.
 */
async function run(tl: Timeline): Promise<void> {
  const BATCH = 300;
  while (tl.size) {
    await unitOfWork(async () => {
      for (let n = 0; n < BATCH && tl.size; n++) {
        const e = tl.pop();
        clockControl.set(e.at);
        await e.run();
      }
    }, APPENDS);
  }
}

function must<T extends { ok: boolean }>(out: T, what: string): T & { ok: true } {
  if (!out.ok) throw new Error(`演示历史：${what}失败 ${JSON.stringify(out)}`);
  return out as T & { ok: true };
}

// ---- helpers -------------------------------------------------------------------------------------

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

/** China time: day 1-28 of the month, hour and minute. */
function at(month: string, day: number, hour: number, minute = 0): number {
  return chinaMonthStart(month) + (day - 1) * DAY + hour * HOUR + minute * MINUTE;
}

/** Midnight (China time) of the day `ms` falls in. */
function midnight(ms: number): number {
  return dayStart(chinaDay(ms));
}

/** A member old enough to do the work or go shopping (never a child). */
function adult(r: Rng, h: SeedHousehold, maxAge = 75): { id: number; p: Person } | null {
  const ok = h.members.filter((m) => m.p.age >= 16 && m.p.age <= maxAge);
  return ok.length ? r.pick(ok) : null;
}

function hasAdult(h: SeedHousehold): boolean {
  return h.members.some((m) => m.p.age >= 16 && m.p.age <= 75);
}

/** Draws n households without replacement, weighted by w. */
function drawHouseholds(r: Rng, hs: SeedHousehold[], n: number, w: (h: SeedHousehold) => number): SeedHousehold[] {
  const pool = hs.map((h) => [h, w(h)] as [SeedHousehold, number]).filter(([, x]) => x > 0);
  const out: SeedHousehold[] = [];
  while (out.length < n && pool.length) {
    const h = r.weighted(pool);
    out.push(h);
    pool.splice(pool.findIndex(([x]) => x === h), 1);
  }
  return out;
}

/** Item scores adding up to `total`, each within its maximum. */
function split(total: number): number[] {
  const sum = CHECKLIST_MAX.reduce((s, m) => s + m, 0);
  const scores = CHECKLIST_MAX.map((m) => Math.floor((m * total) / sum));
  let left = total - scores.reduce((a, b) => a + b, 0);
  for (let k = 0; left > 0 && k < CHECKLIST_MAX.length * 2; k++) {
    const i = k % CHECKLIST_MAX.length;
    if (scores[i] < CHECKLIST_MAX[i]) {
      scores[i]++;
      left--;
    }
  }
  return scores;
}

// ---- the run ---------------------------------------------------------------------------------------

interface Ctx {
  tl: Timeline;
  v: SeedVillage;
  r: Rng; // plans, drawn before anything runs
  x: Rng; // choices made while the events run
  offset: number;
  today: number;
  photo: CheckedPhoto[];
  rules: Map<string, number>;
  /** Orders the household still may make by the counter (bcrypt makes each PIN check slow). */
  counterLeft: Map<number, number>;
}

export interface HistorySpan {
  start: number;
  today: number;
}

/** The villages' set-up at the year's start (the checklist, the counter PINs), then the year itself, until `today`. */
export async function liveHistory(villages: SeedVillage[], { start, today }: HistorySpan): Promise<void> {
  // The demo's evidence photo, checked and cleaned once like an upload (each claim stores its own copy).
  const checked = await checkPhotos([new File([new Uint8Array(DEMO_PNG)], "photo.png", { type: "image/png" })]);
  if (!checked.ok) throw new Error(`演示照片无法处理：${checked.message}`);
  clockControl.set(start + HOUR);
  for (const v of villages) {
    v.checklistId = await insertChecklist(v.id, await defaultChecklist(v.id), v.admin);
    // PINs before the unit of work: bcrypt must not run inside one.
    for (const h of v.households) if (h.pin) await setPin({ userId: v.admin, role: "village_admin", villageId: v.id }, h.id, v.id, h.pin);
  }
  const tl = new Timeline(start + 2 * HOUR, today);
  const months: string[] = [];
  for (let m = chinaMonth(start); m <= chinaMonth(today); m = nextMonth(m)) months.push(m);
  for (const [vi, v] of villages.entries()) {
    const rules = new Map((await db().selectFrom("rules").select(["id", "name"]).where("village_id", "=", v.id).orderBy("id", "desc").execute()).map((x) => [x.name, x.id]));
    const ctx: Ctx = {
      tl, v, r: rng(v.seed * 7 + 1), x: rng(v.seed * 7 + 2), offset: vi * 40 * MINUTE, today, photo: checked.photos, rules,
      counterLeft: new Map(v.households.filter((h) => h.pin).map((h) => [h.id, 2])),
    };
    planVillage(ctx, months, start);
  }
  await run(tl);
}

const DEMO_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

function rule(c: Ctx, name: string): number {
  const id = c.rules.get(name);
  if (id === undefined) throw new Error(`演示细则不存在：${name}`);
  return id;
}

function planVillage(c: Ctx, months: string[], start: number): void {
  const { r, v, today } = c;
  const thisMonth = chinaMonth(today);
  const lastMonth = chinaMonth(chinaMonthStart(thisMonth) - DAY);
  // Claims end before the fresh demo's own (db/seed/rules.server.ts, activities, rounds, campaigns),
  // which are filed in the last days: the caps see both, and those stay the demo's only open ones.
  const claimsUntil = today - 12 * DAY;
  // Villagers' own month- and year-capped claims end a month earlier still.
  const ownUntil = today - 40 * DAY;
  const fixMonth = months[months.length - 8];
  const daysSoFar = Math.floor((midnight(today) - chinaMonthStart(thisMonth)) / DAY); // whole days of this month before today
  for (const [mi, month] of months.entries()) {
    const mm = Number(month.slice(5));
    restock(c, month, month === thisMonth);
    const prev = months[mi - 1];
    if (prev) c.tl.add(at(month, 3, 10) + c.offset, () => settle(c, prev));

    // 志愿服务: two activities a month, about two weeks apart.
    const pool = ACTIVITIES.filter((a) => !a.months || a.months.includes(mm));
    const planned: ActivityKind[] = [];
    for (let k = 0; k < ACTIVITIES_A_MONTH; k++) planned.push(r.pick(pool.filter((a) => !planned.includes(a))));
    planned.forEach((kind, k) => {
      const held = at(month, r.int(3 + k * 12, 12 + k * 12), 8, 30) + c.offset;
      const hours = r.int(kind.hours[0], kind.hours[1]);
      const organiser = r.chance(0.5) ? v.committee[0] : v.inspector;
      const who = drawHouseholds(r, v.households, r.int(10, 16), (h) => (hasAdult(h) ? h.diligence ** 2 : 0));
      const home = v.households.find((h) => h.demoHome);
      if (home && !who.includes(home) && r.chance(0.6)) who.push(home);
      const people = who.flatMap((h) => {
        const m = adult(r, h);
        return m ? [{ h, m: m.id }] : [];
      });
      if (held - 7 * DAY < start || held + 6 * HOUR > claimsUntil) return;
      activity(c, { kind, held, hours, organiser, people, revoke: month === fixMonth && k === 0 });
    });

    // 卫生评比: a round a month on one grid in turn; last month's round is the fresh demo's own.
    if (month < lastMonth && at(month, 14, 9) > start + DAY) sanitationRound(c, month, mi % v.gridIds.length, mi % 2 === 0 ? v.committee[0] : v.committee[1]);

    // Villagers' own claims on their phones, the demo household most months.
    const filers = v.households.filter((h) => h.logins.length);
    const n = r.int(4, 6);
    const chosen = drawHouseholds(r, filers, n, (h) => h.diligence);
    const home = v.households.find((h) => h.demoHome);
    if (home && !chosen.includes(home) && r.chance(0.8)) chosen.push(home);
    for (const h of chosen) {
      const filed = at(month, r.int(2, 26), r.int(19, 21), r.int(0, 59)) + c.offset;
      if (filed < ownUntil) ownClaim(c, h, filed, mm);
    }

    // 村规民约: the inspector records a few violations a month, with a photo.
    const kinds = VIOLATIONS.filter((k) => !k.months || k.months.includes(mm));
    for (let k = r.int(0, 2); k > 0; k--) {
      const kind = r.pick(kinds);
      const detail = r.pick(kind.details);
      const [h] = drawHouseholds(r, v.households.filter((y) => !y.demoLogin && y.id !== v.homeOf.get(v.inspector)), 1, (y) => 1 - y.diligence);
      const t = at(month, r.int(1, 27), r.int(9, 16), r.int(0, 59)) + c.offset;
      if (t < claimsUntil) deduction(c, h, kind.rule, detail, t);
    }

    // 美丽庭院 each quarter, 文明家庭 (last year's) in January: the committee enters the results.
    if (mm % 3 === 0) {
      const quarter = `${month.slice(0, 4)}年第${"一二三四"[mm / 3 - 1]}季度`;
      const winners = drawHouseholds(r, v.households, r.int(8, 12), (h) => h.diligence ** 3);
      const t = at(month, 26, 15) + c.offset;
      if (t < claimsUntil) committeeAwards(c, t, "美丽庭院", winners, `美丽庭院评比（${quarter}），村两委入户查看`, true);
    }
    if (mm === 1) {
      const named = v.households.filter((h) => h.demoHome);
      const winners = [...named, ...drawHouseholds(r, v.households.filter((h) => !h.demoHome), 5 - named.length, (h) => h.diligence ** 3)];
      const t = at(month, 20, 10) + c.offset;
      if (t < claimsUntil) committeeAwards(c, t, "文明家庭", winners, `村民代表会议民主评议：${Number(month.slice(0, 4)) - 1}年度文明家庭`, false);
    }

    // 积分超市: households with a phone login or a counter PIN shop when they have saved enough.
    for (const h of v.households) {
      const times = r.chance(0.75) ? (r.chance(0.35) ? 2 : 1) : 0;
      for (let j = 0; j < times; j++) {
        // This month's shopping falls in the days gone by: the keeper's last days are not empty.
        const t = at(month, r.int(1, month === thisMonth ? Math.max(1, Math.min(28, daysSoFar)) : 28), r.int(8, 17), r.int(0, 59)) + c.offset;
        if (!h.logins.length && !h.pin) continue;
        // Fixed demo logins keep this month's monthly limits for whoever tries the demo.
        if (h.demoLogin && month === thisMonth) continue;
        if (t < midnight(today)) c.tl.add(t, () => shop(c, h, `${h.key}-${month}-${j}`));
      }
    }
  }
  // The stock-take the evening before: the good that ran low is written off, so the demo shows 已兑完.
  c.tl.add(midnight(today) - 5 * HOUR + c.offset, () => stockTake(c));
}

// ---- claims: review, 公示, credit --------------------------------------------------------------------

/** A committee member who neither filed the claim nor lives in its household; `second` prefers the one who lives elsewhere. */
function reviewer(v: SeedVillage, filer: number, householdId: number, second = false): number {
  const order = second ? [v.committee[1], v.committee[0]] : v.committee;
  const by = order.find((u) => u !== filer && v.homeOf.get(u) !== householdId);
  if (by === undefined) throw new Error("演示历史：没有可以审核的村委委员");
  return by;
}

/** The scheduler's round when a 公示 period just ended (it runs every minute). */
function creditAt(c: Ctx, t: number): void {
  c.tl.add(t, async () => void (await creditDueClaims()), `credit:${t}`);
}

/** Approves each claim (a cap reached meanwhile: rejected with the cap's words); the credit follows the 公示. */
async function review(c: Ctx, claims: { id: number; householdId: number; filer: number }[], second = false): Promise<number[]> {
  const approved: number[] = [];
  for (const claim of claims) {
    const by = { userId: reviewer(c.v, claim.filer, claim.householdId, second), role: "committee" as Role };
    try {
      await approveClaim(c.v.id, claim.id, by);
      approved.push(claim.id);
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e;
      await rejectClaim(c.v.id, claim.id, by, e.message);
    }
  }
  if (approved.length) creditAt(c, now() + NOTICE + MINUTE);
  return approved;
}

function nextMorning(t: number, hour: number, minute = 0): number {
  return midnight(t) + DAY + hour * HOUR + minute * MINUTE;
}

/** A villager of another household objects during 公示; a committee member decides the next day. */
function objection(c: Ctx, claimId: number, h: SeedHousehold, approvedAt: number, upheld: boolean, reason: string, objectorHousehold?: SeedHousehold): void {
  const { v, x } = c;
  const objector = objectorHousehold ?? x.pick(v.households.filter((y) => y !== h && y.logins.length && !y.demoLogin));
  const login = objector.logins[0];
  let objectionId = 0;
  c.tl.add(midnight(approvedAt) + 20 * HOUR + x.int(0, 59) * MINUTE, async () => {
    objectionId = await objectToClaim(v.id, claimId, login.userId, reason);
  });
  c.tl.add(nextMorning(approvedAt, 10, x.int(0, 59)) + DAY, async () => {
    if (!objectionId) return;
    const by = { userId: v.committee.find((u) => u !== login.userId && v.homeOf.get(u) !== h.id)!, role: "committee" as Role };
    await resolveObjection(v.id, objectionId, by, upheld ? "uphold" : "dismiss", upheld ? x.pick(UPHOLDINGS) : x.pick(DISMISSALS));
  });
}

/** A villager's claim for a member of their own household, reviewed one to three days later. */
function ownClaim(c: Ctx, h: SeedHousehold, filed: number, mm: number): void {
  const { r, v } = c;
  const specs = OWN_CLAIMS.filter((s) => !s.months || s.months.includes(mm));
  const spec = r.weighted(specs.map((s) => [s, s.weight] as const));
  const login = h.logins.find((l) => l.head) ?? h.logins[0];
  const member = r.chance(0.7) ? login.memberId : (adult(r, h)?.id ?? login.memberId);
  const quantity = r.int(spec.qty[0], spec.qty[1]);
  const note = r.pick(spec.notes);
  const occurred = midnight(filed) - r.int(0, 3) * DAY + 9 * HOUR;
  const reject = r.chance(0.12);
  const object = r.chance(0.12);
  const upheld = r.chance(0.3);
  const reviewAt = nextMorning(filed, 9, r.int(0, 90)) + r.int(0, 2) * DAY;
  let id = 0;
  c.tl.add(filed, async () => {
    const photos = spec.photo ? storePhotos(v.id, c.photo) : [];
    const item: ClaimItem = { memberId: member, ruleId: rule(c, spec.rule), occurredAt: Math.min(occurred, now()), quantity, note, photos };
    try {
      [id] = await fileClaimBatch({ villageId: v.id, filer: { userId: login.userId, role: login.head ? "household_head" : "villager" }, items: [item] });
    } catch (e) {
      if (!(e instanceof ClaimError)) throw e; // a cap the villager reached: the form says so, nothing is filed
      removePhotos(photos);
    }
  });
  c.tl.add(reviewAt, async () => {
    if (!id) return;
    const claim = { id, householdId: h.id, filer: login.userId };
    if (reject) {
      await rejectClaim(v.id, id, { userId: reviewer(v, login.userId, h.id, true), role: "committee" }, c.x.pick(REJECTIONS));
      return;
    }
    const [ok] = await review(c, [claim], c.x.chance(0.5));
    if (ok && object) objection(c, id, h, now(), upheld, c.x.pick(OBJECTIONS));
  });
}

/** The inspector records a violation with a photo; approved the next morning, credited after 公示. */
function deduction(c: Ctx, h: SeedHousehold, ruleName: string, detail: string, t: number): void {
  const { v, r } = c;
  const object = r.chance(0.2) && h.logins.length > 0;
  const upheld = r.chance(0.4);
  let id = 0;
  let points = 0;
  c.tl.add(t, async () => {
    const ruleId = rule(c, ruleName);
    const row = await db().selectFrom("rules").select("points").where("id", "=", ruleId).executeTakeFirstOrThrow();
    points = -row.points;
    // The demo leaves no household below zero: a household that could not pay is only warned.
    if ((await householdBalance(h.id)).spendable - h.reserve - h.owed < points + 10) return;
    h.owed += points;
    [id] = await fileClaimBatch({
      villageId: v.id, filer: { userId: v.inspector, role: "inspector" },
      items: [{ memberId: h.members[0].id, ruleId, occurredAt: now() - HOUR, quantity: 1, note: `${detail}，已当面告知`, photos: storePhotos(v.id, c.photo) }],
    });
  });
  c.tl.add(nextMorning(t, 9, 30), async () => {
    if (!id) return;
    const [ok] = await review(c, [{ id, householdId: h.id, filer: v.inspector }]);
    const approvedAt = now();
    c.tl.add(approvedAt + NOTICE + 2 * MINUTE, async () => void (h.owed -= points));
    if (ok && object) {
      objection(c, id, h, approvedAt, upheld, upheld ? "当天已经清理干净了，不应扣分" : "不是我家堆的，是邻居的", h);
    }
  });
}

/** Results the committee enters for several households (美丽庭院, 民主评议), checked by the other member. */
function committeeAwards(c: Ctx, t: number, ruleName: string, winners: SeedHousehold[], note: string, photo: boolean): void {
  const { v } = c;
  let ids: number[] = [];
  c.tl.add(t, async () => {
    ids = await fileClaimBatch({
      villageId: v.id, filer: { userId: v.committee[0], role: "committee" },
      items: winners.map((h) => ({ memberId: h.members[0].id, ruleId: rule(c, ruleName), occurredAt: now() - HOUR, quantity: 1, note, photos: photo ? storePhotos(v.id, c.photo) : [] })),
    });
  });
  c.tl.add(nextMorning(t, 10), async () => {
    await review(c, ids.map((id, i) => ({ id, householdId: winners[i].id, filer: v.committee[0] })), true);
  });
}

// ---- volunteer activities ------------------------------------------------------------------------------

interface ActivityPlan {
  kind: ActivityKind;
  held: number;
  hours: number;
  organiser: number;
  people: { h: SeedHousehold; m: number }[];
  /** A claim credited by mistake is revoked (红冲) after a neighbour's word: the member had not come. */
  revoke: boolean;
}

/**
 * Created a week before by the committee, sign-ups on the villagers' phones, check-in by scanning or
 * marked by the organiser, hours for those who left early, closed into claims by the organiser,
 * reviewed the next morning, credited after 公示.
 */
function activity(c: Ctx, a: ActivityPlan): void {
  const { v, r } = c;
  const role: Role = a.organiser === v.inspector ? "inspector" : "committee";
  const organiser = { userId: a.organiser, role, villageId: v.id };
  const hourly = a.kind.rule === HOURLY;
  let id = 0;
  c.tl.add(a.held - 7 * DAY + 90 * MINUTE, async () => {
    id = must(
      await createActivity({ userId: v.committee[0], role: "committee", villageId: v.id }, v.id, {
        title: a.kind.name, description: a.kind.description, place: a.kind.place, startsAt: a.held, endsAt: a.held + a.hours * HOUR,
        deadline: a.held - 12 * HOUR, capacity: 30, organiserId: a.organiser, ruleId: rule(c, a.kind.rule),
      }),
      "发起活动",
    ).activityId;
  });
  a.people.forEach(({ h, m }, i) => {
    const own = h.logins.find((l) => l.memberId === m);
    const signer = own ?? h.logins.find((l) => l.head) ?? h.logins[0];
    const signs = signer !== undefined && r.chance(0.8);
    const comes = !signs || r.chance(0.92);
    const scans = own !== undefined && r.chance(0.75);
    const early = hourly && a.hours > 2 && r.chance(0.15);
    if (signs) {
      c.tl.add(a.held - r.int(2, 5) * DAY + 11 * HOUR + i * 7 * MINUTE, async () => {
        must(await signUp({ userId: signer.userId, householdId: h.id, villageId: v.id }, id, m), "报名");
      });
    }
    if (!comes) return;
    c.tl.add(a.held - 10 * MINUTE + i * 90_000, async () => {
      if (scans) must(await checkInByScan({ userId: own!.userId, memberId: m, homeVillageId: v.id }, v.id, id), "扫码签到");
      else must(await markAttendance(organiser, v.id, id, m), "登记到场");
    });
    if (early) c.tl.add(a.held + (a.hours - 1) * HOUR, async () => void must(await setHours(organiser, v.id, id, m, a.hours - 1), "记时长"));
  });
  const closeAt = a.held + a.hours * HOUR + 20 * MINUTE;
  let claims: { id: number; householdId: number; filer: number }[] = [];
  c.tl.add(closeAt, async () => {
    must(await closeActivity({ userId: a.organiser, role }, v.id, id), "结束活动");
    claims = (
      await db()
        .selectFrom("activity_attendance as t")
        .innerJoin("claims as c", "c.id", "t.claim_id")
        .select(["c.id", "c.household_id"])
        .where("t.activity_id", "=", id)
        .orderBy("c.id")
        .execute()
    ).map((x) => ({ id: x.id, householdId: x.household_id, filer: a.organiser }));
  });
  c.tl.add(nextMorning(closeAt, 9, r.int(0, 90)), async () => {
    const approved = await review(c, claims);
    const wrong = a.revoke ? claims.find((x) => approved.includes(x.id) && !c.v.households.find((h) => h.id === x.householdId)?.demoLogin) : undefined;
    if (!wrong) return;
    c.tl.add(now() + NOTICE + 2 * DAY, async () => {
      const by = { userId: reviewer(v, a.organiser, wrong.householdId, true), role: "committee" as Role };
      await revokeClaim(v.id, wrong.id, by, `经核实，${a.kind.name}当天本人未到场，考勤登记有误`);
    });
  });
}

// ---- sanitation rounds ------------------------------------------------------------------------------

/**
 * One grid's round of the month: created and opened by the committee mid-month, scored door to door
 * by the inspector (a few not at home), published early next month by a committee member who did
 * not score (which files and approves a claim per scored household), credited after 公示.
 */
function sanitationRound(c: Ctx, month: string, gridIndex: number, publisher: number): void {
  const { v, r } = c;
  const committee = { userId: v.committee[0], role: "committee", villageId: v.id };
  const inspector = { userId: v.inspector, role: "inspector" };
  const households = v.households.filter((h) => h.gridIndex === gridIndex && h.id !== v.homeOf.get(v.inspector));
  const plans = households.map((h) => {
    const d = h.diligence;
    const tier = r.weighted<Tier>([["优秀", 0.08 + 0.55 * d], ["良好", 0.35], ["合格", 0.5 - 0.45 * d], ["不合格", 0.06 * (1 - d)]]);
    return { h, tier, absent: r.chance(0.05), u: r.next(), note: r.pick(["院内杂物堆放，厕所未清理", "垃圾未分类，门前有积水"]) };
  });
  // Every round shows each kind of result: at least one 合格.
  if (!plans.some((p) => p.tier === "合格" && !p.absent)) {
    const p = plans.filter((x) => !x.absent && x.tier !== "不合格").sort((a, b) => a.h.diligence - b.h.diligence)[0];
    if (p) p.tier = "合格";
  }
  let round: RoundRow | null = null;
  c.tl.add(at(month, 14, 9) + c.offset, async () => {
    const title = `${formatMonth(month)}·${v.gridNames[gridIndex]}`;
    const out = must(
      await createRound(committee, v.id, { title, checklistId: String(v.checklistId), startsOn: chinaDay(chinaMonthStart(month)), endsOn: chinaDay(chinaMonthStart(nextMonth(month)) - DAY) }, [`${v.gridIds[gridIndex]}-${v.inspector}`]),
      "创建评比",
    );
    must(await openRound(committee, v.id, out.roundId), "开始评比");
    round = await roundIn(v.id, out.roundId);
  });
  plans.forEach((p, i) => {
    const t = at(month, 16 + Math.floor((i * 8) / plans.length), 9, 0) + ((i * 37) % 420) * MINUTE + c.offset;
    c.tl.add(t, async () => {
      if (p.absent) {
        must(await markAbsent(inspector, round!, p.h.id, { reason: "家里没人，外出打工", version: "0" }), "标记未检查");
        return;
      }
      let tier = p.tier;
      // 不合格 files a deduction: only for a household that can pay it.
      if (tier === "不合格") {
        if ((await householdBalance(p.h.id)).spendable - p.h.reserve - p.h.owed < 15) tier = "合格";
        else p.h.owed += 5;
      }
      p.tier = tier;
      const [lo, hi] = TIER_BAND[tier];
      const scores = split(lo + Math.floor(p.u * (hi - lo + 1)));
      const raw: Record<string, string> = { note: tier === "不合格" ? p.note : "", version: "0" };
      scores.forEach((s, k) => (raw[`s${k}`] = String(s)));
      const form = new FormData();
      for (const [k, val] of Object.entries(raw)) form.append(k, val);
      must(await saveScores(inspector, round!, p.h.id, form, raw), "评分");
    });
  });
  const publishAt = at(nextMonth(month), 3, 10, 30) + c.offset;
  c.tl.add(publishAt, async () => {
    const out = must(await publishRound({ userId: publisher, role: "committee" }, v.id, round!.id), "公布评比");
    await decideDemoTies(v.id, round!.id, publisher);
    creditAt(c, now() + NOTICE + MINUTE);
    for (const p of plans) if (p.tier === "不合格" && !p.absent) c.tl.add(now() + NOTICE + 2 * MINUTE, async () => void (p.h.owed -= 5));
    if (!out.waiting) return;
    // The publisher's own household waits for the other committee member.
    c.tl.add(nextMorning(publishAt, 9, 15), async () => {
      const waiting = await db()
        .selectFrom("claims")
        .select(["id", "household_id", "filer_user_id"])
        .where("source_kind", "=", "round")
        .where("source_id", "=", round!.id)
        .where("status", "=", "pending")
        .orderBy("id")
        .execute();
      await review(c, waiting.map((w) => ({ id: w.id, householdId: w.household_id, filer: publisher })));
    });
  });
}

// ---- the store --------------------------------------------------------------------------------------

function keeperOf(v: SeedVillage): Keeper {
  return { userId: v.keeper, role: "store_keeper", villageId: v.id, storeIds: [v.storeId] };
}

/** The keeper tops up on the 2nd each good that sold three or more since. */
function restock(c: Ctx, month: string, current: boolean): void {
  const { v } = c;
  const actor = { userId: v.keeper, role: "store_keeper", villageId: v.id };
  c.tl.add(at(month, 2, 9) + c.offset, async () => {
    const stock = new Map((await storeGoods(v.storeId, false)).map((g) => [g.id, g.stock]));
    for (const [i, g] of v.goods.entries()) {
      const has = stock.get(g.id) ?? 0;
      if ((g.soldOut && current) || has > g.par - 3) continue;
      const source = RESTOCK_SOURCES[i % 3];
      must(await changeStock(actor, v.id, g.id, { intent: "stock.restock", qty: g.par - has, source, note: `${formatMonth(month)}补货（${source === "乡贤捐赠" ? "乡贤捐赠" : "镇供销社配送"}）` }), "补货");
    }
  });
}

function stockTake(c: Ctx): Promise<void> {
  const { v } = c;
  return (async () => {
    const stock = new Map((await storeGoods(v.storeId, false)).map((g) => [g.id, g.stock]));
    for (const g of v.goods.filter((x) => x.soldOut)) {
      if (!stock.get(g.id)) continue;
      must(await changeStock({ userId: v.keeper, role: "store_keeper", villageId: v.id }, v.id, g.id, { intent: "stock.correct", count: 0, note: "盘点：仓库漏雨，剩下的受潮报损" }), "盘点");
    }
  })();
}

/** The committee settles last month with the store on the 3rd. */
async function settle(c: Ctx, month: string): Promise<void> {
  must(await settleMonth({ userId: c.v.committee[0], role: "committee", villageId: c.v.id }, c.v.storeId, month), "月结算");
}

/** The keeper's 日结 in the evening of a day with sales. */
function dayClose(c: Ctx, t: number): void {
  const { v } = c;
  const day = chinaDay(t);
  c.tl.add(dayStart(day) + 18 * HOUR + 30 * MINUTE + c.offset, async () => {
    must(await closeDay({ userId: v.keeper, role: "store_keeper", villageId: v.id }, v.storeId, day), "日结");
  }, `close:${v.id}:${day}`);
}

/** A cart of what the store has and the household may still take this month, worth 15 to `max` (at most 120). */
async function cart(c: Ctx, h: SeedHousehold, max: number): Promise<{ lines: CartLine[]; total: number } | null> {
  const limit = Math.min(120, max);
  if (limit < 15) return null;
  const goods = await storeGoods(c.v.storeId, true);
  const held = await heldByGood(c.v.storeId);
  const taken = await monthTakenByGood(h.id);
  const x = c.x;
  for (let attempt = 0; attempt < 5; attempt++) {
    const lines = new Map<number, number>();
    let total = 0;
    const wanted = x.int(1, 4);
    const target = x.int(15, Math.min(limit, x.chance(0.7) ? 40 : 120)); // what the villager means to spend today: mostly a few things
    for (let i = 0; i < wanted * 4 && lines.size < wanted && total < target; i++) {
      const g = x.pick(goods);
      const qty = g.price <= 15 && x.chance(0.35) ? 2 : 1;
      const already = lines.get(g.id) ?? 0;
      if (g.stock - (held.get(g.id) ?? 0) < already + qty + 1) continue;
      if (g.monthly_limit !== null && (taken.get(g.id) ?? 0) + already + qty > g.monthly_limit) continue;
      if (total + g.price * qty > limit || (total > 0 && total + g.price * qty > target + 15)) continue;
      lines.set(g.id, already + qty);
      total += g.price * qty;
    }
    if (total >= 15) return { lines: [...lines].map(([goodId, qty]) => ({ goodId, qty })), total };
  }
  return null;
}

/**
 * A household that has saved enough goes shopping: a code on a phone, confirmed by the keeper a few
 * minutes later (now and then cancelled, or never shown and left to expire), or at the counter with
 * the household PIN. Now and then the keeper voids a sale the same day.
 */
async function shop(c: Ctx, h: SeedHousehold, nonce: string): Promise<void> {
  const { v, x } = c;
  const available = (await householdBalance(h.id)).spendable - h.reserve - h.owed;
  if (available < h.saveUpTo) return;
  const chosen = await cart(c, h, available);
  if (!chosen) return;
  const counterLeft = c.counterLeft.get(h.id) ?? 0;
  const counter = counterLeft > 0 && (!h.logins.length || x.chance(0.25));
  const keeper = keeperOf(v);
  if (counter) {
    c.counterLeft.set(h.id, counterLeft - 1);
    const head = h.members[0];
    const sale = must(await counterCheckout(keeper, { householdId: h.id, memberId: head.id, storeId: v.storeId, lines: chosen.lines, pin: h.pin!, nonce }), "柜台兑换");
    afterSale(c, sale.order.id);
    return;
  }
  if (!h.logins.length) return;
  const login = h.logins.find((l) => l.head) ?? x.pick(h.logins);
  const { orderId } = must(await createOrder({ householdId: h.id, memberId: login.memberId, userId: login.userId, storeId: v.storeId, lines: chosen.lines, nonce }), "生成兑换码");
  const fate = x.next();
  if (fate < 0.03) {
    c.tl.add(now() + x.int(1, 5) * MINUTE, async () => void must(await cancelOrder(h.id, orderId), "取消兑换码"));
    return;
  }
  if (fate < 0.05) {
    // Never shown at the store: the scheduler marks it expired and releases the hold.
    c.tl.add(now() + 11 * MINUTE, async () => void (await expireOrders()), `expire:${now() + 11 * MINUTE}`);
    return;
  }
  const typed = x.chance(0.2);
  c.tl.add(now() + x.int(3, 9) * MINUTE, async () => {
    const shown = await householdOrder(h.id, orderId);
    const presented = typed ? shown?.code : shown?.qrPayload;
    if (!presented) throw new Error(`演示历史：兑换码 ${orderId} 不能出示`);
    must(await confirmOrder(keeper, orderId, presented), "核销");
    afterSale(c, orderId);
  });
}

function afterSale(c: Ctx, orderId: number): void {
  const { v, x } = c;
  dayClose(c, now());
  if (!x.chance(0.025)) return;
  // The same day, before the evening's 日结 (a keeper voids only the day's own sales).
  const t = now() + x.int(10, 60) * MINUTE;
  if (t > midnight(now()) + 18 * HOUR) return;
  const reason = x.pick(VOID_REASONS);
  c.tl.add(t, async () => {
    must(await voidOrder({ userId: v.keeper, role: "store_keeper", villageId: v.id, storeIds: [v.storeId] }, orderId, reason), "作废兑换单");
  });
}
