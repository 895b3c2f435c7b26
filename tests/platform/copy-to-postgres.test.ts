// npm run db:copy (scripts/copy-to-postgres.ts) moves a township from its SQLite file to an empty
// PostgreSQL database: every row as it was (ids, times, hashes), the ledger check passing on the
// target with the source's head, the source untouched, a non-empty target or an out-of-date source
// refused, and the app able to go on writing there (its id sequences moved past the copied ids).
// Needs a PostgreSQL server: the suite's PostgreSQL run (TEST_DATABASE_URL).
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Migrator, sql, type Kysely } from "kysely";
import type { Database } from "../../db/schema";
import { migrations } from "../../db/migrations/index";
import { ledgerHead } from "~/ledger/check.server";
import { inspect, openDatabase } from "~/platform/database.server";
import { startServer } from "../support/harness";
import { createEmptyDatabase, dropTestDatabase, testDatabaseUrl } from "../support/postgres";
import { sqlOn } from "../support/sql";
import { tableFingerprints } from "../support/sweep";

const ROOT = path.resolve(import.meta.dirname, "../..");

function copy(args: string[], env: Record<string, string> = {}): { status: number | null; out: string } {
  const r = spawnSync("npx", ["tsx", "scripts/copy-to-postgres.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const sha1 = (file: string) => crypto.createHash("sha1").update(fs.readFileSync(file)).digest("hex");

async function rows(k: Kysely<Database>, text: string): Promise<Record<string, unknown>[]> {
  return (await sql<Record<string, unknown>>`${sql.raw(text)}`.execute(k)).rows;
}

/** Every row of `table` ordered by its primary key, photos and other blobs as base64. */
async function tableRows(k: Kysely<Database>, table: string, key: string[]): Promise<Record<string, unknown>[]> {
  const all = await rows(k, `select * from "${table}" order by ${key.map((c) => `"${c}"`).join(", ")}`);
  return all.map((r) => Object.fromEntries(Object.entries(r).map(([c, v]) => [c, Buffer.isBuffer(v) ? v.toString("base64") : v])));
}

describe.skipIf(!testDatabaseUrl())("copying a SQLite township to PostgreSQL", () => {
  const made: string[] = [];
  let dir: string;
  let source: string;
  let target: string;
  let sourceSha: string;
  let copied: { status: number | null; out: string };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-copy-"));
    source = path.join(dir, "source.sqlite");
    // A file makes the server SQLite whatever the run's engine; its first boot seeds the demo township.
    const server = await startServer({}, { database: source });
    await server.stop();
    // Rows pointing at a later row of their own table, as a nomination merged into a later one
    // (the demo has none): two of them, the first pointing at the second.
    const file = openDatabase(source);
    const q = sqlOn(file);
    const ids = (await q.all<{ id: number }>("select id from campaign_nominations order by id")).map((r) => r.id);
    await q.run("update campaign_nominations set status = 'merged', merged_into = ? where id = ?", ids[ids.length - 1], ids[1]);
    await q.run("update campaign_nominations set status = 'merged', merged_into = ? where id = ?", ids[1], ids[0]);
    await file.close();
    sourceSha = sha1(source);
    target = await createEmptyDatabase(`jifen_copy_${crypto.randomBytes(5).toString("hex")}`);
    made.push(target);
    // Small batches: many inserts per table, and those rows land in other batches than their targets.
    copied = copy([source, target], { DB_COPY_BATCH: "10" });
  });

  afterAll(async () => {
    for (const url of made) await dropTestDatabase(url);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("copies every table row for row, leaves the source as it was, and passes the ledger check with the same head", async () => {
    expect(copied.status, copied.out).toBe(0);
    expect(sha1(source)).toBe(sourceSha);
    const src = inspect(source);
    const dst = inspect(target);
    try {
      const tables = (
        await rows(src, "select name from sqlite_master where type = 'table' and name not like 'sqlite%' and name not like 'kysely%' order by name")
      ).map((r) => r.name as string);
      const theirs = (await rows(dst, "select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely%' order by tablename")).map((r) => r.name);
      expect(theirs).toEqual(tables);
      let total = 0;
      for (const table of tables) {
        const key = (await rows(src, `select name from pragma_table_info('${table}') where pk > 0 order by pk`)).map((r) => r.name as string);
        const before = await tableRows(src, table, key);
        const after = await tableRows(dst, table, key);
        expect(after.length, table).toBe(before.length);
        expect(after, table).toEqual(before);
        total += before.length;
        // The progress line of each table names its count.
        expect(copied.out).toContain(`✓ ${table}：${before.length.toLocaleString("en-US")} / ${before.length.toLocaleString("en-US")} 行`);
      }
      // Real data, not a vacuous comparison: the demo township's ledger and people came along.
      for (const busy of ["ledger_entries", "ledger_transactions", "members", "claims", "audit_log"]) {
        expect(Number((await rows(dst, `select count(*) as n from ${busy}`))[0].n), busy).toBeGreaterThan(0);
      }
      expect(copied.out).toContain("✓ campaign_nominations");
      expect(copied.out).toContain("其中 2 行指向本表编号更大的记录，放在最后写入");
      expect(copied.out).toContain(`复制完成：${tables.length} 张表，${total.toLocaleString("en-US")} 行`);

      const head = await ledgerHead(src);
      expect(head).not.toBeNull();
      expect(await ledgerHead(dst)).toEqual(head);
      expect(copied.out).toContain(`✓ 账本末尾与源数据库一致：${head!.id}:${head!.hash}`);
      expect(copied.out).toMatch(/✓ 哈希链完整：\d+ 条分录逐条验证/);
      expect(copied.out).not.toContain("✗");
      expect(copied.out).toMatch(/全部 \d+ 项检查通过，账本末尾一致/);
    } finally {
      await src.destroy();
      await dst.destroy();
    }
  });

  it("refuses a target that is no longer empty, and writes nothing to it", async () => {
    const db = openDatabase(target);
    try {
      const tables = (await rows(db.writer, "select tablename as name from pg_tables where schemaname = 'public' order by tablename")).map((r) => r.name as string);
      const before = await tableFingerprints(db, tables);
      const again = copy([source, target]);
      expect(again.status, again.out).toBe(2);
      expect(again.out).toContain("目标数据库不是空的");
      expect(await tableFingerprints(db, tables)).toEqual(before);
    } finally {
      await db.close();
    }
  });

  it("lets the app go on writing on the target: each id sequence starts past the copied ids", async () => {
    const db = openDatabase(target);
    try {
      for (const table of ["townships", "audit_log"] as const) {
        const top = Number((await rows(db.writer, `select max(id) as top from ${table}`))[0].top);
        expect(top, table).toBeGreaterThan(0);
        const row =
          table === "townships"
            ? await db.writer.insertInto("townships").values({ name: "复制后新建的乡镇", created_at: Date.now() }).returning("id").executeTakeFirstOrThrow()
            : await db.writer
                .insertInto("audit_log")
                .values({ at: Date.now(), actor_user_id: null, actor_role: "system", village_id: null, action: "copy.test", target_type: "test", target_id: "1", before_json: null, after_json: null })
                .returning("id")
                .executeTakeFirstOrThrow();
        expect(row.id, table).toBe(top + 1);
      }
    } finally {
      await db.close();
    }
  });

  it("refuses a source that is not at the latest migration, before touching the target", async () => {
    const old = path.join(dir, "old.sqlite");
    const oldDb = openDatabase(old);
    const names = Object.keys(migrations);
    const { error } = await new Migrator({ db: oldDb.writer, provider: { getMigrations: async () => migrations } }).migrateTo(names[names.length - 2]);
    expect(error).toBeUndefined();
    await oldDb.close();
    const empty = await createEmptyDatabase(`jifen_copy_${crypto.randomBytes(5).toString("hex")}`);
    made.push(empty);
    const r = copy([old, empty]);
    expect(r.status, r.out).toBe(2);
    expect(r.out).toContain(`缺少迁移：${names[names.length - 1]}`);
    expect(r.out).toContain(`DATABASE_PATH=${old} npm run migrate`);
    const k = inspect(empty);
    try {
      expect(await rows(k, "select tablename from pg_tables where schemaname = 'public'")).toEqual([]);
    } finally {
      await k.destroy();
    }
  });

  it("refuses a missing source file and a target that is not a postgres:// URL", () => {
    const missing = copy([path.join(dir, "nothing.sqlite"), target]);
    expect(missing.status, missing.out).toBe(2);
    expect(missing.out).toContain("找不到源数据库文件");
    const notPostgres = copy([source, path.join(dir, "other.sqlite")]);
    expect(notPostgres.status, notPostgres.out).toBe(2);
    expect(notPostgres.out).toContain("目标必须是 postgres:// 开头的 PostgreSQL 地址");
  });
});
