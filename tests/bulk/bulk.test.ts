// 批量发放: who each chooser picks, the preview's total and cap refusals, a batch filed once however
// often its form is sent (one after the other, or at once), the claims' way through review, 公示 and
// credit, and bad input refused in Chinese with nothing written.
import { afterEach, describe, expect, it } from "vitest";
import {
  approveBatch, batchView, chooseHouseholds, createBatch, fileNextChunk, previewBulk, resumeBulkBatches, runBatch, type BulkInput,
} from "~/bulk/bulk.server";
import { fileFromForm, parseCodes, previewFromForm } from "~/bulk/forms.server";
import { approveClaim, creditDueClaims, fileClaimBatch } from "~/claims/claims.server";
import { chinaToday } from "~/claims/forms.server";
import { householdBalance } from "~/ledger/ledger.server";
import { clockControl, now } from "~/platform/clock.server";
import { sqlOn } from "../support/sql";
import { bulkVillage, type BulkVillage } from "./fixture";

const DAY = 86_400_000;
afterEach(() => clockControl.reset());

const q = () => sqlOn();
const c1 = (v: BulkVillage) => ({ userId: v.committee1, role: "committee" as const });
const c2 = (v: BulkVillage) => ({ userId: v.committee2, role: "committee" as const });
const input = (v: BulkVillage, over: Partial<BulkInput> = {}): BulkInput => ({
  ruleId: v.rules.base, choice: { mode: "all" }, occurredAt: now() - 60_000, quantity: 1, note: "十二月基础分", ...over,
});
let keys = 0;
const newKey = () => `testkey${String(++keys).padStart(4, "0")}${Math.random().toString(36).slice(2, 10)}`;

async function makeBatch(v: BulkVillage, ids: number[], key = newKey(), ruleId = v.rules.base, points = 100) {
  return createBatch(v.villageId, c1(v), { key, ruleId, householdIds: ids, occurredAt: now() - 60_000, quantity: 1, note: "基础分", points, chosen: "测试" });
}

/** What a test must find unchanged after a refused request. */
async function written(villageId: number): Promise<number[]> {
  return [
    (await q().value<number>("select count(*) as n from bulk_batches"))!,
    (await q().value<number>("select count(*) as n from bulk_batch_households"))!,
    (await q().value<number>("select count(*) as n from claims where village_id = ?", villageId))!,
    (await q().value<number>("select count(*) as n from audit_log"))!,
  ];
}

function form(fields: Record<string, string>, file?: { name: string; text: string | Uint8Array }): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append("file", new Blob([typeof file.text === "string" ? new TextEncoder().encode(file.text) : new Uint8Array(file.text)], { type: "text/csv" }), file.name);
  return fd;
}

const previewFields = (v: BulkVillage, over: Record<string, string> = {}) => ({
  intent: "preview", ruleId: String(v.rules.base), mode: "all", date: chinaToday(), quantity: "1", note: "", ...over,
});

