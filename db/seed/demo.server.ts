// The demo township (DEMO unset or 1) and the empty start (DEMO=0).
// The demo writes a year of history through the ledger itself, with the clock set to
// each event's past time, so balances, scores, hashes and created_at are all genuine.
// Everything is deterministic: a seeded generator picks names, phones and events.
import crypto from "node:crypto";
import { chinaMonth, chinaMonthStart, clockControl, now } from "../../app/platform/clock.server";
import { APPENDS, db, unitOfWork } from "../../app/platform/database.server";
import { addHousehold } from "../../app/people/households.server";
import { award, deduct, householdBalance, openStoreAccount, redeem, reverse, type Actor, type PostResult } from "../../app/ledger/ledger.server";
import { hashPassword } from "../../app/platform/password.server";
import { seedDemoClaims, seedDemoRules } from "./rules.server";
import type { Role } from "../../app/platform/roles";
import { insertUser, type RoleGrant } from "../../app/people/users.server";
import { createVillage, ensureGrid, ensureTownship } from "../../app/people/villages.server";
import { mulberry32 } from "../../app/platform/random";
import { seedDemoActivities } from "./activities.server";
import { seedDemoCampaigns } from "./campaigns.server";
import { seedDemoStores } from "./store.server";
import { seedDemoSanitation } from "./sanitation.server";

/** role: the login's Role keys, comma-separated ("villager,household_head"); village: its name, null for the township. */
export type DemoLogin = { phone: string; role: string; village: string | null };

export const DEMO_TOWNSHIP = "青山镇";
export const DEMO_PASSWORD = "jifen2026";
export const TOWNSHIP_ADMIN_PHONE = "13900000000";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** No township yet: the database has never been seeded. */
export async function isEmpty(): Promise<boolean> {
  return !(await db().selectFrom("townships").select("id").limit(1).executeTakeFirst());
}

const DEMO_LOGIN = /^139000000\d\d$/;

/**
 * The demo logins still present in an existing database (same phones the seed prints), so a
 * restart can print them again, roles in the order they were granted.
 */
export async function existingDemoLogins(): Promise<DemoLogin[]> {
  // One row per grant; `like` narrows to the demo range on any engine, the two digits are checked here.
  const grants = await db()
    .selectFrom("users as u")
    .innerJoin("user_roles as r", "r.user_id", "u.id")
    .leftJoin("villages as v", "v.id", "r.village_id")
    .select(["u.phone", "r.role", "v.name as village"])
    .where("u.phone", "like", "139000000%")
    .orderBy("u.phone")
    .orderBy("r.id")
    .execute();
  const logins: DemoLogin[] = [];
  for (const g of grants) {
    if (!DEMO_LOGIN.test(g.phone)) continue;
    const last = logins.at(-1);
    if (last?.phone !== g.phone) {
      logins.push({ phone: g.phone, role: g.role, village: g.village });
      continue;
    }
    last.role += `,${g.role}`;
    // The first village name in sort order, as min() over the grants would give.
    if (g.village !== null && (last.village === null || g.village < last.village)) last.village = g.village;
  }
  return logins;
}

// ---- DEMO=0: a township and its first admin, nothing else -------------------

/** Creates 青山镇 and a township admin with a random temporary password (must be changed at first sign-in). */
export async function seedEmpty(): Promise<{ phone: string; password: string }> {
  if (!(await isEmpty())) throw new Error("数据库里已经有乡镇了，不能再初始化");
  const password = temporaryPassword();
  const hash = await hashPassword(password);
  await unitOfWork(async () => {
    if (!(await isEmpty())) throw new Error("数据库里已经有乡镇了，不能再初始化");
    await ensureTownship(DEMO_TOWNSHIP);
    await insertUser({
      phone: TOWNSHIP_ADMIN_PHONE, passwordHash: hash, displayName: "乡镇管理员", memberId: null,
      mustChangePassword: true, roles: [{ role: "township_admin", villageId: null }],
    });
  });
  return { phone: TOWNSHIP_ADMIN_PHONE, password };
}

function temporaryPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"; // no 0/o, 1/l/i: read aloud or copied by hand
  const group = () => Array.from({ length: 4 }, () => alphabet[crypto.randomInt(alphabet.length)]).join("");
  return `${group()}-${group()}-${group()}`;
}

// ---- a small deterministic generator ----------------------------------------

interface Rng {
  next(): number;
  int(lo: number, hi: number): number; // inclusive
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(items: readonly (readonly [T, number])[]): T;
}

function rng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [item, w] of items) if ((x -= w) < 0) return item;
      return items[items.length - 1][0];
    },
  };
}

// ---- people -----------------------------------------------------------------

