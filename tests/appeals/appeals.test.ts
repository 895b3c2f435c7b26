// Appeals (申诉) after credit: filing inside and after the village's period, each outcome's ledger
// effect (balance, score, reversal links), who may decide, a decision made twice at once, two
// appeals on one entry, an entry already reversed, and bad input (Chinese, nothing written).
import { afterEach, describe, expect, it } from "vitest";
import { appealableEntries, decideAppeal, fileAppeal, householdEntry } from "~/appeals/appeals.server";
import { decideFromForm } from "~/appeals/forms.server";
import { claimRow, revokeClaim } from "~/claims/claims.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { statementPage } from "~/ledger/statement.server";
import { clockControl, now } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { sqlOn } from "../support/sql";
import { appealVillage, as, credited, type AppealVillage } from "./fixture";

const DAY = 86_400_000;
afterEach(() => clockControl.reset());

const q = () => sqlOn();
const ledgerOk = async () => expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);

function appeal(v: AppealVillage, txnId: number, over: Partial<{ reason: string; householdId: number; userId: number }> = {}) {
  return fileAppeal({
    householdId: over.householdId ?? v.householdA, userId: over.userId ?? v.villager, role: "household_head", txnId,
    reason: over.reason ?? "那天我在外地打工，垃圾不是我家的", photos: [],
  });
}

/** Rows that a refused request must leave alone. */
async function counts() {
  const n = async (t: string) => (await q().value<number>(`select count(*) as n from ${t}`))!;
  return { appeals: await n("appeals"), photos: await n("appeal_photos"), txns: await n("ledger_transactions"), audit: await n("audit_log") };
}