describe("choosing households", () => {
  it("全村, one grid, a pasted list (spaces, commas, full-width, new lines), a CSV file, and 本月没有被扣分的户", async () => {
    const v = await bulkVillage("BK1");
    const numbers = async (choice: Parameters<typeof chooseHouseholds>[1]) => (await chooseHouseholds(v.villageId, choice)).map((h) => h.number);
    expect(await numbers({ mode: "all" })).toEqual(["A001", "A002", "A003", "B001", "B002", "B003", "X001"]);
    expect(await numbers({ mode: "grid", gridId: v.west })).toEqual(["B001", "B002", "B003"]);
    expect(parseCodes(" Ａ００１，A002、\n B００３ ;  A002\r\n")).toEqual(["A001", "A002", "B003"]);
    expect(await numbers({ mode: "list", codes: parseCodes("Ａ００１，A002\nB００３") })).toEqual(["A001", "A002", "B003"]);

    const csv = await previewFromForm(v.villageId, form(previewFields(v, { mode: "file" }), { name: "户号.csv", text: "\uFEFF户号,姓名\r\nA003,户主A003\r\nB001,某人\r\nB001,家人\r\n" }));
    expect(csv.ok && csv.preview.households).toBe(2);
    expect(csv.ok && csv.preview.chosen).toBe("户号名单 2 户");

    // A deduction this month (waiting for review counts; a rejected one does not).
    const [deducted] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, source: { kind: "test", id: 1 },
      items: [{ memberId: v.households[1].head, ruleId: v.rules.litter, occurredAt: now() - 60_000, quantity: 1, note: "" }],
    });
    const [rejected] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, source: { kind: "test", id: 1 },
      items: [{ memberId: v.households[2].head, ruleId: v.rules.litter, occurredAt: now() - 60_000, quantity: 1, note: "" }],
    });
    await q().run("update claims set status = 'rejected' where id = ?", rejected);
    expect(deducted).toBeGreaterThan(0);
    expect(await numbers({ mode: "not_deducted" })).toEqual(["A001", "A003", "B001", "B002", "B003", "X001"]);
  });

  it("a list with 户号 the village does not have is refused as a whole, naming them, and nothing is written", async () => {
    const v = await bulkVillage("BK2");
    const other = await bulkVillage("BK2O");
    const before = await written(v.villageId);
    const r = await previewFromForm(v.villageId, form(previewFields(v, { mode: "list", codes: "A001, Z999\n９９９" })));
    expect(r).toMatchObject({ ok: false, errors: { codes: expect.stringContaining("本村没有这些户号：Z999、999") } });
    // Another village's households are unknown here, even by id on the confirm form.
    const forged = await fileFromForm(v.villageId, c1(v), form({
      intent: "file", key: newKey(), ruleId: String(v.rules.base), mode: "all", date: chinaToday(), quantity: "1", note: "", points: "100", households: String(other.households[0].id),
    }));
    expect(forged).toMatchObject({ ok: false, errors: { _form: "名单里有不是本村的户，请重新预览" } });
    expect(await written(v.villageId)).toEqual(before);
  });
});

describe("preview", () => {
  it("counts households, points each and the total; lists who a cap or a missing head would skip, with the reason", async () => {
    const v = await bulkVillage("BK3");
    // A001 already has this month's base points (approved): the household cap of 100 refuses another 100.
    const [id] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" }, items: [{ memberId: v.households[0].head, ruleId: v.rules.base, occurredAt: now() - 60_000, quantity: 1, note: "" }],
    });
    expect(await approveClaim(v.villageId, id, c1(v))).toBe("approved");
    const p = await previewBulk(v.villageId, input(v));
    expect(p).toMatchObject({ households: 7, filed: 5, points: 100, total: 500 });
    const refused = Object.fromEntries(p.refused.map((r) => [r.number, r.refusal]));
    expect(refused.A001).toMatch(/^超出上限：这条细则该户每月最多 100 分，当月已有 100 分/);
    expect(refused.X001).toBe("这户没有在册的户主，无法登记");

    // Hours: 2 points an hour × 2.5 hours = 5 each.
    const hours = await previewBulk(v.villageId, input(v, { ruleId: v.rules.hours, quantity: 2.5, choice: { mode: "grid", gridId: v.east } }));
    expect(hours).toMatchObject({ households: 3, filed: 3, points: 5, total: 15, chosen: "网格：东片" });
  });
});

