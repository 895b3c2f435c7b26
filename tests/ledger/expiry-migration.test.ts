// Migration 0014 rebuilds SQLite's ledger_transactions to admit the `expiry` kind: a village's ledger
// must come out of it row for row, still append-only, still referenced by its entries, with its ids
// going on where they stopped. (PostgreSQL alters the check in place; its suite migrates fresh.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Migrator, sql, type Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/schema";
import { migrations } from "../../db/migrations/index";
import { openDatabase, type Engine } from "~/platform/database.server";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-0014-"));
let opened: Engine | undefined;
afterAll(async () => {
  await opened?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const run = (k: Kysely<Database>, text: string) => sql.raw(text).execute(k);
const all = async (k: Kysely<Database>, text: string) => (await sql.raw<Record<string, unknown>>(text).execute(k)).rows;

describe("migration 0014 on SQLite", () => {
  it("keeps every transaction, its entries' references, the append-only triggers and the id sequence", async () => {
    opened = openDatabase(path.join(dir, "village.sqlite"));
    if (opened.kind !== "sqlite") throw new Error("SQLite only");
    const k = opened.writer;
    const migrator = new Migrator({ db: k, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo("0013_ranking_names")).error).toBeUndefined();

    await run(k, "insert into townships (id, name, created_at) values (1, '镇', 0)");
    await run(k, "insert into villages (id, township_id, name, code, created_at) values (1, 1, '村', 'V1', 0)");
    await run(k, "insert into accounts (id, village_id, kind, balance, created_at) values (1, 1, 'issuance', -30, 0)");
    await run(k, "insert into households (id, village_id, number, created_at) values (1, 1, '001', 0)");
    await run(k, "insert into accounts (id, village_id, kind, household_id, balance, created_at) values (2, 1, 'household', 1, 30, 0)");
    await run(k, `insert into ledger_transactions (id, village_id, kind, idem_key, request_hash, actor_role, memo, created_at)
      values (1, 1, 'award', 'k1', 'h1', 'system', '奖励', 10), (2, 1, 'award', 'k2', 'h2', 'system', '奖励', 20)`);
    await run(k, `insert into ledger_transactions (id, village_id, kind, idem_key, request_hash, reverses_id, actor_role, memo, created_at)
      values (3, 1, 'reversal', 'k3', 'h3', 2, 'system', '冲正', 30)`);
    await run(k, `insert into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash) values
      (1, 1, 1, -30, 0, 2026, 10, 'p1', 'e1'), (2, 1, 2, 30, 30, 2026, 10, 'e1', 'e2'),
      (3, 2, 1, -5, 0, 2026, 20, 'e2', 'e3'), (4, 2, 2, 5, 5, 2026, 20, 'e3', 'e4'),
      (5, 3, 1, 5, 0, 2026, 30, 'e4', 'e5'), (6, 3, 2, -5, -5, 2026, 30, 'e5', 'e6')`);
    const before = await all(k, "select * from ledger_transactions order by id");

    expect((await migrator.migrateTo("0014_expiry_kind")).error).toBeUndefined();

    expect(await all(k, "select * from ledger_transactions order by id")).toEqual(before);
    expect(await all(k, "pragma foreign_key_check")).toEqual([]);
    expect(await all(k, "pragma foreign_keys")).toEqual([{ foreign_keys: 1 }]);
    // Still append-only.
    await expect(run(k, "update ledger_transactions set memo = '改' where id = 1")).rejects.toThrow(/append-only/);
    await expect(run(k, "delete from ledger_transactions where id = 1")).rejects.toThrow(/append-only/);
    // The entries still point at it: an entry of a transaction that does not exist is refused.
    await expect(run(k, "insert into ledger_entries (id, txn_id, account_id, amount, score_delta, score_year, created_at, prev_hash, hash) values (7, 99, 1, 1, 0, 2026, 40, 'e6', 'e7')")).rejects.toThrow(/FOREIGN KEY/);
    // The new kind is admitted, an unknown one is not, and ids go on from 3.
    await run(k, "insert into ledger_transactions (village_id, kind, idem_key, request_hash, actor_role, memo, created_at) values (1, 'expiry', 'k4', 'h4', 'system', '过期', 40)");
    expect(await all(k, "select id, kind from ledger_transactions where idem_key = 'k4'")).toEqual([{ id: 4, kind: "expiry" }]);
    await expect(run(k, "insert into ledger_transactions (village_id, kind, idem_key, request_hash, actor_role, memo, created_at) values (1, 'gift', 'k5', 'h5', 'system', '?', 50)")).rejects.toThrow(/CHECK/);
    // A reversal still may not be reversed twice (the unique reverses_id came through).
    await expect(run(k, "insert into ledger_transactions (village_id, kind, idem_key, request_hash, reverses_id, actor_role, memo, created_at) values (1, 'reversal', 'k6', 'h6', 2, 'system', '再冲', 60)")).rejects.toThrow(/UNIQUE/);
  });
});
