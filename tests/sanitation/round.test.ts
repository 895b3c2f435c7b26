// A whole sanitation round through the server modules: scoring with the own-household and 回避
// refusals, idempotent repeated saves, a stale save refused, send back, maker-checker on publish,
// exactly one claim per scored household (every tier carries a rule; 未检查 gets none), the frozen 红黑榜, and a
// re-inspection that replaces a credited deduction through a reversal and a new claim.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveClaim, claimRow, creditDueClaims } from "~/claims/claims.server";
import { clockControl } from "~/platform/clock.server";
import { changeRecusals, inspectionOf, nextHousehold, scoringList } from "~/sanitation/inspections.server";
import { acceptRequest, declineRequest, requestReinspection } from "~/sanitation/reinspection.server";
import { householdInspections } from "~/sanitation/history.server";
import { householdBalance } from "~/ledger/ledger.server";
import { latestRedBlack } from "~/sanitation/redblack.server";
import { applyReinspection, publishRound } from "~/sanitation/publish.server";
import { roundIn, roundTable, sendBack } from "~/sanitation/rounds.server";
import { saveChecklist } from "~/sanitation/checklists.server";
import { sqlOn } from "../support/sql";
import { absent, checklistForm, count, openNovemberRound, sanitationVillage, score, type SanitationVillage } from "./fixture";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10, 2); // 2026-11-10 10:00 China time

let v: SanitationVillage;
let roundId: number;
const claimsOfRound = () => sqlOn().all<{ id: number; household_id: number; status: string; points: number; filer_user_id: number }>("select * from claims where source_kind = 'round' and source_id = ? order by id", roundId);

beforeAll(async () => {
  clockControl.set(T0);
  v = await sanitationVillage("SAN");
  roundId = await openNovemberRound(v);
});
afterAll(() => clockControl.reset());

