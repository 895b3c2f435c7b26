// 花名册导入: encodings, whole-file validation, nothing written on any error.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { sqlOn } from "../support/sql";
import { createHousehold } from "~/people/households.server";
import {
  decodeRosterFile,
  importRoster,
  parseRoster,
  ROSTER_COLUMNS,
  ROSTER_MAX_BYTES,
  ROSTER_SAMPLE_CSV,
  type ImportResult,
} from "~/people/roster.server";
import { createVillage, ensureTownship } from "~/people/villages.server";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/roster");
const fixture = (name: string) => new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
const utf8 = (s: string) => new TextEncoder().encode(s);
const HEADER = "户号,网格,门牌地址,姓名,与户主关系,手机号";
const actor = { userId: null, role: "village_admin" };

let township = 0;
let seq = 0;
async function newVillage(): Promise<number> {
  seq += 1;
  return createVillage({ townshipId: township, name: `测试${seq}村`, code: `RT${seq}` });
}

async function counts() {
  const n = async (table: string) => (await sqlOn().get<{ n: number }>(`select count(*) as n from ${table}`))!.n;
  return {
    households: await n("households"),
    members: await n("members"),
    grids: await n("grids"),
    accounts: await n("accounts"),
    audit: await n("audit_log"),
  };
}

async function roster(villageId: number) {
  const households = await sqlOn().all(
    `select h.number, h.address, g.name as grid from households h left join grids g on g.id = h.grid_id
     where h.village_id = ? order by h.number`,
    villageId,
  );
  const members = await sqlOn().all(
    `select h.number, m.name, m.relation, m.phone, m.is_head from members m join households h on h.id = m.household_id
     where m.village_id = ? order by h.number, m.name`,
    villageId,
  );
  return { households, members };
}

function expectFailure(r: ImportResult) {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
}

beforeAll(async () => {
  township = await ensureTownship("测试镇");
});

describe("decodeRosterFile", () => {
  it("reads UTF-8, UTF-8 with BOM and GBK to the same text", async () => {
    const plain = decodeRosterFile(fixture("valid-utf8.csv"));
    expect(plain.startsWith(HEADER)).toBe(true);
    expect(decodeRosterFile(fixture("valid-utf8-bom.csv"))).toBe(plain);
    // 全角数字 are in GBK too, so the three files carry the same characters.
    expect(decodeRosterFile(fixture("valid-gbk.csv"))).toBe(plain);
  });

  it("refuses empty, binary and Excel workbook files with a message", async () => {
    expect(() => decodeRosterFile(new Uint8Array())).toThrow(/空的/);
    expect(() => decodeRosterFile(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]))).toThrow(/Excel 工作簿/);
    expect(() => decodeRosterFile(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toThrow(/无法识别/);
    expect(() => decodeRosterFile(new Uint8Array([0x61, 0x2c, 0x62, 0x00, 0x63]))).toThrow(/无法识别/);
  });
});