describe("filing", () => {
  it("files one claim per household to its head, through the claim path (source bulk), skipping with the reason", async () => {
    const v = await bulkVillage("BK4");
    const ids = (await chooseHouseholds(v.villageId, { mode: "all" })).map((h) => h.id);
    const { batchId, created } = await makeBatch(v, ids);
    expect(created).toBe(true);
    expect(await runBatch(batchId)).toBe(true);
    const claims = await q().all<{ household_id: number; member_id: number; points: number; status: string; source_kind: string; source_id: number; filer_user_id: number }>(
      "select household_id, member_id, points, status, source_kind, source_id, filer_user_id from claims where village_id = ? order by household_id", v.villageId,
    );
    expect(claims).toHaveLength(6);
    expect(claims.map((c) => c.member_id)).toEqual(v.households.map((h) => h.head));
    expect(claims.every((c) => c.points === 100 && c.status === "pending" && c.source_kind === "bulk" && c.source_id === batchId && c.filer_user_id === v.committee1)).toBe(true);
    const view = await batchView(v.villageId, batchId);
    expect(view.batch).toMatchObject({ households: 7, filed: 6, skipped: 1, status: "done" });
    expect(view.skipped).toEqual([expect.objectContaining({ number: "X001", reason: "这户没有在册的户主，无法登记" })]);
    expect(view.claims.pending).toEqual({ n: 6, points: 600 });
    const audits = await q().all<{ action: string }>("select action from audit_log where target_type = 'bulk_batch' and target_id = ? order by id", String(batchId));
    expect(audits.map((a) => a.action)).toEqual(["bulk.create", "bulk.done"]);

    // The same month's base points again: every household's cap (pending claims counted) refuses it.
    const again = await makeBatch(v, ids);
    await runBatch(again.batchId);
    const second = await batchView(v.villageId, again.batchId);
    expect(second.batch).toMatchObject({ filed: 0, skipped: 7 });
    expect(second.skipped.find((s) => s.number === "A002")?.reason).toMatch(/超出上限.*（含待审核）/);
    expect(await q().value<number>("select count(*) as n from claims where village_id = ?", v.villageId)).toBe(6);
  });

  it("the same batch key sent twice, one after the other, files the batch once and shows the same batch", async () => {
    const v = await bulkVillage("BK5");
    const ids = v.households.map((h) => h.id);
    const key = newKey();
    const fields = { intent: "file", key, ruleId: String(v.rules.clean), mode: "grid", gridId: String(v.east), date: chinaToday(), quantity: "1", note: "大扫除", points: "10", households: ids.slice(0, 3).join(",") };
    const a = await fileFromForm(v.villageId, c1(v), form(fields));
    const b = await fileFromForm(v.villageId, c1(v), form(fields));
    expect(a.ok && b.ok).toBe(true);
    expect(a.ok && b.ok && a.batchId === b.batchId).toBe(true);
    expect(await q().value<number>("select count(*) as n from bulk_batches where key = ?", key)).toBe(1);
    expect(await q().value<number>("select count(*) as n from claims where village_id = ? and source_kind = 'bulk'", v.villageId)).toBe(3);
    const batch = await q().get<{ chosen: string; filed: number }>("select chosen, filed from bulk_batches where key = ?", key);
    expect(batch).toEqual({ chosen: "网格：东片", filed: 3 });
  });

  it("the same batch key sent twice at once files the batch once", async () => {
    const v = await bulkVillage("BK6", 40);
    const ids = v.households.map((h) => h.id);
    const key = newKey();
    const fields = { intent: "file", key, ruleId: String(v.rules.clean), mode: "all", date: chinaToday(), quantity: "1", note: "", points: "10", households: ids.join(",") };
    const [a, b] = await Promise.all([fileFromForm(v.villageId, c1(v), form(fields)), fileFromForm(v.villageId, c1(v), form(fields))]);
    expect(a.ok && b.ok && a.batchId === b.batchId).toBe(true);
    // Both requests and any background run done: each household has exactly one claim.
    await resumeBulkBatches();
    expect(await q().value<number>("select count(*) as n from bulk_batches where key = ?", key)).toBe(1);
    const per = await q().all<{ n: number }>("select count(*) as n from claims where village_id = ? group by household_id", v.villageId);
    expect(per).toHaveLength(80);
    expect(per.every((r) => Number(r.n) === 1)).toBe(true);
    expect(await q().get("select filed, skipped, status from bulk_batches where key = ?", key)).toEqual({ filed: 80, skipped: 0, status: "done" });
  });

  it("two runners filing one batch at once file each household once", async () => {
    const v = await bulkVillage("BK7", 150);
    const { batchId } = await makeBatch(v, v.households.map((h) => h.id), newKey(), v.rules.clean, 10);
    await Promise.all([runBatch(batchId), runBatch(batchId), resumeBulkBatches()]);
    expect(await q().value<number>("select count(*) as n from claims where village_id = ?", v.villageId)).toBe(300);
    expect(await q().value<number>("select count(distinct household_id) as n from claims where village_id = ?", v.villageId)).toBe(300);
    expect(await q().get("select filed, skipped, status from bulk_batches where id = ?", batchId)).toEqual({ filed: 300, skipped: 0, status: "done" });
  });
});

