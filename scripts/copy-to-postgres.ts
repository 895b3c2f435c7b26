// npm run db:copy -- <SQLite file> <postgres://… URL>: moves a township from its SQLite file to an
// empty PostgreSQL database. Every row is copied as it is (ids, epoch-ms times, hashes, photos), in
// one transaction on the target, so a failed copy leaves it without a row; then the ledger check
// runs on the target and its ledger head must equal the source's. The source is only read.
// Exit 0: copied and checked; 1: the copy or the check failed; 2: refused (nothing was written).
// DB_COPY_BATCH sets the rows per insert (default 500; the tests make it small to cross batches).
import fs from "node:fs";
import path from "node:path";
import { CompiledQuery, sql, type Kysely } from "kysely";
import type SQLite from "better-sqlite3";
import type { Database } from "../db/schema";
import { migrations } from "../db/migrations/index";
import { checkLedger, ledgerHead } from "../app/ledger/check.server";
import { inspect, migrateToLatest, openDatabase, openReadOnly, type Engine } from "../app/platform/database.server";
import { redactUrl } from "../app/platform/postgres.server";

/** Rows per multi-row insert, fewer for wide tables: PostgreSQL takes at most 65,535 parameters. */
const BATCH = Number(process.env.DB_COPY_BATCH) > 0 ? Math.floor(Number(process.env.DB_COPY_BATCH)) : 500;
const MAX_PARAMS = 65_535;
/** A progress line at least this often while a table copies, and at every 10% of a big one. */
const PROGRESS_MS = 5_000;
const BIG_TABLE = 10_000;

/** A refusal: nothing was written to the target; exit 2. */
class Refusal extends Error {}

interface Table {
  name: string;
  columns: string[];
  /** Primary key columns in key order (rowid for a table without one): the order rows are copied in. */
  key: string[];
  /** Tables whose rows this one's foreign keys point at (itself excluded). */
  parents: Set<string>;
  /** Columns pointing at this same table's single-column key (ledger_transactions.reverses_id). */
  selfRefs: string[];
  /** Foreign-key columns to other tables: the table each points at, and whether it may be empty. */
  refs: { column: string; parent: string; nullable: boolean }[];
  /**
   * Columns written empty at first and filled once every table is copied: the reference that breaks
   * a cycle of foreign keys (a 联户's leader is a user, whose member lives in a household of the 联户).
   */
  late: string[];
  rows: number;
}

const count = new Intl.NumberFormat("en-US");
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

// ---- the source ----------------------------------------------------------------------------------

function checkSourceVersion(src: SQLite.Database, file: string): void {
  const has = src.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get();
  if (!has) throw new Refusal(`源数据库没有迁移记录，不像是积分超市的数据库：${file}`);
  const applied = new Set((src.prepare("select name from kysely_migration").all() as { name: string }[]).map((r) => r.name));
  const known = Object.keys(migrations);
  const unknown = [...applied].filter((m) => !known.includes(m));
  if (unknown.length) throw new Refusal(`源数据库比这个版本的程序新（有程序不认识的迁移：${unknown.join("、")}），请用同一版本的程序复制`);
  const missing = known.filter((m) => !applied.has(m));
  if (missing.length) {
    throw new Refusal(
      `源数据库还没有升级到最新结构（缺少迁移：${missing.join("、")}）。请先停掉程序，升级源数据库：\n` +
        `  DATABASE_PATH=${file} npm run migrate\n然后再复制。`,
    );
  }
}

/** The app's tables (not SQLite's, not the migrator's) with their columns, keys and references. */
function readTables(src: SQLite.Database): Table[] {
  const names = (
    src.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name not like 'kysely\\_migration%' escape '\\' order by name").all() as { name: string }[]
  ).map((r) => r.name);
  return names.map((name) => {
    const info = src.prepare(`select name, pk, "notnull" from pragma_table_info(?) order by cid`).all(name) as { name: string; pk: number; notnull: number }[];
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const fks = src.prepare(`select "table", "from", "to" from pragma_foreign_key_list(?)`).all(name) as { table: string; from: string; to: string | null }[];
    const selfRefs: string[] = [];
    const parents = new Set<string>();
    const refs: Table["refs"] = [];
    for (const fk of fks) {
      if (fk.table !== name) {
        parents.add(fk.table);
        // A key column is never empty, whatever SQLite's notnull says of it.
        const column = info.find((c) => c.name === fk.from);
        refs.push({ column: fk.from, parent: fk.table, nullable: column?.notnull === 0 && column.pk === 0 });
        continue;
      }
      // Rows are copied in key order, a row pointing further ahead after the rest: that needs the
      // reference to be to the table's own single-column key.
      if (key.length !== 1 || (fk.to ?? key[0]) !== key[0]) throw new Error(`表 ${name} 的外键 ${fk.from} 指向本表的非主键列，无法排定复制顺序`);
      selfRefs.push(fk.from);
    }
    const rows = (src.prepare(`select count(*) as n from ${quote(name)}`).get() as { n: bigint }).n;
    return { name, columns: info.map((c) => c.name), key: key.length ? key : ["rowid"], parents, selfRefs, refs, late: [], rows: Number(rows) };
  });
}

