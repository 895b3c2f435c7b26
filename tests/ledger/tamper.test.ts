// The ledger is append-only in the database itself, and an edit made behind the application's
// back (raw connection, triggers dropped or disabled, sums made to look right) is caught by
// check:ledger. On PostgreSQL the forger is the tables' owner: it may disable the triggers.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { now } from "~/platform/clock.server";
import { closeDatabase, engine, inspect, migrateToLatest, openDatabase } from "~/platform/database.server";
import { award, convertHold, deduct, placeHold, redeem, releaseHold, reverse } from "~/ledger/ledger.server";
import { checkLedger, matchesAnchor } from "~/ledger/check.server";
import { entryHash } from "~/ledger/ledger.server";
import { copyDatabase, dropTestDatabase, urlOf } from "../support/postgres";
import { onPostgres, sqlOn } from "../support/sql";
import { appTables, tableFingerprints } from "../support/sweep";
import { failedChecks, ROOT, seedVillage, SYSTEM, type SeededVillage } from "./helpers";

const run = promisify(execFile);
const HASH_CHAIN = "哈希链完整";
const TRIGGER_CHECK = "数据库拒绝修改和删除账目";
const SEQUENCE = "交易编号连续（没有删掉任何交易）";
const ANCHOR = "与记下的锚点一致";
const LEDGER_TRIGGERS = ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_transactions_no_update", "ledger_transactions_no_delete"];

let v: SeededVillage;
let dir: string;
const txn: Record<string, number> = {};
/** PostgreSQL: the databases this file copied, dropped at the end. */
const copies: string[] = [];

/**
 * A connection the way someone with shell access would open it, no app code: plain better-sqlite3
 * on the file, or a plain pg client (as the tables' owner) on a PostgreSQL URL. `?` placeholders.
 */
