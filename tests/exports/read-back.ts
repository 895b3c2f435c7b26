// Reading an export back as a spreadsheet program would: the CSV with a real CSV parser (records end
// only at CRLF, so a bare line feed outside quotes would break the count), the workbook with exceljs.
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { expect } from "vitest";

export interface Sheet {
  header: string[];
  rows: Record<string, unknown>[];
}

export async function bytesOf(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

export function readCsv(bytes: Buffer): Sheet {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM
  const text = bytes.toString("utf8");
  expect(text.endsWith("\r\n")).toBe(true);
  const records: string[][] = parse(text, { bom: true, record_delimiter: "\r\n", relax_column_count: false });
  const [header, ...body] = records;
  return { header, rows: body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]]))) };
}

export async function readXlsx(bytes: Buffer): Promise<Sheet & { cells: ExcelJS.Cell[][]; sheet: ExcelJS.Worksheet }> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = book.worksheets[0];
  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (c, n) => (header[n - 1] = String(c.value)));
  const rows: Record<string, unknown>[] = [];
  const cells: ExcelJS.Cell[][] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const line = header.map((_, i) => row.getCell(i + 1));
    cells.push(line);
    rows.push(Object.fromEntries(header.map((h, i) => [h, line[i].value ?? null])));
  }
  return { header, rows, cells, sheet };
}

/** A China wall-clock time as the workbook holds it (a date without a zone). */
export function wallClock(ms: number): Date {
  return new Date(ms + 8 * 3600_000);
}
