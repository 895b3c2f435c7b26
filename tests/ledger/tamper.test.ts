// The ledger is append-only in the database itself, and an edit made behind the application's
// back (raw connection, triggers dropped, sums made to look right) is caught by check:ledger.
import { execFile } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { now } from "~/platform/clock.server";
import { engine, inspect, migrateToLatest } from "~/platform/database.server";
import { award, convertHold, deduct, placeHold, redeem, releaseHold, reverse } from "~/ledger/ledger.server";
import { checkLedger } from "~/ledger/check.server";
import { entryHash } from "~/ledger/ledger.server";
import { failedChecks, ROOT, seedVillage, SYSTEM, type SeededVillage } from "./helpers";

const run = promisify(execFile);
const HASH_CHAIN = "哈希链完整";
const TRIGGER_CHECK = "数据库拒绝修改和删除账目";
const SEQUENCE = "交易编号连续（没有删掉任何交易）";
const LEDGER_TRIGGERS = ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_transactions_no_update", "ledger_transactions_no_delete"];

let v: SeededVillage;
let dir: string;
const txn: Record<string, number> = {};

/** Everything in the ledger tables, to prove a refused statement changed nothing. */
function fingerprint(sqlite: SQLite.Database = engine().sqlite): string {
  const rows = [
    sqlite.prepare("select * from ledger_entries order by id").all(),
    sqlite.prepare("select * from ledger_transactions order by id").all(),
    sqlite.prepare("select * from holds order by id").all(),
  ];
  return crypto.createHash("sha256").update(JSON.stringify(rows)).digest("hex");
}

/** A consistent copy of the database that a test can vandalise. */
function copy(name: string): string {
  const file = path.join(dir, `${name}.sqlite`);
  engine().sqlite.exec(`vacuum into '${file.replace(/'/g, "''")}'`);
  return file;
}

/** Opens the file the way someone with shell access would: plain better-sqlite3, no app code. */
function offline(file: string, edit: (raw: SQLite.Database) => void, keepTriggersDropped = false): void {
  const raw = new SQLite(file);
  const triggers = raw.prepare("select name, sql from sqlite_master where type = 'trigger' and tbl_name like 'ledger_%'").all() as {
    name: string;
    sql: string;
  }[];
  expect(triggers.map((t) => t.name).sort()).toEqual([...LEDGER_TRIGGERS].sort());
  raw.transaction(() => {
    for (const t of triggers) raw.exec(`drop trigger ${t.name}`);
    edit(raw);
    // A careful forger also rebuilds the monthly summaries from the edited entries.
    raw.exec(`delete from account_months;
      insert into account_months select account_id, strftime('%Y-%m', created_at / 1000 + 28800, 'unixepoch'),
        count(*), sum(max(amount, 0)), sum(max(-amount, 0)) from ledger_entries
        where account_id not in (select id from accounts where kind = 'issuance') group by 1, 2`);
    // Put the triggers back so the only trace left is in the data itself.
    if (!keepTriggersDropped) for (const t of triggers) raw.exec(t.sql);
  })();
  raw.close();
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

async function inProcess(file: string) {
  const k = inspect(file);
  try {
    return failedChecks(await checkLedger(k)).map((r) => r.name);
  } finally {
    await k.destroy();
  }
}

function entriesOf(raw: SQLite.Database, txnId: number) {
  return raw.prepare("select id, account_id, amount, score_delta, score_year from ledger_entries where txn_id = ? order by id").all(txnId) as {
    id: number;
    account_id: number;
    amount: number;
    score_delta: number;
    score_year: number;
  }[];
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

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
    [
      "upsert an entry",
      `insert into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash)
       select id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash from ledger_entries where id = 2
       on conflict (id) do update set amount = excluded.amount * 2`,
    ],
  ];

  it.each(attempts)("%s fails on the application's connection", (_name, sql) => {
    const before = fingerprint();
    expect(() => engine().sqlite.prepare(sql).run()).toThrow(/append-only/);
    expect(fingerprint()).toBe(before);
  });

  it("update and delete fail on a raw connection too (the triggers live in the file, not the code)", async () => {
    const raw = new SQLite(process.env.DATABASE_PATH!);
    try {
      raw.pragma("busy_timeout = 5000");
      const before = fingerprint(raw);
      for (const [name, sql] of attempts.filter(([n]) => /update|delete/.test(n) && !/upsert/.test(n))) {
        expect(() => raw.prepare(sql).run(), name).toThrow(/append-only/);
      }
      expect(() => raw.prepare("delete from holds").run()).toThrow(/never deleted/);
      expect(() => raw.prepare("update holds set amount = amount + 1").run()).toThrow(/settled/);
      expect(fingerprint(raw)).toBe(before);
    } finally {
      raw.close();
    }
    expect(failedChecks(await checkLedger(engine().writer))).toEqual([]);
  });
});

