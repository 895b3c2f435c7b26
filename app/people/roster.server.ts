// 花名册导入: a village admin uploads a CSV of households and members. The whole file is checked
// first; any problem imports nothing. A valid file is imported in one unit of work with one audit row.
import { CsvError, parse } from "csv-parse/sync";
import { z } from "zod";
import { audit } from "~/audit/audit.server";
import { db, unitOfWork } from "~/platform/database.server";
import { now } from "~/platform/clock.server";
import { isUniqueViolation } from "~/platform/forms.server";
import { householdNumberSchema } from "./household-admin.server";
import { addHousehold } from "./households.server";
import { RELATIONS, TEXT_LIMITS } from "./limits";
import { markRepresentatives } from "~/campaigns/voters.server";
import { addGrid, listGrids } from "./villages.server";
import { hasInvisible, invisibleMessage, normalizeDigits, textSchema } from "~/platform/validation.server";
import { GROUP_LIMITS } from "~/groups/labels";

export const ROSTER_MAX_BYTES = 2_000_000;
export const ROSTER_MAX_ROWS = 5000;
/** More problems than this are counted, not listed: nobody reads a table of thousands of rows. */
const MAX_LISTED_ERRORS = 200;

export interface RosterColumn {
  name: string;
  required: boolean;
  description: string;
  example: string;
}

export const ROSTER_COLUMNS: readonly RosterColumn[] = [
  { name: "户号", required: true, description: "本村唯一的户编号，可用数字、字母、汉字和 -。同一户的成员填相同户号，不能和本村已有的户号重复。", example: "1001" },
  { name: "网格", required: false, description: "住户所在网格。没有的网格会自动新建。同一户每行要填得一样。", example: "第一网格" },
  { name: "联户", required: false, description: `住户所在的联户（网格下约 10 到 15 户一组，由联户长联系）。填了联户就要填网格；这个网格还没有这个联户会自动新建。同一户每行要填得一样。最多 ${GROUP_LIMITS.name} 个字。没有这一列也可以导入。`, example: "1号联户" },
  { name: "门牌地址", required: false, description: `门牌号或住址。同一户每行要填得一样。最多 ${TEXT_LIMITS.address} 个字。`, example: "东街 12 号" },
  { name: "姓名", required: true, description: `成员姓名，每行一人。最多 ${TEXT_LIMITS.rosterName} 个字。`, example: "王建国" },
  { name: "与户主关系", required: true, description: `每户有且只有一个“户主”。可填：${RELATIONS.join("、")}。`, example: "户主" },
  { name: "手机号", required: false, description: "11 位手机号，可以不填。同一个文件里不能重复。", example: "13800000001" },
  { name: "村民代表", required: false, description: "是村民代表填“是”，不是填“否”或不填。在“由村民代表投票”的评选里投票。没有这一列也可以导入。", example: "否" },
];

/** Columns a file may leave out altogether (older files have no 村民代表 column). */
const OPTIONAL_COLUMNS: readonly string[] = ["村民代表", "联户"];

const COLUMN_NAMES = ROSTER_COLUMNS.map((c) => c.name);
type ColumnName = "户号" | "网格" | "联户" | "门牌地址" | "姓名" | "与户主关系" | "手机号" | "村民代表";

/** The downloadable sample: UTF-8 with BOM so Excel opens it with the right characters. */
export const ROSTER_SAMPLE_FILENAME = "花名册示例.csv";
export const ROSTER_SAMPLE_CSV =
  "\uFEFF" +
  [
    COLUMN_NAMES.join(","),
    "1001,第一网格,1号联户,东街 12 号,王建国,户主,13800000001,是",
    "1001,第一网格,1号联户,东街 12 号,李秀兰,配偶,13800000002,",
    "1001,第一网格,1号联户,东街 12 号,王小明,子女,,",
    "1002,第一网格,1号联户,东街 14 号,张桂芳,户主,,否",
    "1002,第一网格,1号联户,东街 14 号,刘志强,子女,13800000003,",
    "2001,第二网格,2号联户,\"西头组 3 号, 老槐树旁\",陈德福,户主,13800000004,是",
    "2001,第二网格,2号联户,\"西头组 3 号, 老槐树旁\",陈丽,孙子女,,",
  ].join("\r\n") +
  "\r\n";

