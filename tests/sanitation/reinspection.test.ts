// Re-inspection of a household whose old score was already credited: applying the new score reverses
// the old claim on the ledger (红冲, shown on the household's statement) and files the new one, which
// is credited after its 公示; balances and the ledger check agree at every step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimRow, creditDueClaims } from "~/claims/claims.server";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { acceptRequest, requestReinspection } from "~/sanitation/reinspection.server";
import { inspectionOf } from "~/sanitation/inspections.server";
import { checkLedger } from "~/ledger/check.server";
import { householdBalance } from "~/ledger/ledger.server";
import { applyReinspection, publishRound } from "~/sanitation/publish.server";
import { roundIn } from "~/sanitation/rounds.server";
import { latestEntries } from "~/ledger/statement.server";
import { sqlOn } from "../support/sql";
import { count, openNovemberRound, sanitationVillage, score, type SanitationVillage } from "./fixture";

const DAY = 86_400_000;
const china = (y: number, m: number, d: number, h = 10) => Date.UTC(y, m - 1, d, h - 8);
const committee1 = (v: SanitationVillage) => ({ userId: v.committee1, role: "committee" as const });
const ledgerOk = async () => expect((await checkLedger(engine().writer)).filter((r) => !r.ok)).toEqual([]);

let v: SanitationVillage;
let roundId: number;
let oldClaim: number;
let requestId: number;

beforeAll(async () => {
  clockControl.set(china(2026, 11, 10));
  v = await sanitationVillage("REIN");
  roundId = await openNovemberRound(v);
  expect(await score(v, v.inspector2, roundId, v.C, [30, 25])).toMatchObject({ ok: true, total: 55, tier: "不合格" });
  expect(await publishRound(committee1(v), v.villageId, roundId)).toMatchObject({ ok: true, claims: 1 });
  oldClaim = (await inspectionOf(roundId, v.C))!.claim_id!;
});
afterAll(() => clockControl.reset());

describe("re-inspection after the old score was credited", () => {
  it("the old deduction is credited once its 公示 ends", async () => {
    clockControl.advance(3 * DAY + 1);
    expect(await creditDueClaims()).toBe(1);
    expect(await claimRow(oldClaim)).toMatchObject({ status: "credited", points: -5 });
    expect(await householdBalance(v.C)).toMatchObject({ balance: -5, score: -5 });
    await ledgerOk();
  });

  it("accepted and rescored, applying reverses the credited claim on the statement and files the new one", async () => {
    const asked = await requestReinspection({ userId: v.headC, householdId: v.C, villageId: v.villageId }, { roundId: String(roundId), reason: "检查那天刚好在翻修院子" });
    if (!asked.ok) throw new Error(JSON.stringify(asked.errors));
    requestId = asked.requestId;
    expect(await acceptRequest(committee1(v), v.villageId, requestId)).toMatchObject({ ok: true });
    clockControl.advance(DAY);
    const version = String((await inspectionOf(roundId, v.C))!.version);
    expect(await score(v, v.inspector2, roundId, v.C, [46, 46], { version })).toMatchObject({ ok: true, total: 92, tier: "优秀" });
    expect((await householdBalance(v.C)).balance).toBe(-5); // nothing moves until a committee member applies it

    const applied = await applyReinspection(committee1(v), v.villageId, requestId);
    if (!applied.ok || applied.claimId === null) throw new Error(JSON.stringify(applied));
    const old = await claimRow(oldClaim);
    expect(old).toMatchObject({ status: "revoked", reason: "复查后重新评分" });
    expect(old.revoke_txn_id).not.toBeNull();
    const reversal = await sqlOn().get<{ kind: string; reverses_id: number; memo: string }>("select kind, reverses_id, memo from ledger_transactions where id = ?", old.revoke_txn_id);
    expect(reversal).toMatchObject({ kind: "reversal", reverses_id: old.credit_txn_id, memo: `撤销申报 #${oldClaim}：复查后重新评分` });
    // The statement shows the deduction (marked reversed) and the reversal giving the 5 points back.
    const [latest, ...earlier] = await latestEntries(v.C);
    // The villager reads the claim by its rule and day, not its number (ledger/statement.server.ts villagerMemo).
    expect(latest).toMatchObject({ kind: "reversal", amount: 5, memo: expect.stringMatching(/^撤销申报“.+”（\d{4}年\d{1,2}月\d{1,2}日）：复查后重新评分$/) });
    expect(earlier.find((e) => e.kind === "deduction")).toMatchObject({ amount: -5, reversed: 1 });
    expect(await householdBalance(v.C)).toMatchObject({ balance: 0, score: 0 });

    const fresh = await claimRow(applied.claimId);
    expect(fresh).toMatchObject({ household_id: v.C, points: 10, status: "notice", filer_user_id: v.inspector2, source_kind: "round", source_id: roundId });
    const round = await roundIn(v.villageId, roundId);
    expect(fresh.occurred_at).toBeGreaterThanOrEqual(round.starts_at);
    expect(fresh.occurred_at).toBeLessThan(round.ends_at);
    expect(await sqlOn().get("select status, old_claim_id, new_claim_id from reinspection_requests where id = ?", requestId)).toEqual({ status: "applied", old_claim_id: oldClaim, new_claim_id: applied.claimId });
    await ledgerOk();
  });

  it("applying again moves nothing, and the new award is credited after its 公示", async () => {
    const reversals = await count("select count(*) as n from ledger_transactions where kind = 'reversal'");
    expect(await applyReinspection(committee1(v), v.villageId, requestId)).toMatchObject({ ok: false, errors: { _form: "这条复查申请不在待复查状态" } });
    expect(await count("select count(*) as n from ledger_transactions where kind = 'reversal'")).toBe(reversals);
    expect(await count("select count(*) as n from claims where household_id = ?", v.C)).toBe(2);
    clockControl.advance(3 * DAY + 1);
    expect(await creditDueClaims()).toBe(1);
    expect(await householdBalance(v.C)).toMatchObject({ balance: 10, score: 10 });
    expect((await latestEntries(v.C))[0]).toMatchObject({ kind: "award", amount: 10 });
    await ledgerOk();
  });
});
