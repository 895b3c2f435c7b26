// Child process of `npm run bench`: writes the township dataset through the app's own modules
// (migrations, villages, households, the ledger), deterministically, and reports its meta.
// 30 villages × 400 households, 1,000,000 transfers = 2,000,000 ledger entries over the past year.
import fs from "node:fs";
import {
  BENCH_PASSWORD, DATASET_FILE, DATASET_META, DATASET_VERSION, duration, int, prng, reply, type CheckoutPair, type DatasetMeta,
} from "./common";

const VILLAGES = 30;
const HOUSEHOLDS_PER_VILLAGE = 400;
const TRANSFERS = 1_000_000;
const BATCH = 2_000; // posts per outer unit of work; each post nests as a savepoint
const DEEP_EVERY = 125; // every 125th transfer goes to the deep household: 8,000 entries, 400 statement pages
const DEEP_INDEX = 6; // 7th household of the first village
const TYPICAL_INDEX = HOUSEHOLDS_PER_VILLAGE + 122; // a household of the second village
const DAY = 24 * 3600_000;
const CHECKOUT_PAIRS = 32; // one keeper and one villager per concurrent checkout connection
const CHINA = 8 * 3600_000;

for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(DATASET_FILE + suffix, { force: true });
fs.rmSync(DATASET_META, { force: true });
process.env.DATABASE_PATH = DATASET_FILE;

const { db, engine, migrateToLatest, unitOfWork, closeDatabase } = await import("../../app/platform/database.server");
const { clockControl } = await import("../../app/platform/clock.server");
const { createVillage, ensureGrid, ensureTownship } = await import("../../app/people/villages.server");
const { addHousehold } = await import("../../app/people/households.server");
const ledger = await import("../../app/ledger/ledger.server");
const { insertUser } = await import("../../app/people/users.server");
const { hashPassword } = await import("../../app/platform/password.server");

const started = performance.now();
const rng = prng(20261123);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const between = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

// The past year, ending at the last China-time midnight (stable within a day).
const end = Math.floor((Date.now() + CHINA) / DAY) * DAY - CHINA;
const start = end - 365 * DAY;

await migrateToLatest();
const built = engine();
if (built.kind !== "sqlite") throw new Error("the bench dataset is built as a SQLite file; PostgreSQL gets a copy of it (scripts/bench/run.ts)");
const sqlite = built.sqlite;
// A bigger page cache for this bulk writer only; the server opens its own connection with the defaults.
sqlite.pragma("cache_size = -262144");

// ---- villages, stores, households ------------------------------------------------

const VILLAGE_NAMES = [
  "东风", "红旗", "向阳", "前进", "光明", "胜利", "新民", "和平", "永安", "丰收", "太平", "团结", "建设", "幸福", "长青",
  "龙泉", "石桥", "柳林", "杏花", "桃源", "清河", "白杨", "双井", "马家", "李庄", "王营", "张湾", "刘集", "陈岗", "赵屯",
];
const SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN = "建国华明丽芳军平秀英兰桂珍玉梅红霞伟强磊洋勇杰涛斌超波辉刚健文静敏燕娟霞婷雪琴云海林东春生福贵荣祥德才";
const RELATIONS = ["配偶", "子女", "子女", "父母", "儿媳", "孙子女"];
const name = (surname: string) => surname + GIVEN[Math.floor(rng() * GIVEN.length)] + (rng() < 0.6 ? GIVEN[Math.floor(rng() * GIVEN.length)] : "");