export interface RosterError {
  /** The row as Excel shows it: the header is row 1. */
  row: number;
  column?: string;
  message: string;
}

export interface ParsedMember {
  row: number;
  name: string;
  relation: string;
  phone: string | null;
  representative: boolean;
}

export interface ParsedHousehold {
  row: number; // first row of the household
  number: string;
  grid: string; // "" = no grid
  group: string; // "" = no 联户
  address: string;
  members: ParsedMember[];
}

export type ParseResult =
  | { ok: false; message: string; errors: RosterError[]; totalErrors: number }
  | { ok: true; households: ParsedHousehold[]; rows: number };

export interface ImportedHousehold {
  id: number;
  number: string;
  grid: string;
  group: string;
  address: string;
  head: string;
  members: number;
}

export type ImportResult =
  | { ok: false; message: string; errors: RosterError[]; totalErrors: number }
  | { ok: true; households: ImportedHousehold[]; members: number; newGrids: string[]; newGroups: string[] };

function fileError(message: string): { ok: false; message: string; errors: RosterError[]; totalErrors: number } {
  return { ok: false, message, errors: [], totalErrors: 0 };
}

// ---------------------------------------------------------------------------------------------
// Decoding

export class RosterFileError extends Error {}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/**
 * Bytes to text: UTF-8 (BOM stripped), UTF-16 with BOM (Excel's "Unicode 文本"), otherwise GBK/GB18030
 * as Excel in China saves CSV. Throws RosterFileError with a message for the admin when it is not text.
 */
export function decodeRosterFile(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new RosterFileError("文件是空的，请选择填好的花名册 CSV 文件。");
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new RosterFileError("这是 Excel 工作簿，不是 CSV 文件。请在 Excel 里点“文件 → 另存为”，保存类型选“CSV（逗号分隔）”，再上传保存好的文件。");
  }
  let text: string;
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) text = decodeStrict("utf-8", bytes.subarray(3));
  else if (startsWith(bytes, [0xff, 0xfe])) text = decodeStrict("utf-16le", bytes.subarray(2));
  else if (startsWith(bytes, [0xfe, 0xff])) text = decodeStrict("utf-16be", bytes.subarray(2));
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      text = decodeStrict("gb18030", bytes);
    }
  }
  // NUL and other control characters (tab, CR, LF aside) do not occur in a spreadsheet saved as text.
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.test(text)) throw notText();
  return text;
}

function decodeStrict(encoding: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw notText();
  }
}

function notText(): RosterFileError {
  return new RosterFileError("文件内容无法识别，不是文本格式的 CSV 文件。请用 Excel 或 WPS 打开花名册，另存为“CSV（逗号分隔）”后再上传。");
}

// ---------------------------------------------------------------------------------------------
// Parsing and checking (no database access: the 户号 the village already has are given)

/** Cell text: trimmed, inner whitespace (including line breaks inside a cell) collapsed to one space. */
function cell(s: string | undefined): string {
  return (s ?? "").replace(/\s+/g, " ").trim();
}

const RELATION_ALIASES: Record<string, string> = {
  本人: "户主",
  妻: "配偶", 妻子: "配偶", 丈夫: "配偶", 夫: "配偶", 老伴: "配偶",
  子: "子女", 女: "子女", 儿子: "子女", 女儿: "子女", 长子: "子女", 次子: "子女", 长女: "子女", 次女: "子女", 养子: "子女", 养女: "子女",
  媳妇: "儿媳",
  父亲: "父母", 母亲: "父母", 父: "父母", 母: "父母",
  孙子: "孙子女", 孙女: "孙子女", 外孙子: "孙子女", 外孙女: "孙子女", 外孙: "孙子女",
  哥哥: "兄弟姐妹", 弟弟: "兄弟姐妹", 姐姐: "兄弟姐妹", 妹妹: "兄弟姐妹", 兄: "兄弟姐妹", 弟: "兄弟姐妹", 姐: "兄弟姐妹", 妹: "兄弟姐妹",
};