interface Raw {
  kind: "sqlite" | "postgres";
  all<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>;
  run(text: string, ...params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

async function rawOpen(location: string): Promise<Raw> {
  if (!/^postgres(ql)?:\/\//.test(location)) {
    const db = new SQLite(location);
    db.pragma("busy_timeout = 5000");
    return {
      kind: "sqlite",
      all: async <T>(text: string, ...params: unknown[]) => db.prepare(text).all(...params) as T[],
      run: async (text, ...params) => void db.prepare(text).run(...params),
      close: async () => void db.close(),
    };
  }
  // bigint columns as numbers, as the app reads them (hashes cover the numbers' text).
  const int8 = (v: string) => Number(v);
  const client = new pg.Client({
    connectionString: location,
    types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === 20 ? int8 : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  await client.connect();
  const dollars = (text: string) => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  return {
    kind: "postgres",
    all: async <T>(text: string, ...params: unknown[]) => (await client.query(dollars(text), params)).rows as T[],
    run: async (text, ...params) => void (await client.query(dollars(text), params)),
    close: () => client.end(),
  };
}

/** Everything in the ledger tables, to prove a refused statement changed nothing. */
async function fingerprint(all: Raw["all"] = sqlOn().all): Promise<string> {
  const rows = [
    await all("select * from ledger_entries order by id"),
    await all("select * from ledger_transactions order by id"),
    await all("select * from holds order by id"),
  ];
  return crypto.createHash("sha256").update(JSON.stringify(rows)).digest("hex");
}

/** A consistent copy of the database that a test can vandalise: a file, or a database's URL. */
async function copy(name: string): Promise<string> {
  const current = engine();
  if (current.kind === "sqlite") {
    const file = path.join(dir, `${name}.sqlite`);
    current.sqlite.exec(`vacuum into '${file.replace(/'/g, "''")}'`);
    return file;
  }
  // A database is copied as a template, which no one may be connected to: this process lets go of
  // its own (engine() opens it again when next used).
  await closeDatabase();
  const source = process.env.DATABASE_URL!;
  const url = await copyDatabase(source, `${new URL(source).pathname.slice(1)}_${name}`);
  copies.push(url);
  return url;
}

/**
 * Edits the copy behind the application's back, with the ledger's triggers out of the way: dropped
 * on SQLite, disabled by the tables' owner on PostgreSQL (`alter table … disable trigger user`).
 */
async function offline(location: string, edit: (raw: Raw) => Promise<void>, keepTriggersDropped = false): Promise<void> {
  const raw = await rawOpen(location);
  try {
    const sqlite = raw.kind === "sqlite";
    const triggers = sqlite
      ? await raw.all<{ name: string; sql: string }>("select name, sql from sqlite_master where type = 'trigger' and tbl_name like 'ledger_%'")
      : await raw.all<{ name: string; sql: string }>(
          `select t.tgname as name, '' as sql from pg_trigger t join pg_class c on c.oid = t.tgrelid
           where not t.tgisinternal and t.tgenabled <> 'D' and c.relname like 'ledger_%'`,
        );
    expect(triggers.map((t) => t.name).sort()).toEqual([...LEDGER_TRIGGERS].sort());
    const tables = ["ledger_entries", "ledger_transactions"];
    await raw.run("begin");
    try {
      if (sqlite) for (const t of triggers) await raw.run(`drop trigger ${t.name}`);
      else for (const t of tables) await raw.run(`alter table ${t} disable trigger user`);
      await edit(raw);
      // A careful forger also rebuilds the monthly summaries from the edited entries.
      await raw.run("delete from account_months");
      const monthOf = (column: string) => sqlite
        ? `strftime('%Y-%m', ${column} / 1000 + 28800, 'unixepoch')`
        : `to_char(to_timestamp(${column} / 1000 + 28800) at time zone 'UTC', 'YYYY-MM')`;
      const month = monthOf("created_at");
      const [plus, minus] = sqlite ? ["max(amount, 0)", "max(-amount, 0)"] : ["greatest(amount, 0)", "greatest(-amount, 0)"];
      await raw.run(`insert into account_months select account_id, ${month}, count(*), sum(${plus}), sum(${minus}) from ledger_entries
        where account_id not in (select id from accounts where kind = 'issuance') group by 1, 2`);
      // And the villages' monthly summaries by kind and category.
      await raw.run("delete from ledger_months");
      await raw.run(`insert into ledger_months
        select t.village_id, ${monthOf("t.created_at")}, coalesce(o.kind, t.kind), coalesce(r.category, ''), case when t.kind = 'reversal' then 1 else 0 end,
          sum(case when a.kind = 'household' then e.amount else 0 end), count(distinct t.id)
        from ledger_transactions t join ledger_entries e on e.txn_id = t.id join accounts a on a.id = e.account_id
        left join ledger_transactions o on o.id = t.reverses_id left join rules r on r.id = t.rule_id
        group by 1, 2, 3, 4, 5`);
      // Put the triggers back so the only trace left is in the data itself.
      if (!keepTriggersDropped) {
        if (sqlite) for (const t of triggers) await raw.run(t.sql);
        else for (const t of tables) await raw.run(`alter table ${t} enable trigger user`);
      }
      await raw.run("commit");
    } catch (e) {
      await raw.run("rollback");
      throw e;
    }
  } finally {
    await raw.close();
  }
}

async function cli(file: string, ...extra: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "scripts/check-ledger.ts", file, ...extra], { cwd: ROOT, encoding: "utf8" });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, out: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** The failing checks' names, in this process; with `anchor`, whether the entry still has that hash too. */
async function inProcess(location: string, anchor?: { id: number; hash: string }) {
  const k = inspect(location);
  try {
    const failing = failedChecks(await checkLedger(k)).map((r) => r.name);
    if (anchor && !(await matchesAnchor(k, anchor.id, anchor.hash))) failing.push(ANCHOR);
    return failing;
  } finally {
    await k.destroy();
  }
}

function entriesOf(raw: Raw, txnId: number) {
  return raw.all<{ id: number; account_id: number; amount: number; score_delta: number; score_year: number }>(
    "select id, account_id, amount, score_delta, score_year from ledger_entries where txn_id = ? order by id",
    txnId,
  );
}

/** The newest entry's id and hash, read the way an auditor writing it down would. */
async function headOf(location: string): Promise<{ id: number; hash: string }> {
  const raw = await rawOpen(location);
  try {
    return (await raw.all<{ id: number; hash: string }>("select id, hash from ledger_entries order by id desc limit 1"))[0];
  } finally {
    await raw.close();
  }
}

beforeAll(async () => {
  await migrateToLatest();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-tamper-"));
  v = await seedVillage("tamper", 3);
  const [a, b, c] = v.householdIds;
  const later = () => now() + 600_000;
  txn.awardA = (await award({ householdId: a, amount: 50, idemKey: "t-a1", actor: SYSTEM, memo: "打扫村道" })).txnId;
  txn.awardB = (await award({ householdId: b, amount: 80, idemKey: "t-b1", actor: SYSTEM, memo: "志愿服务" })).txnId;
  txn.awardC = (await award({ householdId: c, amount: 30, idemKey: "t-c1", actor: SYSTEM, memo: "垃圾分类" })).txnId;
  txn.redeemB = (await redeem({ householdId: b, storeAccountId: v.storeAccountId, amount: 20, idemKey: "t-b2", actor: SYSTEM, memo: "兑换肥皂" })).txnId;
  const hold = await placeHold({ householdId: a, amount: 15, expiresAt: later(), idemKey: "t-a2", actor: SYSTEM });
  txn.convertA = (await convertHold({ holdId: hold.holdId, storeAccountId: v.storeAccountId, idemKey: "t-a3", actor: SYSTEM, memo: "兑换大米" })).txnId;
  await releaseHold((await placeHold({ householdId: c, amount: 5, expiresAt: later(), idemKey: "t-c2", actor: SYSTEM })).holdId);
  txn.deductC = (await deduct({ householdId: c, amount: 10, idemKey: "t-c3", actor: SYSTEM, memo: "乱倒垃圾" })).txnId;
  txn.reverseDeductC = (await reverse({ txnId: txn.deductC, idemKey: "t-c4", actor: SYSTEM, memo: "录错了" })).txnId;
  txn.awardA2 = (await award({ householdId: a, amount: 12, idemKey: "t-a4", actor: SYSTEM, memo: "孝老爱亲" })).txnId;
  expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
});

afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  for (const url of copies) await dropTestDatabase(url);
});

describe("the database refuses to change ledger rows", () => {
  const attempts: [string, string][] = [
    ["update an entry", "update ledger_entries set amount = amount + 1 where id = 2"],
    ["update every entry", "update ledger_entries set hash = hash"],
    ["delete an entry", "delete from ledger_entries where id = 2"],
    ["delete all entries", "delete from ledger_entries"],
    ["update a transaction", "update ledger_transactions set memo = '改' where idem_key = 't-a1'"],
    ["delete a transaction", "delete from ledger_transactions where idem_key = 't-a4'"],
    [
      "upsert an entry",
      `insert into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash)
       select id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash from ledger_entries where id = 2
       on conflict (id) do update set amount = excluded.amount * 2`,
    ],
    [
      "upsert a transaction",
      `insert into ledger_transactions
       select id, village_id, kind, idem_key, request_hash, reverses_id, actor_user_id, actor_role, member_id, rule_id,
              cause_kind, cause_id, memo, created_at from ledger_transactions where idem_key = 't-a1'
       on conflict (id) do update set memo = '改'`,
    ],
    // SQLite's own REPLACE deletes the old row first (PostgreSQL has no such statement; the upserts
    // above are its way to overwrite a row).
    ...(onPostgres()
      ? []
      : ([
          [
            "replace an entry (insert or replace)",
            `insert or replace into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash)
             select id, txn_id, account_id, amount * 2, score_delta, score_year, created_at, prev_hash, hash from ledger_entries where id = 2`,
          ],
          [
            "replace a transaction (insert or replace)",
            `insert or replace into ledger_transactions
             select id, village_id, kind, idem_key, request_hash, reverses_id, actor_user_id, actor_role, member_id, rule_id,
                    cause_kind, cause_id, '改', created_at from ledger_transactions where idem_key = 't-a1'`,
          ],
        ] as [string, string][])),
  ];

  it.each(attempts)("%s fails on the application's connection", async (_name, sql) => {
    const before = await fingerprint();
    await expect(sqlOn().run(sql)).rejects.toThrow(/append-only/);
    expect(await fingerprint()).toBe(before);
  });

  it("update and delete fail on a raw connection too (the triggers live in the database, not the code)", async () => {
    const raw = await rawOpen(process.env.DATABASE_URL || process.env.DATABASE_PATH!);
    try {
      const before = await fingerprint(raw.all);
      const plain = attempts.filter(([n]) => /update|delete/.test(n) && !/upsert/.test(n));
      expect(plain.length).toBe(6);
      for (const [name, sql] of plain) await expect(raw.run(sql), name).rejects.toThrow(/append-only/);
      await expect(raw.run("delete from holds")).rejects.toThrow(/never deleted/);
      await expect(raw.run("update holds set amount = amount + 1")).rejects.toThrow(/settled/);
      expect(await fingerprint(raw.all)).toBe(before);
    } finally {
      await raw.close();
    }
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });
});

describe("check:ledger catches an offline edit", () => {
  // Each scenario edits its own copy; the CLI runs on all of them in parallel.
  const scenarios: { name: string; edit: (raw: Raw) => Promise<void>; keepTriggersDropped?: boolean; anchored?: boolean; failing: string[] }[] = [
    {
      name: "one entry's amount and its account balance",
      edit: async (raw) => {
        const [, credit] = await entriesOf(raw, txn.awardB);
        await raw.run("update ledger_entries set amount = amount + 100 where id = ?", credit.id);
        await raw.run("update accounts set balance = balance + 100 where id = ?", credit.account_id);
      },
      failing: ["所有分录合计为零", "每笔交易借贷平衡（至少两条分录，合计为零）", HASH_CHAIN],
    },
    {
      name: "both legs, the balances and the score, so every sum still agrees",
      edit: async (raw) => {
        const legs = await entriesOf(raw, txn.awardA);
        for (const e of legs) {
          await raw.run("update ledger_entries set amount = amount * 3, score_delta = score_delta * 3 where id = ?", e.id);
          await raw.run("update accounts set balance = balance + ? where id = ?", e.amount * 2, e.account_id);
          if (e.score_delta) await raw.run("update account_scores set score = score + ? where account_id = ? and year = ?", e.score_delta * 2, e.account_id, e.score_year);
        }
      },
      failing: [HASH_CHAIN],
    },
    {
      name: "a memo",
      edit: (raw) => raw.run("update ledger_transactions set memo = '帮邻居修屋顶' where id = ?", txn.awardC),
      failing: [HASH_CHAIN],
    },
    {
      name: "the household an award went to (balances and scores moved along)",
      edit: async (raw) => {
        const [, credit] = await entriesOf(raw, txn.awardC);
        const to = v.householdAccountIds[1];
        await raw.run("update ledger_entries set account_id = ? where id = ?", to, credit.id);
        await raw.run("update accounts set balance = balance - ? where id = ?", credit.amount, credit.account_id);
        await raw.run("update accounts set balance = balance + ? where id = ?", credit.amount, to);
        await raw.run("update account_scores set score = score - ? where account_id = ? and year = ?", credit.score_delta, credit.account_id, credit.score_year);
        await raw.run("update account_scores set score = score + ? where account_id = ? and year = ?", credit.score_delta, to, credit.score_year);
      },
      failing: [HASH_CHAIN],
    },
    {
      name: "a whole transaction deleted from the middle (balances and scores fixed up)",
      edit: async (raw) => {
        for (const e of await entriesOf(raw, txn.awardC)) {
          await raw.run("update accounts set balance = balance - ? where id = ?", e.amount, e.account_id);
          if (e.score_delta) await raw.run("update account_scores set score = score - ? where account_id = ? and year = ?", e.score_delta, e.account_id, e.score_year);
        }
        await raw.run("delete from ledger_entries where txn_id = ?", txn.awardC);
        await raw.run("delete from ledger_transactions where id = ?", txn.awardC);
      },
      failing: [HASH_CHAIN, SEQUENCE],
    },
    {
      name: "the newest transaction deleted (the chain's tail stays valid)",
      edit: async (raw) => {
        const [{ id: last }] = await raw.all<{ id: number }>("select max(id) as id from ledger_transactions");
        for (const e of await entriesOf(raw, last)) {
          await raw.run("update accounts set balance = balance - ? where id = ?", e.amount, e.account_id);
          if (e.score_delta) await raw.run("update account_scores set score = score - ? where account_id = ? and year = ?", e.score_delta, e.account_id, e.score_year);
        }
        await raw.run("update holds set settled_txn_id = null, status = 'released' where settled_txn_id = ?", last);
        await raw.run("delete from ledger_entries where txn_id = ?", last);
        await raw.run("delete from ledger_transactions where id = ?", last);
      },
      // SQLite remembers the highest id it handed out; PostgreSQL keeps no such record for ids the
      // ledger assigns (check.server.ts), so there the head written down before is what shows it.
      failing: onPostgres() ? [ANCHOR] : [SEQUENCE],
      anchored: onPostgres(),
    },
    {
      name: "the role recorded on a transaction",
      // The system did it, so no user is named: a staff role without a user is caught by itself too.
      edit: (raw) => raw.run("update ledger_transactions set actor_role = 'village_admin' where id = ?", txn.redeemB),
      failing: [HASH_CHAIN, "每笔交易记录了谁、何时、为什么、以什么角色"],
    },
    {
      name: "the memo saying why emptied",
      edit: (raw) => raw.run("update ledger_transactions set memo = ' ' where id = ?", txn.awardB),
      failing: [HASH_CHAIN, "每笔交易记录了谁、何时、为什么、以什么角色"],
    },
    {
      name: "nothing but the triggers dropped (disabled, on PostgreSQL)",
      edit: async () => {},
      keepTriggersDropped: true,
      failing: [TRIGGER_CHECK],
    },
  ];

  it("every edit is reported, by name, with a non-zero exit; the untouched copy passes", async () => {
    const pristine = await copy("pristine");
    const head = await headOf(pristine);
    const files: string[] = [];
    for (const [i, s] of scenarios.entries()) {
      const file = await copy(`edit${i}`);
      await offline(file, s.edit, s.keepTriggersDropped);
      files.push(file);
    }
    const anchorArgs = (s?: (typeof scenarios)[number]) => (s?.anchored ? ["--anchor", `${head.id}:${head.hash}`] : []);
    const results = await Promise.all([pristine, ...files].map((f, i) => cli(f, ...anchorArgs(scenarios[i - 1]))));
    const [clean, ...edited] = results;
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toMatch(/全部 \d+ 项检查通过/);
    expect(clean.out).not.toContain("✗");
    expect(await inProcess(pristine, head)).toEqual([]);
    for (const [i, s] of scenarios.entries()) {
      const r = edited[i];
      expect(r.code, `${s.name}:\n${r.out}`).toBe(1);
      for (const name of s.failing) expect(r.out, s.name).toContain(`✗ ${name}`);
      // The edit was made to look right: no other check notices it, only the one named.
      expect((await inProcess(files[i], s.anchored ? head : undefined)).sort(), s.name).toEqual([...s.failing].sort());
      expect(r.out.match(/✗/g)?.length, `${s.name}:\n${r.out}`).toBe(s.failing.length);
    }
  }, 120_000);
});

describe("check:ledger only reads", () => {
  // About the file itself (its bytes, SQLite's journal files); the PostgreSQL counterpart follows.
  it.skipIf(onPostgres())("leaves the checked file byte for byte as it was and creates no journal files beside it", async () => {
    const file = await copy("readonly");
    fs.chmodSync(file, 0o444);
    const before = fs.readFileSync(file);
    const r = await cli(file);
    expect(r.code, r.out).toBe(0);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`) || fs.existsSync(`${file}-journal`)).toBe(false);
  });

  it.runIf(onPostgres())("leaves every table of the checked database as it was", async () => {
    const url = await copy("readonly");
    const database = openDatabase(url);
    try {
      const tables = await appTables(database);
      expect(tables).toContain("ledger_entries");
      const before = await tableFingerprints(database, tables);
      const r = await cli(url);
      expect(r.code, r.out).toBe(0);
      expect(await tableFingerprints(database, tables)).toEqual(before);
    } finally {
      await database.close();
    }
  });

  it("says in Chinese when the file is not a database, and exits 2", async () => {
    const file = path.join(dir, "not-a-db.sqlite");
    fs.writeFileSync(file, "这不是数据库".repeat(100));
    const r = await cli(file);
    expect(r.code).toBe(2);
    expect(r.out).toContain("无法读取这个数据库");
  });

  it.runIf(onPostgres())("says in Chinese when the database cannot be reached, exits 2, and never prints the password", async () => {
    const url = urlOf("jifen_no_such_database");
    expect(new URL(url).password).not.toBe("");
    const r = await cli(url);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain("无法读取这个数据库");
    expect(r.out).toContain("jifen_no_such_database");
    expect(r.out).not.toContain(`:${new URL(url).password}@`);
  });
});

describe("an anchor written down earlier", () => {
  it("exposes a chain rewritten with recomputed hashes, which no internal check can see", async () => {
    const file = await copy("rewritten");
    const head = await headOf(file);
    await offline(file, async (raw) => {
      // Triple an early award's legs, fix balances and scores, then recompute every hash after it.
      for (const e of await entriesOf(raw, txn.awardA)) {
        await raw.run("update ledger_entries set amount = amount * 3, score_delta = score_delta * 3 where id = ?", e.id);
        await raw.run("update accounts set balance = balance + ? where id = ?", e.amount * 2, e.account_id);
        if (e.score_delta) await raw.run("update account_scores set score = score + ? where account_id = ? and year = ?", e.score_delta * 2, e.account_id, e.score_year);
      }
      const rows = await raw.all<Record<string, never>>(
        "select e.*, t.id as t_id, t.village_id, t.kind, t.idem_key, t.request_hash, t.reverses_id, t.actor_user_id, t.actor_role, t.member_id, t.rule_id, t.cause_kind, t.cause_id, t.memo, t.created_at from ledger_entries e join ledger_transactions t on t.id = e.txn_id order by e.id",
      );
      let prev = "0".repeat(64);
      for (const r of rows) {
        const h = entryHash(prev, r as never, { ...(r as object), id: r.t_id } as never);
        await raw.run("update ledger_entries set prev_hash = ?, hash = ? where id = ?", prev, h, r.id);
        prev = h;
      }
    });
    const plain = await cli(file);
    expect(plain.code, plain.out).toBe(0); // the documented limit: a full rewrite is internally consistent
    const anchored = await cli(file, "--anchor", `${head.id}:${head.hash}`);
    expect(anchored.code, anchored.out).toBe(1);
    expect(anchored.out).toContain(`✗ ${ANCHOR}`);
    const untouched = await cli(await copy("untouched"), "--anchor", `${head.id}:${head.hash}`);
    expect(untouched.code, untouched.out).toBe(0);
    expect(untouched.out).toContain(`✓ ${ANCHOR}`);
  }, 60_000);
});
