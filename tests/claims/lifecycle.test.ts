// A claim through every state: 待审核 → 已驳回; → 公示中 → 有异议 → (upheld) 已驳回 / (dismissed) 公示中
// → 已入账 → 已撤销; the 2-approval setting; maker-checker and own-household refusals; caps at approval.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  approveClaim, approveClaims, claimRow, creditDueClaims, fileClaimBatch, objectToClaim, rejectClaim, resolveObjection, revokeClaim, withdrawClaim,
} from "~/claims/claims.server";
import { clockControl, now } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { checkLedger } from "~/ledger/check.server";
import { award, householdBalance } from "~/ledger/ledger.server";
import { statementPage } from "~/ledger/statement.server";
import { claimVillage, setVillage, type ClaimVillage } from "./fixture";

const DAY = 86_400_000;
afterEach(() => clockControl.reset());

async function file(v: ClaimVillage, over: Partial<{ memberId: number; ruleId: number; quantity: number; userId: number; role: "villager" | "household_head" | "inspector" | "committee"; photos: boolean }> = {}): Promise<number> {
  const role = over.role ?? "household_head";
  return (await fileClaimBatch({
    villageId: v.villageId,
    filer: { userId: over.userId ?? v.villager, role },
    items: [{
      memberId: over.memberId ?? v.memberA, ruleId: over.ruleId ?? v.rules.sweep, occurredAt: now() - 3600_000, quantity: over.quantity ?? 1, note: "打扫村口",
      photos: over.photos ? [{ file: `t/${Math.random()}.jpg`, mime: "image/jpeg", bytes: 10, cleanedAt: now() }] : [],
    }],
  }))[0];
}

const c1 = (v: ClaimVillage) => ({ userId: v.committee1, role: "committee" as const });
const c2 = (v: ClaimVillage) => ({ userId: v.committee2, role: "committee" as const });
const ledgerOk = async () => expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);

