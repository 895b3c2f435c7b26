// Township, villages and grids.
import { now } from "~/platform/clock.server";
import { engine, transact, stmt } from "~/platform/database.server";
import { issuanceAccountId } from "~/ledger/ledger.server";

export function ensureTownship(name: string): number {
  const sqlite = engine().sqlite;
  const row = sqlite.prepare("select id from townships order by id limit 1").get() as { id: number } | undefined;
  if (row) return row.id;
  return Number(sqlite.prepare("insert into townships (name, created_at) values (?, ?)").run(name, now()).lastInsertRowid);
}

export function townshipName(): string {
  const row = stmt("select name from townships order by id limit 1").get() as { name: string } | undefined;
  return row?.name ?? "";
}

/** Creates a village with its issuance account in one transaction. */
export function createVillage(input: { townshipId: number; name: string; code: string; noticeDays?: number }): number {
  return transact(() => {
    const id = Number(
      stmt("insert into villages (township_id, name, code, notice_days, created_at) values (?, ?, ?, ?, ?)")
        .run(input.townshipId, input.name, input.code, input.noticeDays ?? 3, now()).lastInsertRowid,
    );
    issuanceAccountId(id);
    return id;
  });
}

export function ensureGrid(villageId: number, name: string): number {
  const sqlite = engine().sqlite;
  const row = sqlite.prepare("select id from grids where village_id = ? and name = ?").get(villageId, name) as { id: number } | undefined;
  if (row) return row.id;
  return Number(sqlite.prepare("insert into grids (village_id, name) values (?, ?)").run(villageId, name).lastInsertRowid);
}

export interface VillageRow {
  id: number;
  name: string;
  code: string;
  notice_days: number;
}

export function getVillage(id: number): VillageRow | undefined {
  return stmt("select id, name, code, notice_days from villages where id = ?").get(id) as VillageRow | undefined;
}

export function listVillages(): (VillageRow & { households: number })[] {
  return stmt(
      `select v.id, v.name, v.code, v.notice_days, (select count(*) from households h where h.village_id = v.id) as households
       from villages v order by v.id`,
    )
    .all() as (VillageRow & { households: number })[];
}

/** Grids in the order they were created (第一, 第二, ... rather than by character code). */
export function listGrids(villageId: number): { id: number; name: string }[] {
  return stmt("select id, name from grids where village_id = ? order by id").all(villageId) as { id: number; name: string }[];
}