describe("filing an appeal", () => {
  it("inside the period; after it, or with appeals off, refused in Chinese", async () => {
    const v = await appealVillage("AP1");
    const early = await credited(v);
    const late = await credited(v);
    expect((await appealableEntries(v.householdA)).map((e) => e.txnId).sort()).toEqual([early.txnId, late.txnId].sort());
    const id = await appeal(v, early.txnId);
    expect(await q().get("select status, points, claim_id, household_id from appeals where id = ?", id)).toEqual({ status: "pending", points: -5, claim_id: early.claimId, household_id: v.householdA });
    expect(await q().value("select count(*) as n from audit_log where action = 'appeal.file' and target_id = ?", String(id))).toBe(1);
    // The statement says so, and no longer offers 申诉 for it.
    const rows = (await statementPage(v.householdA, null, 1)).rows;
    expect(rows.find((r) => r.txnId === early.txnId)).toMatchObject({ appeal: { id, status: "pending" }, appealable: false });
    expect(rows.find((r) => r.txnId === late.txnId)).toMatchObject({ appeal: null, appealable: true });

    // Day 30 after credit: the period (30 days) is over.
    const txnAt = (await q().value<number>("select created_at from ledger_transactions where id = ?", late.txnId))!;
    clockControl.set(txnAt + 30 * DAY - 1);
    expect((await householdEntry(v.householdA, late.txnId)).refusal).toBeNull();
    clockControl.set(txnAt + 30 * DAY);
    const before = await counts();
    await expect(appeal(v, late.txnId)).rejects.toThrow("已超过申诉期限：入账后 30 天内可以申诉");
    expect((await statementPage(v.householdA, null, 1)).rows.find((r) => r.txnId === late.txnId)?.appealable).toBe(false);
    // A longer period set by the village opens it again; 0 closes appeals.
    await q().run("update villages set appeal_days = 60 where id = ?", v.villageId);
    expect((await householdEntry(v.householdA, late.txnId)).refusal).toBeNull();
    await q().run("update villages set appeal_days = 0 where id = ?", v.villageId);
    await expect(appeal(v, late.txnId)).rejects.toThrow("本村没有开放申诉");
    expect(await appealableEntries(v.householdA)).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it("only the household's own award or deduction: another household's entry is not found", async () => {
    const v = await appealVillage("AP2");
    const b = await credited(v, { memberId: v.memberB, ruleId: v.rules.sweep });
    await expect(appeal(v, b.txnId)).rejects.toThrow("找不到这条积分记录");
    await expect(appeal(v, 999_999)).rejects.toThrow("找不到这条积分记录");
  });

  it("two appeals on one entry: the second is refused, also when both are sent at once", async () => {
    const v = await appealVillage("AP3");
    const one = await credited(v);
    await appeal(v, one.txnId);
    await expect(appeal(v, one.txnId, { reason: "再申诉一次" })).rejects.toThrow("这条记录已经申诉过了");
    const two = await credited(v);
    const both = await Promise.allSettled([appeal(v, two.txnId), appeal(v, two.txnId, { reason: "同时点了两次" })]);
    expect(both.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason.message).toBe("这条记录已经申诉过了");
    expect(await q().value("select count(*) as n from appeals where txn_id = ?", two.txnId)).toBe(1);
  });

  it("an entry already reversed (the claim revoked) cannot be appealed", async () => {
    const v = await appealVillage("AP4");
    const c = await credited(v);
    await revokeClaim(v.villageId, c.claimId, as(v.committee1), "录错了户");
    const before = await counts();
    await expect(appeal(v, c.txnId)).rejects.toThrow("这条记录已经冲正，不能再申诉");
    // The reversal itself is not an award or deduction.
    const reversal = (await q().value<number>("select id from ledger_transactions where reverses_id = ?", c.txnId))!;
    await expect(appeal(v, reversal)).rejects.toThrow("只有奖励和扣分的记录可以申诉");
    expect(await counts()).toEqual(before);
  });

  it("bad input: an empty or over-long reason, in Chinese, nothing written", async () => {
    const v = await appealVillage("AP5");
    const c = await credited(v);
    const before = await counts();
    await expect(appeal(v, c.txnId, { reason: "" })).rejects.toThrow("请填写申诉理由");
    await expect(appeal(v, c.txnId, { reason: "长".repeat(201) })).rejects.toThrow("申诉理由最多 200 个字");
    expect(await counts()).toEqual(before);
  });
});

describe("deciding", () => {
  it("维持 (uphold): nothing moves; the statement says 维持", async () => {
    const v = await appealVillage("AD1");
    const c = await credited(v);
    const id = await appeal(v, c.txnId);
    const before = await householdBalance(v.householdA);
    const txns = (await counts()).txns;
    expect(await decideAppeal(v.villageId, id, as(v.committee2), { verdict: "uphold", note: "有照片为证，扣分属实" })).toBe("upheld");
    expect(await householdBalance(v.householdA)).toEqual(before);
    expect((await counts()).txns).toBe(txns);
    expect(await q().get("select status, decided_by_user_id, decision_note, reversal_txn_id from appeals where id = ?", id)).toEqual({
      status: "upheld", decided_by_user_id: v.committee2, decision_note: "有照片为证，扣分属实", reversal_txn_id: null,
    });
    expect((await claimRow(c.claimId)).status).toBe("credited");
    expect((await statementPage(v.householdA, null, 1)).rows.find((r) => r.txnId === c.txnId)?.appeal).toMatchObject({ status: "upheld" });
    await expect(decideAppeal(v.villageId, id, as(v.committee3), { verdict: "revoke", note: "再改" })).rejects.toThrow("这条申诉已经处理过了");
  });

  it("撤销 (revoke): a reversal pointing at the original; balance and score restored; the claim reads 已撤销", async () => {
    const v = await appealVillage("AD2");
    const c = await credited(v);
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: -5, score: -5 });
    const id = await appeal(v, c.txnId);
    await decideAppeal(v.villageId, id, as(v.committee2), { verdict: "revoke", note: "核实不是他家扔的" });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: 0, score: 0 });
    const a = (await q().get<{ status: string; reversal_txn_id: number; new_txn_id: number | null }>("select status, reversal_txn_id, new_txn_id from appeals where id = ?", id))!;
    expect(a).toMatchObject({ status: "revoked", new_txn_id: null });
    expect(await q().get("select kind, reverses_id, actor_user_id from ledger_transactions where id = ?", a.reversal_txn_id)).toEqual({ kind: "reversal", reverses_id: c.txnId, actor_user_id: v.committee2 });
    expect(await claimRow(c.claimId)).toMatchObject({ status: "revoked", revoke_txn_id: a.reversal_txn_id });
    // The claim cannot be revoked a second time through the review page.
    await expect(revokeClaim(v.villageId, c.claimId, as(v.committee1), "再撤")).rejects.toThrow(/只有已入账/);
    const rows = (await statementPage(v.householdA, null, 1)).rows;
    expect(rows[0]).toMatchObject({ kind: "reversal", amount: 5, appealable: false });
    expect(rows[0].memo).toBe("申诉改判：撤销“乱扔垃圾”：核实不是他家扔的");
    expect(rows.find((r) => r.txnId === c.txnId)).toMatchObject({ reversed: 1, appeal: { status: "revoked" } });
    expect(await q().value("select count(*) as n from audit_log where action = 'appeal.revoke' and target_id = ?", String(id))).toBe(1);
    await ledgerOk();
  });

  it("改为 (modify) a deduction: a reversal and a new deduction of the new points, both in one go", async () => {
    const v = await appealVillage("AD3");
    const c = await credited(v);
    const id = await appeal(v, c.txnId);
    await decideAppeal(v.villageId, id, as(v.committee3), { verdict: "modify", note: "情节较轻，改扣 2 分", newPoints: -2 });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: -2, score: -2 });
    const a = (await q().get<{ status: string; new_points: number; reversal_txn_id: number; new_txn_id: number }>("select status, new_points, reversal_txn_id, new_txn_id from appeals where id = ?", id))!;
    expect(a).toMatchObject({ status: "modified", new_points: -2 });
    expect(await q().get("select kind, reverses_id from ledger_transactions where id = ?", a.reversal_txn_id)).toEqual({ kind: "reversal", reverses_id: c.txnId });
    expect(await q().get("select kind, cause_kind, cause_id, reverses_id from ledger_transactions where id = ?", a.new_txn_id)).toEqual({ kind: "deduction", cause_kind: "appeal", cause_id: id, reverses_id: null });
    const rows = (await statementPage(v.householdA, null, 1)).rows;
    const fresh = rows.find((r) => r.txnId === a.new_txn_id)!;
    expect(fresh).toMatchObject({ amount: -2, appealable: false });
    expect(fresh.memo).toBe("申诉改判：“乱扔垃圾”改为 -2 分：情节较轻，改扣 2 分");
    expect(rows.find((r) => r.txnId === a.reversal_txn_id)!.memo).toBe("申诉改判：“乱扔垃圾”原 -5 分冲正");
    expect(rows.find((r) => r.txnId === c.txnId)).toMatchObject({ appeal: { status: "modified", newPoints: -2 } });
    // The new entry is the committee's answer to the appeal: it cannot be appealed again.
    await expect(appeal(v, a.new_txn_id)).rejects.toThrow("这是申诉处理后的记录，不能再申诉");
    await ledgerOk();
  });

  it("改为 (modify) an award: balance and score follow the new points", async () => {
    const v = await appealVillage("AD4");
    const c = await credited(v, { ruleId: v.rules.capped }); // +10
    const id = await appeal(v, c.txnId, { reason: "我们帮了两次，应该多给" });
    await decideAppeal(v.villageId, id, as(v.committee2), { verdict: "modify", note: "核实帮扶两次", newPoints: 20 });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: 20, score: 20 });
    await ledgerOk();
  });

  it("the new points must be an award for an award and a deduction for a deduction, and differ from the original", async () => {
    const v = await appealVillage("AD5");
    const c = await credited(v);
    const id = await appeal(v, c.txnId);
    const before = await counts();
    const by = as(v.committee2);
    await expect(decideAppeal(v.villageId, id, by, { verdict: "modify", note: "改", newPoints: 3 })).rejects.toThrow("原来是扣分，改后也应是扣分（负数）");
    await expect(decideAppeal(v.villageId, id, by, { verdict: "modify", note: "改", newPoints: -5 })).rejects.toThrow("改后的分值和原来一样");
    await expect(decideAppeal(v.villageId, id, by, { verdict: "modify", note: "改", newPoints: 0 })).rejects.toThrow(/改后的分值应为 1 到 9999 的整数/);
    await expect(decideAppeal(v.villageId, id, by, { verdict: "modify", note: "改", newPoints: null })).rejects.toThrow("请填写改后的分值");
    await expect(decideAppeal(v.villageId, id, by, { verdict: "revoke", note: "" })).rejects.toThrow("请填写处理理由");
    // Through the form: full-width digits and a full-width minus are numbers; markup, words and huge notes are refused.
    const form = (raw: Record<string, string>) => decideFromForm(v.villageId, id, by, raw);
    expect(await form({ verdict: "modify", note: "改", newPoints: "abc" })).toMatchObject({ ok: false, errors: { newPoints: "改后的分值应为 1 到 9999 的整数，扣分填负数" } });
    expect(await form({ verdict: "modify", note: "改", newPoints: "" })).toMatchObject({ ok: false, errors: { newPoints: "请填写改后的分值" } });
    expect(await form({ verdict: "maybe", note: "改" })).toMatchObject({ ok: false, errors: { verdict: "请选择处理结果" } });
    expect(await form({ verdict: "revoke", note: "<script>alert(1)</script>" })).toMatchObject({ ok: false, errors: { note: "处理理由不能包含 < 或 > 符号" } });
    expect(await form({ verdict: "revoke", note: "长".repeat(201) })).toMatchObject({ ok: false, errors: { note: "处理理由最多 200 个字" } });
    expect(await form({ verdict: "modify", note: "改", newPoints: "５" })).toMatchObject({ ok: false, errors: { newPoints: expect.stringContaining("原来是扣分") } });
    expect(await counts()).toEqual(before);
    expect(await form({ verdict: "modify", note: "改扣三分", newPoints: "－３" })).toMatchObject({ ok: true });
    expect(await householdBalance(v.householdA)).toMatchObject({ balance: -3 });
  });
});