describe("check:ledger catches an offline edit", () => {
  // Each scenario edits its own copy; the CLI runs on all of them in parallel.
  const scenarios: { name: string; edit: (raw: SQLite.Database) => void; keepTriggersDropped?: boolean; failing: string[] }[] = [
    {
      name: "one entry's amount and its account balance",
      edit: (raw) => {
        const [, credit] = entriesOf(raw, txn.awardB);
        raw.prepare("update ledger_entries set amount = amount + 100 where id = ?").run(credit.id);
        raw.prepare("update accounts set balance = balance + 100 where id = ?").run(credit.account_id);
      },
      failing: ["所有分录合计为零", "每笔交易借贷平衡（至少两条分录，合计为零）", HASH_CHAIN],
    },
    {
      name: "both legs, the balances and the score, so every sum still agrees",
      edit: (raw) => {
        const legs = entriesOf(raw, txn.awardA);
        for (const e of legs) {
          raw.prepare("update ledger_entries set amount = amount * 3, score_delta = score_delta * 3 where id = ?").run(e.id);
          raw.prepare("update accounts set balance = balance + ? where id = ?").run(e.amount * 2, e.account_id);
          if (e.score_delta) raw.prepare("update account_scores set score = score + ? where account_id = ? and year = ?").run(e.score_delta * 2, e.account_id, e.score_year);
        }
      },
      failing: [HASH_CHAIN],
    },
    {
      name: "a memo",
      edit: (raw) => raw.prepare("update ledger_transactions set memo = '帮邻居修屋顶' where id = ?").run(txn.awardC),
      failing: [HASH_CHAIN],
    },
    {
      name: "the household an award went to (balances and scores moved along)",
      edit: (raw) => {
        const [, credit] = entriesOf(raw, txn.awardC);
        const to = v.householdAccountIds[1];
        raw.prepare("update ledger_entries set account_id = ? where id = ?").run(to, credit.id);
        raw.prepare("update accounts set balance = balance - ? where id = ?").run(credit.amount, credit.account_id);
        raw.prepare("update accounts set balance = balance + ? where id = ?").run(credit.amount, to);
        raw.prepare("update account_scores set score = score - ? where account_id = ? and year = ?").run(credit.score_delta, credit.account_id, credit.score_year);
        raw.prepare("update account_scores set score = score + ? where account_id = ? and year = ?").run(credit.score_delta, to, credit.score_year);
      },
      failing: [HASH_CHAIN],
    },
    {
      name: "a whole transaction deleted from the middle (balances and scores fixed up)",
      edit: (raw) => {
        for (const e of entriesOf(raw, txn.awardC)) {
          raw.prepare("update accounts set balance = balance - ? where id = ?").run(e.amount, e.account_id);
          if (e.score_delta) raw.prepare("update account_scores set score = score - ? where account_id = ? and year = ?").run(e.score_delta, e.account_id, e.score_year);
        }
        raw.prepare("delete from ledger_entries where txn_id = ?").run(txn.awardC);
        raw.prepare("delete from ledger_transactions where id = ?").run(txn.awardC);
      },
      failing: [HASH_CHAIN, SEQUENCE],
    },
    {
      name: "the newest transaction deleted (the chain's tail stays valid)",
      edit: (raw) => {
        const last = (raw.prepare("select max(id) as id from ledger_transactions").get() as { id: number }).id;
        for (const e of entriesOf(raw, last)) {
          raw.prepare("update accounts set balance = balance - ? where id = ?").run(e.amount, e.account_id);
          if (e.score_delta) raw.prepare("update account_scores set score = score - ? where account_id = ? and year = ?").run(e.score_delta, e.account_id, e.score_year);
        }
        raw.prepare("update holds set settled_txn_id = null, status = 'released' where settled_txn_id = ?").run(last);
        raw.prepare("delete from ledger_entries where txn_id = ?").run(last);
        raw.prepare("delete from ledger_transactions where id = ?").run(last);
      },
      failing: [SEQUENCE],
    },
    {
      name: "the role recorded on a transaction",
      // The system did it, so no user is named: a staff role without a user is caught by itself too.
      edit: (raw) => raw.prepare("update ledger_transactions set actor_role = 'village_admin' where id = ?").run(txn.redeemB),
      failing: [HASH_CHAIN, "每笔交易记录了谁、何时、为什么、以什么角色"],
    },
    {
      name: "the memo saying why emptied",
      edit: (raw) => raw.prepare("update ledger_transactions set memo = ' ' where id = ?").run(txn.awardB),
      failing: [HASH_CHAIN, "每笔交易记录了谁、何时、为什么、以什么角色"],
    },
    {
      name: "nothing but the triggers dropped",
      edit: () => {},
      keepTriggersDropped: true,
      failing: [TRIGGER_CHECK],
    },
  ];

  it("every edit is reported, by name, with a non-zero exit; the untouched copy passes", async () => {
    const pristine = copy("pristine");
    const files = scenarios.map((s, i) => {
      const file = copy(`edit${i}`);
      offline(file, s.edit, s.keepTriggersDropped);
      return file;
    });
    const results = await Promise.all([pristine, ...files].map((f) => cli(f)));
    const [clean, ...edited] = results;
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toMatch(/全部 \d+ 项检查通过/);
    expect(clean.out).not.toContain("✗");
    expect(await inProcess(pristine)).toEqual([]);
    for (const [i, s] of scenarios.entries()) {
      const r = edited[i];
      expect(r.code, `${s.name}:\n${r.out}`).toBe(1);
      for (const name of s.failing) expect(r.out, s.name).toContain(`✗ ${name}`);
      // The edit was made to look right: no other check notices it, only the one named.
      expect((await inProcess(files[i])).sort(), s.name).toEqual([...s.failing].sort());
      expect(r.out.match(/✗/g)?.length, `${s.name}:\n${r.out}`).toBe(s.failing.length);
    }
  }, 60_000);
});

