// The 批量发放 page's two forms: 预览 (rule, households, date, amount) and 确认发放 (the preview as
// the committee saw it, with its batch key). Routes call one function here and render what it returns.
import crypto from "node:crypto";
import { z } from "zod";
import { claimFormSchema } from "~/claims/forms.server";
import { decodeRosterFile, RosterFileError } from "~/people/roster.server";
import { formIdSchema } from "~/platform/forms.server";
import { fieldErrors, formToObject, hasInvisible, invisibleMessage } from "~/platform/validation.server";
import {
  approveBatch, BulkError, continueInBackground, createBatch, describeChoice, previewBulk, runBatch, type BulkPreview, type Choice, type Filer,
} from "./bulk.server";
import { BULK_LIMITS, type BulkMode } from "./labels";
import type { Decider } from "~/claims/claims.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";
/** How long the request that files a batch keeps filing before it answers with the progress page. */
const REQUEST_BUDGET_MS = 1500;

const modeSchema = z.enum(["all", "grid", "list", "file", "not_deducted"], { error: "请选择发给哪些户" });

/** Date, amount and note: the claim form's own rules. */
const shared = {
  ruleId: z.string({ error: "请选择加分细则" }).regex(/^\d{1,12}$/, "请选择加分细则").transform(Number),
  date: claimFormSchema.shape.date,
  quantity: claimFormSchema.shape.quantity,
  note: claimFormSchema.shape.note,
};

const previewSchema = z.object({ ...shared, mode: modeSchema });

/** 户号 as people type or paste them: one per line, or separated by commas, 、, ; or spaces; full-width letters and digits made plain. */
export function parseCodes(text: string): string[] {
  const seen = new Set<string>();
  for (const raw of text.normalize("NFKC").split(/[\s,，、;；]+/)) {
    const code = raw.trim();
    if (code) seen.add(code);
  }
  return [...seen];
}

/** The first cell of each row of a CSV (a header row starting with 户号 is left out). */
function codesOfCsv(text: string): string[] {
  const cells: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const first = line.split(/[,，\t]/)[0].replace(/^"|"$/g, "").normalize("NFKC").trim();
    if (first && first.replace(/\s+/g, "") !== "户号") cells.push(first);
  }
  return parseCodes(cells.join("\n"));
}

function checkListText(text: string, label: string, field: string, max: number = BULK_LIMITS.paste): void {
  if (text.length > max) throw new BulkError(`${label}太长了（最多 ${BULK_LIMITS.paste} 个字），一次最多 ${BULK_LIMITS.households} 户，请分成几批`, field);
  if (hasInvisible(text)) throw new BulkError(invisibleMessage(label), field);
  if (/[<>]/.test(text)) throw new BulkError(`${label}不能包含 < 或 > 符号`, field);
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) throw new BulkError(`${label}包含无法识别的字符`, field);
}

async function choiceOf(mode: BulkMode, form: FormData): Promise<Choice> {
  if (mode === "all" || mode === "not_deducted") return { mode };
  if (mode === "grid") {
    const grid = formIdSchema.safeParse(form.get("gridId") ?? undefined);
    if (!grid.success) throw new BulkError("请选择网格", "gridId");
    return { mode, gridId: grid.data };
  }
  if (mode === "list") {
    const text = form.get("codes");
    if (typeof text !== "string" || text.trim() === "") throw new BulkError("请填写户号名单", "codes");
    checkListText(text, "户号名单", "codes");
    return { mode, codes: parseCodes(text) };
  }
  const file = form.get("file");
  if (!file || typeof file === "string" || (file.size === 0 && !file.name)) throw new BulkError("请先选择户号 CSV 文件", "file");
  if (file.size > BULK_LIMITS.fileBytes) throw new BulkError(`文件太大了（最多 ${BULK_LIMITS.fileBytes / 1_000_000} MB），一次最多 ${BULK_LIMITS.households} 户`, "file");
  let text: string;
  try {
    text = decodeRosterFile(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    if (e instanceof RosterFileError) throw new BulkError(e.message.replace(/花名册/g, "户号"), "file");
    throw e;
  }
  // Only the 户号 column is read; the checks are on what was read from it (the file's size is bounded above).
  const codes = codesOfCsv(text);
  checkListText(codes.join("\n"), "文件里的户号", "file", Number.POSITIVE_INFINITY);
  return { mode, codes };
}

export type PreviewResult =
  | { ok: true; preview: BulkPreview; key: string; values: Record<string, string> }
  | { ok: false; errors: Record<string, string>; status: number };

function bulkErrorResult(e: unknown): { ok: false; errors: Record<string, string>; status: number } {
  if (!(e instanceof BulkError)) throw e;
  return { ok: false, errors: { [e.field]: e.message }, status: e.status === 404 ? 400 : e.status };
}

/** 预览: what the batch would file, and a new batch key for the confirm form. Writes nothing. */
export async function previewFromForm(villageId: number, form: FormData): Promise<PreviewResult> {
  const raw = formToObject(form);
  const parsed = previewSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error), status: 400 };
  const d = parsed.data;
  try {
    const choice = await choiceOf(d.mode, form);
    const preview = await previewBulk(villageId, { ruleId: d.ruleId, choice, occurredAt: d.date, quantity: d.quantity, note: d.note });
    const key = crypto.randomBytes(16).toString("base64url");
    // What the confirm form carries back: the previewed households by id, not the list or file again.
    const values = {
      ruleId: String(d.ruleId), mode: d.mode, gridId: choice.mode === "grid" ? String(choice.gridId) : "", date: raw.date ?? "", quantity: String(d.quantity),
      note: d.note, points: String(preview.points), households: preview.ids.join(","),
    };
    return { ok: true, preview, key, values };
  } catch (e) {
    return bulkErrorResult(e);
  }
}