/**
 * Parents before children (Kahn's algorithm, by name among equals, so every run copies alike). Where
 * the tables left all wait on each other, a table that waits only through nullable columns goes next
 * with those columns filled in at the end (the one with fewest rows, then by name).
 */
function copyOrder(tables: Table[]): Table[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  for (const t of tables) {
    for (const p of t.parents) if (!byName.has(p)) throw new Error(`表 ${t.name} 的外键指向不存在的表 ${p}`);
  }
  const done = new Set<string>();
  const out: Table[] = [];
  while (out.length < tables.length) {
    const ready = tables.filter((t) => !done.has(t.name) && [...t.parents].every((p) => done.has(p)));
    if (!ready.length) {
      const left = tables.filter((t) => !done.has(t.name));
      const waiting = (t: Table) => t.refs.filter((r) => !done.has(r.parent));
      const breaker = left
        .filter((t) => t.key.length === 1 && t.key[0] !== "rowid" && waiting(t).every((r) => r.nullable))
        .sort((a, b) => a.rows - b.rows || (a.name < b.name ? -1 : 1))[0];
      if (!breaker) throw new Error(`这些表的外键互相指向，无法排定复制顺序：${left.map((t) => t.name).join("、")}`);
      for (const r of waiting(breaker)) {
        breaker.parents.delete(r.parent);
        breaker.late.push(r.column);
      }
      continue;
    }
    for (const t of ready) {
      done.add(t.name);
      out.push(t);
    }
  }
  return out;
}

// ---- the target ----------------------------------------------------------------------------------

