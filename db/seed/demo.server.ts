// The demo township (DEMO unset or 1) and the empty start (DEMO=0).
// The demo lives a year of history through the app's own modules (db/seed/history.server.ts),
// with the clock set to each event's past time: claims, reviews, 公示, orders, rounds, so
// balances, scores, hashes and created_at are all genuine and every point has its claim or order.
// Everything is deterministic: seeded generators pick names, phones and events.
import crypto from "node:crypto";
import { clockControl, now } from "../../app/platform/clock.server";
import { db, unitOfWork } from "../../app/platform/database.server";
import { addHousehold } from "../../app/people/households.server";
import { openStoreAccount } from "../../app/ledger/ledger.server";
import { hashPassword } from "../../app/platform/password.server";
import { seedDemoClaims, seedDemoRules } from "./rules.server";
import type { Role } from "../../app/platform/roles";
import { insertUser, type RoleGrant } from "../../app/people/users.server";
import { createVillage, ensureGrid, ensureTownship } from "../../app/people/villages.server";
import { seedDemoActivities } from "./activities.server";
import { seedDemoTeams } from "./teams.server";
import { seedDemoCampaigns } from "./campaigns.server";
import { seedDemoErrands } from "./errands.server";
import { seedDemoPosts } from "./posts.server";
import { DEMO_PIN, seedDemoStores } from "./store.server";
import { seedDemoSanitation } from "./sanitation.server";
import { seedDemoGroups } from "./groups.server";
import { liveHistory, type Person, type SeedHousehold, type SeedVillage } from "./history.server";
import { rng, type Rng } from "./rng";

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

/** The counter PIN of a few households without a phone login (the demo household's is DEMO_PIN). */
const COUNTER_PIN = "258036";

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
    // 流动红旗: every demo village hands three flags a round, village-wide (0024), from its first round on.
    await unitOfWork(async (tx) => void (await tx.updateTable("villages").set({ red_flags: 3 }).execute()));
    // 网格 + 联户长 (issue 18): groups under every grid, the grids' 网格员, and the demo 联户长 13900000007.
    await seedDemoGroups(built.villages, passwordHash, built.logins);
    // The stores open with the year: goods and their first stock.
    clockControl.set(start + 30 * MINUTE);
    const goods = await seedDemoStores();
    for (const v of built.villages) v.goods = goods.get(v.id) ?? [];
    await liveHistory(built.villages, { start, today });
    // Then what is under way today: claims in review and in 公示, activities, this month's round, campaigns.
    clockControl.reset();
    for (const v of built.villages) await seedDemoClaims(v.id);
    await seedDemoActivities(now());
    await seedDemoTeams(now());
    await seedDemoSanitation(now());
    await seedDemoCampaigns(now());
    await seedDemoErrands(); // 代跑 (issue 18): the errand rule and a few errands
    await seedDemoPosts(); // 定岗认责 (issue 18): 桃源村's six posts, a few holders, last month confirmed
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
    await openStoreAccount(villageId, storeId);

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
        id: householdId, key: `${spec.code}-${number}`, number, gridIndex,
        members: memberIds.map((id, k) => ({ id, p: people[k] })),
        logins: [],
        diligence: demoHome ? 0.95 : 0.1 + r.next() * 0.8,
        saveUpTo: demoHome ? 15 : r.int(15, 30),
        reserve: demoHome ? DEMO_HOME_RESERVE : 0,
        demoLogin: linked.length > 0,
        demoHome,
        pin: demoHome ? DEMO_PIN : null,
        owed: 0,
      });
    }

    // staff who do not live in a household here
    for (const s of STAFF_ONLY.filter((x) => x.village === vi)) {
      await addUser(s.phone, s.name, null, [{ role: s.role, villageId }], spec.name);
    }
    // members with a login: the fixed demo ones, then about half of the rest with a phone
    for (const h of households) {
      for (const [k, m] of h.members.entries()) {
        if (!m.p.phone) continue;
        const link = LINKED.find((l) => l.phone === m.p.phone);
        if (!link && !r.chance(m.p.relation === "户主" ? 0.7 : 0.35)) continue;
        const roles: RoleGrant[] = [];
        if (link?.staff) roles.push({ role: link.staff, villageId });
        roles.push({ role: "villager", villageId });
        if (k === 0) roles.push({ role: "household_head", villageId });
        const userId = await addUser(m.p.phone, m.p.name, m.id, roles, spec.name);
        h.logins.push({ userId, memberId: m.id, head: k === 0 });
      }
    }
    // A household without any login redeems at the counter with a PIN (the demo household too): few, as
    // each PIN check is a bcrypt compare (~70 ms) the seed has to wait for.
    households.filter((h) => !h.logins.length && h.members[0].p.age >= 16).filter((_, i) => i === 10).forEach((h) => (h.pin = COUNTER_PIN));
    const staff = (phone: string) => userIds.get(phone)!;
    const ph = (n: number) => `139000000${String(n + vi * 10).padStart(2, "0")}`; // 13900000003 in the first village, …13 in the second
    const homeOf = new Map<number, number>();
    for (const l of LINKED.filter((x) => x.village === vi && x.staff)) homeOf.set(staff(l.phone), households[l.householdIndex].id);
    villages.push({
      name: spec.name, code: spec.code, seed: spec.seed, id: villageId, households, gridIds, gridNames: GRID_NAMES.slice(0, spec.grids), storeId,
      goods: [], committee: [staff(ph(3)), staff(ph(6))], inspector: staff(ph(4)), keeper: staff(ph(2)), admin: staff(ph(5)), homeOf, checklistId: 0,
    });
  }
  const admin = STAFF_ONLY.find((s) => s.village === null)!;
  await addUser(admin.phone, admin.name, null, [{ role: "township_admin", villageId: null }], null);
  logins.sort((a, b) => a.phone.localeCompare(b.phone));
  return { villages, logins };
}