clockControl.set(start - 30 * DAY);
const townshipId = await ensureTownship("青山镇");
const households: { id: number; village: number; store: number; members: number[] }[] = [];
const storeOf = new Map<number, number>(); // village id → its store's id
for (let v = 0; v < VILLAGES; v++) {
  const villageName = `${VILLAGE_NAMES[v]}村`;
  const villageId = await createVillage({ townshipId, name: villageName, code: `QS${String(v + 1).padStart(2, "0")}` });
  // One unit of work per village: its store, grids and 400 households commit together.
  await unitOfWork(async (tx) => {
    const { id: storeId } = await tx
      .insertInto("stores")
      .values({ village_id: villageId, name: `${villageName}积分超市`, created_at: start - 30 * DAY })
      .returning("id")
      .executeTakeFirstOrThrow();
    storeOf.set(villageId, storeId);
    const store = await ledger.openStoreAccount(villageId, storeId);
    const grids: number[] = [];
    // One after another: the grid ids follow the names.
    for (const g of "一二三四") grids.push(await ensureGrid(villageId, `第${g}网格`));
    for (let h = 0; h < HOUSEHOLDS_PER_VILLAGE; h++) {
      const surname = SURNAMES[Math.floor(rng() * SURNAMES.length)];
      const size = between(1, 5);
      const members = [{ name: name(surname), relation: "户主" }];
      for (let m = 1; m < size; m++) members.push({ name: name(m === 1 ? pick(SURNAMES.split("")) : surname), relation: RELATIONS[m - 1] });
      const grid = Math.floor((h * grids.length) / HOUSEHOLDS_PER_VILLAGE);
      const r = await addHousehold({
        villageId,
        gridId: grids[grid],
        number: String(h + 1).padStart(4, "0"),
        address: `${villageName}${grid + 1}组${h + 1}号`,
        members,
      });
      households.push({ id: r.householdId, village: villageId, store, members: r.memberIds });
    }
  });
}
const memberCount = households.reduce((n, h) => n + h.members.length, 0);
console.log(`  ${VILLAGES} 个村、${int(households.length)} 户、${int(memberCount)} 位成员已建好（${duration((performance.now() - started) / 1000)}）`);

// ---- one year of points ------------------------------------------------------------

const AWARDS = [
  "志愿服务：打扫村道", "志愿服务：敬老院帮忙", "环境卫生评比：优秀", "环境卫生评比：良好", "美丽庭院", "清洁户",
  "参加村民大会", "义务植树", "垃圾分类做得好", "好婆婆", "好媳妇", "文明家庭", "调解邻里纠纷", "防汛值守",
];
const DEDUCTIONS = ["乱堆乱放", "焚烧秸秆", "卫生检查不合格", "占道晾晒", "散养家禽"];
const GOODS = ["洗衣粉 1 袋", "大米 5 斤", "食用油 1 桶", "香皂 2 块", "酱油 1 瓶", "毛巾 1 条", "牙膏 1 支"];
const system = { userId: null, role: "system" };

const balances = new Int32Array(households.length);
const recentAwards: { txnId: number; h: number; amount: number }[] = [];
const step = (end - start) / TRANSFERS;
let posted = 0;
let reversals = 0;
let lastReport = 0;
const ledgerStarted = performance.now();

async function transfer(i: number): Promise<void> {
  const idx = i % DEEP_EVERY === 0 ? DEEP_INDEX : Math.floor(rng() * households.length);
  const h = households[idx];
  const key = `bench-${String(i).padStart(7, "0")}`;
  const memberId = h.members[Math.floor(rng() * h.members.length)];
  clockControl.set(Math.floor(start + i * step + rng() * step * 0.9));
  const r = rng();
  if (r < 0.005 && recentAwards.length) {
    const a = recentAwards.splice(Math.floor(rng() * recentAwards.length), 1)[0];
    await ledger.reverse({ txnId: a.txnId, idemKey: key, actor: system, memo: "录入有误，冲正" });
    balances[a.h] -= a.amount;
    reversals++;
    return;
  }
  if (r < 0.085) {
    const amount = between(1, 10);
    await ledger.deduct({ householdId: h.id, amount, idemKey: key, actor: system, memberId, memo: `违反村规民约：${pick(DEDUCTIONS)}` });
    balances[idx] -= amount;
    return;
  }
  const price = between(5, 60);
  if (r < 0.3 && balances[idx] >= price) {
    await ledger.redeem({ householdId: h.id, storeAccountId: h.store, amount: price, idemKey: key, actor: system, memberId, memo: `兑换：${pick(GOODS)}` });
    balances[idx] -= price;
    return;
  }
  const amount = between(1, 20);
  const { txnId } = await ledger.award({ householdId: h.id, amount, idemKey: key, actor: system, memberId, memo: pick(AWARDS) });
  balances[idx] += amount;
  recentAwards.push({ txnId, h: idx, amount });
  if (recentAwards.length > 500) recentAwards.shift();
}

