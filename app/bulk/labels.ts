// 批量发放: words and limits the pages and the server share (no server code here).
import type { BulkBatchStatus } from "../../db/schema";
import { CLAIM_LIMITS } from "~/claims/labels";

export const BULK_LIMITS = {
  /** Households in one batch: a county-sized village has a few thousand. */
  households: 5000,
  /** Characters of a pasted list: 5000 户号 of up to 11 characters with their separators. */
  paste: 60_000,
  /** Bytes of an uploaded CSV of 户号. */
  fileBytes: 1_000_000,
  /** The note is each claim's note: the claim form's limit. */
  note: CLAIM_LIMITS.note,
} as const;

export type BulkMode = "all" | "grid" | "list" | "file" | "not_deducted";

export const MODE_LABELS: Record<BulkMode, string> = {
  all: "全村所有户",
  grid: "一个网格",
  list: "粘贴户号名单",
  file: "上传户号 CSV 文件",
  not_deducted: "本月没有被扣分的户",
};

export const MODE_HINTS: Record<BulkMode, string> = {
  all: "本村花名册上的每一户",
  grid: "选一个网格，给这个网格的每一户",
  list: "每行或用逗号、空格隔开写一个户号，全角数字也可以",
  file: "第一列是户号的 CSV 文件（可以直接用花名册）",
  not_deducted: "本月（北京时间）没有扣分申报的户，含待审核和公示中的扣分",
};

export const BATCH_STATUS_LABELS: Record<BulkBatchStatus, string> = { filing: "正在登记", done: "已登记完" };

/** Households shown per page on a batch page's list of skipped households. */
export const SKIPPED_SHOWN = 200;
