// Units of work (decision 0029): one commit each, nested units as savepoints that roll back alone,
// and never half of a unit kept when the engine ends its transaction underneath it.
import fs from "node:fs";
import { sql } from "kysely";
import { beforeEach, describe, expect, it } from "vitest";
import { db, engine, openReadOnly, unitOfWork, type Tx } from "~/platform/database.server";

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
const insert = (tx: Tx, v: string) => sql`insert into probe (v) values (${v})`.execute(tx);
const values = () => (engine().sqlite.prepare("select v from probe order by id").all() as { v: string }[]).map((r) => r.v);

beforeEach(() => {
  engine().sqlite.exec("create table if not exists probe (id integer primary key, v text not null); delete from probe;");
  engine().sqlite.pragma("wal_checkpoint(TRUNCATE)");
});

describe("units of work", () => {
  it("commit once each, and nobody outside sees a unit's writes before its commit", async () => {
    const other = openReadOnly(engine().path);
    await unitOfWork(async (tx) => {
      await insert(tx, "a");
      await insert(tx, "b");
      expect(other.prepare("select count(*) as n from probe").get()).toEqual({ n: 0 });
      // db() inside the unit is the unit itself: it reads its own writes.
      expect((await sql<{ n: number }>`select count(*) as n from probe`.execute(db())).rows).toEqual([{ n: 2 }]);
    });
    expect(other.prepare("select count(*) as n from probe").get()).toEqual({ n: 2 });
    other.close();
    expect(walCommits()).toBe(1);
    for (const v of ["c", "d"]) await unitOfWork((tx) => insert(tx, v));
    expect(walCommits()).toBe(3);
  });

  it("a nested unit that throws rolls back alone; the outer one goes on and commits", async () => {
    await unitOfWork(async (tx) => {
      await insert(tx, "outer");
      await expect(
        unitOfWork(async (inner) => {
          await insert(inner, "inner");
          throw new Error("refused");
        }),
      ).rejects.toThrow("refused");
      await unitOfWork((inner) => insert(inner, "second"));
    });
    expect(values()).toEqual(["outer", "second"]);
  });

  it("an outer unit that throws takes its nested units along", async () => {
    await expect(
      unitOfWork(async (tx) => {
        await insert(tx, "outer");
        await unitOfWork((inner) => insert(inner, "inner"));
        throw new Error("outer rolls back");
      }),
    ).rejects.toThrow("outer rolls back");
    expect(values()).toEqual([]);
  });

  it("reports the error that ended a unit's transaction, not the failed rollback after it", async () => {
    await expect(
      unitOfWork(async (tx) => {
        await insert(tx, "lost");
        await sql`rollback`.execute(tx);
        throw new Error("disk I/O error");
      }),
    ).rejects.toThrow("disk I/O error");
    expect(values()).toEqual([]);
  });

  it("keeps nothing of a unit whose transaction the engine ended (disk full, I/O), even if the caller goes on", async () => {
    // SQLite rolls a whole transaction back on some errors: simulated with a ROLLBACK in a nested unit
    // whose caller catches the error and carries on, as a caller of a refused nested unit may.
    await expect(
      unitOfWork(async (tx) => {
        await insert(tx, "before");
        await unitOfWork(async (inner) => {
          await sql`rollback`.execute(inner);
          throw new Error("disk I/O error");
        }).catch(() => {});
        await insert(tx, "after"); // outside any transaction now, were it not stopped
      }),
    ).rejects.toThrow("写入没有完成，请重试");
    expect(values()).toEqual([]);
    expect(engine().sqlite.inTransaction).toBe(false);
    await unitOfWork((tx) => insert(tx, "usable"));
    expect(values()).toEqual(["usable"]);
  });
});
