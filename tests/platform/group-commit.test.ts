// Group commit (decision 0025, on the unit-of-work layer by 0029): units queued in one turn of the
// event loop share one transaction and one commit, each in its own savepoint, and none settles
// before that commit is on disk.
import fs from "node:fs";
import { sql } from "kysely";
import { beforeEach, describe, expect, it } from "vitest";
import { engine, groupedUnitOfWork, openReadOnly, unitOfWork, type Tx } from "~/platform/database.server";

/** Commit frames in the WAL file (a frame whose header carries the database size ends a commit). */
function walCommits(): number {
  const wal = fs.readFileSync(`${engine().path}-wal`);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) if (wal.readUInt32BE(at + 4) !== 0) commits++;
  return commits;
}

// A scratch table outside the Database interface: the probe is about transactions, not the schema.
const insert = async (tx: Tx, v: string) => {
  const r = await sql<never>`insert into probe (v) values (${v})`.execute(tx);
  return Number(r.insertId);
};
const values = () => (engine().sqlite.prepare("select v from probe order by id").all() as { v: string }[]).map((r) => r.v);

beforeEach(() => {
  engine().sqlite.exec("create table if not exists probe (id integer primary key, v text not null); delete from probe;");
  engine().sqlite.pragma("wal_checkpoint(TRUNCATE)");
});

describe("group commit", () => {
  it("commits the units queued in one turn together, and settles them only once committed", async () => {
    const other = openReadOnly(engine().path);
    const pending = ["a", "b", "c"].map((v) => groupedUnitOfWork((tx) => insert(tx, v)));
    expect(other.prepare("select count(*) as n from probe").get()).toEqual({ n: 0 }); // nothing ran yet
    const ids = await Promise.all(pending);
    expect(ids).toEqual([1, 2, 3].map((i) => ids[0] + i - 1));
    expect(other.prepare("select count(*) as n from probe").get()).toEqual({ n: 3 });
    other.close();
    expect(walCommits()).toBe(1);
    // The same three writes as plain units of work: three commits.
    for (const v of ["d", "e", "f"]) await unitOfWork((tx) => insert(tx, v));
    expect(walCommits()).toBe(4);
  });

  it("rolls back only the unit that throws, and rejects only its promise", async () => {
    const failure = new Error("refused");
    const [a, b, c] = await Promise.allSettled([
      groupedUnitOfWork((tx) => insert(tx, "a")),
      groupedUnitOfWork(async (tx) => {
        await insert(tx, "b");
        throw failure;
      }),
      groupedUnitOfWork((tx) => insert(tx, "c")),
    ]);
    expect([a.status, b.status, c.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((b as PromiseRejectedResult).reason).toBe(failure);
    expect(values()).toEqual(["a", "c"]);
    expect(walCommits()).toBe(1);
  });

  it("rejects every unit of the batch when the transaction itself is lost, and keeps none of them", async () => {
    // SQLite rolls a whole transaction back on some errors (disk full, I/O): simulated with a ROLLBACK.
    const outcomes = await Promise.allSettled([
      groupedUnitOfWork((tx) => insert(tx, "a")),
      groupedUnitOfWork(async (tx) => {
        await sql`rollback`.execute(tx);
        throw new Error("disk I/O error");
      }),
      groupedUnitOfWork((tx) => insert(tx, "c")),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    // The others are told their write was not done, not the failing unit's own error.
    const [a, b, c] = outcomes.map((o) => (o as PromiseRejectedResult).reason as Error);
    expect(b.message).toBe("disk I/O error");
    expect([a.message, c.message]).toEqual(["写入没有完成，请重试", "写入没有完成，请重试"]);
    expect(a.cause).toBe(b);
    expect(values()).toEqual([]);
    expect(engine().sqlite.inTransaction).toBe(false);
    // The connection is usable afterwards.
    await groupedUnitOfWork((tx) => insert(tx, "after"));
    expect(values()).toEqual(["after"]);
  });

  it("inside a unit of work is a savepoint of it, so the outer rollback takes it along", async () => {
    await expect(
      unitOfWork(async (tx) => {
        await insert(tx, "outer");
        await groupedUnitOfWork((inner) => insert(inner, "inner"));
        throw new Error("outer rolls back");
      }),
    ).rejects.toThrow("outer rolls back");
    expect(values()).toEqual([]);
  });

  it("runs units queued in a later turn in a later transaction, after the earlier one", async () => {
    const first = groupedUnitOfWork((tx) => insert(tx, "first"));
    await new Promise((r) => setImmediate(r));
    const second = groupedUnitOfWork((tx) => insert(tx, "second"));
    await Promise.all([first, second]);
    expect(values()).toEqual(["first", "second"]);
    expect(walCommits()).toBe(2);
  });
});