async function targetTables(k: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema() order by tablename`.execute(k);
  return rows.map((r) => r.name);
}

/** Tables of the target (migrator's aside) that hold at least one row. */
async function usedTables(k: Kysely<Database>, tables: string[]): Promise<string[]> {
  const used: string[] = [];
  for (const t of tables) {
    if (t.startsWith("kysely_migration")) continue;
    const { rows } = await sql<{ used: boolean }>`select exists (select 1 from ${sql.id(t)}) as used`.execute(k);
    if (rows[0]?.used) used.push(t);
  }
  return used;
}

function notEmpty(used: string[]): Refusal {
  const shown = used.slice(0, 5).join("、") + (used.length > 5 ? ` 等 ${used.length} 张表` : "");
  return new Refusal(`目标数据库不是空的（${shown} 里已有数据），没有写入任何内容。请换一个新建的空数据库。`);
}

/** Text of `insert … values (…), (…)` for n rows, with $1… placeholders. */
function insertText(table: Table, n: number): string {
  const width = table.columns.length;
  const rows: string[] = [];
  for (let r = 0; r < n; r++) rows.push(`(${table.columns.map((_, c) => `$${r * width + c + 1}`).join(", ")})`);
  return `insert into ${quote(table.name)} (${table.columns.map(quote).join(", ")}) values ${rows.join(", ")}`;
}

/** A SQLite value as a parameter: integers come as BigInt (exact past 2^53) and go as text. */
function param(v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/**
 * Streams one table from the source snapshot into the target transaction, in key order, one batch
 * in flight while the next is read. A row pointing at a later row of its own table waits, and
 * those rows go last, newest first: each then finds the row it points at already there.
 */
async function copyTable(src: SQLite.Database, tx: Kysely<Database>, table: Table): Promise<number> {
  const size = Math.max(1, Math.min(BATCH, Math.floor(MAX_PARAMS / table.columns.length)));
  const fullText = insertText(table, size);
  const selects = table.columns.map(quote).join(", ");
  const keyOf = table.selfRefs.length ? table.columns.indexOf(table.key[0]) : -1;
  const refs = table.selfRefs.map((c) => table.columns.indexOf(c));
  const late = table.late.map((c) => table.columns.indexOf(c));
  const stmt = src.prepare(`select ${selects} from ${quote(table.name)} order by ${table.key.map(quote).join(", ")}`).raw(true).safeIntegers(true);

  let copied = 0;
  let inFlight: Promise<unknown> = Promise.resolve();
  const started = Date.now();
  let shownAt = started;
  let shownRows = 0;
  const show = (final: boolean) => {
    const pct = table.rows ? ((copied / table.rows) * 100).toFixed(1) : "100.0";
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`  ${final ? "✓" : "…"} ${table.name}：${count.format(copied)} / ${count.format(table.rows)} 行（${pct}%，${secs} 秒）`);
    shownAt = Date.now();
    shownRows = copied;
  };
  const send = async (rows: unknown[][]) => {
    // Wait for the batch before: a failed statement ends the transaction, and its error is the one to report.
    await inFlight;
    const params = rows.flat().map(param);
    const text = rows.length === size ? fullText : insertText(table, rows.length);
    const sending = tx.executeQuery(CompiledQuery.raw(text, params));
    void sending.catch(() => {}); // awaited with the next batch, or at the end
    inFlight = sending;
    copied += rows.length;
    const now = Date.now();
    if (table.rows >= BIG_TABLE && (now - shownAt >= PROGRESS_MS || copied - shownRows >= table.rows / 10)) show(false);
  };

  const later: unknown[][] = [];
  let batch: unknown[][] = [];
  for (const row of stmt.iterate() as IterableIterator<unknown[]>) {
    for (const i of late) row[i] = null; // filled in by fillLate once every table is there
    if (keyOf >= 0 && refs.some((i) => row[i] !== null && (row[i] as bigint) > (row[keyOf] as bigint))) {
      later.push(row);
      continue;
    }
    batch.push(row);
    if (batch.length === size) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length) await send(batch);
  if (later.length) {
    later.sort((a, b) => ((a[keyOf] as bigint) > (b[keyOf] as bigint) ? -1 : 1));
    for (let i = 0; i < later.length; i += size) await send(later.slice(i, i + size));
  }
  await inFlight;
  if (copied !== table.rows) throw new Error(`表 ${table.name} 读出 ${copied} 行，与源数据库的 ${table.rows} 行不符`);
  show(true);
  if (later.length) console.log(`    （其中 ${count.format(later.length)} 行指向本表编号更大的记录，放在最后写入）`);
  return copied;
}

/** A table's late columns (see Table.late), set row by row once every table is copied. */
async function fillLate(src: SQLite.Database, tx: Kysely<Database>, table: Table): Promise<number> {
  if (!table.late.length) return 0;
  const [key] = table.key;
  const rows = src
    .prepare(`select ${[key, ...table.late].map(quote).join(", ")} from ${quote(table.name)} where ${table.late.map((c) => `${quote(c)} is not null`).join(" or ")} order by ${quote(key)}`)
    .raw(true)
    .safeIntegers(true)
    .all() as unknown[][];
  const text = `update ${quote(table.name)} set ${table.late.map((c, i) => `${quote(c)} = $${i + 2}`).join(", ")} where ${quote(key)} = $1`;
  for (const row of rows) await tx.executeQuery(CompiledQuery.raw(text, row.map(param)));
  console.log(`  ✓ ${table.name}：${table.late.join("、")} 在其他表复制后补上（${count.format(rows.length)} 行）`);
  return rows.length;
}

/** Each identity sequence past the highest id copied, and past any id SQLite already handed out. */
async function advanceSequences(src: SQLite.Database, tx: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ table: string; column: string }>`
    select table_name as "table", column_name as "column" from information_schema.columns
    where table_schema = current_schema() and is_identity = 'YES' order by table_name`.execute(tx);
  // AUTOINCREMENT remembers ids given to rows deleted since: they are not given again.
  const hasSequences = src.prepare("select 1 from sqlite_master where type = 'table' and name = 'sqlite_sequence'").get();
  const handedOut = new Map(
    hasSequences ? (src.prepare("select name, seq from sqlite_sequence").all() as { name: string; seq: number }[]).map((r) => [r.name, BigInt(r.seq)]) : [],
  );
  let set = 0;
  for (const { table, column } of rows) {
    const top = await sql<{ top: number | null }>`select max(${sql.id(column)}) as top from ${sql.id(table)}`.execute(tx);
    let next = BigInt(top.rows[0]?.top ?? 0);
    const seq = handedOut.get(table) ?? 0n;
    if (seq > next) next = seq;
    if (next === 0n) continue;
    await sql`select setval(pg_get_serial_sequence(${quote(table)}, ${column}), ${next.toString()}::bigint)`.execute(tx);
    set++;
  }
  return set;
}

// ---- the command ---------------------------------------------------------------------------------

async function main(): Promise<number> {
  const [given, url, ...extra] = process.argv.slice(2);
  if (!given || !url || extra.length) throw new Refusal("用法：npm run db:copy -- <SQLite 数据库文件> <postgres://用户:密码@主机/数据库>");
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Refusal(`目标必须是 postgres:// 开头的 PostgreSQL 地址，而不是：${url}`);
  const file = path.resolve(given);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new Refusal(`找不到源数据库文件：${file}`);
  const shown = redactUrl(url);

  let src: SQLite.Database;
  try {
    src = openReadOnly(file);
    src.prepare("select count(*) from sqlite_master").get();
  } catch (e) {
    throw new Refusal(`无法读取源数据库：${file}（${(e as Error).message}）`);
  }
  checkSourceVersion(src, file);

  const target = openDatabase(url);
  let committed = false;
  try {
    let existing: string[];
    try {
      existing = await targetTables(target.writer);
    } catch (e) {
      throw new Refusal(`无法连接目标数据库：${shown}（${(e as Error).message}）`);
    }
    // Before the migrations: a database holding anything is not touched at all.
    const before = await usedTables(target.writer, existing);
    if (before.length) throw notEmpty(before);
    try {
      await migrateToLatest(target);
    } catch (e) {
      throw new Refusal(`无法在目标数据库上建表：${(e as Error).message}`);
    }

    // One snapshot of the source for the whole copy: counts and rows agree even if someone writes.
    src.exec("begin");
    const tables = copyOrder(readTables(src));
    const mine = new Set(tables.map((t) => t.name));
    const theirs = new Set((await targetTables(target.writer)).filter((t) => !t.startsWith("kysely_migration")));
    const differ = [...mine].filter((t) => !theirs.has(t)).concat([...theirs].filter((t) => !mine.has(t)));
    if (differ.length) throw new Refusal(`源和目标的表不一致（${differ.join("、")}），没有写入任何内容`);
    const total = tables.reduce((n, t) => n + t.rows, 0);
    console.log(`从 ${file} 复制到 ${shown}：${tables.length} 张表，共 ${count.format(total)} 行`);

    const started = Date.now();
    let copied = 0;
    await copyAll(target, async (tx) => {
      // No one else writes while the copy runs (the app pointed at the target too early), and the
      // tables are still empty once locked.
      await sql`lock table ${sql.join(tables.map((t) => sql.id(t.name)))} in exclusive mode`.execute(tx);
      const used = await usedTables(tx, [...mine]);
      if (used.length) throw notEmpty(used);
      for (const t of tables) copied += await copyTable(src, tx, t);
      for (const t of tables) await fillLate(src, tx, t);
      const sequences = await advanceSequences(src, tx);
      console.log(`  ✓ ${sequences} 个编号序列已调到复制来的最大编号之后`);
    });
    committed = true;
    src.exec("commit");
    const secs = (Date.now() - started) / 1000;
    console.log(`复制完成：${tables.length} 张表，${count.format(copied)} 行，用时 ${secs.toFixed(1)} 秒（每秒约 ${count.format(Math.round(copied / Math.max(secs, 0.001)))} 行）`);
  } catch (e) {
    if (!committed && !(e instanceof Refusal)) (e as Error).message = `复制失败，已撤销，目标数据库里没有写入任何数据：${(e as Error).message}`;
    throw e;
  } finally {
    src.close();
    await target.close();
  }

  return verify(file, url, shown);
}

