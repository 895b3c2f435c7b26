// npm run backup [file]: an online, consistent copy of the database (SQLite's backup API),
// safe while the server runs, then verified with the ledger check.
import fs from "node:fs";
import path from "node:path";

const { databasePath, dataFolder } = await import("../app/platform/env.server");
if (!fs.existsSync(databasePath())) {
  console.error(`找不到数据库文件：${databasePath()}（请设置 DATABASE_PATH）`);
  process.exit(2);
}
const { engine, inspect } = await import("../app/platform/database.server");
const current = engine();
if (current.kind !== "sqlite") {
  console.error("PostgreSQL 数据库请用 pg_dump 备份，再用 npm run check:ledger 检查恢复出的副本（见 README「生产部署」）");
  process.exit(2);
}
const { checkLedger } = await import("../app/ledger/check.server");

const stamp = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
const target = path.resolve(process.argv[2] ?? path.join(dataFolder(), "backups", `jifen-${stamp}.sqlite`));
fs.mkdirSync(path.dirname(target), { recursive: true });
if (fs.existsSync(target)) {
  console.error(`目标文件已存在：${target}`);
  process.exit(2);
}
await current.sqlite.backup(target);
// Read-only: the copy stays exactly as the backup API wrote it.
const copy = inspect(target);
const failed = (await checkLedger(copy)).filter((r) => !r.ok);
await copy.destroy();
console.log(`已备份到 ${target}（${(fs.statSync(target).size / 1024).toFixed(0)} KB）`);
if (failed.length) {
  console.error(`备份的账本检查未通过：${failed.map((f) => f.name).join("、")}`);
  process.exit(1);
}
console.log("备份的账本检查通过");
