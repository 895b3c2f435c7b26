// The store's words and limits, shared by the server's schemas and the forms (no server code here):
// a form never lets anyone type more than the server keeps, nor offers an option it refuses.
import type { StockKind } from "../../db/schema";

export const CATEGORIES = ["粮油", "调味", "日用", "洗护", "副食", "其他"] as const;
export const UNITS = ["件", "袋", "瓶", "桶", "包", "盒", "块", "条", "支", "提", "卷", "板", "本", "个", "斤"] as const;
export const RESTOCK_SOURCES = ["上级拨款", "乡贤捐赠", "村集体", "其他"] as const;

export const STOCK_KIND_LABELS: Record<StockKind, string> = {
  restock: "入库",
  redemption: "兑换出库",
  void: "作废退回",
  correction: "盘点修正",
};

/** The longest text each store field takes, in characters. */
export const TEXT_LIMITS = {
  goodName: 30,
  storeName: 30,
  /** A restock's batch or donor, a stock-take's reason. */
  stockNote: 100,
  voidReason: 100,
  /** 户号 typed at the counter. */
  cardNumber: 40,
  /** What the keeper types or the camera reads: 8 digits (with a space), or a QR payload (27). */
  code: 40,
  pin: 6,
} as const;

/** Whole numbers of the goods and stock forms: [min, max]. */
export const NUMBER_LIMITS = {
  price: [1, 100_000],
  monthlyLimit: [1, 999],
  lowStock: [0, 9999],
  restockQty: [1, 99_999],
  stockCount: [0, 99_999],
  /** Units of one good in one checkout. */
  lineQty: [0, 99],
} as const;

/** Characters a whole number up to max takes: the form's maxLength. */
export function digitsOf(max: number): number {
  return String(max).length;
}

/** Yuan with up to two decimals, at most 6 digits before the point ("123456.78"). */
export const COST_MAX_CHARS = 9;