const relationSchema = z
  .string()
  .transform((s) => s.replace(/\s+/g, ""))
  .transform((s) => RELATION_ALIASES[s] ?? s)
  .pipe(
    z
      .string()
      .min(1, "请填写与户主关系")
      .refine((s) => (RELATIONS as readonly string[]).includes(s), `与户主关系只能填：${RELATIONS.join("、")}`),
  );

const rowSchema = z.object({
  户号: householdNumberSchema,
  网格: textSchema("网格", TEXT_LIMITS.gridName, false),
  联户: textSchema("联户", GROUP_LIMITS.name, false),
  门牌地址: textSchema("门牌地址", TEXT_LIMITS.address, false),
  姓名: textSchema("姓名", TEXT_LIMITS.rosterName),
  与户主关系: relationSchema,
  手机号: z
    .string()
    .transform((s) => normalizeDigits(s).replace(/[-－—]/g, ""))
    .superRefine((s, ctx) => {
      if (s === "" || /^1[3-9]\d{9}$/.test(s)) return;
      ctx.addIssue({
        code: "custom",
        message: /^\d(\.\d+)?e\+?\d+$/i.test(s)
          ? "手机号被 Excel 改成了科学计数法，请把这一列设成“文本”后重新填写"
          : "手机号应为 11 位数字，以 1 开头；没有可以不填",
      });
    })
    .transform((s) => (s === "" ? null : s)),
  村民代表: z
    .string()
    .transform((s) => s.replace(/\s+/g, ""))
    .pipe(z.enum(["", "是", "否"], { error: "村民代表只能填“是”或“否”，不是村民代表也可以不填" }))
    .transform((s) => s === "是"),
});

/** Header names as people type them: spaces, a required-mark star, or "（必填）" are tolerated. */
function headerName(s: string): string {
  return s.replace(/\s+/g, "").replace(/[*＊]/g, "").replace(/[（(][^）)]*[）)]$/, "");
}

/** Checks a decoded file against the rules and the village's existing 户号. Reads, never writes. */
export async function parseRoster(text: string, villageId: number): Promise<ParseResult> {
  return checkRoster(text, await existingHouseholdNumbers(villageId), await existingGroups(villageId));
}

/**
 * Checks a decoded file against the rules, the 户号 that already exist and the village's 联户 (name →
 * the name of its grid, "" for none): a 联户 is one grid's, so a name the village or the file already
 * puts under another grid is refused.
 */
