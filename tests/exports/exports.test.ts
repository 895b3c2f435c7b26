// Exports read back and compared with the database, summed independently in SQL: the ledger, the
// households' points, claims with their review trail, orders with their goods, monthly settlements;
// CSV (BOM, CRLF, quoting, formula guard) and xlsx (exceljs); the audit row each export writes.
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { actionLabel, changeLines } from "~/audit/labels";
import { exportFile } from "~/exports/exports.server";
import { EXPORT_KINDS, EXPORT_MESSAGES, type ExportFormat, type ExportKind } from "~/exports/labels";
import { sourceOf } from "~/exports/sources.server";
import { rangeSchema } from "~/exports/range.server";
import { award } from "~/ledger/ledger.server";
import { clockControl } from "~/platform/clock.server";
import { engine } from "~/platform/database.server";
import { fieldErrors } from "~/platform/validation.server";
import { planOf, storeFixture } from "../store/fixture";
import { sqlOn } from "../support/sql";
import { china, exportVillage, FORMULAS, ODD_NAME, RANGE, type ExportVillage } from "./fixture";
import { bytesOf, readCsv, readXlsx, wallClock, type Sheet } from "./read-back";

let v: ExportVillage;
let otherVillage: number;
const q = () => sqlOn();
const START = china(3, 1, 0, 0);
const UNTIL = china(4, 1, 0, 0);

beforeAll(async () => {
  v = await exportVillage("EX1");
  // Another village with points in March: a village's export leaves them out, the township's has them.
  const other = await storeFixture("EX2", { households: 1, points: [0] });
  otherVillage = other.villageId;
  clockControl.set(china(3, 15));
  await award({ householdId: other.householdIds[0], amount: 40, idemKey: "EX2:mar", actor: { userId: null, role: "system" }, memo: "别村的奖励" });
  clockControl.reset();
});

async function download(kind: ExportKind, format: ExportFormat, opts: { villageId?: number | null; township?: boolean } = {}): Promise<Response> {
  return exportFile({
    kind, range: rangeSchema.parse({ ...RANGE, format }), villageId: opts.villageId === undefined ? v.villageId : opts.villageId, township: opts.township ?? false,
    actor: { userId: v.committee1, role: "committee", villageId: v.villageId },
  });
}

async function both(kind: ExportKind, opts: { villageId?: number | null; township?: boolean } = {}): Promise<{ csv: Sheet; xlsx: Awaited<ReturnType<typeof readXlsx>> }> {
  const csv = readCsv(await bytesOf(await download(kind, "csv", opts)));
  const xlsx = await readXlsx(await bytesOf(await download(kind, "xlsx", opts)));
  expect(xlsx.header).toEqual(csv.header);
  expect(xlsx.rows.length).toBe(csv.rows.length);
  return { csv, xlsx };
}

const n = (x: unknown) => Number(x ?? 0);