while (posted < TRANSFERS) {
  const upTo = Math.min(TRANSFERS, posted + BATCH);
  await unitOfWork(async () => {
    for (let i = posted; i < upTo; i++) await transfer(i);
  });
  posted = upTo;
  const pct = (posted / TRANSFERS) * 100;
  if (pct - lastReport >= 5 || posted === TRANSFERS) {
    lastReport = pct;
    const s = (performance.now() - ledgerStarted) / 1000;
    const rate = posted / s;
    console.log(
      `  生成账本 ${pct.toFixed(0).padStart(3)}%  ${int(posted * 2).padStart(9)} 条分录  ${int(rate)} 笔/秒  已用 ${duration(s)}  预计还需 ${duration((TRANSFERS - posted) / rate)}`,
    );
  }
}

// ---- the checkout load: 32 store keepers, each with a villager of the same village; the two logins ----

const { createGood, changeStock, goodSchema, stockSchema } = await import("../../app/store/goods.server");
const { setKeepers } = await import("../../app/store/admin.server");
clockControl.set(end);
const benchHash = await hashPassword(BENCH_PASSWORD);
const BENCH_GOODS: [string, string, string, number][] = [["洗衣粉", "洗护", "袋", 3], ["香皂", "洗护", "块", 2], ["酱油", "调味", "瓶", 4], ["毛巾", "日用", "条", 5], ["牙膏", "洗护", "支", 3]];
const goodsOf = async (storeId: number) =>
  (await db().selectFrom("goods").select("id").where("store_id", "=", storeId).orderBy("id").execute()).map((r) => r.id);
const memberOf = (id: number) => db().selectFrom("members").select(["id", "name"]).where("id", "=", id).executeTakeFirstOrThrow();
const villageIds = [...new Set(households.map((h) => h.village))];

/** A login for the head of the household at this index (the two households the benchmark signs in as). */
async function login(idx: number, phone: string): Promise<void> {
  const h = households[idx];
  const head = await memberOf(h.members[0]);
  await insertUser({ phone, passwordHash: benchHash, displayName: head.name, memberId: head.id, mustChangePassword: false, roles: [{ role: "villager", villageId: h.village }] });
}