describe("through review, 公示 and credit", () => {
  it("another committee member approves the batch (never the filer, never for their own household); 公示 ends; balances rise", async () => {
    const v = await bulkVillage("BK8");
    await q().run("update villages set notice_days = 3, approvals_needed = 1 where id = ?", v.villageId);
    const { batchId } = await makeBatch(v, v.households.map((h) => h.id));
    await runBatch(batchId);
    await expect(approveBatch(v.villageId, batchId, c1(v))).rejects.toThrow("不能审核自己提交的申报，请由另一位村委委员审核");
    const out = await approveBatch(v.villageId, batchId, c2(v));
    expect(out.approved).toHaveLength(5);
    expect(out.failed).toEqual([expect.objectContaining({ message: "不能审核本户的申报，请由另一位村委委员审核" })]);
    expect(out.left).toBe(1);
    expect((await batchView(v.villageId, batchId)).claims.notice).toEqual({ n: 5, points: 500 });
    await creditDueClaims();
    expect((await householdBalance(v.households[1].id)).balance).toBe(0); // still in 公示
    clockControl.set(now() + 3 * DAY + 60_000);
    await creditDueClaims();
    expect((await householdBalance(v.households[1].id)).balance).toBe(100);
    expect((await householdBalance(v.households[0].id)).balance).toBe(0); // waits for a third member
    expect((await batchView(v.villageId, batchId)).claims.credited).toEqual({ n: 5, points: 500 });
  });
});