describe("积分流水", () => {
  it("holds every entry of the village's accounts in the range, summing as the ledger does, in both formats", async () => {
    const expected = await q().all<{ id: number; amount: number }>(
      "select e.id, e.amount from ledger_entries e join accounts a on a.id = e.account_id where a.village_id = ? and e.created_at >= ? and e.created_at < ? order by e.id",
      v.villageId, START, UNTIL,
    );
    const sum = expected.reduce((s, e) => s + n(e.amount), 0);
    const { csv, xlsx } = await both("ledger");
    expect(csv.rows.map((r) => Number(r["流水号"]))).toEqual(expected.map((e) => n(e.id)));
    expect(xlsx.rows.map((r) => r["流水号"])).toEqual(expected.map((e) => n(e.id)));
    expect(csv.rows.reduce((s, r) => s + Number(r["积分变动"]), 0)).toBe(sum);
    expect(xlsx.rows.reduce((s, r) => s + (r["积分变动"] as number), 0)).toBe(sum);
    expect(sum).toBe(0); // double entry: the village's accounts net to zero
    // The household legs alone, as the ledger sums them.
    const households = n(await q().value("select sum(e.amount) from ledger_entries e join accounts a on a.id = e.account_id where a.village_id = ? and a.kind = 'household' and e.created_at >= ? and e.created_at < ?", v.villageId, START, UNTIL));
    expect(csv.rows.filter((r) => r["账户"] === "住户").reduce((s, r) => s + Number(r["积分变动"]), 0)).toBe(households);
    // The first and last minutes of the range are in; February, April and the other village are not.
    const memos = csv.rows.map((r) => r["说明"]);
    expect(memos).toContain("'=1+2");
    expect(memos).toContain("三月最后一分钟");
    expect(memos.filter((m) => m === "二月奖励" || m === "四月奖励" || m === "别村的奖励")).toEqual([]);
  });

  it("quotes what needs quoting and guards formulas in the CSV; the workbook keeps them as plain text", async () => {
    const { csv, xlsx } = await both("ledger");
    const odd = csv.rows.filter((r) => r["户号"] === "099");
    expect(odd.length).toBeGreaterThan(0);
    for (const r of odd) expect(r["户主"]).toBe(ODD_NAME);
    // Text that would run as a formula starts with an apostrophe in the CSV; numbers are never guarded.
    for (const f of FORMULAS) expect(csv.rows.some((r) => r["说明"] === `'${f}`), f).toBe(true);
    const deduction = csv.rows.find((r) => r["说明"] === "乱扔垃圾，扣分" && r["账户"] === "住户")!;
    expect(deduction["积分变动"]).toBe("-9");
    expect(deduction["经办人身份"]).toBe("村委委员");
    // In the workbook a formula-looking memo is a text cell with its exact words, never a formula.
    const col = xlsx.header.indexOf("说明");
    const cells = xlsx.cells.map((line) => line[col]).filter((c) => FORMULAS.includes(String(c.value)));
    // Each memo twice: the household's leg and the issuance account's.
    expect([...new Set(cells.map((c) => c.value))].sort()).toEqual([...FORMULAS].sort());
    expect(cells.length).toBe(2 * FORMULAS.length);
    for (const c of cells) expect(c.type).toBe(ExcelJS.ValueType.String);
    const name = xlsx.rows.find((r) => r["户号"] === "099")!;
    expect(name["户主"]).toBe(ODD_NAME);
    // Times are China wall-clock times: a date in the workbook, "YYYY-MM-DD hh:mm:ss" in the CSV.
    const first = csv.rows.find((r) => r["说明"] === "'=1+2")!;
    expect(first["记账时间"]).toBe("2026-03-01 00:00:00");
    const firstX = xlsx.rows.find((r) => r["说明"] === "=1+2")!;
    expect((firstX["记账时间"] as Date).getTime()).toBe(wallClock(START).getTime());
    expect(xlsx.sheet.getColumn(xlsx.header.indexOf("记账时间") + 1).numFmt).toBe("yyyy-mm-dd hh:mm:ss");
  });
});

describe("住户积分", () => {
  it("gives each household its opening, in, out and closing points as the ledger sums them", async () => {
    const households = await q().all<{ id: number; number: string; account: number; balance: number }>(
      "select h.id, h.number, a.id as account, a.balance from households h join accounts a on a.household_id = h.id where h.village_id = ? order by h.id",
      v.villageId,
    );
    const { csv, xlsx } = await both("households");
    expect(csv.rows.map((r) => r["户号"])).toEqual(households.map((h) => h.number));
    expect(csv.header).toContain("2026年累计积分");
    for (const [i, h] of households.entries()) {
      const sums = (await q().get<{ opening: number; inside: number; closing: number; score: number }>(
        `select
           coalesce(sum(case when created_at < ? then amount else 0 end), 0) as opening,
           coalesce(sum(case when created_at >= ? then amount else 0 end), 0) as inside,
           coalesce(sum(amount), 0) as closing,
           coalesce(sum(case when score_year = 2026 then score_delta else 0 end), 0) as score
         from ledger_entries where account_id = ? and created_at < ?`,
        START, START, h.account, UNTIL,
      ))!;
      for (const row of [csv.rows[i], xlsx.rows[i]]) {
        expect(n(row["期初积分"]), h.number).toBe(n(sums.opening));
        expect(n(row["期间获得"]) - n(row["期间减少"]), h.number).toBe(n(sums.inside));
        expect(n(row["期末积分"]), h.number).toBe(n(sums.closing));
        expect(n(row["2026年累计积分"]), h.number).toBe(n(sums.score));
        expect(n(row["当前可用积分"]), h.number).toBe(n(h.balance));
      }
    }
    const odd = csv.rows.find((r) => r["户号"] === "099")!;
    expect(odd).toMatchObject({ 户主: ODD_NAME, 门牌地址: '南街"3"号, 东', 期初积分: "60", 期间获得: String(5 + 1 + 2 + 3 + 4), 期间减少: "0" });
  });
});

