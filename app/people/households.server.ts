// Households and their members. Creating a household opens its points account in the same unit of work.
import { expressionBuilder, type Expression, type ExpressionBuilder } from "kysely";
import type { Database } from "../../db/schema";
import { now } from "~/platform/clock.server";
import { constant, db, unitOfWork } from "~/platform/database.server";
import { openHouseholdAccount } from "~/ledger/ledger.server";
import { containsText } from "~/platform/search.server";

export interface NewMemberInput {
  name: string;
  relation: string;
  phone?: string | null;
  canRedeem?: boolean; // default: may spend the household's points
}

export interface NewHouseholdInput {
  villageId: number;
  gridId: number | null;
  number: string;
  address: string;
  members: NewMemberInput[]; // the first member whose relation is 户主 becomes the head
}

function memberValues(villageId: number, householdId: number, m: NewMemberInput) {
  return {
    village_id: villageId, household_id: householdId, name: m.name, relation: m.relation, phone: m.phone ?? null,
    is_head: m.relation === "户主" ? 1 : 0, can_redeem: m.canRedeem === false ? 0 : 1, created_at: now(),
  };
}

// ---- writes (inside a unit of work) ---------------------------------------------------------------

/** A household, its points account and its members. */
export async function addHousehold(h: NewHouseholdInput): Promise<{ householdId: number; memberIds: number[] }> {
  const { id: householdId } = await db()
    .insertInto("households")
    .values({ village_id: h.villageId, grid_id: h.gridId, number: h.number, address: h.address, created_at: now() })
    .returning("id")
    .executeTakeFirstOrThrow();
  await openHouseholdAccount(h.villageId, householdId);
  const memberIds: number[] = [];
  // One at a time, in order: the ids follow the list (the head first where the caller put it first).
  for (const m of h.members) memberIds.push(await addMember(h.villageId, householdId, m));
  return { householdId, memberIds };
}

/** A member whose relation is 户主 becomes the head (the database allows one active head). */
export async function addMember(villageId: number, householdId: number, m: NewMemberInput): Promise<number> {
  const row = await db().insertInto("members").values(memberValues(villageId, householdId, m)).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** A household with its members in one step (its own unit of work, or a savepoint): db/seed, the bench and test fixtures. */
export function createHousehold(h: NewHouseholdInput): Promise<{ householdId: number; memberIds: number[] }> {
  return unitOfWork(() => addHousehold(h));
}

// ---- reads --------------------------------------------------------------------------------------

/** The name of the household's head (active), as a subquery: how a household is named to villagers. */
export function headNameOf(household: Expression<number>) {
  return expressionBuilder<Database>()
    .selectFrom("members as hm")
    .select("hm.name")
    .where("hm.household_id", "=", household)
    .where("hm.is_head", "=", constant(1))
    .where("hm.active", "=", constant(1));
}

// One household with its grid and current head, as every list and page shows it.
function households() {
  return db()
    .selectFrom("households")
    .leftJoin("grids", "grids.id", "households.grid_id")
    .select((eb) => [
      "households.id", "households.village_id", "households.grid_id", "grids.name as grid_name", "households.number",
      "households.address", headNameOf(eb.ref("households.id")).as("head_name"),
    ]);
}

export function getHousehold(id: number) {
  return households().where("households.id", "=", id).executeTakeFirst();
}

export type HouseholdRow = NonNullable<Awaited<ReturnType<typeof getHousehold>>>;

/** A page of the village's households matching q (户号, address, a member's name or phone), with active members counted. */
export async function searchHouseholds(villageId: number, q: string, page: number, pageSize = 30) {
  const matches = (eb: ExpressionBuilder<Database, "households">) =>
    q === ""
      ? eb("households.village_id", "=", villageId)
      : eb.and([
          eb("households.village_id", "=", villageId),
          eb.or([
            containsText(eb.ref("households.number"), q),
            containsText(eb.ref("households.address"), q),
            eb.exists(
              eb
                .selectFrom("members as sm")
                .select("sm.id")
                .whereRef("sm.household_id", "=", "households.id")
                .where((s) => s.or([containsText(s.ref("sm.name"), q), containsText(s.ref("sm.phone"), q)])),
            ),
          ]),
        ]);
  const { n: total } = await db()
    .selectFrom("households")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where(matches)
    .executeTakeFirstOrThrow();
  const rows = await households()
    .select((eb) =>
      eb
        .selectFrom("members as cm")
        .select((c) => c.fn.countAll<number>().as("n"))
        .whereRef("cm.household_id", "=", "households.id")
        .where("cm.active", "=", constant(1))
        .as("members"),
    )
    .where(matches)
    .orderBy("households.number")
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { rows: rows.map((r) => ({ ...r, members: r.members ?? 0 })), total };
}