// One unit of work for the cast and the logins: the ~1,000 small units of the store and people
// modules (goods, restocks, keepers, users) nest as savepoints and share one commit, not one fsync each.
const checkout = await unitOfWork(async () => {
  const adminId = await insertUser({ phone: "13700009999", passwordHash: benchHash, displayName: "压测管理员", memberId: null, mustChangePassword: false, roles: [{ role: "township_admin", villageId: null }] });
  const admin = { userId: adminId, role: "township_admin", villageId: null };
  const pairs: CheckoutPair[] = [];
  for (let k = 0; k < CHECKOUT_PAIRS; k++) {
    const v = k % villageIds.length;
    const villageId = villageIds[v];
    const storeId = storeOf.get(villageId)!;
    const keeperPhone = `1370000${String(k).padStart(4, "0")}`;
    const keeperId = await insertUser({ phone: keeperPhone, passwordHash: benchHash, displayName: `店主${k}`, memberId: null, mustChangePassword: false, roles: [{ role: "store_keeper", villageId }] });
    const keepers = (await db().selectFrom("store_keepers").select("user_id").where("store_id", "=", storeId).execute()).map((r) => r.user_id);
    const ok = await setKeepers(admin, villageId, storeId, [...keepers, keeperId]);
    if (!ok.ok) throw new Error("setKeepers failed");
    let goodIds = await goodsOf(storeId);
    if (!goodIds.length) {
      for (const [name, category, unit, price] of BENCH_GOODS) {
        const g = await createGood(admin, villageId, storeId, goodSchema.parse({ name, category, unit, price: String(price), cost: "2.50", monthlyLimit: "", lowStock: "5", active: "on" }), null);
        if (!g.ok) throw new Error("createGood failed");
        for (let r = 0; r < 5; r++) {
          const moved = await changeStock(admin, villageId, g.goodId, stockSchema.parse({ intent: "stock.restock", qty: "99999", source: "村集体", note: "压测备货" }));
          if (!moved.ok) throw new Error("restock failed");
        }
      }
      goodIds = await goodsOf(storeId);
    }
    const h = households[v * HOUSEHOLDS_PER_VILLAGE + 300 + Math.floor(k / villageIds.length)];
    const villagerPhone = `1380000${String(k).padStart(4, "0")}`;
    const head = await memberOf(h.members[0]);
    await insertUser({ phone: villagerPhone, passwordHash: benchHash, displayName: head.name, memberId: head.id, mustChangePassword: false, roles: [{ role: "villager", villageId }] });
    // Enough points that no checkout of the load is refused for the balance.
    await ledger.award({ householdId: h.id, amount: 10_000_000, idemKey: `bench:checkout:${k}`, actor: system, memberId: head.id, memo: "压测备用积分" });
    pairs.push({ villageId, storeId, goodIds, keeperPhone, villagerPhone });
  }
  await login(DEEP_INDEX, "13900000001");
  await login(TYPICAL_INDEX, "13900000002");
  return pairs;
});
clockControl.reset();

const accountEntries = async (idx: number) =>
  (
    await db()
      .selectFrom("ledger_entries as e")
      .innerJoin("accounts as a", "a.id", "e.account_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("a.household_id", "=", households[idx].id)
      .executeTakeFirstOrThrow()
  ).n;
const deepEntries = await accountEntries(DEEP_INDEX);
const typicalEntries = await accountEntries(TYPICAL_INDEX);
const deepPages = Math.ceil(deepEntries / 20);
const { entries, sum } = await db()
  .selectFrom("ledger_entries")
  .select((eb) => [eb.fn.countAll<number>().as("entries"), eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.lit(0)).as("sum")])
  .executeTakeFirstOrThrow();
if (sum !== 0) throw new Error(`generated ledger does not sum to zero: ${sum}`);
// Two legs per transfer and per checkout villager's award: anything else means a post was lost or doubled.
if (entries !== 2 * (TRANSFERS + CHECKOUT_PAIRS)) throw new Error(`generated ledger has ${entries} entries, expected ${2 * (TRANSFERS + CHECKOUT_PAIRS)}`);
sqlite.pragma("wal_checkpoint(TRUNCATE)");
await closeDatabase();

const meta: DatasetMeta = {
  version: DATASET_VERSION,
  generatedAt: new Date().toISOString(),
  generationSeconds: (performance.now() - started) / 1000,
  villages: VILLAGES,
  households: households.length,
  members: memberCount,
  transfers: TRANSFERS,
  entries,
  fileBytes: fs.statSync(DATASET_FILE).size,
  deep: { householdId: households[DEEP_INDEX].id, phone: "13900000001", entries: deepEntries, pages: deepPages, page: Math.max(1, Math.floor(deepPages * 0.9)) },
  typical: { householdId: households[TYPICAL_INDEX].id, phone: "13900000002", entries: typicalEntries },
  checkout,
};
fs.writeFileSync(DATASET_META, JSON.stringify(meta, null, 2));
console.log(`  其中冲正 ${int(reversals)} 笔；文件 ${(meta.fileBytes / 1024 / 1024).toFixed(0)} MiB`);
reply(meta);
