// An order's state in the villager's words (no server code here): the store's list of recent
// orders and the code page use the same words.
import type { OrderStatus } from "../../db/schema";

/** What the villager's list shows; a replaced code is not listed (its new code is). */
export type ShownState = Exclude<OrderStatus, "replaced">;

export const ORDER_STATE_WORDS: Record<ShownState, string> = {
  pending: "待核销",
  confirmed: "已核销",
  cancelled: "已取消",
  expired: "已过期",
  voided: "已作废",
};

/** The tag's colour class (app/ui/styles.css): waiting blue, done green, the rest grey. */
export const ORDER_STATE_TAGS: Record<ShownState, string> = {
  pending: "tag state-pending",
  confirmed: "tag tag-ok",
  cancelled: "tag",
  expired: "tag",
  voided: "tag tag-off",
};