describe("check:ledger only reads", () => {
  it("leaves the checked file byte for byte as it was and creates no journal files beside it", async () => {
    const file = copy("readonly");
    fs.chmodSync(file, 0o444);
    const before = fs.readFileSync(file);
    const r = await cli(file);
    expect(r.code, r.out).toBe(0);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-shm`) || fs.existsSync(`${file}-journal`)).toBe(false);
  });

  it("says in Chinese when the file is not a database, and exits 2", async () => {
    const file = path.join(dir, "not-a-db.sqlite");
    fs.writeFileSync(file, "这不是数据库".repeat(100));
    const r = await cli(file);
    expect(r.code).toBe(2);
    expect(r.out).toContain("无法读取这个数据库文件");
  });
});

describe("an anchor written down earlier", () => {
  it("exposes a chain rewritten with recomputed hashes, which no internal check can see", async () => {
    const file = copy("rewritten");
    const head = (() => {
      const raw = new SQLite(file, { readonly: true });
      try {
        return raw.prepare("select id, hash from ledger_entries order by id desc limit 1").get() as { id: number; hash: string };
      } finally {
        raw.close();
      }
    })();
    offline(file, (raw) => {
      // Triple an early award's legs, fix balances and scores, then recompute every hash after it.
      for (const e of entriesOf(raw, txn.awardA)) {
        raw.prepare("update ledger_entries set amount = amount * 3, score_delta = score_delta * 3 where id = ?").run(e.id);
        raw.prepare("update accounts set balance = balance + ? where id = ?").run(e.amount * 2, e.account_id);
        if (e.score_delta) raw.prepare("update account_scores set score = score + ? where account_id = ? and year = ?").run(e.score_delta * 2, e.account_id, e.score_year);
      }
      const rows = raw
        .prepare("select e.*, t.id as t_id, t.village_id, t.kind, t.idem_key, t.request_hash, t.reverses_id, t.actor_user_id, t.actor_role, t.member_id, t.rule_id, t.cause_kind, t.cause_id, t.memo, t.created_at from ledger_entries e join ledger_transactions t on t.id = e.txn_id order by e.id")
        .all() as Record<string, never>[];
      let prev = "0".repeat(64);
      for (const r of rows) {
        const h = entryHash(prev, r as never, { ...(r as object), id: r.t_id } as never);
        raw.prepare("update ledger_entries set prev_hash = ?, hash = ? where id = ?").run(prev, h, r.id);
        prev = h;
      }
    });
    const plain = await cli(file);
    expect(plain.code, plain.out).toBe(0); // the documented limit: a full rewrite is internally consistent
    const anchored = await cli(file, "--anchor", `${head.id}:${head.hash}`);
    expect(anchored.code, anchored.out).toBe(1);
    expect(anchored.out).toContain("✗ 与记下的锚点一致");
    const untouched = await cli(copy("untouched"), "--anchor", `${head.id}:${head.hash}`);
    expect(untouched.code, untouched.out).toBe(0);
    expect(untouched.out).toContain("✓ 与记下的锚点一致");
  }, 60_000);
});