/** Married-in spouses come from anywhere: roughly the national surname frequencies. */
const COMMON_SURNAMES: [string, number][] = [
  ["王", 72], ["李", 72], ["张", 68], ["刘", 54], ["陈", 46], ["杨", 32], ["黄", 24], ["赵", 22], ["吴", 20], ["周", 19],
  ["徐", 15], ["孙", 15], ["马", 14], ["朱", 13], ["胡", 12], ["郭", 12], ["何", 11], ["林", 10], ["高", 10], ["罗", 9],
  ["郑", 9], ["梁", 8], ["谢", 7], ["宋", 6], ["唐", 6], ["许", 6], ["韩", 6], ["冯", 5], ["邓", 5], ["曹", 5],
  ["彭", 5], ["曾", 4], ["肖", 4], ["田", 4], ["董", 4], ["潘", 3], ["袁", 3], ["蔡", 3], ["蒋", 3], ["余", 3],
  ["于", 3], ["杜", 3], ["叶", 3], ["程", 3], ["魏", 3], ["苏", 3], ["吕", 3], ["丁", 3], ["任", 3], ["姚", 2],
  ["沈", 2], ["姜", 2], ["崔", 2], ["谭", 2], ["陆", 2], ["范", 2], ["石", 2], ["贾", 2], ["侯", 2], ["孟", 2],
];

const GIVEN = {
  old: {
    m: ["德福", "德贵", "长贵", "富贵", "有才", "占山", "永福", "树林", "金山", "国庆", "建国", "振华", "保国", "福生",
        "长林", "玉山", "春生", "秋生", "世昌", "满仓", "来福", "根生", "铁柱", "文忠", "洪才", "宝山", "广福", "守义"],
    f: ["秀英", "桂英", "秀兰", "桂兰", "玉兰", "凤英", "淑珍", "桂芳", "玉珍", "翠花", "秀珍", "凤兰", "素芬", "金凤",
        "春梅", "冬梅", "玉梅", "淑芬", "兰英", "桂香", "月娥", "巧云", "素贞", "荷花"],
  },
  middle: {
    m: ["建华", "建军", "建平", "卫东", "卫国", "志强", "志刚", "国强", "海涛", "海军", "红军", "立新", "永强", "新民",
        "文斌", "明亮", "俊峰", "春雷", "勇", "军", "伟", "刚", "强", "斌", "涛", "东升", "长江", "光明", "小兵"],
    f: ["丽华", "海燕", "红梅", "丽娟", "秀梅", "春燕", "小红", "玉红", "美玲", "艳", "静", "敏", "丽", "霞", "芳",
        "娟", "燕", "慧", "红霞", "晓燕", "雪梅", "桂芬", "彩霞", "金华"],
  },
  young: {
    m: ["磊", "鹏", "超", "浩", "杰", "凯", "亮", "帅", "宇", "阳", "明", "文博", "建伟", "俊杰", "志远", "家豪",
        "晓东", "鑫", "龙", "飞", "晨阳", "振宇"],
    f: ["静", "婷", "倩", "丹", "莉", "璐", "佳", "欣", "雪", "颖", "晓丽", "婷婷", "佳佳", "丹丹", "梦瑶", "雨欣",
        "晓雪", "思雨", "慧敏", "亚楠"],
  },
  child: {
    m: ["子轩", "浩然", "宇航", "梓豪", "俊熙", "一鸣", "皓轩", "子豪", "博文", "明轩", "睿", "泽宇", "天佑", "思远",
        "宇轩", "沐阳", "嘉豪", "锦程"],
    f: ["子涵", "欣怡", "梓涵", "雨桐", "诗涵", "可馨", "梦琪", "语嫣", "一诺", "思琪", "佳怡", "紫萱", "若曦", "芯蕊",
        "雨涵", "梓萱", "安琪", "乐瑶"],
  },
} as const;

interface Person {
  name: string;
  relation: string;
  age: number;
  female: boolean;
  phone: string | null;
}

type HouseholdType = "elder_single" | "elder_couple" | "couple" | "couple_kids" | "three_gen" | "with_parents";

const HOUSEHOLD_TYPES: [HouseholdType, number][] = [
  ["elder_single", 8], ["elder_couple", 15], ["couple", 5], ["couple_kids", 25], ["three_gen", 30], ["with_parents", 17],
];