describe("bad input: a Chinese message and nothing written", () => {
  it("refuses another village's rule, a deduction, a retired rule, a rule that does not exist, an empty list, a huge paste, no grid, a date to come", async () => {
    const v = await bulkVillage("BK9");
    const other = await bulkVillage("BK9O");
    const before = await written(v.villageId);
    const cases: [Record<string, string>, Record<string, string | RegExp>][] = [
      [{ ruleId: String(other.rules.base) }, { ruleId: "请从列表中选择本村的加分细则" }],
      [{ ruleId: String(v.rules.litter) }, { ruleId: "请从列表中选择本村的加分细则" }],
      [{ ruleId: String(v.rules.retired) }, { ruleId: "细则“旧细则”已停用，不能再发放" }],
      [{ ruleId: "999999999" }, { ruleId: "请从列表中选择本村的加分细则" }],
      [{ ruleId: "abc" }, { ruleId: "请选择加分细则" }],
      [{ mode: "list", codes: " \n ， " }, { codes: "名单里没有户号，请填写要发放的户号" }],
      [{ mode: "list", codes: "" }, { codes: "请填写户号名单" }],
      [{ mode: "list", codes: "A001 ".repeat(30_000) }, { codes: /户号名单太长了（最多 60000 个字），一次最多 5000 户/ }],
      [{ mode: "list", codes: Array.from({ length: 5001 }, (_, i) => `Z${i}`).join(",") }, { codes: "一次最多 5000 户，请分成几批" }],
      [{ mode: "list", codes: "A001\u202E" }, { codes: "户号名单不能包含看不见的特殊字符，请删掉后重新输入" }],
      [{ mode: "list", codes: "<b>A001</b>" }, { codes: "户号名单不能包含 < 或 > 符号" }],
      [{ mode: "grid" }, { gridId: "请选择网格" }],
      [{ mode: "grid", gridId: String(other.east) }, { gridId: "请从列表中选择本村的网格" }],
      [{ mode: "file" }, { file: "请先选择户号 CSV 文件" }],
      [{ mode: "everyone" }, { mode: "请选择发给哪些户" }],
      [{ date: "2099-01-01" }, { date: "日期不能晚于今天" }],
      [{ quantity: "0" }, { quantity: "数量必须大于 0" }],
      [{ note: "<script>" }, { note: "说明不能包含 < 或 > 符号" }],
    ];
    for (const [over, errors] of cases) {
      const r = await previewFromForm(v.villageId, form(previewFields(v, over)));
      const expected = Object.fromEntries(Object.entries(errors).map(([k, m]) => [k, typeof m === "string" ? m : expect.stringMatching(m)]));
      expect(r, JSON.stringify(over).slice(0, 80)).toMatchObject({ ok: false, errors: expected });
    }
    const empty = await previewFromForm(v.villageId, form(previewFields(v, { mode: "file" }), { name: "a.csv", text: "" }));
    expect(empty).toMatchObject({ ok: false, errors: { file: expect.stringContaining("文件是空的") } });
    const unknown = await previewFromForm(v.villageId, form(previewFields(v, { mode: "file" }), { name: "a.csv", text: "户号\nQ1\nQ2\n" }));
    expect(unknown).toMatchObject({ ok: false, errors: { file: expect.stringContaining("本村没有这些户号：Q1、Q2") } });
    // The confirm form: a forged key, households or points, a rule whose points changed since the preview.
    const base = { intent: "file", key: newKey(), ruleId: String(v.rules.base), mode: "all", date: chinaToday(), quantity: "1", note: "", points: "100", households: String(v.households[0].id) };
    for (const [over, message] of [
      [{ key: "short" }, "请求有误，请刷新页面后再试"],
      [{ households: "1,abc" }, "请求有误，请刷新页面后再试"],
      [{ households: "" }, "请求有误，请刷新页面后再试"],
      [{ points: "90" }, "细则“每月基础分”的分值已经改了，请重新预览"],
      [{ ruleId: String(other.rules.base) }, "请从列表中选择本村的加分细则"],
    ] as const) {
      const r = await fileFromForm(v.villageId, c1(v), form({ ...base, ...over }));
      expect(r.ok).toBe(false);
      expect(Object.values(r.ok ? {} : r.errors)).toContain(message);
    }
    // Only the committee files a batch.
    await expect(createBatch(v.villageId, { userId: v.inspector, role: "inspector" }, {
      key: newKey(), ruleId: v.rules.base, householdIds: [v.households[0].id], occurredAt: now() - 60_000, quantity: 1, note: "", points: 100, chosen: "测试",
    })).rejects.toThrow("只有村委委员可以批量发放");
    expect(await written(v.villageId)).toEqual(before);
  });

  it("a key made for one village does not open a batch in another", async () => {
    const v = await bulkVillage("BKA");
    const other = await bulkVillage("BKAO");
    const key = newKey();
    await makeBatch(v, [v.households[0].id], key);
    await expect(createBatch(other.villageId, c1(other), {
      key, ruleId: other.rules.base, householdIds: [other.households[0].id], occurredAt: now() - 60_000, quantity: 1, note: "", points: 100, chosen: "测试",
    })).rejects.toThrow("请求有误，请刷新页面后再试");
    await expect(batchView(other.villageId, (await q().value<number>("select id from bulk_batches where key = ?", key))!)).rejects.toThrow("找不到这批发放");
    expect(await fileNextChunk(999_999)).toEqual({ filed: 0, skipped: 0, done: true });
  });
});