export function checkRoster(text: string, existingNumbers: ReadonlySet<string>, groups: ReadonlyMap<string, string> = new Map()): ParseResult {
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  if (text.trim() === "") return fileError("文件是空的，请选择填好的花名册 CSV 文件。");

  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter = !firstLine.includes(",") && firstLine.includes("\t") ? "\t" : ",";
  let records: string[][];
  try {
    records = parse(text, { delimiter, skip_empty_lines: false, relax_column_count: true, relax_quotes: true, bom: true }) as string[][];
  } catch (e) {
    if (e instanceof CsvError) {
      const row = (Number((e as CsvError & { records?: number }).records) || 0) + 1;
      return {
        ok: false,
        message: "文件格式有误，没有导入任何数据。",
        errors: [{ row, message: "引号没有成对，这一行从这里开始无法读取。请检查单元格里的英文双引号 \"。" }],
        totalErrors: 1,
      };
    }
    throw e;
  }

  const errors: RosterError[] = [];
  const header = (records[0] ?? []).map((h) => headerName(cell(h)));
  const index = new Map<string, number>();
  header.forEach((h, i) => {
    if (!COLUMN_NAMES.includes(h)) return;
    if (index.has(h)) errors.push({ row: 1, column: h, message: `表头里“${h}”出现了两次` });
    else index.set(h, i);
  });
  const missing = COLUMN_NAMES.filter((c) => !index.has(c) && !OPTIONAL_COLUMNS.includes(c));
  if (missing.length) {
    errors.push({
      row: 1,
      message: `第 1 行应是表头，缺少这些列：${missing.join("、")}。请下载示例文件，按示例的表头填写。`,
    });
  }
  if (errors.length) return { ok: false, message: "表头不对，没有导入任何数据。", errors, totalErrors: errors.length };

  // Row numbers follow Excel: blank rows are skipped but still counted.
  const dataRows = records.slice(1).map((r, i) => ({ row: i + 2, cells: r })).filter((r) => r.cells.some((c) => cell(c) !== ""));
  if (dataRows.length === 0) return fileError("文件里只有表头，没有住户和成员。请在表头下面每行填一个人。");
  if (dataRows.length > ROSTER_MAX_ROWS) {
    return fileError(`一次最多导入 ${ROSTER_MAX_ROWS} 行，这个文件有 ${dataRows.length} 行。请分成几个文件上传。`);
  }

  const households = new Map<string, ParsedHousehold>();
  const headRow = new Map<string, number>();
  const phoneRow = new Map<string, number>();
  const incomplete = new Set<string>();

  // What the first row of each household said, to hold the other rows of that household to it.
  const firstSeen = new Map<string, { grid?: { value: string; row: number }; group?: { value: string; row: number }; address?: { value: string; row: number } }>();
  // 联户 named in the file: the grid the first row gave it.
  const groupGrid = new Map<string, { grid: string; row: number }>();
  const shape = rowSchema.shape;

  for (const { row, cells } of dataRows) {
    const raw = Object.fromEntries(COLUMN_NAMES.map((c) => [c, index.has(c) ? cell(cells[index.get(c)!]) : ""])) as Record<ColumnName, string>;
    // Each column on its own, so that one bad cell does not hide the checks of the others.
    const field = <K extends ColumnName>(column: K): z.output<(typeof shape)[K]> | undefined => {
      // The cell as written: collapsing whitespace would turn a U+FEFF or U+2028 into a space.
      if (index.has(column) && hasInvisible(cells[index.get(column)!] ?? "")) {
        errors.push({ row, column, message: invisibleMessage(column) });
        return undefined;
      }
      if (/[<>]/.test(raw[column])) {
        errors.push({ row, column, message: `${column}不能包含 < 或 > 符号` });
        return undefined;
      }
      const r = shape[column].safeParse(raw[column]);
      if (r.success) return r.data as z.output<(typeof shape)[K]>;
      errors.push({ row, column, message: r.error.issues[0]?.message ?? `${column}填写有误` });
      return undefined;
    };
    const number = field("户号");
    const grid = field("网格");
    const group = field("联户");
    const address = field("门牌地址");
    const name = field("姓名");
    const relation = field("与户主关系");
    const phone = field("手机号");
    const representative = field("村民代表");

    if (phone) {
      const first = phoneRow.get(phone);
      if (first !== undefined) errors.push({ row, column: "手机号", message: `手机号和第 ${first} 行重复` });
      else phoneRow.set(phone, row);
    }
    if (number === undefined) continue;

    let h = households.get(number);
    if (!h) {
      if (existingNumbers.has(number)) {
        errors.push({ row, column: "户号", message: `户号 ${number} 本村已经有了，不能重复导入` });
      }
      h = { row, number, grid: grid ?? "", group: group ?? "", address: address ?? "", members: [] };
      households.set(number, h);
      firstSeen.set(number, {});
    }
    const seen = firstSeen.get(number)!;
    if (grid !== undefined) {
      if (!seen.grid) seen.grid = { value: grid, row };
      else if (seen.grid.value !== grid) {
        errors.push({ row, column: "网格", message: `同一户的网格要一样：第 ${seen.grid.row} 行填的是“${seen.grid.value || "（空）"}”` });
      }
    }
    if (group !== undefined && group !== "" && grid !== undefined) {
      const known = groups.get(group);
      const inFile = groupGrid.get(group);
      if (grid === "") errors.push({ row, column: "联户", message: `填了联户“${group}”，还要填它所在的网格` });
      else if (known !== undefined && known !== grid) {
        errors.push({ row, column: "联户", message: `本村的联户“${group}”在${known ? `“${known}”` : "未分网格的住户"}里，不在“${grid}”：一个联户只能在一个网格` });
      } else if (inFile && inFile.grid !== grid) {
        errors.push({ row, column: "联户", message: `第 ${inFile.row} 行把联户“${group}”填在“${inFile.grid}”，一个联户只能在一个网格` });
      } else if (!inFile) groupGrid.set(group, { grid, row });
    }
    if (group !== undefined) {
      if (!seen.group) seen.group = { value: group, row };
      else if (seen.group.value !== group) {
        errors.push({ row, column: "联户", message: `同一户的联户要一样：第 ${seen.group.row} 行填的是“${seen.group.value || "（空）"}”` });
      }
    }
    if (address !== undefined) {
      if (!seen.address) seen.address = { value: address, row };
      else if (seen.address.value !== address) {
        errors.push({ row, column: "门牌地址", message: `同一户的门牌地址要一样：第 ${seen.address.row} 行填的是“${seen.address.value || "（空）"}”` });
      }
    }
    if (relation === "户主") {
      const first = headRow.get(number);
      if (first !== undefined) {
        errors.push({ row, column: "与户主关系", message: `户号 ${number} 已有户主（第 ${first} 行），每户只能有一个户主` });
      } else headRow.set(number, row);
    }
    if (relation === undefined) incomplete.add(number);
    if (name !== undefined && relation !== undefined && phone !== undefined && grid !== undefined && group !== undefined && address !== undefined && representative !== undefined) {
      h.members.push({ row, name, relation, phone, representative });
    }
  }

  for (const h of households.values()) {
    // A row whose relation could not be read may have been the head: that row already says why.
    if (!headRow.has(h.number) && !incomplete.has(h.number)) {
      errors.push({ row: h.row, column: "与户主关系", message: `户号 ${h.number} 没有户主，每户要有一个人填“户主”` });
    }
  }

  if (errors.length) {
    errors.sort((a, b) => a.row - b.row);
    return {
      ok: false,
      message: `文件里有 ${errors.length} 处问题，没有导入任何数据。请改好后重新上传。`,
      errors: errors.slice(0, MAX_LISTED_ERRORS),
      totalErrors: errors.length,
    };
  }
  return { ok: true, households: [...households.values()], rows: dataRows.length };
}

