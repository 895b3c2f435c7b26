// What a household head manages for their own household: which members may spend its points.
import { z } from "zod";
import { fail, formIdSchema, notFound, type Outcome, type StaffActor } from "~/platform/forms.server";
import { audit } from "~/audit/audit.server";
import { stmt, transact } from "~/platform/database.server";

export const canRedeemSchema = z.object({
  memberId: formIdSchema,
  canRedeem: z.enum(["0", "1"], { error: "请求有误，请刷新页面后再试" }).transform((v) => v === "1"),
});

export interface HouseholdMember {
  id: number;
  name: string;
  relation: string;
  is_head: number;
  can_redeem: number;
  has_login: number;
}

export function householdMembers(householdId: number): HouseholdMember[] {
  return stmt(
    `select m.id, m.name, m.relation, m.is_head, m.can_redeem, (u.id is not null and u.disabled = 0) as has_login
     from members m left join users u on u.member_id = m.id
     where m.household_id = ? and m.active = 1 order by m.is_head desc, m.id`,
  ).all(householdId) as HouseholdMember[];
}

/** The head allows or stops a member of their own household spending the household's points. */
export function setCanRedeem(actor: StaffActor, householdId: number, memberId: number, canRedeem: boolean): Outcome<{ name: string }> {
  const member = stmt("select id, name, is_head, can_redeem from members where id = ? and household_id = ? and active = 1").get(memberId, householdId) as
    | { id: number; name: string; is_head: number; can_redeem: number }
    | undefined;
  if (!member) notFound();
  if (member.is_head === 1 && !canRedeem) return fail("_form", "户主本人总是可以兑换");
  if ((member.can_redeem === 1) === canRedeem) return { ok: true, name: member.name };
  transact(() => {
    stmt("update members set can_redeem = ? where id = ?").run(canRedeem ? 1 : 0, memberId);
    audit({
      actorUserId: actor.userId, actorRole: actor.role, villageId: actor.villageId, action: "member.can_redeem",
      targetType: "member", targetId: memberId, before: { can_redeem: member.can_redeem === 1 }, after: { can_redeem: canRedeem },
    });
  });
  return { ok: true, name: member.name };
}
