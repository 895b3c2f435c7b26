// An export from request to download: the query checked, the export written to the audit log (before
// any row leaves), then the file streamed with a Chinese name. The routes call only this module.
import { redirect } from "@remix-run/node";
import { audit } from "~/audit/audit.server";
import { notFound } from "~/platform/access.server";
import { db, unitOfWork } from "~/platform/database.server";
import type { StaffActor } from "~/platform/forms.server";
import { fieldErrors } from "~/platform/validation.server";
import { getVillage, townshipName } from "~/people/villages.server";
import { csvStream } from "./csv.server";
import { EXPORT_MESSAGES, KIND_LABELS, type ExportFormat, type ExportKind } from "./labels";
import { defaultRange, kindSchema, queryValues, rangeSchema, villageChoiceSchema, type ExportRange } from "./range.server";
import { BATCH, sourceOf, type BatchOptions } from "./sources.server";
import { xlsxStream } from "./xlsx.server";
import { now } from "~/platform/clock.server";

export interface ExportRequest {
  kind: ExportKind;
  range: ExportRange;
  /** One village, or the whole township (null). */
  villageId: number | null;
  /** Asked from the township's page: the file names each row's village. */
  township: boolean;
  actor: StaffActor;
  signal?: AbortSignal;
  /** Tests: smaller batches, a count of them. */
  batch?: BatchOptions;
  /** Waits until the client has taken what was sent (the server's load context): nothing piles up for a slow download. */
  drained?: () => Promise<void>;
  /** A HEAD request: the headers only; nothing is read, nothing is logged. */
  head?: boolean;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** RFC 5987: the UTF-8 name percent-encoded, also the few characters encodeURIComponent leaves that it may not hold. */
function contentDisposition(name: string, ascii: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** 桃源村积分流水_2026-01-01至2026-03-31.xlsx, and for browsers that cannot read that, jifen-ledger-2026-01-01-2026-03-31.xlsx. */
export function fileNames(place: string, kind: ExportKind, range: Pick<ExportRange, "from" | "to" | "format">): { name: string; ascii: string } {
  const safePlace = place.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_");
  return {
    name: `${safePlace}${KIND_LABELS[kind]}_${range.from}至${range.to}.${range.format}`,
    ascii: `jifen-${kind}-${range.from}-${range.to}.${range.format}`,
  };
}

/** The export as a download. Writes one audit row per village whose data it holds, before streaming. */
export async function exportFile(req: ExportRequest): Promise<Response> {
  const { kind, range, villageId } = req;
  let place: string;
  let villages: number[];
  if (villageId === null) {
    place = (await townshipName()) || "全乡镇";
    villages = (await db().selectFrom("villages").select("id").orderBy("id").execute()).map((v) => v.id);
  } else {
    place = (await getVillage(villageId))?.name ?? notFound();
    villages = [villageId];
  }
  const { name, ascii } = fileNames(place, kind, range);
  const headers = {
    "Content-Type": CONTENT_TYPES[range.format],
    "Content-Disposition": contentDisposition(name, ascii),
    // no-transform: not compressed on the way (an .xlsx is a zip already), so what waits to be sent is what the socket holds.
    "Cache-Control": "no-store, no-transform",
  };
  if (req.head) return new Response(null, { headers });
  await unitOfWork(async () => {
    for (const v of villages) {
      await audit({
        actorUserId: req.actor.userId, actorRole: req.actor.role, villageId: v, action: `export.${kind}`, targetType: "village", targetId: v,
        after: { from: range.from, to: range.to, format: range.format, scope: villageId === null ? "township" : "village" },
      });
    }
  });
  const source = sourceOf(kind, { villageId, villageColumn: req.township }, range, { ...(req.batch ?? BATCH), signal: req.signal });
  const body = range.format === "csv" ? csvStream(source, req.drained) : xlsxStream(source, req.drained);
  return new Response(body, { headers });
}

// ---- the file's address: /…/exports/<kind>?from=&to=&format=(&village=) ---------------------------------

export type FileQuery = { ok: true; range: ExportRange; villageId: number | null } | { ok: false; messages: string[] };

/** The file's query; `township`: a village may be named (none: the whole township). */
export async function parseFileQuery(url: URL, township: boolean): Promise<FileQuery> {
  const values = queryValues(url, ["from", "to", "format", "village"]);
  const range = rangeSchema.safeParse(values);
  const village = township ? await villageChoice(values.village) : null;
  const messages = [...(range.success ? [] : Object.values(fieldErrors(range.error))), ...(village === false ? [EXPORT_MESSAGES.village] : [])];
  if (!range.success || village === false) return { ok: false, messages: [...new Set(messages)] };
  return { ok: true, range: range.data, villageId: village ?? null };
}

/** The township's choice: a village that exists, null for the whole township, false when neither. */
async function villageChoice(raw: string | undefined): Promise<number | null | false> {
  const parsed = villageChoiceSchema.safeParse(raw);
  if (!parsed.success) return false;
  if (parsed.data === null) return null;
  return (await getVillage(parsed.data)) ? parsed.data : false;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A file's address typed or kept with bad dates (400), or naming no export (404): a page that says
 * what is wrong. A resource route has no app layout to draw in, so this is a small page of its own,
 * shaped like the app's error page.
 */
export function errorPage(status: 400 | 404, messages: string[], back: string): Response {
  const title = status === 404 ? "找不到这个页面" : "请求有误";
  const html = `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · 积分超市</title>
<style>body{margin:0;background:#f6f4ef;color:#1f1f1f;font:18px/1.6 system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif}
.card{background:#fff;border-radius:12px;padding:1rem;margin:1rem auto;max-width:32rem}.muted{color:#5f6368}h1{font-size:1.75rem;margin:0 0 .75rem}
.button{display:inline-flex;align-items:center;min-height:52px;padding:.5rem 1.25rem;border-radius:10px;background:#b71c1c;color:#fff;font-weight:700;text-decoration:none}</style>
</head><body><main><section class="card narrow error-page"><p class="muted">错误 ${status}</p><h1>${title}</h1>
${messages.map((m) => `<p>${escapeHtml(m)}</p>`).join("")}
<p><a class="button" href="${escapeHtml(back)}">回到导出页面，重新选择</a></p></section></main></body></html>`;
  return new Response(html, { status, headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" } });
}

export const badRequestPage = (messages: string[], back: string) => errorPage(400, messages, back);
export const noSuchExport = (back: string) => errorPage(404, ["没有这种导出，请回到导出页面选择要导出的内容"], back);

// ---- the export page: a GET form that names the file to download ----------------------------------------

export interface PageState {
  values: { kind: string; from: string; to: string; village: string };
  errors: Record<string, string>;
}

/**
 * The page's query. Without a chosen format (a button) it only fills the form; with one it is
 * checked and, when right, answered by a redirect to the file, which the browser downloads while
 * the page stays. So the page works the same without JavaScript.
 */
export async function exportPage(url: URL, fileBase: string, township: boolean): Promise<{ state: PageState; status: number }> {
  const q = queryValues(url, ["kind", "from", "to", "format", "village"]);
  const defaults = defaultRange(now());
  // Echoed into the form as typed, cut short: a value longer than any date is wrong anyway.
  const echo = (v: string | undefined, fallback: string) => (v ?? fallback).slice(0, 40);
  const values = { kind: echo(q.kind, "ledger"), from: echo(q.from, defaults.from), to: echo(q.to, defaults.to), village: echo(q.village, "") };
  if (q.format === undefined) return { state: { values, errors: {} }, status: 200 };
  const kind = kindSchema.safeParse(q.kind);
  const range = rangeSchema.safeParse(q);
  const village = township ? await villageChoice(q.village) : null;
  const errors: Record<string, string> = {
    ...(range.success ? {} : fieldErrors(range.error)),
    ...(kind.success ? {} : { kind: EXPORT_MESSAGES.kind }),
    ...(village === false ? { village: EXPORT_MESSAGES.village } : {}),
  };
  if (!kind.success || !range.success || village === false) return { state: { values, errors }, status: 400 };
  const file = new URLSearchParams({ from: range.data.from, to: range.data.to, format: range.data.format });
  if (village !== null) file.set("village", String(village));
  throw redirect(`${fileBase}/${kind.data}?${file}`);
}