// ---------------------------------------------------------------------------------------------
// Import

/** The village's 联户: name → the name of its grid ("" when it has none). */
export async function existingGroups(villageId: number): Promise<Map<string, string>> {
  const rows = await db()
    .selectFrom("household_groups as g")
    .leftJoin("grids as r", "r.id", "g.grid_id")
    .select(["g.name", "r.name as grid"])
    .where("g.village_id", "=", villageId)
    .execute();
  return new Map(rows.map((g) => [g.name, g.grid ?? ""]));
}

export async function existingHouseholdNumbers(villageId: number): Promise<Set<string>> {
  const rows = await db().selectFrom("households").select("number").where("village_id", "=", villageId).execute();
  return new Set(rows.map((r) => r.number));
}

/**
 * Checks the whole file, then creates grids, households (with their points accounts) and members in
 * one unit of work. The file is read and checked before it (a large file takes a while, and a unit
 * of work holds the only writer); a 户号 someone adds in between is refused by the unique index,
 * which rolls the whole import back, and the file is checked again to say which rows.
 */
export async function importRoster(villageId: number, actor: { userId: number | null; role: string }, bytes: Uint8Array): Promise<ImportResult> {
  if (bytes.length > ROSTER_MAX_BYTES) return fileError(`文件太大了：最大 2 MB（约 ${ROSTER_MAX_ROWS} 行）。请分成几个文件上传。`);
  let text: string;
  try {
    text = decodeRosterFile(bytes);
  } catch (e) {
    if (e instanceof RosterFileError) return fileError(e.message);
    throw e;
  }
  const checked = await parseRoster(text, villageId);
  if (!checked.ok) return checked;
  try {
    return await unitOfWork(() => writeRoster(villageId, actor, checked));
  } catch (e) {
    // A 户号 or a 联户 someone added meanwhile: the file is checked again to say which rows.
    if (!isUniqueViolation(e, "households.") && !isUniqueViolation(e, "household_groups.")) throw e;
    const again = await parseRoster(text, villageId);
    if (!again.ok) return again;
    throw e;
  }
}

