// A source as an Excel workbook (.xlsx), written with exceljs's streaming writer: rows are committed
// (turned into XML and handed to the zip) as each batch comes, so the workbook is never held whole.
// The writer itself does not wait for a slow download, so the stream below does: it reads the next
// batch only when the reader has asked for more and the last batch's bytes have come out.
import { once } from "node:events";
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import type { Cell, Column, Row, Source } from "./sources.server";

const CHINA_OFFSET = 8 * 3600_000;

const NUMBER_FORMATS: Partial<Record<Column["type"], string>> = {
  time: "yyyy-mm-dd hh:mm:ss",
  day: "yyyy-mm-dd",
  yuan: "0.00",
};

/** Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates): a workbook with one will not open. */
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A cell's value. Text is written as a text cell, which Excel shows and never runs as a formula
 * (only a cell written as a formula is one), so it needs no guard and keeps its exact words; the
 * CSV, which Excel parses, guards it (csv.server.ts). Times are China wall-clock times: a workbook's
 * dates have no time zone.
 */
function value(v: Cell, column: Column): ExcelJS.CellValue {
  if (v === null || v === undefined || v === "") return null;
  switch (column.type) {
    case "int":
      return Number(v);
    case "time":
    case "day":
      return new Date(Number(v) + CHINA_OFFSET);
    case "yuan":
      return Number(v) / 100;
    case "text":
      return String(v).replace(NOT_XML, "");
  }
}

/**
 * exceljs 4 hands each part of the workbook to its zip through a buffer of its own (`_openStream`)
 * that takes every write and never says it is full, so a batch written faster than the zip
 * compresses would pile up there unseen. In its place, a plain stream that does say so: the export
 * waits for it to drain before it reads the next batch. (exceljs's internals: tests/exports/stream.test.ts
 * measures that the memory stays bounded, so an upgrade that changes them fails there.)
 */
function takeSheetStreams(book: ExcelJS.stream.xlsx.WorkbookWriter): PassThrough[] {
  const taken: PassThrough[] = [];
  const internals = book as unknown as { zip: { append: (s: PassThrough, o: { name: string }) => void }; _openStream: (path: string) => PassThrough };
  internals._openStream = (path: string) => {
    const s = new XmlPart();
    internals.zip.append(s, { name: path });
    s.on("finish", () => s.emit("zipped"));
    taken.push(s);
    return s;
  };
  return taken;
}

/** exceljs writes its reused text buffers (StringBuf) as well as strings and Buffers: each as its bytes. */
class XmlPart extends PassThrough {
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const data = typeof chunk === "string" || Buffer.isBuffer(chunk) ? chunk : (chunk as { toBuffer(): Buffer }).toBuffer();
    return (super.write as (...a: unknown[]) => boolean)(data, ...rest);
  }
}

/** How long to wait for the zip to give out a batch's bytes before reading on (a small batch may give none yet). */
const SETTLE_MS = 25;

export function xlsxStream(source: Source, drained?: () => Promise<void>): ReadableStream<Uint8Array> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  let ended = false;
  let failed: unknown = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  out.on("data", (c: Buffer) => {
    chunks.push(c);
    poke();
  });
  out.on("end", () => {
    ended = true;
    poke();
  });
  out.on("error", (e) => {
    failed = e;
    poke();
  });
  /** Until the zip gives out bytes (or ends, or fails), or `ms` pass. */
  const settle = (ms: number | null) =>
    new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(() => (wake === done ? ((wake = null), resolve()) : undefined), ms);
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      wake = done;
    });

  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  book.creator = "积分超市";
  const sheetXml = takeSheetStreams(book);
  const sheet = book.addWorksheet(source.sheet, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = source.columns.map((c) => ({ header: c.header, width: c.width, style: NUMBER_FORMATS[c.type] ? { numFmt: NUMBER_FORMATS[c.type] } : {} }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();

  const batches = source.batches();
  let writing = true;
  const addRows = (rows: Row[]) => {
    for (const r of rows) sheet.addRow(r.map((v, i) => value(v, source.columns[i]))).commit();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          if (failed) throw failed;
          if (chunks.length) {
            const bytes = Buffer.concat(chunks.splice(0));
            controller.enqueue(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
            return;
          }
          if (ended) {
            controller.close();
            return;
          }
          if (!writing) {
            await settle(null);
            continue;
          }
          await drained?.();
          const next = await batches.next();
          if (next.done) {
            writing = false;
            sheet.commit();
            // Not awaited: the zip's last bytes come out through `out` as the reader takes them.
            void book.commit().catch((e: unknown) => {
              failed = e;
              poke();
            });
          } else {
            addRows(next.value);
            // The zip takes the batch's XML at the pace it compresses; the next batch waits for that.
            for (const x of sheetXml) if (x.writableNeedDrain) await once(x, "drain");
            await settle(SETTLE_MS);
          }
        }
      },
      async cancel() {
        writing = false;
        await batches.return(undefined);
        out.destroy();
      },
    },
    { highWaterMark: 1 },
  );
}
