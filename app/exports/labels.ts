// Exports: what can be exported, in which formats, and the words of the export pages and files.
// Shared by server and browser (no server code here).

export const EXPORT_KINDS = ["ledger", "households", "claims", "orders", "settlements"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export const EXPORT_FORMATS = ["xlsx", "csv"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportKind(s: string | undefined): s is ExportKind {
  return (EXPORT_KINDS as readonly string[]).includes(s ?? "");
}

/** The name of each export, on the page, in the audit log and in the file's name. */
export const KIND_LABELS: Record<ExportKind, string> = {
  ledger: "积分流水",
  households: "住户积分",
  claims: "积分申报",
  orders: "兑换单",
  settlements: "月度结算",
};

/** What each export holds and how the dates choose its rows, under its name on the page. */
export const KIND_HINTS: Record<ExportKind, string> = {
  ledger: "每一笔积分进出，按记账时间",
  households: "每户期初、期间增减、期末积分和年度累计",
  claims: "按申报时间，含审核人、公示、异议、入账",
  orders: "按下单时间，含商品明细和核销、作废",
  settlements: "所选月份每个超市的兑出积分、成本和结算情况",
};

export const FORMAT_LABELS: Record<ExportFormat, string> = {
  xlsx: "Excel 表格（xlsx）",
  csv: "CSV 表格",
};

/** A date range reaches at most this many years: a bigger file is better cut into pieces. */
export const MAX_YEARS = 3;

/** The earliest and latest years a date may name (the scheme started long after the first). */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;

export const EXPORT_MESSAGES = {
  kind: "请选择要导出的内容",
  format: "请选择文件格式",
  fromMissing: "请选择开始日期",
  toMissing: "请选择结束日期",
  badDay: "日期格式应为 年-月-日，如 2026-03-08",
  outOfYears: `日期应在 ${FIRST_YEAR} 年到 ${LAST_YEAR} 年之间`,
  order: "开始日期不能晚于结束日期",
  tooLong: `一次最多导出 ${MAX_YEARS} 年，请缩短日期范围`,
  village: "请从列表中选择村",
} as const;