async function writeRoster(villageId: number, actor: { userId: number | null; role: string }, checked: Extract<ParseResult, { ok: true }>): Promise<ImportResult> {
  const gridIds = new Map((await listGrids(villageId)).map((g) => [g.name, g.id]));
  const newGrids: string[] = [];
  const groupIds = new Map((await db().selectFrom("household_groups").select(["id", "name"]).where("village_id", "=", villageId).execute()).map((g) => [g.name, g.id]));
  const newGroups: string[] = [];
  const created: ImportedHousehold[] = [];
  let members = 0;
  let representatives = 0;
  for (const h of checked.households) {
    let gridId: number | null = null;
    if (h.grid) {
      gridId = gridIds.get(h.grid) ?? null;
      if (gridId === null) {
        gridId = await addGrid(villageId, h.grid);
        gridIds.set(h.grid, gridId);
        newGrids.push(h.grid);
      }
    }
    // The head first, so lists that keep insertion order show the head at the top.
    const ordered = [...h.members].sort((a, b) => Number(b.relation === "户主") - Number(a.relation === "户主"));
    const { householdId, memberIds } = await addHousehold({
      villageId,
      gridId,
      number: h.number,
      address: h.address,
      members: ordered.map((m) => ({ name: m.name, relation: m.relation, phone: m.phone })),
    });
    if (h.group && gridId !== null) {
      let groupId = groupIds.get(h.group);
      if (groupId === undefined) {
        groupId = (await db()
          .insertInto("household_groups")
          .values({ village_id: villageId, grid_id: gridId, name: h.group, leader_user_id: null, created_at: now() })
          .returning("id")
          .executeTakeFirstOrThrow()).id;
        groupIds.set(h.group, groupId);
        newGroups.push(h.group);
      }
      await db().updateTable("households").set({ group_id: groupId }).where("id", "=", householdId).execute();
    }
    members += ordered.length;
    const reps = memberIds.filter((_, k) => ordered[k]!.representative);
    await markRepresentatives(reps);
    representatives += reps.length;
    created.push({
      id: householdId,
      number: h.number,
      grid: h.grid,
      group: h.group,
      address: h.address,
      head: ordered[0]!.name,
      members: ordered.length,
    });
  }
  await audit({
    actorUserId: actor.userId,
    actorRole: actor.role,
    villageId,
    action: "import_roster",
    targetType: "village",
    targetId: villageId,
    after: { rows: checked.rows, households: created.length, members, newGrids: newGrids.length, ...(newGroups.length ? { newGroups: newGroups.length } : {}), ...(representatives ? { representatives } : {}) },
  });
  return { ok: true, households: created, members, newGrids, newGroups };
}
