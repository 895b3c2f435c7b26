// Claims: state words and input limits shared by server and browser (no server code here). The
// server's schemas and checks and the forms' maxLength/accept/hints all read these, so a form never
// lets a villager type more than the server keeps.
import type { ClaimStatus } from "../../db/schema";

export const CLAIM_STATUS_LABELS: Record<ClaimStatus, string> = {
  pending: "待审核",
  rejected: "已驳回",
  notice: "公示中",
  objected: "有异议",
  credited: "已入账",
  revoked: "已撤销",
};

/** Claims on their way (审核 or 公示): their points are promised, not yet earned. */
export const IN_FLIGHT: readonly ClaimStatus[] = ["pending", "notice", "objected"];

/** What a single decision on the review page did; the next page says it (a redirect carries the key). */
export const REVIEW_DONE = {
  needs_more: "已审核通过，还需要另一位村委委员审核",
  approved: "已通过，进入公示",
  credited: "已通过并入账",
  rejected: "已驳回",
} as const;
export type ReviewDone = keyof typeof REVIEW_DONE;

export const CLAIM_LIMITS = {
  /** A claim's note (说明). */
  note: 200,
  /** A reason typed at review, revoke, objection or its resolution. */
  reason: 200,
  /** The quantity field: up to 3 digits, a dot and one decimal ("100", "2.5"). */
  quantityChars: 5,
} as const;

/** Evidence photos per claim (and per inspection), and the size of each. */
export const MAX_PHOTOS = 3;
export const MAX_PHOTO_MB = 5;
export const MAX_PHOTO_BYTES = MAX_PHOTO_MB * 1024 * 1024;
/** What a phone sends and the server accepts (judged by the file's first bytes, not by this list). */
export const PHOTO_ACCEPT = "image/jpeg,image/png,image/webp";