const confirmSchema = z.object({
  ...shared,
  key: z.string({ error: BAD_REQUEST }).regex(/^[A-Za-z0-9_-]{16,64}$/, BAD_REQUEST),
  mode: z.enum(["all", "grid", "list", "file", "not_deducted"], { error: BAD_REQUEST }),
  gridId: z.string().optional(),
  points: z.string({ error: BAD_REQUEST }).regex(/^\d{1,9}$/, BAD_REQUEST).transform(Number),
  households: z
    .string({ error: BAD_REQUEST })
    .max(BULK_LIMITS.households * 13, BAD_REQUEST)
    .regex(/^\d{1,12}(,\d{1,12})*$/, BAD_REQUEST)
    .transform((s) => s.split(",").map(Number)),
});

export type FileResult = { ok: true; batchId: number } | { ok: false; errors: Record<string, string>; status: number };

/**
 * 确认发放: makes the batch of the form's key (or finds the one made already) and files it for up to
 * REQUEST_BUDGET_MS; a larger batch goes on filing after the answer.
 */
export async function fileFromForm(villageId: number, filer: Filer, form: FormData): Promise<FileResult> {
  const parsed = confirmSchema.safeParse(formToObject(form));
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    for (const k of ["key", "mode", "gridId", "points", "households"]) if (errors[k]) errors._form = errors[k];
    return { ok: false, errors, status: 400 };
  }
  const d = parsed.data;
  if (d.households.length > BULK_LIMITS.households) return { ok: false, errors: { _form: `一次最多 ${BULK_LIMITS.households} 户，请分成几批` }, status: 400 };
  try {
    let choice: Choice;
    if (d.mode === "grid") {
      const grid = formIdSchema.safeParse(d.gridId);
      if (!grid.success) throw new BulkError(BAD_REQUEST);
      choice = { mode: "grid", gridId: grid.data };
    } else choice = d.mode === "list" || d.mode === "file" ? { mode: d.mode, codes: [] } : { mode: d.mode };
    const chosen = await describeChoice(villageId, choice, new Set(d.households).size);
    const { batchId } = await createBatch(villageId, filer, {
      key: d.key, ruleId: d.ruleId, householdIds: d.households, occurredAt: d.date, quantity: d.quantity, note: d.note, points: d.points, chosen,
    });
    if (!(await runBatch(batchId, REQUEST_BUDGET_MS))) continueInBackground(batchId);
    return { ok: true, batchId };
  } catch (e) {
    return bulkErrorResult(e);
  }
}

export type ApproveResult = { ok: true; message: string; failed: { claimId: number; message: string }[] } | { ok: false; error: string; status: number };

/** 本批全部通过: another committee member approves what of the batch waits for them. */
export async function approveBatchFromForm(villageId: number, batchId: number, by: Decider): Promise<ApproveResult> {
  if (by.role !== "committee") return { ok: false, error: "只有村委委员可以审核申报", status: 403 };
  try {
    const out = await approveBatch(villageId, batchId, by);
    if (out.approved.length === 0) {
      const why = [...new Set(out.failed.map((f) => f.message))].slice(0, 3).join("；");
      return { ok: false, error: `没有通过任何一条：${why}`, status: 400 };
    }
    const parts = [`已通过 ${out.approved.length} 条`];
    if (out.failed.length) parts.push(`${out.failed.length} 条未通过`);
    if (out.left) parts.push(`还有 ${out.left} 条等待审核`);
    return { ok: true, message: parts.join("，"), failed: out.failed.slice(0, 50) };
  } catch (e) {
    if (!(e instanceof BulkError)) throw e;
    return { ok: false, error: e.message, status: e.status };
  }
}