describe("积分申报", () => {
  it("lists the claims filed in the range with filer, approvals, decider, 公示, objections and credit", async () => {
    const { csv, xlsx } = await both("claims");
    const ids = await q().all<{ id: number }>("select id from claims where village_id = ? and created_at >= ? and created_at < ? order by id", v.villageId, START, UNTIL);
    expect(csv.rows.map((r) => Number(r["申报编号"]))).toEqual(ids.map((x) => n(x.id)));
    const byId = (sheet: Sheet, id: number) => sheet.rows.find((r) => Number(r["申报编号"]) === id)!;
    const credited = await q().get<{ credit_txn_id: number; notice_until: number; credited_at: number }>("select credit_txn_id, notice_until, credited_at from claims where id = ?", v.claims.credited);
    expect(byId(csv, v.claims.credited)).toMatchObject({
      状态: "已入账", 成员: ODD_NAME, 提交人: ODD_NAME, 提交人身份: "户主", 决定人: "村委甲", 积分: "5", 数量: "1", 类别: "志愿服务",
      申报说明: '打扫村口,还有"后街"\n两处', 异议数: "1", 异议: "邻居：那天下雨, 没扫（异议不成立，村委乙处理：有照片为证）",
      入账交易号: String(credited!.credit_txn_id), 发生日期: "2026-03-04",
    });
    expect(byId(csv, v.claims.credited)["审核通过"]).toMatch(/^村委甲（2026-03-05 \d\d:\d\d）$/);
    expect((byId(xlsx, v.claims.credited)["公示截止"] as Date).getTime()).toBe(wallClock(n(credited!.notice_until)).getTime());
    expect((byId(xlsx, v.claims.credited)["入账时间"] as Date).getTime()).toBe(wallClock(n(credited!.credited_at)).getTime());
    expect(byId(csv, v.claims.rejected)).toMatchObject({ 状态: "已驳回", 决定人: "村委乙", 驳回或撤销理由: "重复申报", 申报说明: `'${FORMULAS[4]}`, 审核通过: "", 异议数: "0" });
    expect(byId(xlsx, v.claims.rejected)["申报说明"]).toBe(FORMULAS[4]);
    expect(byId(csv, v.claims.waiting)).toMatchObject({ 状态: "待审核", 决定人: "", 申报说明: "'@还在审核", 入账交易号: "" });
  });
});

describe("兑换单", () => {
  it("lists the orders with their goods, points, cost, keeper and void", async () => {
    const { csv, xlsx } = await both("orders");
    const orders = await q().all<{ id: number; total: number }>("select id, total from orders where village_id = ? and created_at >= ? and created_at < ? order by id", v.villageId, START, UNTIL);
    expect(csv.rows.map((r) => r["兑换单号"])).toEqual(orders.map((o) => `No.${String(o.id).padStart(6, "0")}`));
    expect(csv.rows.reduce((s, r) => s + Number(r["积分"]), 0)).toBe(orders.reduce((s, o) => s + n(o.total), 0));
    const [sold, voided] = csv.rows;
    expect(sold).toMatchObject({ 状态: "已核销", 积分: "60", 商品明细: "大米×2袋（60分）", 件数: "2", "商品成本（元）": "2.00", 作废原因: "" });
    expect(sold["核销人"]).toBe("store_keeperEX1");
    expect(voided).toMatchObject({ 状态: "已作废", 积分: "15", 商品明细: "香皂, 大块×3袋（15分）", 作废人: "store_keeperEX1", 作废原因: "拿错了" });
    expect(xlsx.rows[0]["商品成本（元）"]).toBe(2);
    expect(xlsx.sheet.getColumn(xlsx.header.indexOf("商品成本（元）") + 1).numFmt).toBe("0.00");
  });
});

