// Township, villages and grids.
import { now } from "~/platform/clock.server";
import { db, engine, transact, stmt } from "~/platform/database.server";
import { issuanceAccountId } from "~/ledger/ledger.server";

// ---- the synchronous versions (to be removed) ---------------------------------------------------
// db/seed and scripts/bench (dataset.ts, ledger-ratio.ts) build their data inside one synchronous
// transaction and cannot await yet; the app uses the units of work further down.

/** @deprecated For db/seed and the bench inside `transact`; the app uses `findOrAddTownship`. */
export function ensureTownship(name: string): number {
  const sqlite = engine().sqlite;
  const row = sqlite.prepare("select id from townships order by id limit 1").get() as { id: number } | undefined;
  if (row) return row.id;
  return Number(sqlite.prepare("insert into townships (name, created_at) values (?, ?)").run(name, now()).lastInsertRowid);
}

/** Creates a village with its issuance account in one transaction. @deprecated For db/seed and the bench; the app uses `addVillage`. */
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

/** @deprecated For db/seed and the bench inside `transact`; the app uses `addGrid`. */
export function ensureGrid(villageId: number, name: string): number {
  const sqlite = engine().sqlite;
  const row = sqlite.prepare("select id from grids where village_id = ? and name = ?").get(villageId, name) as { id: number } | undefined;
  if (row) return row.id;
  return Number(sqlite.prepare("insert into grids (village_id, name) values (?, ?)").run(villageId, name).lastInsertRowid);
}

// ---- reads --------------------------------------------------------------------------------------

export async function townshipName(): Promise<string> {
  const row = await db().selectFrom("townships").select("name").orderBy("id").limit(1).executeTakeFirst();
  return row?.name ?? "";
}

export function getVillage(id: number) {
  return db().selectFrom("villages").select(["id", "name", "code", "notice_days"]).where("id", "=", id).executeTakeFirst();
}

export type VillageRow = NonNullable<Awaited<ReturnType<typeof getVillage>>>;

/** Grids in the order they were created (第一, 第二, ... rather than by character code). */
export function listGrids(villageId: number) {
  return db().selectFrom("grids").select(["id", "name"]).where("village_id", "=", villageId).orderBy("id").execute();
}

// ---- writes (inside a unit of work) ---------------------------------------------------------------

/** The township (one per deployment), created with this name when there is none yet. */
export async function findOrAddTownship(name: string): Promise<number> {
  const row = await db().selectFrom("townships").select("id").orderBy("id").limit(1).executeTakeFirst();
  if (row) return row.id;
  return (await db().insertInto("townships").values({ name, created_at: now() }).returning("id").executeTakeFirstOrThrow()).id;
}

/** A new village and its issuance account. */
export async function addVillage(input: { townshipId: number; name: string; code: string; noticeDays: number }): Promise<number> {
  const { id } = await db()
    .insertInto("villages")
    .values({ township_id: input.townshipId, name: input.name, code: input.code, notice_days: input.noticeDays, created_at: now() })
    .returning("id")
    .executeTakeFirstOrThrow();
  issuanceAccountId(id);
  return id;
}

export async function addGrid(villageId: number, name: string): Promise<number> {
  return (await db().insertInto("grids").values({ village_id: villageId, name }).returning("id").executeTakeFirstOrThrow()).id;
}