describe("who may decide", () => {
  it("not the claim's approver, filer or the appealing household; not a non-committee role", async () => {
    const v = await appealVillage("AW1");
    const c = await credited(v, { filer: v.committee3, filerRole: "committee" }); // filed by committee3, approved by committee1
    const id = await appeal(v, c.txnId);
    const before = await counts();
    await expect(decideAppeal(v.villageId, id, as(v.committee1), { verdict: "revoke", note: "x" })).rejects.toThrow("你参与了原来的审核，请由另一位村委委员处理");
    await expect(decideAppeal(v.villageId, id, as(v.committee3), { verdict: "revoke", note: "x" })).rejects.toThrow("原申报是你提交的，请由另一位村委委员处理");
    await expect(decideAppeal(v.villageId, id, { userId: v.inspector, role: "inspector" }, { verdict: "revoke", note: "x" })).rejects.toThrow("只有村委委员可以处理申诉");
    await expect(decideAppeal(v.villageId + 1000, id, as(v.committee2), { verdict: "revoke", note: "x" })).rejects.toThrow("找不到这条申诉");
    expect(await counts()).toEqual(before);
    await decideAppeal(v.villageId, id, as(v.committee2), { verdict: "uphold", note: "属实" });

    // Household B's appeal: committee2 lives there.
    const b = await credited(v, { memberId: v.memberB });
    const idB = await appeal(v, b.txnId, { householdId: v.householdB, userId: v.committee2 });
    await expect(decideAppeal(v.villageId, idB, as(v.committee2), { verdict: "revoke", note: "x" })).rejects.toThrow("这是本户的申诉，请由另一位村委委员处理");
    await decideAppeal(v.villageId, idB, as(v.committee3), { verdict: "revoke", note: "核实有误" });
    expect((await householdBalance(v.householdB)).balance).toBe(0);
  });

  it("an objection's resolver on the original claim decided it too", async () => {
    const v = await appealVillage("AW2");
    await q().run("update villages set notice_days = 1 where id = ?", v.villageId);
    const { fileClaimBatch, approveClaim, objectToClaim, resolveObjection, creditDueClaims } = await import("~/claims/claims.server");
    const [claimId] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" },
      items: [{ memberId: v.memberA, ruleId: v.rules.sweep, occurredAt: now() - 3600_000, quantity: 1, note: "" }],
    });
    await approveClaim(v.villageId, claimId, as(v.committee1));
    const o = await objectToClaim(v.villageId, claimId, v.committee2, "有疑问");
    await resolveObjection(v.villageId, o, as(v.committee3), "dismiss", "核实属实");
    clockControl.set(now() + 2 * DAY);
    await creditDueClaims();
    const txnId = (await claimRow(claimId)).credit_txn_id!;
    const id = await appeal(v, txnId);
    await expect(decideAppeal(v.villageId, id, as(v.committee3), { verdict: "revoke", note: "x" })).rejects.toThrow("你参与了原来的审核");
  });
});

