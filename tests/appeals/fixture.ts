// A village for appeal tests: the claims fixture (household A with the villager, household B where
// committee2 lives, committee1 without a household) plus committee3 (no household), and credited
// entries made through the real claim path (0 days of 公示: credited on approval).
import { approveClaim, claimRow, fileClaimBatch } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { insertUser } from "~/people/users.server";
import { claimVillage, setVillage } from "../claims/fixture";

let seq = 0;

export async function appealVillage(code: string) {
  const v = await claimVillage(code);
  await setVillage(v.villageId, 0, 1);
  seq++;
  const committee3 = await insertUser({
    phone: `1370000${String(seq).padStart(4, "0")}`, passwordHash: "x", displayName: "村委丙", memberId: null, mustChangePassword: false,
    roles: [{ role: "committee", villageId: v.villageId }],
  });
  return { ...v, committee3 };
}

export type AppealVillage = Awaited<ReturnType<typeof appealVillage>>;

export const as = (userId: number) => ({ userId, role: "committee" as const });

/**
 * A credited claim: filed by `filer` (the inspector by default) for member A (or `memberId`),
 * approved by committee1 (or `approver`). Returns the claim and its credit transaction.
 */
export async function credited(
  v: AppealVillage,
  over: Partial<{ ruleId: number; memberId: number; filer: number; filerRole: "inspector" | "committee"; approver: number }> = {},
): Promise<{ claimId: number; txnId: number }> {
  const [claimId] = await fileClaimBatch({
    villageId: v.villageId,
    filer: { userId: over.filer ?? v.inspector, role: over.filerRole ?? "inspector" },
    items: [{
      memberId: over.memberId ?? v.memberA, ruleId: over.ruleId ?? v.rules.litter, occurredAt: now() - 3600_000, quantity: 1, note: "门口堆放垃圾",
      photos: [{ file: `t/${Math.random()}.jpg`, mime: "image/jpeg", bytes: 10, cleanedAt: now() }],
    }],
  });
  await approveClaim(v.villageId, claimId, as(over.approver ?? v.committee1));
  const claim = await claimRow(claimId);
  if (claim.status !== "credited" || claim.credit_txn_id === null) throw new Error(`claim ${claimId} not credited: ${claim.status}`);
  return { claimId, txnId: claim.credit_txn_id };
}
