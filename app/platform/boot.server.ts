// What the server does before it listens and after it stops.
import { engine, closeDatabase, exclusively, migrateToLatest } from "./database.server";
import { demoEnabled } from "./env.server";
import { existingDemoLogins, isEmpty, seedDemo, seedEmpty } from "../../db/seed/demo.server";
import { expireOrders } from "~/store/checkout.server";
import { DEMO_PIN } from "../../db/seed/store.server";
import { releaseExpiredHolds } from "~/ledger/ledger.server";
import { creditDueClaims } from "~/claims/claims.server";
import { resumeBulkBatches, stopBackground } from "~/bulk/bulk.server";
import { runExpiry } from "~/expiry/expiry.server";
import { cleanStoredPhotos } from "~/photos/cleanup.server";
import { noteUntakenErrands } from "~/errands/errands.server";
import { describeTestClock } from "./test-clock.server";
import { ROLE_LABELS, type Role } from "./roles";

let timer: NodeJS.Timeout | undefined;
/** The scheduler's latest round: shutdown lets it finish before the database closes. */
let scheduled: Promise<void> = Promise.resolve();

export async function boot(): Promise<void> {
  const applied = await migrateToLatest();
  if (applied.length) console.log(`数据库迁移：${applied.join(", ")}`);
  console.log(`数据库：${engine().location}`);
  // Before anything is served: no photo stored before 0008 keeps its metadata (GPS) once we listen.
  const cleaned = await cleanStoredPhotos();
  if (cleaned.files || cleaned.goods) {
    console.log(`旧照片已去除位置等信息并压缩：${cleaned.files} 个照片文件，${cleaned.goods} 张商品照片`);
    if (cleaned.removed.length) console.warn(`无法识别、已删除的照片文件：${cleaned.removed.join(", ")}`);
  }
  if (await isEmpty()) {
    if (demoEnabled()) printDemoLogins("演示数据已生成。", await seedDemo());
    else {
      const admin = await seedEmpty();
      console.log(`空白系统已创建。乡镇管理员：${admin.phone}  临时密码：${admin.password}（首次登录须修改）`);
    }
  } else if (demoEnabled()) {
    // A restart of the demo: the README promises the logins at start, not only at the first one.
    const logins = await existingDemoLogins();
    if (logins.length) printDemoLogins("使用已有的演示数据（密码若已修改，以修改后的为准）。", logins);
  }
  const clockNote = describeTestClock();
  if (clockNote) console.log(clockNote);
  startScheduler();
}

function printDemoLogins(heading: string, logins: { phone: string; role: string; village: string | null }[]): void {
  console.log(`${heading}演示账号（初始密码均为 jifen2026，仅供演示）：`);
  for (const l of logins) {
    const label = l.role.split(",").map((r) => ROLE_LABELS[r as Role] ?? r).join("、");
    console.log(`  ${l.phone}  ${label}${l.village ? `（${l.village}）` : ""}`);
  }
  console.log(`  13900000001 一家的柜台兑换密码（PIN，初始）：${DEMO_PIN}`);
}

/** Every minute and at start-up: the periodic jobs in `tick` (which catches its own errors). */
function startScheduler(): void {
  const run = () => {
    scheduled = tick();
  };
  run();
  timer = setInterval(run, 60_000);
  timer.unref();
}

/**
 * One round of the periodic jobs; also run (and awaited) by the test clock right after it moves
 * time. Two rounds may overlap (a slow round, the test clock's): each job is safe under that. With
 * several app processes on one PostgreSQL database, a round runs in one process at a time; the
 * others skip it (their next round a minute later finds anything still due).
 */
export async function tick(): Promise<void> {
  try {
    await exclusively("scheduler", jobs);
  } catch (e) {
    console.error("定时任务出错", e);
  }
}

async function jobs(): Promise<void> {
  try {
    await expireOrders(); // first: an expired order shows as expired and releases its own hold
    await releaseExpiredHolds();
  } catch (e) {
    console.error("定时任务出错", e);
  }
  try {
    // Claims whose 公示 ended with no open objection; idempotent, so a restart mid-way is safe, and
    // each credit re-reads its claim in its own unit of work, so two rounds credit a claim once.
    await creditDueClaims();
  } catch (e) {
    console.error("定时任务出错", e);
  }
  try {
    // 批量发放 left filing by a process that stopped: resumed where it stopped (rows file once each).
    await resumeBulkBatches();
  } catch (e) {
    console.error("定时任务出错", e);
  }
  await runExpiry().catch((e) => console.error("积分过期出错", e)); // 积分清零: once per household and period (ledger key)
  // 代跑 (issue 18): needs nobody took within a day, sent to the grid worker once each (a mark and a notice key).
  await noteUntakenErrands().catch((e) => console.error("代跑提醒出错", e));
}

export async function shutdown(): Promise<void> {
  if (timer) clearInterval(timer);
  await scheduled;
  await stopBackground(); // a large 批量发放 still filing ends its chunk (the rest resumes at the next start)
  await closeDatabase();
}
