// Township, villages and grids.
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import { issuanceAccountId } from "~/ledger/ledger.server";

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
  await issuanceAccountId(id);
  return id;
}

export async function addGrid(villageId: number, name: string): Promise<number> {
  return (await db().insertInto("grids").values({ village_id: villageId, name }).returning("id").executeTakeFirstOrThrow()).id;
}

// ---- places in one step, for db/seed, the bench and test fixtures -------------------------------
// Each runs as its own unit of work, or joins the caller's as a savepoint.

export function ensureTownship(name: string): Promise<number> {
  return unitOfWork(() => findOrAddTownship(name));
}

export function createVillage(input: { townshipId: number; name: string; code: string; noticeDays?: number }): Promise<number> {
  return unitOfWork(() => addVillage({ noticeDays: 3, ...input }));
}

/** The village's grid of this name, added when missing. */
export function ensureGrid(villageId: number, name: string): Promise<number> {
  return unitOfWork(async () => {
    const row = await db().selectFrom("grids").select("id").where("village_id", "=", villageId).where("name", "=", name).executeTakeFirst();
    return row ? row.id : addGrid(villageId, name);
  });
}