describe("月度结算", () => {
  it("gives each store and month what went out and whether it was settled, as the settlement page counts it", async () => {
    const { csv, xlsx } = await both("settlements");
    expect(csv.rows).toEqual([
      expect.objectContaining({ 月份: "2026-03", 超市: "超市EX1", 兑换单数: "1", 兑出件数: "2", 兑出积分: "60", "商品成本（元）": "2.00", 结算状态: "已结算", 结算时的积分: "60", "结算时的成本（元）": "2.00", 结算人: "committeeEX1" }),
    ]);
    expect(xlsx.rows[0]).toMatchObject({ 兑出积分: 60, "商品成本（元）": 2, 结算状态: "已结算" });
  });
});

describe("the township's export", () => {
  it("puts every village in one file with a 村 column, and logs the export in each village", async () => {
    const before = n(await q().value("select count(*) from audit_log where action = 'export.ledger'"));
    const { csv, xlsx } = await both("ledger", { villageId: null, township: true });
    expect(csv.header[0]).toBe("村");
    const expected = await q().all<{ id: number; village: string }>(
      "select e.id, v.name as village from ledger_entries e join accounts a on a.id = e.account_id join villages v on v.id = a.village_id where e.created_at >= ? and e.created_at < ? order by e.id",
      START, UNTIL,
    );
    expect(csv.rows.map((r) => [Number(r["流水号"]), r["村"]])).toEqual(expected.map((e) => [n(e.id), e.village]));
    expect(new Set(xlsx.rows.map((r) => r["村"]))).toEqual(new Set(["村EX1", "村EX2"]));
    const villages = n(await q().value("select count(*) from villages"));
    expect(n(await q().value("select count(*) from audit_log where action = 'export.ledger'")) - before).toBe(2 * villages); // csv and xlsx
    // One village from the township's page: its rows only, still with the 村 column.
    const one = readCsv(await bytesOf(await download("households", "csv", { villageId: otherVillage, township: true })));
    expect(one.rows.map((r) => r["村"])).toEqual(["村EX2"]);
  });
});

describe("the audit log", () => {
  it("records who exported what, for which days, in which format, in Chinese on the audit page", async () => {
    const res = await download("orders", "xlsx");
    await res.arrayBuffer();
    const row = (await q().get<{ actor_user_id: number; actor_role: string; village_id: number; action: string; target_type: string; target_id: string; after_json: string }>(
      "select actor_user_id, actor_role, village_id, action, target_type, target_id, after_json from audit_log order by id desc limit 1",
    ))!;
    expect(row).toMatchObject({ actor_user_id: v.committee1, actor_role: "committee", village_id: v.villageId, action: "export.orders", target_type: "village", target_id: String(v.villageId) });
    const after = JSON.parse(row.after_json);
    expect(after).toEqual({ from: "2026-03-01", to: "2026-03-31", format: "xlsx", scope: "village" });
    expect(actionLabel(row.action)).toBe("导出兑换单");
    expect(changeLines(null, after, "village")).toEqual([
      { label: "开始日期", before: null, after: "2026-03-01" },
      { label: "结束日期", before: null, after: "2026-03-31" },
      { label: "文件格式", before: null, after: "Excel 表格（xlsx）" },
      { label: "导出范围", before: null, after: "本村" },
    ]);
    for (const kind of ["ledger", "households", "claims", "orders", "settlements"]) expect(actionLabel(`export.${kind}`)).toMatch(/^导出/);
  });
});