function givenName(r: Rng, surname: string, female: boolean, age: number, used: Set<string>): string {
  const gen = age >= 60 ? GIVEN.old : age >= 36 ? GIVEN.middle : age >= 18 ? GIVEN.young : GIVEN.child;
  for (let i = 0; i < 20; i++) {
    const name = surname + r.pick(female ? gen.f : gen.m);
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
  const name = surname + r.pick(female ? gen.f : gen.m) + r.pick(["", "儿", "子"]);
  used.add(name);
  return name;
}

/** A household of 1-6 people; the 户主 first, the spouse (when any) second. */
function planPeople(r: Rng, clan: readonly (readonly [string, number])[], type: HouseholdType): Person[] {
  const S = r.weighted(clan);
  const outside = () => r.weighted(COMMON_SURNAMES);
  const used = new Set<string>();
  const people: Person[] = [];
  const add = (surname: string, female: boolean, age: number, relation: string) => {
    people.push({ name: givenName(r, surname, female, age, used), relation, age, female, phone: null });
  };
  const kids = (parentAge: number, n: number, maxAge: number, relation: string) => {
    for (let i = 0; i < n; i++) {
      const female = r.chance(0.48);
      add(S, female, r.int(1, Math.max(1, Math.min(maxAge, parentAge - 22))), relation);
    }
  };
  switch (type) {
    case "elder_single": {
      const female = r.chance(0.65); // mostly widows
      add(female ? outside() : S, female, r.int(72, 88), "户主");
      break;
    }
    case "elder_couple": {
      const age = r.int(66, 82);
      add(S, false, age, "户主");
      add(outside(), true, age - r.int(0, 5), "配偶");
      break;
    }
    case "couple": {
      const age = r.int(25, 34);
      add(S, false, age, "户主");
      add(outside(), true, age - r.int(-2, 4), "配偶");
      break;
    }
    case "couple_kids": {
      const age = r.int(34, 50);
      const femaleHead = r.chance(0.1); // 上门女婿: the wife is from the village and heads the household
      add(S, femaleHead, age, "户主");
      add(outside(), !femaleHead, age - r.int(-2, 4), "配偶");
      kids(age, r.chance(0.15) ? 3 : r.int(1, 2), 22, "子女");
      break;
    }
    case "three_gen": {
      const age = r.int(55, 70);
      add(S, false, age, "户主");
      add(outside(), true, age - r.int(0, 4), "配偶");
      const sonAge = r.int(28, Math.min(40, age - 20));
      add(S, false, sonAge, "子女");
      add(outside(), true, sonAge + r.int(-4, 2), "儿媳");
      kids(sonAge, r.int(0, 2), 14, "孙子女");
      if (people.length < 6 && r.chance(0.2)) add(S, true, r.int(18, Math.min(26, age - 22)), "子女");
      break;
    }
    case "with_parents": {
      const age = r.int(38, 52);
      add(S, false, age, "户主");
      add(outside(), true, age - r.int(-2, 4), "配偶");
      kids(age, r.int(1, 2), 24, "子女");
      const father = r.chance(0.7);
      if (father) add(S, false, Math.min(90, age + r.int(24, 32)), "父母");
      if (!father || r.chance(0.75)) add(outside(), true, Math.min(89, age + r.int(22, 30)), "父母");
      break;
    }
  }
  return people;
}

const PHONE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
  "157", "158", "159", "166", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"];

function randomPhone(r: Rng, taken: Set<string>): string {
  for (;;) {
    let phone = r.pick(PHONE_PREFIXES);
    for (let i = 0; i < 8; i++) phone += String(r.int(0, 9));
    if (phone.startsWith("1390000") || taken.has(phone)) continue; // 13900000xxx are the demo logins
    taken.add(phone);
    return phone;
  }
}

function phoneChance(age: number, type: HouseholdType): number {
  const p = age < 16 ? 0 : age < 18 ? 0.3 : age < 60 ? 0.85 : age < 70 ? 0.45 : 0.12;
  return type === "elder_single" ? p * 0.5 : p;
}

// ---- the demo township ------------------------------------------------------

interface VillageSpec {
  name: string;
  code: string;
  households: number;
  grids: number;
  seed: number;
  clan: [string, number][]; // a village is dominated by a few surnames
}

const VILLAGES: VillageSpec[] = [
  {
    name: "桃源村", code: "TY", households: 124, grids: 5, seed: 1101,
    clan: [["王", 30], ["李", 18], ["张", 9], ["刘", 8], ["陈", 6], ["杨", 4], ["赵", 4], ["黄", 3], ["周", 3], ["吴", 2], ["孙", 2], ["马", 2], ["胡", 2], ["郭", 1], ["何", 1]],
  },
  {
    name: "杏花村", code: "XH", households: 116, grids: 4, seed: 2202,
    clan: [["张", 28], ["刘", 17], ["陈", 10], ["李", 9], ["王", 7], ["赵", 6], ["孙", 4], ["徐", 3], ["朱", 3], ["周", 2], ["高", 2], ["林", 2], ["宋", 1]],
  },
];

const GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格", "第六网格"];

/** Households whose members hold the fixed demo logins. memberIndex 0 is the 户主, 1 the spouse, 2 the grown son. */
const LINKED: { village: number; householdIndex: number; type: HouseholdType; memberIndex: number; phone: string; staff: Role | null }[] = [
  { village: 0, householdIndex: 7, type: "with_parents", memberIndex: 0, phone: "13900000001", staff: null },
  { village: 0, householdIndex: 22, type: "couple_kids", memberIndex: 0, phone: "13900000003", staff: "committee" },
  { village: 0, householdIndex: 40, type: "couple_kids", memberIndex: 1, phone: "13900000004", staff: "inspector" },
  { village: 1, householdIndex: 5, type: "three_gen", memberIndex: 2, phone: "13900000011", staff: null },
  { village: 1, householdIndex: 14, type: "with_parents", memberIndex: 0, phone: "13900000013", staff: "committee" },
  { village: 1, householdIndex: 29, type: "three_gen", memberIndex: 2, phone: "13900000014", staff: "inspector" },
];

/** Staff who do not live in a demo household (their login has no member). */
const STAFF_ONLY: { phone: string; name: string; village: number | null; role: Role }[] = [
  { phone: TOWNSHIP_ADMIN_PHONE, name: "郑立新", village: null, role: "township_admin" },
  { phone: "13900000002", name: "赵春来", village: 0, role: "store_keeper" },
  { phone: "13900000005", name: "周文斌", village: 0, role: "village_admin" },
  // A second committee member per village: a claim filed by, or for the household of, the first
  // still has someone to review it (maker-checker).
  { phone: "13900000006", name: "冯秀兰", village: 0, role: "committee" },
  { phone: "13900000012", name: "孙红霞", village: 1, role: "store_keeper" },
  { phone: "13900000015", name: "吴建平", village: 1, role: "village_admin" },
  { phone: "13900000016", name: "韩玉梅", village: 1, role: "committee" },
];

/** The household of 13900000001 keeps at least this much: the demo shows a healthy balance. */
const DEMO_HOME_RESERVE = 100;

interface SeedHousehold {
  id: number;
  key: string; // "TY-008", used in idempotency keys
  number: string;
  members: { id: number; p: Person }[];
  diligence: number; // how often it earns
  saveUpTo: number; // a household saves up to this before it goes shopping
  reserve: number; // points redemptions and deductions leave alone
  demoHome: boolean;
}

interface SeedVillage {
  spec: VillageSpec;
  id: number;
  households: SeedHousehold[];
  committee: Actor;
  storeKeeper: Actor;
  storeAccountId: number;
}

/**
 * On an empty database: 青山镇 with two villages, about 120 households each, staff and villager
 * logins, and a year of ledger history ending now. Does nothing (returns []) otherwise.
 */
export async function seedDemo(): Promise<DemoLogin[]> {
  if (!(await isEmpty())) return [];
  const passwordHash = await hashPassword(DEMO_PASSWORD); // once: bcrypt is slow on purpose
  const today = now();
  const start = today - 365 * DAY;
  try {
    clockControl.set(start);
    const built = await unitOfWork(async () => ((await isEmpty()) ? await buildRoster(passwordHash) : null));
    if (!built) return [];
    const events = planHistory(built.villages, start, today);
    await runEvents(events);
    clockControl.reset();
    for (const v of built.villages) await seedDemoClaims(v.id);
    await seedDemoActivities(now());
    await seedDemoStores();
    await seedDemoSanitation(now());
    await seedDemoCampaigns(now());
    return built.logins;
  } finally {
    clockControl.reset();
  }
}

// ---- roster -------------------------------------------------------------------

/** Inside the seed's unit of work. */
async function buildRoster(passwordHash: string): Promise<{ villages: SeedVillage[]; logins: DemoLogin[] }> {
  const townshipId = await ensureTownship(DEMO_TOWNSHIP);
  const takenPhones = new Set<string>();
  const logins: DemoLogin[] = [];
  const villages: SeedVillage[] = [];
  const userIds = new Map<string, number>();

  const addUser = async (phone: string, displayName: string, memberId: number | null, roles: RoleGrant[], village: string | null) => {
    const id = await insertUser({ phone, passwordHash, displayName, memberId, mustChangePassword: false, roles });
    userIds.set(phone, id);
    if (DEMO_LOGIN.test(phone)) {
      logins.push({ phone, role: roles.map((g) => g.role).join(","), village });
    }
    return id;
  };

  for (const [vi, spec] of VILLAGES.entries()) {
    const r = rng(spec.seed);
    const villageId = await createVillage({ townshipId, name: spec.name, code: spec.code });
    const gridIds: number[] = [];
    for (const g of GRID_NAMES.slice(0, spec.grids)) gridIds.push(await ensureGrid(villageId, g));
    await seedDemoRules(villageId);
    const { id: storeId } = await db()
      .insertInto("stores")
      .values({ village_id: villageId, name: `${spec.name}积分超市`, created_at: now() })
      .returning("id")
      .executeTakeFirstOrThrow();
    const storeAccountId = await openStoreAccount(villageId, storeId);

    const households: SeedHousehold[] = [];
    const perGrid = Math.ceil(spec.households / spec.grids);
    const houseNo = new Map<number, number>();
    for (let i = 0; i < spec.households; i++) {
      const linked = LINKED.filter((l) => l.village === vi && l.householdIndex === i);
      const type = linked[0]?.type ?? r.weighted(HOUSEHOLD_TYPES);
      const people = planPeople(r, spec.clan, type);
      for (const p of people) if (r.chance(phoneChance(p.age, type))) p.phone = randomPhone(r, takenPhones);
      for (const l of linked) people[l.memberIndex].phone = l.phone;
      const gridIndex = Math.min(spec.grids - 1, Math.floor(i / perGrid));
      const group = gridIndex * 2 + 1 + (i % perGrid >= perGrid / 2 ? 1 : 0); // two 村民小组 per grid
      const n = (houseNo.get(group) ?? 0) + r.int(1, 3);
      houseNo.set(group, n);
      const number = String(i + 1).padStart(3, "0");
      const { householdId, memberIds } = await addHousehold({
        villageId, gridId: gridIds[gridIndex], number, address: `${spec.name}${group}组${n}号`,
        // children hold no spending right
        members: people.map((p) => ({ name: p.name, relation: p.relation, phone: p.phone, canRedeem: p.age >= 16 })),
      });
      const demoHome = linked.some((l) => l.phone === "13900000001");
      households.push({
        id: householdId, key: `${spec.code}-${number}`, number,
        members: memberIds.map((id, k) => ({ id, p: people[k] })),
        diligence: demoHome ? 0.95 : 0.1 + r.next() * 0.8,
        saveUpTo: demoHome ? 15 : r.int(15, 100),
        reserve: demoHome ? DEMO_HOME_RESERVE : 0,
        demoHome,
      });
    }

    // staff who do not live in a household here
    for (const s of STAFF_ONLY.filter((x) => x.village === vi)) {
      await addUser(s.phone, s.name, null, [{ role: s.role, villageId }], spec.name);
    }
    // members with a login: the fixed demo ones, then about a third of the rest with a phone
    for (const h of households) {
      for (const [k, m] of h.members.entries()) {
        if (!m.p.phone) continue;
        const link = LINKED.find((l) => l.phone === m.p.phone);
        if (!link && !r.chance(m.p.relation === "户主" ? 0.5 : 0.25)) continue;
        const roles: RoleGrant[] = [];
        if (link?.staff) roles.push({ role: link.staff, villageId });
        roles.push({ role: "villager", villageId });
        if (k === 0) roles.push({ role: "household_head", villageId });
        await addUser(m.p.phone, m.p.name, m.id, roles, spec.name);
      }
    }
    const committee = userIds.get(vi === 0 ? "13900000003" : "13900000013")!;
    const storeKeeper = userIds.get(vi === 0 ? "13900000002" : "13900000012")!;
    villages.push({
      spec, id: villageId, households, storeAccountId,
      committee: { userId: committee, role: "committee" },
      storeKeeper: { userId: storeKeeper, role: "store_keeper" },
    });
  }
  const admin = STAFF_ONLY.find((s) => s.village === null)!;
  await addUser(admin.phone, admin.name, null, [{ role: "township_admin", villageId: null }], null);
  logins.sort((a, b) => a.phone.localeCompare(b.phone));
  return { villages, logins };
}

// ---- history --------------------------------------------------------------------

interface SeedEvent {
  at: number;
  seq: number;
  run: () => Promise<void> | void;
}

const SANITATION = { 优秀: 10, 良好: 5 } as const;

const ACTIVITIES: { name: string; perHour: boolean; months: number[] | null }[] = [
  { name: "清扫村道", perHour: false, months: null },
  { name: "看望孤寡老人", perHour: false, months: null },
  { name: "垃圾分类宣传", perHour: false, months: null },
  { name: "河道保洁", perHour: true, months: [4, 5, 6, 7, 8, 9, 10] },
  { name: "植树护绿", perHour: true, months: [3, 4] },
  { name: "秸秆禁烧巡查", perHour: true, months: [6, 10, 11] },
  { name: "防汛值守", perHour: true, months: [6, 7, 8] },
  { name: "春节文艺演出服务", perHour: false, months: [1, 2] },
  { name: "扫雪除冰", perHour: true, months: [12, 1, 2] },
  { name: "老年人体检引导", perHour: false, months: [3, 9] },
];
const VOLUNTEER_PER_TIME = 5;
const VOLUNTEER_PER_HOUR = 2;

const VIOLATIONS: { name: string; points: number; detail: string[]; months: number[] | null }[] = [
  { name: "乱堆乱放", points: 5, detail: ["门前堆放柴草", "路边堆放建筑垃圾", "院外乱堆杂物"], months: null },
  { name: "乱倒垃圾", points: 5, detail: ["往河沟倒垃圾", "垃圾未入桶"], months: null },
  { name: "焚烧秸秆", points: 10, detail: ["田间焚烧秸秆", "地头焚烧玉米秆"], months: [6, 10, 11] },
];

const GOODS: [string, number][] = [
  ["香皂", 8], ["洗衣粉", 15], ["牙膏", 12], ["洗洁精", 15], ["卷纸（10卷）", 25], ["酱油", 12], ["米醋", 10], ["食盐", 4],
  ["挂面", 10], ["毛巾", 12], ["白糖", 12], ["洗发水", 30], ["鸡蛋（30枚）", 35], ["面粉（10斤）", 40], ["大米（10斤）", 50],
  ["食用油（5升）", 80],
];

function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}

