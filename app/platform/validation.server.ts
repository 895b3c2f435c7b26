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

/**
 * Characters that draw as nothing but change what the text shows or how it compares: format
 * characters (Cf: bidirectional overrides and isolates U+202A–202E, U+2066–2069, the marks U+200E,
 * U+200F, U+061C, zero-width U+200B–200D, U+2060, U+FEFF, soft hyphen, tag characters…), C1
 * controls, line and paragraph separators (Zl, Zp), and the Hangul fillers that look like blank
 * names. A name on the notice board with U+202E shows its letters reversed; one with U+200B looks
 * like another villager's name but is not. Variation selectors (U+FE0E, U+FE0F, which emoji use)
 * are marks (Mn), not format characters, and stay allowed. C0 controls are refused by textSchema on
 * their own, with their own message.
 */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u0080-\u009f\u115f\u1160\u3164\uffa0]/u;

export function hasInvisible(s: string): boolean {
  return INVISIBLE.test(s);
}

export const invisibleMessage = (label: string) => `${label}不能包含看不见的特殊字符，请删掉后重新输入`;

/**
 * Plain text a person types: trimmed, no markup characters, no invisible characters, bounded.
 * `multiline` is for the fields a page offers as a <textarea>: pressing Enter there is writing, not
 * an odd character, so line breaks are kept (as "\n"; a browser sends "\r\n") and count as one.
 */
export function textSchema(label: string, max: number, required = true, multiline = false) {
  const controls = multiline ? /[\u0000-\u0009\u000b-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/;
  const base = z
    .string({ error: `请填写${label}` })
    // Before trimming: trim() would silently drop a U+FEFF or U+2028 at either end.
    .refine((s) => !hasInvisible(s), { error: invisibleMessage(label), abort: true })
    .transform((s) => (multiline ? s.replace(/\r\n?/g, "\n") : s).trim())
    .pipe(
      z
        .string()
        .max(max, `${label}最多 ${max} 个字`)
        .refine((s) => !/[<>]/.test(s), `${label}不能包含 < 或 > 符号`)
        .refine((s) => !controls.test(s), `${label}包含无法识别的字符`),
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