describe("an empty range", () => {
  it("gives the header row alone, in both formats (households and store-months are listed all the same)", async () => {
    for (const kind of EXPORT_KINDS) {
      const range = rangeSchema.parse({ from: "2001-01-01", to: "2001-01-31", format: "csv" });
      const actor = { userId: v.committee1, role: "committee", villageId: v.villageId };
      const csv = readCsv(await bytesOf(await exportFile({ kind, range, villageId: v.villageId, township: false, actor })));
      const xlsx = await readXlsx(await bytesOf(await exportFile({ kind, range: { ...range, format: "xlsx" }, villageId: v.villageId, township: false, actor })));
      // Every household is listed, with its points as they stood; each store and month, sold or not.
      const listed = { households: v.householdIds.length + 1, settlements: 1 } as Partial<Record<ExportKind, number>>;
      expect(csv.rows.length, kind).toBe(listed[kind] ?? 0);
      expect(xlsx.rows.length, kind).toBe(csv.rows.length);
      expect(xlsx.header, kind).toEqual(csv.header);
    }
  });
});

describe("each batch's query", () => {
  // The table an export pages through, by its alias in the query.
  const MAIN: Record<ExportKind, [string, string]> = {
    ledger: ["e", "ledger_entries"], households: ["h", "households"], claims: ["c", "claims"], orders: ["o", "orders"], settlements: ["s", "stores"],
  };
  it.each(EXPORT_KINDS.flatMap((kind) => [{ kind, villageId: 1 as number | null }, { kind, villageId: null }]))(
    "$kind (village $villageId) reads its table by a range of the primary key, sorting nothing",
    async ({ kind, villageId }) => {
      const source = sourceOf(kind, { villageId, villageColumn: villageId === null }, rangeSchema.parse({ ...RANGE, format: "csv" }));
      const plan = await planOf(source.batch(0, 20_000, 1000));
      const [alias, table] = MAIN[kind];
      if (engine().kind === "sqlite") {
        expect(plan, plan.join("\n")).toContain(`SEARCH ${alias} USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)`);
        expect(plan.join("\n")).not.toContain("TEMP B-TREE");
      } else {
        expect(plan.some((l) => new RegExp(`Index Scan (using|on) ${table}_pkey`).test(l)), plan.join("\n")).toBe(true);
      }
    },
  );
});

describe("the date range", () => {
  const errors = (from: unknown, to: unknown, format: unknown = "csv") => {
    const r = rangeSchema.safeParse({ from, to, format });
    return r.success ? {} : fieldErrors(r.error);
  };
  it("accepts real days in order, at most three years, typed loosely", () => {
    expect(rangeSchema.parse({ from: "2026-3-8", to: "２０２６-０３-０９", format: "xlsx" })).toMatchObject({ from: "2026-03-08", to: "2026-03-09", start: china(3, 8, 0, 0), until: china(3, 10, 0, 0) });
    expect(errors("2026-03-08", "2029-03-07")).toEqual({});
    expect(errors("2026-03-08", "2026-03-08")).toEqual({});
  });
  it("refuses the rest with a Chinese message on the field", () => {
    expect(errors("2026-03-09", "2026-03-08")).toEqual({ to: EXPORT_MESSAGES.order });
    expect(errors("2026-03-08", "2029-03-08")).toEqual({ to: EXPORT_MESSAGES.tooLong });
    expect(errors("2026-02-30", "2026-03-08")).toEqual({ from: EXPORT_MESSAGES.badDay });
    expect(errors("", undefined)).toEqual({ from: EXPORT_MESSAGES.fromMissing, to: EXPORT_MESSAGES.toMissing });
    expect(errors("1999-12-31", "2026-01-01")).toEqual({ from: EXPORT_MESSAGES.outOfYears });
    expect(errors("<b>1</b>", "2026-01-01")).toEqual({ from: EXPORT_MESSAGES.badDay });
    expect(errors("2026-01-01", "2026-01-02", "pdf")).toEqual({ format: EXPORT_MESSAGES.format });
    expect(errors("2".repeat(5000), "2026-01-01")).toEqual({ from: EXPORT_MESSAGES.badDay });
  });
});