function monthLabel(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return `${y}年${m}月`;
}

function dayLabel(ms: number): string {
  const d = new Date(ms + 8 * HOUR);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

/** China time: day 1-28 of the month, hour and minute. */
function at(month: string, day: number, hour: number, minute = 0): number {
  return chinaMonthStart(month) + (day - 1) * DAY + hour * HOUR + minute * MINUTE;
}

async function spendable(h: SeedHousehold): Promise<number> {
  return (await householdBalance(h.id)).spendable - h.reserve;
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

function cart(r: Rng, max: number): { total: number; memo: string } | null {
  const limit = Math.min(120, max);
  if (limit < 15) return null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const lines = new Map<string, number>();
    let total = 0;
    const wanted = r.int(1, 4);
    const target = r.int(15, limit); // what the villager means to spend today
    for (let i = 0; i < wanted * 4 && lines.size < wanted && total < target; i++) {
      const [name, price] = r.pick(GOODS);
      const qty = price <= 15 && r.chance(0.35) ? 2 : 1;
      if (total + price * qty > limit || (total > 0 && total + price * qty > target + 15)) continue;
      lines.set(name, (lines.get(name) ?? 0) + qty);
      total += price * qty;
    }
    if (total >= 15) return { total, memo: [...lines].map(([n, q]) => `${n}×${q}`).join("、") };
  }
  return null;
}

function planHistory(villages: SeedVillage[], start: number, today: number): SeedEvent[] {
  const events: SeedEvent[] = [];
  let seq = 0;
  const schedule = (t: number, run: SeedEvent["run"]) => {
    if (t > start + HOUR && t < today - MINUTE) events.push({ at: t, seq: seq++, run });
  };
  const cause = { kind: "demo", id: null };
  const months: string[] = [];
  for (let m = chinaMonth(start); m <= chinaMonth(today); m = nextMonth(m)) months.push(m);
  const roundsFrom = months[months.length - 2]; // last month: the demo's published sanitation round

  for (const [vi, v] of villages.entries()) {
    const r = rng(v.spec.seed * 7 + 1); // plans
    const x = rng(v.spec.seed * 7 + 2); // choices made while posting (member, cart)
    const code = v.spec.code;
    const offset = vi * 40 * MINUTE;
    const { committee, storeKeeper } = v;
    const dupMonth = months[months.length - 5];
    const fixMonth = months[months.length - 8];
    const voidMonth = months[months.length - 3];

    for (const month of months) {
      const mm = Number(month.slice(5));
      const label = monthLabel(month);

      // 环境卫生评比: inspected around the 25th, published on the 5th of the next month. Last month and
      // this month are real sanitation rounds instead (db/seed/sanitation.server.ts), credited through claims.
      if (at(month, 25, 9) > start && month < roundsFrom) {
        const published = at(nextMonth(month), 5, 10) + offset;
        let fixPlanned = false;
        v.households.forEach((h, i) => {
          const d = h.diligence;
          const tier = r.weighted<"优秀" | "良好" | "合格" | "不合格">([
            ["优秀", 0.08 + 0.55 * d], ["良好", 0.35], ["合格", 0.5 - 0.45 * d], ["不合格", 0.04 * (1 - d)],
          ]);
          const t = published + i * 20_000;
          const idemKey = `demo:v1:${h.key}:${month}:sanitation`;
          const memberId = h.members[0].id;
          if (tier === "不合格") {
            schedule(t, async () => {
              if (await spendable(h) < 5) return;
              await deduct({ householdId: h.id, amount: 5, idemKey, actor: committee, memberId, cause, memo: `环境卫生评比·不合格（${label}）` });
            });
          } else if (tier === "良好" && month === fixMonth && !fixPlanned && !h.demoHome) {
            // 红冲: the inspector typed 优秀; the committee corrects it the next morning.
            fixPlanned = true;
            let wrong: PostResult | null = null;
            schedule(t, async () => {
              wrong = await award({ householdId: h.id, amount: SANITATION.优秀, idemKey, actor: committee, memberId, cause, memo: `环境卫生评比·优秀（${label}）` });
              h.reserve += SANITATION.优秀;
            });
            schedule(t + DAY - 30 * MINUTE, async () => {
              if (!wrong) return;
              h.reserve -= SANITATION.优秀;
              await reverse({
                txnId: wrong.txnId, idemKey: `demo:v1:${h.key}:${month}:sanitation-reversal`, actor: committee,
                memo: `红冲：${label}环境卫生评比录入有误，原记“优秀”，复核为“良好”，改记 5 分`,
              });
              await award({
                householdId: h.id, amount: SANITATION.良好, idemKey: `demo:v1:${h.key}:${month}:sanitation-fix`, actor: committee,
                memberId, cause, memo: `环境卫生评比·良好（${label}，更正）`,
              });
            });
          } else if (tier === "优秀" || tier === "良好") {
            schedule(t, async () => {
              await award({ householdId: h.id, amount: SANITATION[tier], idemKey, actor: committee, memberId, cause, memo: `环境卫生评比·${tier}（${label}）` });
            });
          }
        });
      }

      // 美丽庭院: each quarter the committee names the tidiest courtyards.
      if (mm % 3 === 0 && at(month, 28, 9) > start) {
        const quarter = `${month.slice(0, 4)}年第${"一二三四"[mm / 3 - 1]}季度`;
        const t0 = at(month, 28, 15) + offset;
        drawHouseholds(r, v.households, r.int(6, 10), (h) => h.diligence ** 3).forEach((h, i) => {
          schedule(t0 + i * 30_000, async () => {
            await award({
              householdId: h.id, amount: 15, idemKey: `demo:v1:${h.key}:${month}:courtyard`, actor: committee,
              memberId: h.members[0].id, cause, memo: `美丽庭院评比（${quarter}）`,
            });
          });
        });
      }

      // 志愿服务: two activities a month, credited after the 3-day 公示.
      const pool = ACTIVITIES.filter((a) => !a.months || a.months.includes(mm));
      const first = r.pick(pool);
      const second = r.pick(pool.filter((a) => a !== first));
      [first, second].forEach((act, k) => {
        const day = r.int(3 + k * 12, 12 + k * 12);
        const held = at(month, day, 8, 30);
        if (held < start + DAY) return;
        const credited = at(month, day, 0) + 3 * DAY + 9 * HOUR + offset + k * 10 * MINUTE;
        const hours = act.perHour ? r.int(2, 4) : 0;
        const points = act.perHour ? hours * VOLUNTEER_PER_HOUR : VOLUNTEER_PER_TIME;
        const memo = act.perHour
          ? `志愿服务·${act.name} ${hours}小时×${VOLUNTEER_PER_HOUR}分（${dayLabel(held)}）`
          : `志愿服务·${act.name}（${dayLabel(held)}）`;
        const who = drawHouseholds(r, v.households, r.int(12, 26), (h) => (hasAdult(h) ? h.diligence ** 2 : 0));
        const home = v.households.find((h) => h.demoHome);
        if (home && !who.includes(home) && r.chance(0.6)) who.push(home);
        who.forEach((h, pi) => {
          const t = credited + pi * 15_000;
          const idemKey = `demo:v1:${h.key}:${month}:volunteer${k + 1}`;
          schedule(t, async () => {
            const m = adult(x, h);
            await award({ householdId: h.id, amount: points, idemKey, actor: committee, memberId: m?.id ?? null, cause, memo });
          });
          if (month === dupMonth && k === 0 && pi === 0) {
            // 红冲: the same attendance was entered twice; the committee spots it the next day.
            let dup: PostResult | null = null;
            schedule(t + 40_000, async () => {
              dup = await award({ householdId: h.id, amount: points, idemKey: `${idemKey}-dup`, actor: committee, cause, memo });
              h.reserve += points;
            });
            schedule(t + DAY + 30 * MINUTE, async () => {
              if (!dup) return;
              h.reserve -= points;
              await reverse({
                txnId: dup.txnId, idemKey: `${idemKey}-dup-reversal`, actor: committee,
                memo: `红冲：${act.name}（${dayLabel(held)}）同一次志愿服务重复登记，撤销多记的一笔`,
              });
            });
          }
        });
      });

      // 评选: 文明家庭 in January, 好婆婆/好媳妇 in May, 最美家庭 in October, by 民主评议.
      const honour = (title: string, slug: string, points: number, n: number, eligible: (h: SeedHousehold) => { id: number } | null) => {
        const t0 = at(month, 20, 10) + offset;
        const must = title === "文明家庭" ? v.households.filter((h) => h.demoHome) : [];
        const winners = [...must, ...drawHouseholds(r, v.households.filter((h) => !must.includes(h)), n - must.length, (h) => (eligible(h) ? h.diligence ** 3 : 0))];
        const year = mm === 1 ? `${Number(month.slice(0, 4)) - 1}年度` : `${month.slice(0, 4)}年`;
        winners.forEach((h, i) => {
          const member = eligible(h);
          schedule(t0 + i * 30_000, async () => {
            await award({
              householdId: h.id, amount: points, idemKey: `demo:v1:${h.key}:${month}:honour-${slug}`, actor: committee,
              memberId: member?.id ?? h.members[0].id, cause, memo: `民主评议·${title}（${year}）`,
            });
          });
        });
      };
      const head = (h: SeedHousehold) => h.members[0];
      // 好婆婆: the mother-in-law of a 儿媳 living in the household; 好媳妇: that daughter-in-law.
      const motherInLaw = (h: SeedHousehold) => {
        if (h.members.some((m) => m.p.relation === "儿媳")) {
          return h.members.find((m) => m.p.female && m.p.age >= 50 && (m.p.relation === "户主" || m.p.relation === "配偶")) ?? null;
        }
        const wife = h.members.find((m) => m.p.relation === "配偶" && m.p.female);
        return wife ? (h.members.find((m) => m.p.relation === "父母" && m.p.female) ?? null) : null;
      };
      const daughterInLaw = (h: SeedHousehold) => {
        const d = h.members.find((m) => m.p.relation === "儿媳");
        if (d) return d;
        const wife = h.members.find((m) => m.p.relation === "配偶" && m.p.female);
        return wife && h.members.some((m) => m.p.relation === "父母") ? wife : null;
      };
      if (mm === 1) honour("文明家庭", "wenming", 30, 5, head);
      if (mm === 5) {
        honour("好婆婆", "haopopo", 20, 3, motherInLaw);
        honour("好媳妇", "haoxifu", 20, 3, daughterInLaw);
      }
      if (mm === 10) honour("最美家庭", "zuimei", 30, 3, head);

      // 村规民约: a few deductions a month, never below zero in the demo.
      const nViolations = r.int(0, 2);
      const kinds = VIOLATIONS.filter((k) => !k.months || k.months.includes(mm));
      for (let k = 0; k < nViolations; k++) {
        const rule = r.pick(kinds);
        const detail = r.pick(rule.detail);
        const [h] = drawHouseholds(r, v.households.filter((y) => !y.demoHome), 1, (y) => 1 - y.diligence);
        const t = at(month, r.int(1, 28), r.int(9, 16), r.int(0, 59));
        schedule(t, async () => {
          if (await spendable(h) < rule.points) return;
          await deduct({
            householdId: h.id, amount: rule.points, idemKey: `demo:v1:${h.key}:${month}:deduct${k + 1}`, actor: committee,
            memberId: h.members[0].id, cause, memo: `村规民约·${rule.name}：${detail}（${label}）`,
          });
        });
      }

      // 积分超市: households redeem what they have, never more.
      for (const h of v.households) {
        const times = r.chance(0.6) ? (r.chance(0.2) ? 2 : 1) : 0;
        for (let j = 0; j < times; j++) {
          const t = at(month, r.int(1, 28), r.int(8, 18), r.int(0, 59)) + offset;
          schedule(t, async () => {
            const available = await spendable(h);
            if (available >= h.saveUpTo) await redeemOnce(x, v, h, available, `demo:v1:${h.key}:${month}:redeem${j + 1}`);
          });
        }
      }

      // 红冲 of a redemption: the villager handed the goods back at the counter.
      if (month === voidMonth) {
        const t = at(month, 12, 10, 5) + offset;
        let done: { txnId: number; memo: string; key: string } | null = null;
        schedule(t, async () => {
          // The household with the most to spend (the first of them on a tie).
          const others = v.households.filter((y) => !y.demoHome);
          let h = others[0];
          let most = await spendable(h);
          for (const y of others.slice(1)) {
            const s = await spendable(y);
            if (s > most) [h, most] = [y, s];
          }
          const r1 = await redeemOnce(x, v, h, most, `demo:v1:${h.key}:${month}:redeem-void`);
          done = r1 && { ...r1, key: h.key };
        });
        schedule(t + 12 * MINUTE, async () => {
          if (!done) return;
          await reverse({
            txnId: done.txnId, idemKey: `demo:v1:${done.key}:${month}:redeem-void-reversal`, actor: storeKeeper,
            memo: `红冲：兑换作废，村民当场退回商品（${done.memo}），积分退回`,
          });
        });
      }
    }
  }
  events.sort((a, b) => a.at - b.at || a.seq - b.seq);
  return events;
}

/** `available`: what the household may spend, just read. */
async function redeemOnce(x: Rng, v: SeedVillage, h: SeedHousehold, available: number, idemKey: string): Promise<{ txnId: number; memo: string } | null> {
  const c = cart(x, available);
  if (!c) return null;
  const spenders = h.members.filter((m) => m.p.age >= 16);
  const m = spenders.find((s) => s.p.phone) && x.chance(0.7) ? spenders.find((s) => s.p.phone)! : x.pick(spenders);
  const res = await redeem({
    householdId: h.id, storeAccountId: v.storeAccountId, amount: c.total, idemKey, actor: v.storeKeeper,
    memberId: m.id, cause: { kind: "demo", id: null }, memo: `积分超市兑换：${c.memo}`,
  });
  return { txnId: res.txnId, memo: c.memo };
}

/** Posts in time order with the clock at each event, a few hundred per unit of work. */
async function runEvents(events: SeedEvent[]): Promise<void> {
  const BATCH = 500;
  for (let i = 0; i < events.length; i += BATCH) {
    // The events draw from the seeded generators and keep state between them, outside the database:
    // a unit PostgreSQL started again part-way (the ledger's first append asking for the chain's
    // lock) would draw twice and seed another township than SQLite. It begins with the lock instead.
    await unitOfWork(async () => {
      for (const e of events.slice(i, i + BATCH)) {
        clockControl.set(e.at);
        await e.run();
      }
    }, APPENDS);
  }
}