/** The copy's one transaction: not a unit of work (nothing to retry, no domain rules), all or nothing. */
async function copyAll(target: Engine, fn: (tx: Kysely<Database>) => Promise<void>): Promise<void> {
  await target.writer.transaction().execute(fn);
}

/** The ledger check on the target, as check:ledger prints it, and the same head on both sides. */
async function verify(file: string, url: string, shown: string): Promise<number> {
  const source = inspect(file);
  const copy = inspect(url);
  try {
    console.log(`检查目标数据库的账本：${shown}`);
    const results = await checkLedger(copy);
    for (const r of results) console.log(`${r.ok ? "✓" : "✗"} ${r.name}：${r.detail}`);
    const failed = results.filter((r) => !r.ok).length;
    const [from, to] = [await ledgerHead(source), await ledgerHead(copy)];
    const same = from?.id === to?.id && from?.hash === to?.hash;
    const head = (h: typeof from) => (h ? `${h.id}:${h.hash}` : "（没有分录）");
    if (same) console.log(`✓ 账本末尾与源数据库一致：${head(to)}`);
    else console.log(`✗ 账本末尾与源数据库不同：源 ${head(from)}，目标 ${head(to)}（复制时源数据库是否还在写入？请先停掉程序再复制）`);
    console.log(failed || !same ? `发现 ${failed + (same ? 0 : 1)} 项问题` : `全部 ${results.length} 项检查通过，账本末尾一致`);
    return failed || !same ? 1 : 0;
  } finally {
    await source.destroy();
    await copy.destroy();
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  console.error((e as Error).message);
  if (!(e instanceof Refusal) && process.env.DEBUG) console.error(e);
  process.exitCode = e instanceof Refusal ? 2 : 1;
}