describe("importRoster", () => {
  it("imports the same households and members from UTF-8, UTF-8 with BOM and GBK", async () => {
    const results = [];
    for (const file of ["valid-utf8.csv", "valid-utf8-bom.csv", "valid-gbk.csv"]) {
      const v = await newVillage();
      const before = await counts();
      const r = await importRoster(v, actor, fixture(file));
      if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r)}`);
      expect(r.households.map((h) => [h.number, h.head, h.members])).toEqual([
        ["1001", "王建国", 3],
        ["1002", "张桂芳", 2],
        ["2001", "陈德福", 2],
        ["3001", "赵淑珍", 1],
      ]);
      expect(r.members).toBe(8);
      expect(r.newGrids).toEqual(["第一网格", "第二网格"]);
      const after = await counts();
      expect(after).toEqual({
        households: before.households + 4,
        members: before.members + 8,
        grids: before.grids + 2,
        accounts: before.accounts + 4, // every household gets its points account
        audit: before.audit + 1,
      });
      const log = (await sqlOn().get<{ action: string; actor_role: string; village_id: number; after_json: string }>(
        "select action, actor_role, village_id, after_json from audit_log order by id desc limit 1",
      ))!;
      expect(log).toMatchObject({ action: "import_roster", actor_role: "village_admin", village_id: v });
      expect(JSON.parse(log.after_json)).toEqual({ rows: 8, households: 4, members: 8, newGrids: 2 });
      results.push(await roster(v));
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    const { households, members } = results[0]!;
    expect(households).toContainEqual({ number: "2001", address: "西头组 3 号, 老槐树旁", grid: "第二网格" });
    expect(households).toContainEqual({ number: "3001", address: "村委会后院", grid: null });
    // full-width digits and dashes in phone numbers are read as plain digits; aliases map to the list
    expect(members).toContainEqual({ number: "1001", name: "李秀兰", relation: "配偶", phone: "13800000002", is_head: 0 });
    expect(members).toContainEqual({ number: "1002", name: "刘志强", relation: "子女", phone: "13800000003", is_head: 0 });
    expect(members).toContainEqual({ number: "1001", name: "王建国", relation: "户主", phone: "13800000001", is_head: 1 });
  });

  it("reuses grids that already exist and only reports new ones", async () => {
    const v = await newVillage();
    await sqlOn().run("insert into grids (village_id, name) values (?, '第一网格')", v);
    const r = await importRoster(v, actor, fixture("valid-utf8.csv"));
    expect(r.ok && r.newGrids).toEqual(["第二网格"]);
  });

  it("reports every problem with its Excel row number and writes nothing", async () => {
    const v = await newVillage();
    const before = await counts();
    const r = expectFailure(await importRoster(v, actor, fixture("invalid.csv")));
    expect(await counts()).toEqual(before);
    expect(r.message).toMatch(/没有导入任何数据/);
    const got = r.errors.map((e) => [e.row, e.column]);
    expect(got).toEqual([
      [3, "与户主关系"], // second 户主 in 5001
      [4, "姓名"], // markup
      [5, "手机号"], // 10 digits
      [6, "手机号"], // same phone as row 2 (sorted by row; order within a row as found)
      [6, "网格"], // 5003 grid differs from row 5
      [7, "与户主关系"], // 邻居 is not a relation
      [8, "姓名"], // empty
      [9, "与户主关系"], // 5006 has no 户主
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
    expect(r.errors.find((e) => e.row === 3)!.message).toMatch(/已有户主（第 2 行）/);
    expect(r.errors.find((e) => e.row === 4)!.message).toMatch(/< 或 >/);
    expect(r.errors.find((e) => e.row === 6 && e.column === "手机号")!.message).toMatch(/第 2 行重复/);
    expect(r.errors.find((e) => e.row === 9)!.message).toMatch(/没有户主/);
    expect(r.totalErrors).toBe(8);
    expect((await roster(v)).households).toEqual([]);
  });

  it("refuses 户号 that already exist in the village, but not in another village", async () => {
    const v = await newVillage();
    await createHousehold({ villageId: v, gridId: null, number: "1002", address: "", members: [{ name: "老住户", relation: "户主" }] });
    const before = await counts();
    const r = expectFailure(await importRoster(v, actor, fixture("valid-utf8.csv")));
    expect(r.errors).toEqual([{ row: 5, column: "户号", message: "户号 1002 本村已经有了，不能重复导入" }]);
    expect(await counts()).toEqual(before);

    // importing the same file twice: the second time every household is refused
    const w = await newVillage();
    expect((await importRoster(w, actor, fixture("valid-utf8.csv"))).ok).toBe(true);
    const again = expectFailure(await importRoster(w, actor, fixture("valid-utf8.csv")));
    expect(again.errors.map((e) => e.row)).toEqual([2, 5, 8, 10]);
  });

  it("imports a file sent twice at once only once, and tells the second upload which rows", async () => {
    const v = await newVillage();
    const before = await counts();
    // Both are checked before either writes; the second finds the 户号 taken when it writes.
    const [a, b] = await Promise.all([importRoster(v, actor, fixture("valid-utf8.csv")), importRoster(v, actor, fixture("valid-utf8.csv"))]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    const refused = expectFailure(a.ok ? b : a);
    expect(refused.errors.map((e) => e.row)).toEqual([2, 5, 8, 10]);
    expect(refused.errors[0]).toMatchObject({ column: "户号", message: "户号 1001 本村已经有了，不能重复导入" });
    expect(await counts()).toEqual({
      households: before.households + 4, members: before.members + 8, grids: before.grids + 2, accounts: before.accounts + 4, audit: before.audit + 1,
    });
  });

  it("refuses two 户主 in one household and a household without one", async () => {
    const v = await newVillage();
    const two = expectFailure(await importRoster(v, actor, utf8(`${HEADER}\n7001,,,甲,户主,\n7001,,,乙,户主,\n`)));
    expect(two.errors).toEqual([{ row: 3, column: "与户主关系", message: "户号 7001 已有户主（第 2 行），每户只能有一个户主" }]);
    const none = expectFailure(await importRoster(v, actor, utf8(`${HEADER}\n7001,,,甲,配偶,\n`)));
    expect(none.errors).toEqual([{ row: 2, column: "与户主关系", message: "户号 7001 没有户主，每户要有一个人填“户主”" }]);
  });

  it("accepts full-width digits in phone numbers and 户号", async () => {
    const v = await newVillage();
    const r = await importRoster(v, actor, utf8(`${HEADER}\n８００１,,,钱多多,户主,１３９ １２３４ ５６７８\n`));
    expect(r.ok).toBe(true);
    expect((await roster(v)).members).toEqual([{ number: "8001", name: "钱多多", relation: "户主", phone: "13912345678", is_head: 1 }]);
  });

  it("refuses markup in any cell", async () => {
    const v = await newVillage();
    const before = await counts();
    const r = expectFailure(
      await importRoster(v, actor, utf8(`${HEADER}\n9001,<b>网格</b>,"<img src=x onerror=alert(1)>",张三,户主,\n9002,,,李四>,户主,\n`)),
    );
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [2, "网格"],
      [2, "门牌地址"],
      [3, "姓名"],
    ]);
    expect(await counts()).toEqual(before);
  });

  it("refuses duplicate phones, bad phones and names that are too long", async () => {
    const v = await newVillage();
    const r = expectFailure(
      await importRoster(
        v,
        actor,
        utf8(`${HEADER}\n1,,,张三,户主,13800000001\n2,,,李四,户主,13800000001\n3,,,王五,户主,1.38E+10\n4,,,${"长".repeat(21)},户主,23800000001\n`),
      ),
    );
    expect(r.errors).toEqual([
      { row: 3, column: "手机号", message: "手机号和第 2 行重复" },
      { row: 4, column: "手机号", message: "手机号被 Excel 改成了科学计数法，请把这一列设成“文本”后重新填写" },
      { row: 5, column: "姓名", message: "姓名最多 20 个字" },
      { row: 5, column: "手机号", message: "手机号应为 11 位数字，以 1 开头；没有可以不填" },
    ]);
  });

  it("gives a clear message for empty, header-only, binary, oversized and malformed files", async () => {
    const v = await newVillage();
    const before = await counts();
    const message = async (bytes: Uint8Array) => expectFailure(await importRoster(v, actor, bytes)).message;
    expect(await message(new Uint8Array())).toMatch(/文件是空的/);
    expect(await message(utf8("\uFEFF  \r\n"))).toMatch(/文件是空的/);
    expect(await message(utf8(`${HEADER}\r\n,,,,,\r\n`))).toMatch(/只有表头/);
    const png = new Uint8Array(64).map((_, i) => (i * 37 + 11) % 256);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await message(png)).toMatch(/不是文本格式的 CSV/);
    expect(await message(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))).toMatch(/另存为/);
    expect(await message(new Uint8Array(ROSTER_MAX_BYTES + 1).fill(0x41))).toMatch(/文件太大/);
    const tooMany = [HEADER, ...Array.from({ length: 5001 }, (_, i) => `${i + 1},,,张${i},户主,`)].join("\n");
    expect(await message(utf8(tooMany))).toMatch(/最多导入 5000 行.*5001 行/);
    // a header that is not ours
    const header = expectFailure(await importRoster(v, actor, utf8("name,phone\n张三,13800000001\n")));
    expect(header.errors[0]).toMatchObject({ row: 1 });
    expect(header.errors[0]!.message).toMatch(/缺少这些列：户号、网格、门牌地址、姓名、与户主关系、手机号/);
    // an unclosed quote
    const quote = expectFailure(await importRoster(v, actor, utf8(`${HEADER}\n1,,,张三,户主,\n2,,"东街,李四,户主,\n`)));
    expect(quote.errors).toEqual([{ row: 3, message: expect.stringMatching(/引号没有成对/) }]);
    expect(await counts()).toEqual(before);
  });

  it("numbers rows as Excel does when cells span lines and blank rows are present", async () => {
    const v = await newVillage();
    const r = expectFailure(await importRoster(v, actor, utf8(`${HEADER}\n1,,"东街\n12号",张三,户主,\n\n2,,,<李四>,户主,\n`)));
    expect(r.errors).toEqual([{ row: 4, column: "姓名", message: "姓名不能包含 < 或 > 符号" }]);
  });

  it("tolerates header decorations, extra columns, tabs and column order", async () => {
    const v = await newVillage();
    const text = "序号\t姓名\t户号*\t与户主关系\t手机号（选填）\t网格\t门牌地址\n1\t孙悟空\tA-1\t户主\t\t花果山\t水帘洞\n";
    const r = await importRoster(v, actor, utf8(text));
    expect(r.ok && r.households).toEqual([{ id: expect.any(Number), number: "A-1", grid: "花果山", group: "", address: "水帘洞", head: "孙悟空", members: 1 }]);
  });
});

describe("sample file", () => {
  it("is UTF-8 with BOM, has the documented columns and imports cleanly", async () => {
    expect(ROSTER_SAMPLE_CSV.startsWith("\uFEFF")).toBe(true);
    expect(ROSTER_SAMPLE_CSV.split("\r\n")[0]).toBe(`\uFEFF${ROSTER_COLUMNS.map((c) => c.name).join(",")}`);
    const v = await newVillage();
    const parsed = await parseRoster(decodeRosterFile(utf8(ROSTER_SAMPLE_CSV)), v);
    expect(parsed.ok).toBe(true);
    expect((await importRoster(v, actor, utf8(ROSTER_SAMPLE_CSV))).ok).toBe(true);
  });
});