describe("a sanitation round", () => {
  it("refuses an inspector their own household and a declared relative's, writing nothing", async () => {
    const own = await score(v, v.inspector1, roundId, v.A, [50, 50]);
    expect(own).toMatchObject({ ok: false, status: 403 });
    expect(!own.ok && own.errors._form).toContain("不能给自己家评分");
    expect(await changeRecusals({ userId: v.inspector1, role: "inspector" }, v.villageId, { intent: "recusal.add", number: "004", relation: "表兄" })).toMatchObject({ ok: true });
    const relative = await score(v, v.inspector1, roundId, v.D, [50, 50]);
    expect(!relative.ok && relative.errors._form).toContain("回避");
    expect(await count("select count(*) as n from inspections")).toBe(0);
    // The list marks both and the next household skips them.
    const list = await scoringList(await roundIn(v.villageId, roundId), v.inspector1);
    expect(list.rows.filter((r) => r.conflict).map((r) => r.number)).toEqual(["001", "004"]);
    expect(await nextHousehold(await roundIn(v.villageId, roundId), v.inspector1, v.B)).toBe(v.C);
  });

  it("saves a household once however often the same save is sent", async () => {
    const first = await score(v, v.inspector1, roundId, v.B, [48, 47], { note: "院子干净" });
    expect(first).toMatchObject({ ok: true, total: 95, tier: "优秀", repeated: false });
    const again = await score(v, v.inspector1, roundId, v.B, [48, 47], { note: "院子干净" }); // the same form resent (version 0)
    expect(again).toMatchObject({ ok: true, total: 95, repeated: true });
    expect(await count("select count(*) as n from inspections where household_id = ?", v.B)).toBe(1);
    expect((await inspectionOf(roundId, v.B))!.version).toBe(1);
    expect(await count("select count(*) as n from audit_log where action = 'inspection.score'")).toBe(1);
    // Another inspector's save from a page that did not show it is refused, not layered on top.
    const stale = await score(v, v.inspector2, roundId, v.B, [10, 10], { version: "0" });
    expect(stale).toMatchObject({ ok: false, status: 409 });
    expect(!stale.ok && stale.errors._form).toContain("检查员一评了 95 分");
    expect(await inspectionOf(roundId, v.B)).toMatchObject({ total: 95, inspector_user_id: v.inspector1, version: 1 });
  });

  it("scores the rest, marks one 未检查, and refuses bad scores", async () => {
    expect(await score(v, v.inspector2, roundId, v.C, [30, 20])).toMatchObject({ ok: true, total: 50, tier: "不合格" });
    expect(await score(v, v.inspector2, roundId, v.D, [40, 40])).toMatchObject({ ok: true, total: 80, tier: "良好" });
    expect(await score(v, v.inspector2, roundId, v.A, [35, 35])).toMatchObject({ ok: true, total: 70, tier: "合格" });
    expect(await absent(v, v.inspector2, roundId, v.E, "家里没人，外出打工")).toMatchObject({ ok: true });
    const over = await score(v, v.inspector2, roundId, v.C, [51, 20]);
    expect(!over.ok && over.errors.s0).toBe("庭院整洁应为 0 到 50 的整数");
    expect((await inspectionOf(roundId, v.C))!.total).toBe(50);
    const list = await scoringList(await roundIn(v.villageId, roundId), v.inspector2);
    expect([list.done, list.total]).toEqual([5, 5]);
  });

  it("a household sent back must be rescored before publishing", async () => {
    const committee = { userId: v.committee1, role: "committee", villageId: v.villageId };
    expect(await sendBack(committee, v.villageId, roundId, v.C, "照片看不清")).toMatchObject({ ok: true });
    expect(await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId)).toMatchObject({ ok: false, errors: { _form: expect.stringContaining("1 户退回重评") } });
    expect(await score(v, v.inspector2, roundId, v.C, [30, 25], { version: String((await inspectionOf(roundId, v.C))!.version) })).toMatchObject({ ok: true, total: 55 });
  });

  it("whoever scored cannot publish; another committee member publishes exactly one claim per scored household", async () => {
    const selfPublish = await publishRound({ userId: v.inspector2, role: "committee" }, v.villageId, roundId);
    expect(selfPublish).toMatchObject({ ok: false, errors: { _form: expect.stringContaining("你给本轮评过分") } });
    expect(await claimsOfRound()).toHaveLength(0);

    // committee2 lives in household B: B's claim waits for another committee member.
    const out = await publishRound({ userId: v.committee2, role: "committee" }, v.villageId, roundId);
    expect(out).toMatchObject({ ok: true, claims: 4, waiting: 1, ownHousehold: true });
    const claims = await claimsOfRound();
    // Every scored household gets its tier's rule: A 合格 +2, B 优秀 +10, C 不合格 −5, D 良好 +5; E 未检查 gets none.
    expect(claims.map((c) => [c.household_id, c.points, c.status])).toEqual([[v.B, 10, "pending"], [v.C, -5, "notice"], [v.D, 5, "notice"], [v.A, 2, "notice"]]);
    const scoredHouseholds = (await roundTable(roundId)).filter((r) => r.status === "scored").map((r) => r.household_id).sort();
    expect(claims.map((c) => c.household_id).sort()).toEqual(scoredHouseholds);
    expect(scoredHouseholds).toHaveLength(4);
    expect(claims.find((c) => c.household_id === v.B)!.filer_user_id).toBe(v.inspector1);
    expect(claims.find((c) => c.household_id === v.C)!.filer_user_id).toBe(v.inspector2);
    for (const h of [v.A, v.B, v.C, v.D]) expect(await count("select count(*) as n from claims where household_id = ?", h)).toBe(1);
    expect(await count("select count(*) as n from claims where household_id = ?", v.E)).toBe(0);
    // A second publish does nothing more.
    expect(await publishRound({ userId: v.committee1, role: "committee" }, v.villageId, roundId)).toMatchObject({ ok: false });
    expect(await claimsOfRound()).toHaveLength(4);
    // The waiting claim goes through ordinary review.
    expect(await approveClaim(v.villageId, claims[0].id, { userId: v.committee1, role: "committee" })).toBe("approved");
  });

  it("freezes the 红黑榜 at publishing", async () => {
    const board = (await latestRedBlack(v.villageId))!;
    // Four scored households: the upper two on the red list, the lower two on the black, lowest first.
    expect(board.red.map((r) => [r.number, r.total, r.tier])).toEqual([["002", 95, "优秀"], ["004", 80, "良好"]]);
    expect(board.black.map((r) => [r.number, r.total, r.tier])).toEqual([["003", 55, "不合格"], ["001", 70, "合格"]]);
    expect(board).toMatchObject({ scored: 4, absent: 1, households: 5 });
    await expect(sqlOn().run("update sanitation_rounds set redblack_json = '{}' where id = ?", roundId)).rejects.toThrow(/frozen/);
    await expect(sqlOn().run("update sanitation_rounds set redblack_json = null where id = ?", roundId)).rejects.toThrow(/frozen/); // nor erased
    expect((await latestRedBlack(v.villageId))!.red.map((r) => r.number)).toEqual(["002", "004"]);
  });

  it("after publishing, scores change only through an accepted re-inspection", async () => {
    const late = await score(v, v.inspector2, roundId, v.D, [50, 50], { version: "1" });
    expect(!late.ok && late.errors._form).toBe("评比已公布，不能再改分");
    const head = (userId: number, householdId: number) => ({ userId, householdId, villageId: v.villageId });
    expect(await requestReinspection(head(v.headC, v.C), { roundId: String(roundId), reason: "" })).toMatchObject({ ok: false, errors: { reason: "请填写复查理由" } });
    const asked = await requestReinspection(head(v.headC, v.C), { roundId: String(roundId), reason: "检查那天刚好在翻修院子" });
    expect(asked.ok).toBe(true);
    expect(await requestReinspection(head(v.headC, v.C), { roundId: String(roundId), reason: "再申请一次" })).toMatchObject({ ok: false, errors: { _form: "你家已经申请过这轮的复查了" } });
    const eAsk = await requestReinspection(head(v.headE, v.E), { roundId: String(roundId), reason: "那天家里有人" });
    if (!eAsk.ok || !asked.ok) throw new Error("request refused");
    expect(await declineRequest({ userId: v.committee1, role: "committee" }, v.villageId, eAsk.requestId, "当天上门两次无人应答")).toMatchObject({ ok: true });

    // Accepted: the household goes back to the inspectors, who rescore it.
    expect(await acceptRequest({ userId: v.committee1, role: "committee" }, v.villageId, asked.requestId)).toMatchObject({ ok: true });
    expect((await inspectionOf(roundId, v.C))!.status).toBe("returned");
    clockControl.advance(DAY);
    expect(await score(v, v.inspector2, roundId, v.C, [46, 46], { version: String((await inspectionOf(roundId, v.C))!.version) })).toMatchObject({ ok: true, total: 92, tier: "优秀" });
    // The rescoring inspector cannot apply their own score.
    expect(await applyReinspection({ userId: v.inspector2, role: "committee" }, v.villageId, asked.requestId)).toMatchObject({ ok: false, errors: { _form: expect.stringContaining("复查分数是你评的") } });

    // The old deduction is still in 公示: applying withdraws it (never credited) and files the new award.
    const old = (await claimsOfRound()).find((c) => c.household_id === v.C)!;
    expect((await claimRow(old.id)).status).toBe("notice");
    const applied = await applyReinspection({ userId: v.committee1, role: "committee" }, v.villageId, asked.requestId);
    expect(applied.ok).toBe(true);
    expect(await claimRow(old.id)).toMatchObject({ status: "rejected", reason: "复查后重新评分" });
    const fresh = await claimRow((applied as { claimId: number }).claimId);
    expect(fresh).toMatchObject({ household_id: v.C, points: 10, status: "notice", filer_user_id: v.inspector2, source_kind: "round", source_id: roundId });
    clockControl.advance(DAY);
    await creditDueClaims();
    expect((await householdBalance(v.C)).balance).toBe(0); // the withdrawn −5 never reached the ledger; the +10 is still in 公示
    clockControl.advance(6 * DAY);
    await creditDueClaims();
    expect((await householdBalance(v.C)).balance).toBe(10);

    // The 红黑榜 still shows the published result.
    expect((await latestRedBlack(v.villageId))!.black.map((r) => [r.number, r.total])).toEqual([["003", 55], ["001", 70]]);
    const table = await roundTable(roundId);
    expect(table.find((r) => r.household_id === v.C)).toMatchObject({ total: 92, tier: "优秀" });
    // The household's history shows the new score and the applied request; the window has closed meanwhile.
    const [h] = await householdInspections(v.C);
    expect(h).toMatchObject({ total: 92, tier: "优秀", request: { status: "applied" }, canRequestUntil: null });
  });

  it("a re-inspection request after 7 days is refused", async () => {
    expect(await requestReinspection({ userId: v.headE, householdId: v.D, villageId: v.villageId }, { roundId: String(roundId), reason: "太晚了" })).toMatchObject({
      ok: false, errors: { _form: expect.stringContaining("已经过了期限") },
    });
  });

  it("a checklist tier must pay or deduct by a rule", async () => {
    const admin = { userId: v.admin, role: "village_admin", villageId: v.villageId };
    const before = await count("select count(*) as n from checklists");
    const out = await saveChecklist(admin, v.villageId, null, { ...checklistForm(v), name: "没有细则的表", tier2Rule: "" });
    expect(out).toMatchObject({ ok: false, errors: { tier2Rule: "请给“合格”选一条积分细则（加分或扣分）" } });
    expect(await count("select count(*) as n from checklists")).toBe(before);
  });

  it("a checklist edited after the round keeps the round's own copy", async () => {
    const form = { ...checklistForm(v), item0Max: "60", item1Max: "40" };
    const id = (await sqlOn().get<{ id: number }>("select checklist_id as id from sanitation_rounds where id = ?", roundId))!.id;
    expect((await saveChecklist({ userId: v.admin, role: "village_admin", villageId: v.villageId }, v.villageId, id, form)).ok).toBe(true);
    expect((await roundIn(v.villageId, roundId)).checklist.items.map((i) => i.max)).toEqual([50, 50]);
  });
});
