// The months a report covers, from the page's GET form (?from=2026-01&to=2026-12), and the figure the
// dashboard compares village by village and month by month (none unless asked for). Missing or empty
// months mean the last 12; anything that is not a month or a figure is refused with a Chinese
// message, never a 500.
import { z } from "zod";
import { chinaMonth, now } from "~/platform/clock.server";
import { normalizeDigits } from "~/platform/validation.server";
import { MATRIX_FIGURES, MONTH_RE, addMonths, monthSpan, type MatrixFigure } from "./labels";

export const DEFAULT_MONTHS = 12;
export const MAX_MONTHS = 36;

export interface Range {
  from: string;
  to: string;
}

/** Full-width digits and dash (what a Chinese keyboard may type) become ASCII; blanks go. */
const monthText = (s: string) => normalizeDigits(s).replace(/[－—–]/g, "-");

const month = (label: string) =>
  z
    .string()
    .optional()
    .transform((s) => (s === undefined ? "" : monthText(s)))
    .refine((s) => s === "" || MONTH_RE.test(s), `${label}应为 年-月，如 2026-03`);

const querySchema = z.object({
  from: month("开始月份"),
  to: month("结束月份"),
  figure: z
    .string()
    .optional()
    .refine((s) => !s || (MATRIX_FIGURES as readonly string[]).includes(s), "请从列表中选择要比较的数字")
    .transform((s) => (s || null) as MatrixFigure | null),
});

export type RangeQuery =
  | { ok: true; range: Range; figure: MatrixFigure | null; values: Range }
  | { ok: false; errors: Record<string, string>; values: Range };

/** What to show back in the form: a value that could be a month as typed, else nothing (never a huge or marked-up string). */
function echo(s: string | null): string {
  return s !== null && s.length <= 10 && /^[0-9０-９\-－]*$/.test(s) ? s : "";
}

/** The range (and, with `withFigure`, the dashboard's figure; the village report has none to choose). */
export function readRange(url: URL, withFigure = true): RangeQuery {
  const raw = {
    from: url.searchParams.get("from") ?? undefined,
    to: url.searchParams.get("to") ?? undefined,
    figure: withFigure ? (url.searchParams.get("figure") ?? undefined) : undefined,
  };
  const values = { from: echo(url.searchParams.get("from")), to: echo(url.searchParams.get("to")) };
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const errors: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const k = String(issue.path[0] ?? "_form");
      if (!errors[k]) errors[k] = issue.message;
    }
    return { ok: false, errors, values };
  }
  const current = chinaMonth(now());
  const to = parsed.data.to || current;
  const from = parsed.data.from || addMonths(to, -(DEFAULT_MONTHS - 1));
  if (to > current) return { ok: false, errors: { to: `结束月份不能晚于本月（${current}）` }, values };
  if (from > to) return { ok: false, errors: { from: "开始月份不能晚于结束月份" }, values };
  if (monthSpan(from, to) > MAX_MONTHS) return { ok: false, errors: { from: `一次最多看 ${MAX_MONTHS} 个月，请缩短范围` }, values };
  return { ok: true, range: { from, to }, figure: parsed.data.figure, values: { from, to } };
}
