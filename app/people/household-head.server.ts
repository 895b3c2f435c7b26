// What a household head manages for their own household: which members may spend its points.
import { z } from "zod";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { constant, db, unitOfWork } from "~/platform/database.server";

export const canRedeemSchema = z.object({
  memberId: formIdSchema,
  canRedeem: z.enum(["0", "1"], { error: "请求有误，请刷新页面后再试" }).transform((v) => v === "1"),
});

/**
 * The household's active members, the head first; has_login is 1 for a login that is not disabled
 * (a CASE of literals: a condition in the select list would be 0/1 on SQLite but a boolean on
 * PostgreSQL, and bound parameters in a CASE would come back as text there).
 */
export function householdMembers(householdId: number) {
  return db()
    .selectFrom("members as m")
    .leftJoin("users as u", "u.member_id", "m.id")
    .select((eb) => [
      "m.id", "m.name", "m.relation", "m.is_head", "m.can_redeem",
      eb.case().when(eb.and([eb("u.id", "is not", null), eb("u.disabled", "=", 0)])).then(eb.lit(1)).else(eb.lit(0)).end().as("has_login"),
    ])
    .where("m.household_id", "=", householdId)
    .where("m.active", "=", constant(1))
    .orderBy("m.is_head", "desc")
    .orderBy("m.id")
    .execute();
}

export type HouseholdMember = Awaited<ReturnType<typeof householdMembers>>[number];

/** The head allows or stops a member of their own household spending the household's points. */
export function setCanRedeem(actor: StaffActor, householdId: number, memberId: number, canRedeem: boolean): Promise<Outcome<{ name: string }>> {
  return unitOfWork<Outcome<{ name: string }>>(async () => {
    const member = await db()
      .selectFrom("members")
      .select(["id", "name", "is_head", "can_redeem"])
      .where("id", "=", memberId)
      .where("household_id", "=", householdId)
      .where("active", "=", constant(1))
      .executeTakeFirst();
    if (!member) notFound();
    if (member.is_head === 1 && !canRedeem) return fail("_form", "户主本人总是可以兑换");
    if ((member.can_redeem === 1) === canRedeem) return { ok: true, name: member.name };
    await db().updateTable("members").set({ can_redeem: canRedeem ? 1 : 0 }).where("id", "=", memberId).execute();
    await audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "member.can_redeem",
      targetType: "member", targetId: memberId, before: { can_redeem: member.can_redeem === 1 }, after: { can_redeem: canRedeem },
    });
    return { ok: true, name: member.name };
  });
}
