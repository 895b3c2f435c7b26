// Input rules shared by forms. Messages are what a villager reads next to the field.
import { z } from "zod";

/** Full-width digits (０-９) are what many Chinese keyboards type: accept them as digits. */
export function normalizeDigits(s: string): string {
  return s.replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/\s+/g, "");
}

export const phoneSchema = z
  .string({ error: "请输入手机号" })
  .transform(normalizeDigits)
  .pipe(z.string().min(1, "请输入手机号").regex(/^1[3-9]\d{9}$/, "手机号应为 11 位数字，以 1 开头"));

export const optionalPhoneSchema = z
  .string()
  .optional()
  .transform((s) => normalizeDigits(s ?? ""))
  .pipe(z.union([z.literal(""), z.string().regex(/^1[3-9]\d{9}$/, "手机号应为 11 位数字，以 1 开头")]))
  .transform((s) => (s === "" ? null : s));

/** Plain text a person types: trimmed, no markup characters, bounded. */
export function textSchema(label: string, max: number, required = true) {
  const base = z
    .string({ error: `请填写${label}` })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .max(max, `${label}最多 ${max} 个字`)
        .refine((s) => !/[<>]/.test(s), `${label}不能包含 < 或 > 符号`)
        .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), `${label}包含无法识别的字符`),
    );
  return required ? base.refine((s) => s.length > 0, `请填写${label}`) : base;
}

export const pageSchema = z
  .string()
  .nullish()
  .transform((s) => {
    const n = Number(normalizeDigits(s ?? "1"));
    return Number.isSafeInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
  });

/** First message per field, for showing next to inputs. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const k = String(issue.path[0] ?? "_form");
    if (!out[k]) out[k] = issue.message;
  }
  return out;
}

/**
 * More fields than any of our forms has (the largest: a store's goods, a page of claims to review).
 * Pages echo fields back next to their errors, and every answer is serialised by turbo-stream,
 * whose cost grows with the items in it (CVE-2026-34077, decision 0027): a form of a hundred
 * thousand fields must be refused here, not answered field by field.
 */
export const MAX_FORM_FIELDS = 1000;

/** The request's form, or a 400 page when the body is not a form (JSON, text, broken multipart) or is far too big. */
export async function readForm(request: Request): Promise<FormData> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("提交的内容无法识别，请回到页面重新填写后提交", { status: 400 });
  }
  let fields = 0;
  for (const _ of form.keys()) {
    if (++fields > MAX_FORM_FIELDS) throw new Response("提交的内容太多了，请回到页面重新填写后提交", { status: 400 });
  }
  return form;
}

export function formToObject(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && !(k in out)) out[k] = v;
  return out;
}