describe("races", () => {
  it("two committee members decide the same appeal at once: it is decided once and points move once", async () => {
    const v = await appealVillage("AR1");
    for (let round = 0; round < 3; round++) {
      const c = await credited(v);
      const id = await appeal(v, c.txnId);
      const before = await householdBalance(v.householdA);
      const txns = (await counts()).txns;
      const outs = await Promise.allSettled([
        decideAppeal(v.villageId, id, as(v.committee2), { verdict: "revoke", note: "核实有误" }),
        decideAppeal(v.villageId, id, as(v.committee3), { verdict: "modify", note: "改扣 1 分", newPoints: -1 }),
      ]);
      expect(outs.filter((o) => o.status === "fulfilled"), JSON.stringify(outs)).toHaveLength(1);
      expect((outs.find((o) => o.status === "rejected") as PromiseRejectedResult).reason.message).toBe("这条申诉已经处理过了");
      const a = (await q().get<{ status: string }>("select status from appeals where id = ?", id))!;
      const after = await householdBalance(v.householdA);
      if (a.status === "revoked") {
        expect(after.balance - before.balance).toBe(5);
        expect((await counts()).txns - txns).toBe(1);
      } else {
        expect(a.status).toBe("modified");
        expect(after.balance - before.balance).toBe(4);
        expect((await counts()).txns - txns).toBe(2);
      }
      expect(await q().value("select count(*) as n from ledger_transactions where reverses_id = ?", c.txnId)).toBe(1);
    }
    await ledgerOk();
  });

  it("the same decision sent twice at once (a double tap) moves points once", async () => {
    const v = await appealVillage("AR2");
    const c = await credited(v);
    const id = await appeal(v, c.txnId);
    const outs = await Promise.allSettled([1, 2].map(() => decideAppeal(v.villageId, id, as(v.committee2), { verdict: "revoke", note: "核实有误" })));
    expect(outs.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    expect((await householdBalance(v.householdA)).balance).toBe(0);
    expect(await q().value("select count(*) as n from audit_log where action = 'appeal.revoke' and target_id = ?", String(id))).toBe(1);
    await ledgerOk();
  });
});
