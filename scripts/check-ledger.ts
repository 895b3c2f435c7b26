// npm run check:ledger [path]: verifies every ledger invariant, exits 1 on any violation.
import path from "node:path";
import fs from "node:fs";

const file = path.resolve(process.argv[2] ?? process.env.DATABASE_PATH ?? "db/data/jifen.sqlite");
if (!fs.existsSync(file)) {
  console.error(`找不到数据库文件：${file}`);
  process.exit(2);
}
process.env.DATABASE_PATH = file;
const { db } = await import("../app/utils/db.server");
const { checkLedger } = await import("../app/utils/ledger-check.server");

console.log(`检查账本：${file}`);
const results = checkLedger(db().sqlite);
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name}：${r.detail}`);
const failed = results.filter((r) => !r.ok).length;
console.log(failed ? `发现 ${failed} 项问题` : `全部 ${results.length} 项检查通过`);
process.exit(failed ? 1 : 0);
