// 代跑 (mutual-aid errands): state words and input limits shared by server and browser (no server code here).
import type { ErrandPosterKind, ErrandStatus } from "../../db/schema";

export const ERRAND_STATUS_LABELS: Record<ErrandStatus, string> = {
  open: "等人接",
  taken: "已有人接",
  done: "已完成",
  cancelled: "已取消",
};

export const POSTER_KIND_LABELS: Record<ErrandPosterKind, string> = {
  household: "本户",
  grid_worker: "网格员代发",
  group_leader: "联户长代发",
};

export const ERRAND_LIMITS = {
  what: 100,
  place: 60,
  reason: 100,
  /** How far ahead a need may be due. */
  dueDays: 30,
} as const;

/** A need nobody took within this long is shown (and sent) to the grid worker. */
export const UNTAKEN_AFTER_MS = 86_400_000;