describe("claim lifecycle", () => {
  it("pending → rejected with a reason, nothing credited", async () => {
    const v = await claimVillage("LC1");
    const id = await file(v);
    await rejectClaim(v.villageId, id, c1(v), "当天没有安排清扫");
    expect(await claimRow(id)).toMatchObject({ status: "rejected", reason: "当天没有安排清扫" });
    await expect(approveClaim(v.villageId, id, c1(v))).rejects.toThrow(/已驳回，不能再审核/);
    expect((await householdBalance(v.householdA)).balance).toBe(0);
  });

  it("approved → 公示中 until period end → credited by the scheduler → revoked with a reversal on the statement", async () => {
    const v = await claimVillage("LC2");
    await setVillage(v.villageId, 3, 1);
    const id = await file(v);
    expect(await approveClaim(v.villageId, id, c1(v))).toBe("approved");
    const c = await claimRow(id);
    expect(c.status).toBe("notice");
    expect(c.notice_until! - c.approved_at!).toBe(3 * DAY);
    expect(await creditDueClaims()).toBe(0);
    clockControl.set(c.notice_until! - 1);
    expect(await creditDueClaims()).toBe(0);
    clockControl.set(c.notice_until!);
    expect(await creditDueClaims()).toBe(1);
    expect(await creditDueClaims()).toBe(0);
    expect(await claimRow(id)).toMatchObject({ status: "credited" });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: 5 });
    await expect(revokeClaim(v.villageId, id, { userId: v.inspector, role: "inspector" }, "录错了")).rejects.toThrow(/只有村委委员可以撤销/);
    await revokeClaim(v.villageId, id, c1(v), "录错了");
    expect(await claimRow(id)).toMatchObject({ status: "revoked", reason: "录错了" });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: 0, score: 0 });
    const rows = (await statementPage(v.householdA, null, 1)).rows;
    expect(rows.map((r) => [r.kind, r.amount])).toEqual([["reversal", -5], ["award", 5]]);
    expect(rows[0].memo).toContain("撤销申报");
    await expect(revokeClaim(v.villageId, id, c1(v), "再撤")).rejects.toThrow(/只有已入账/);
    await ledgerOk();
  });

  it("objection upheld rejects the claim; dismissed lets it continue to credit; one objection per villager", async () => {
    const v = await claimVillage("LC3");
    await setVillage(v.villageId, 2, 1);
    const upheld = await file(v);
    const dismissed = await file(v);
    await approveClaim(v.villageId, upheld, c1(v));
    await approveClaim(v.villageId, dismissed, c1(v));
    // committee2 lives in household B: a villager of the village, may object
    const o1 = await objectToClaim(v.villageId, upheld, v.committee2, "那天他在外地");
    await expect(objectToClaim(v.villageId, upheld, v.committee2, "再提一次")).rejects.toThrow(/已经对这条公示提过异议/);
    expect((await claimRow(upheld)).status).toBe("objected");
    await expect(resolveObjection(v.villageId, o1, c2(v), "uphold", "自己处理")).rejects.toThrow(/不能处理自己提出的异议/);
    await resolveObjection(v.villageId, o1, c1(v), "uphold", "核实属实");
    expect(await claimRow(upheld)).toMatchObject({ status: "rejected", reason: "异议成立：核实属实" });

    const o2 = await objectToClaim(v.villageId, dismissed, v.committee2, "有疑问");
    clockControl.set((await claimRow(dismissed)).notice_until! + 1);
    expect(await creditDueClaims()).toBe(0); // an open objection holds the credit
    await expect(objectToClaim(v.villageId, dismissed, v.villager, "过期了")).rejects.toThrow(/不在公示期内/);
    await resolveObjection(v.villageId, o2, c1(v), "dismiss", "经核实，确有其事");
    expect((await claimRow(dismissed)).status).toBe("credited"); // the period had ended: credited on dismissal
    expect((await householdBalance(v.householdA)).balance).toBe(5);
    await ledgerOk();
  });

  it("two approvals when the village asks for two; 0 days of 公示 credits at once", async () => {
    const v = await claimVillage("LC4");
    await setVillage(v.villageId, 0, 2);
    const id = await file(v, { ruleId: v.rules.litter, memberId: v.memberA2, userId: v.inspector, role: "inspector", photos: true });
    expect(await approveClaim(v.villageId, id, c1(v))).toBe("needs_more");
    expect((await claimRow(id)).status).toBe("pending");
    await expect(approveClaim(v.villageId, id, c1(v))).rejects.toThrow(/你已经审核通过了这条申报/);
    // a third committee member is needed since committee2 is fine here (claim is household A's)
    expect(await approveClaim(v.villageId, id, c2(v))).toBe("credited");
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: -5, score: -5 });
    await ledgerOk();
  });

  it("maker-checker and own household are refused; villagers cannot file deductions", async () => {
    const v = await claimVillage("LC5");
    const own = await file(v, { memberId: v.memberB, userId: v.inspector, role: "inspector" });
    await expect(approveClaim(v.villageId, own, c2(v))).rejects.toThrow(/不能审核本户的申报/);
    await expect(rejectClaim(v.villageId, own, c2(v), "x")).rejects.toThrow(/不能审核本户的申报/);
    const mine = await file(v, { userId: v.committee1, role: "committee" });
    await expect(approveClaim(v.villageId, mine, c1(v))).rejects.toThrow(/不能审核自己提交的申报/);
    await expect(approveClaim(v.villageId, mine, { userId: v.inspector, role: "inspector" })).rejects.toThrow(/只有村委委员/);
    await expect(file(v, { ruleId: v.rules.litter, photos: true })).rejects.toThrow(/扣分只能由检查员或村委登记/);
    const batch = await approveClaims(v.villageId, [own, mine], c1(v));
    expect(batch.approved).toEqual([own]);
    expect(batch.failed).toEqual([{ claimId: mine, message: "不能审核自己提交的申报，请由另一位村委委员审核" }]);
  });

  it("caps count claims waiting for review at filing, so a villager cannot pile them up", async () => {
    const v = await claimVillage("LC7");
    const ids = [await file(v, { ruleId: v.rules.capped }), await file(v, { ruleId: v.rules.capped })];
    await expect(file(v, { ruleId: v.rules.capped })).rejects.toThrow("超出上限：这条细则该成员每月最多 20 分，当月已有 20 分（含待审核），还剩 0 分，本次 10 分");
    // a rejected claim frees its share
    await rejectClaim(v.villageId, ids[1], c1(v), "当天没有安排");
    await file(v, { ruleId: v.rules.capped });
    await file(v, { ruleId: v.rules.capped, memberId: v.memberA2 }); // another member: own cap
  });

  it("caps are checked again at approval and name what remains", async () => {
    const v = await claimVillage("LC6");
    // Filed while the cap was 30; the village then lowered it to 20 before the committee reviewed.
    await sqlOn().run("update rules set cap_member_month = 30 where id = ?", v.rules.capped);
    const ids = [await file(v, { ruleId: v.rules.capped }), await file(v, { ruleId: v.rules.capped }), await file(v, { ruleId: v.rules.capped })];
    await sqlOn().run("update rules set cap_member_month = 20 where id = ?", v.rules.capped);
    await approveClaim(v.villageId, ids[0], c1(v));
    await approveClaim(v.villageId, ids[1], c1(v));
    await expect(approveClaim(v.villageId, ids[2], c1(v))).rejects.toThrow("超出上限：这条细则该成员每月最多 20 分，当月已有 20 分，还剩 0 分，本次 10 分");
    expect((await claimRow(ids[2])).status).toBe("pending");
    // filing now sees the approved ones
    await expect(file(v, { ruleId: v.rules.capped })).rejects.toThrow(/还剩 0 分/);
  });
  it("a claim in 公示 can be withdrawn by the committee: rejected with the reason, open objections closed, nothing credited", async () => {
    const v = await claimVillage("LC8");
    await setVillage(v.villageId, 2, 1);
    const id = await file(v);
    await approveClaim(v.villageId, id, c1(v));
    await objectToClaim(v.villageId, id, v.committee2, "那天没见他来");
    await expect(withdrawClaim(v.villageId, id, { userId: v.inspector, role: "inspector" }, "改分")).rejects.toThrow(/只有村委委员/);
    await withdrawClaim(v.villageId, id, c1(v), "复查后重新评分");
    expect(await claimRow(id)).toMatchObject({ status: "rejected", reason: "复查后重新评分" });
    expect(await sqlOn().all("select status, resolution from objections where claim_id = ? order by id", id)).toEqual([{ status: "upheld", resolution: "申报已撤回：复查后重新评分" }]);
    clockControl.advance(3 * DAY);
    await creditDueClaims();
    expect((await householdBalance(v.householdA)).balance).toBe(0);
    await expect(withdrawClaim(v.villageId, id, c1(v), "再撤")).rejects.toThrow(/只有公示中的申报可以撤回/);
    await ledgerOk();
  });

  // Last in the file: the broken claim stays in 公示 and every later scheduler run would log it again.
  it("a claim that cannot be credited does not hold up the claims after it", async () => {
    const v = await claimVillage("LC9");
    await setVillage(v.villageId, 1, 1);
    const [bad, good] = [await file(v), await file(v, { memberId: v.memberA2 })];
    for (const id of [bad, good]) await approveClaim(v.villageId, id, c1(v));
    // Another request already used the first claim's ledger key: crediting it is an idempotency conflict.
    await award({ householdId: v.householdA, amount: 99, idemKey: `claim:${bad}:credit`, actor: { userId: null, role: "system" }, memberId: v.memberA, memo: "测试" });
    clockControl.set((await claimRow(good)).notice_until!);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await creditDueClaims()).toBe(1);
    errors.mockRestore();
    expect((await claimRow(bad)).status).toBe("notice");
    expect((await claimRow(good)).status).toBe("credited");
  });
});
