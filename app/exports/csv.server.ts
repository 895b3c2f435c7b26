// A source as CSV that Excel opens as it is: UTF-8 with a BOM (else Excel reads the Chinese as
// another code page), CRLF lines, a field quoted when it holds a comma, a quote or a line break.
// Written a batch at a time: the stream asks for the next batch only when the last one was taken.
import type { Cell, Column, Row, Source } from "./sources.server";

const BOM = "\uFEFF";
const CHINA_OFFSET = 8 * 3600_000;

/**
 * Text that a spreadsheet would run as a formula (=, +, - or @ first; a tab or carriage return
 * first also starts one in some) gets a leading apostrophe: Excel's own mark for "this is text",
 * which it hides when it shows the cell. Numbers are written as numbers and never guarded: an
 * amount of -5 stays a number that sums.
 */
export function guardFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** "2026-03-08 09:30:05" in China time: what Excel reads as a date and time. */
export function csvTime(ms: number): string {
  const d = new Date(ms + CHINA_OFFSET).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 19)}`;
}

function field(value: Cell, column: Column): string {
  if (value === null || value === undefined || value === "") return "";
  switch (column.type) {
    case "int":
      return String(value);
    case "time":
      return csvTime(Number(value));
    case "day":
      return csvTime(Number(value)).slice(0, 10);
    case "yuan":
      return (Number(value) / 100).toFixed(2);
    case "text":
      return quote(guardFormula(String(value)));
  }
}

export function csvLine(row: Row, columns: Column[]): string {
  return row.map((v, i) => field(v, columns[i])).join(",") + "\r\n";
}

export function csvHeader(columns: Column[]): string {
  return BOM + columns.map((c) => quote(guardFormula(c.header))).join(",") + "\r\n";
}

/** The file as a stream of bytes; a batch is read when the reader wants more (pull), not before. */
export function csvStream(source: Source, drained?: () => Promise<void>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const batches = source.batches();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(csvHeader(source.columns)));
      },
      async pull(controller) {
        await drained?.();
        const next = await batches.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.map((r) => csvLine(r, source.columns)).join("")));
      },
      async cancel() {
        await batches.return(undefined);
      },
    },
    // One batch waiting at most: nothing is read ahead of a slow download.
    { highWaterMark: 1 },
  );
}
