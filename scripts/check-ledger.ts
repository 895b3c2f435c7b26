// npm run check:ledger [file or postgres:// URL] [--anchor ID:HASH]: verifies every ledger invariant,
// exits 1 on any violation. Without an argument: DATABASE_URL, else DATABASE_PATH, else the default file.
// The printed head (id and hash of the newest entry) can be written down elsewhere; passing it back
// as --anchor later proves the chain up to it was not rewritten, even by someone who recomputed hashes.
import fs from "node:fs";
import path from "node:path";

const args = process.argv.slice(2);
const anchorAt = args.indexOf("--anchor");
const anchor = anchorAt >= 0 ? args.splice(anchorAt, 2)[1] : undefined;
const given = args[0] ?? (process.env.DATABASE_URL?.trim() || process.env.DATABASE_PATH || "db/data/jifen.sqlite");
const postgres = /^postgres(ql)?:\/\//.test(given);
const file = postgres ? given : path.resolve(given);
if (!postgres && !fs.existsSync(file)) {
  console.error(`找不到数据库文件：${file}`);
  process.exit(2);
}
const { inspect } = await import("../app/platform/database.server");
const { checkLedger, ledgerHead, matchesAnchor } = await import("../app/ledger/check.server");
const { redactUrl } = await import("../app/platform/postgres.server");
const shown = postgres ? redactUrl(file) : file;

let k: ReturnType<typeof inspect>;
try {
  k = inspect(file);
  await k.selectFrom("ledger_entries").select("id").limit(1).execute();
} catch (e) {
  console.error(`无法读取这个数据库：${shown}（${(e as Error).message}）`);
  process.exit(2);
}
console.log(`检查账本：${shown}`);
const results = await checkLedger(k);
if (anchor) {
  const [id, hash] = anchor.split(":");
  const ok = /^\d+$/.test(id ?? "") && !!hash && (await matchesAnchor(k, Number(id), hash));
  results.push({ name: "与记下的锚点一致", ok, detail: ok ? `第 ${id} 条分录哈希一致` : `第 ${id} 条分录的哈希与记下的不同，或已不存在` });
}
for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name}：${r.detail}`);
const head = await ledgerHead(k);
if (head) console.log(`账本末尾（可抄下备查）：${head.id}:${head.hash}`);
const failed = results.filter((r) => !r.ok).length;
console.log(failed ? `发现 ${failed} 项问题` : `全部 ${results.length} 项检查通过`);
await k.destroy();
process.exit(failed ? 1 : 0);
