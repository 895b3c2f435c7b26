// A household's sanitation inspections month by month (published rounds only: scores are official
// once the committee publishes), with the claim each produced and any re-inspection request.
import type { ClaimStatus, InspectionStatus, ReinspectionStatus } from "../../db/schema";
import { CLAIM_STATUS_LABELS } from "~/claims/claims.server";
import { db } from "~/platform/database.server";
import { requestWindow } from "./reinspection.server";
import type { ChecklistSpec } from "./labels";

export interface HistoryEntry {
  roundId: number;
  title: string;
  startsAt: number;
  publishedAt: number;
  status: InspectionStatus;
  total: number | null;
  tier: string | null;
  items: { name: string; max: number; score: number | null }[];
  note: string;
  absentReason: string | null;
  inspector: string;
  photos: string[]; // URL keys
  claimStatus: ClaimStatus | null;
  claimLabel: string | null; // the claim's state as the claims pages say it
  claimPoints: number | null;
  request: { status: ReinspectionStatus; reason: string; note: string | null } | null;
  canRequestUntil: number | null; // set while the household may still ask for re-inspection
}

export async function householdInspections(householdId: number, limit = 24): Promise<HistoryEntry[]> {
  // The latest `limit` inspections, then their photos joined on (one row per photo, folded below).
  const latest = db()
    .selectFrom("inspections as i")
    .innerJoin("sanitation_rounds as r", (j) => j.onRef("r.id", "=", "i.round_id").on("r.status", "=", "published"))
    .innerJoin("users as u", "u.id", "i.inspector_user_id")
    .leftJoin("claims as c", "c.id", "i.claim_id")
    .leftJoin("reinspection_requests as q", (j) => j.onRef("q.round_id", "=", "r.id").onRef("q.household_id", "=", "i.household_id"))
    .select([
      "r.id as roundId", "r.title", "r.starts_at as startsAt", "r.published_at as publishedAt", "r.status as roundStatus", "r.checklist_json",
      "i.id as inspectionId", "i.status", "i.total", "i.tier", "i.scores_json", "i.note", "i.absent_reason as absentReason", "u.display_name as inspector",
      "c.status as claimStatus", "c.points as claimPoints", "q.status as requestStatus", "q.reason as requestReason", "q.decision_note as requestNote",
    ])
    .where("i.household_id", "=", householdId)
    .orderBy("r.starts_at", "desc")
    .orderBy("r.id", "desc")
    .limit(limit)
    .as("x");
  const rows = await db()
    .selectFrom(latest)
    .leftJoin("inspection_photos as p", "p.inspection_id", "x.inspectionId")
    .selectAll("x")
    .select("p.key as photo")
    .orderBy("x.startsAt", "desc")
    .orderBy("x.roundId", "desc")
    .orderBy("p.id")
    .execute();
  const entries = new Map<number, HistoryEntry>();
  for (const r of rows) {
    const seen = entries.get(r.inspectionId);
    if (seen) {
      if (r.photo !== null) seen.photos.push(r.photo);
      continue;
    }
    // The round's own copy of its checklist, written once when it was created.
    const checklist: ChecklistSpec = JSON.parse(r.checklist_json);
    const scores: number[] = r.scores_json ? JSON.parse(r.scores_json) : [];
    const w = requestWindow({ status: r.roundStatus, published_at: r.publishedAt });
    entries.set(r.inspectionId, {
      roundId: r.roundId, title: r.title, startsAt: r.startsAt, publishedAt: r.publishedAt ?? 0, status: r.status, total: r.total, tier: r.tier,
      items: checklist.items.map((it, k) => ({ name: it.name, max: it.max, score: scores[k] ?? null })),
      note: r.note, absentReason: r.absentReason, inspector: r.inspector,
      photos: r.photo === null ? [] : [r.photo],
      claimStatus: r.claimStatus, claimLabel: r.claimStatus === null ? null : CLAIM_STATUS_LABELS[r.claimStatus], claimPoints: r.claimPoints,
      request: r.requestStatus ? { status: r.requestStatus, reason: r.requestReason ?? "", note: r.requestNote } : null,
      canRequestUntil: w.open && !r.requestStatus && r.status !== "returned" ? w.until : null,
    });
  }
  return [...entries.values()];
}

/** A photo of an inspection in this village and round, by its URL key: its file and the household it shows. */
export async function inspectionPhoto(villageId: number, roundId: number, key: string): Promise<{ file: string; mime: string; householdId: number } | null> {
  const row = await db()
    .selectFrom("inspection_photos as p")
    .innerJoin("inspections as i", "i.id", "p.inspection_id")
    .select(["p.file", "p.mime", "i.household_id as householdId"])
    .where("p.key", "=", key)
    .where("p.village_id", "=", villageId)
    .where("i.round_id", "=", roundId)
    .executeTakeFirst();
  return row ?? null;
}
