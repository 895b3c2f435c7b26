// A household's sanitation inspections month by month (published rounds only: scores are official
// once the committee publishes), with the claim each produced and any re-inspection request.
import { stmt } from "~/platform/database.server";
import { requestWindow } from "./reinspection.server";
import type { ChecklistSpec } from "./labels";

export interface HistoryEntry {
  roundId: number;
  title: string;
  startsAt: number;
  publishedAt: number;
  status: "scored" | "absent" | "returned";
  total: number | null;
  tier: string | null;
  items: { name: string; max: number; score: number | null }[];
  note: string;
  absentReason: string | null;
  inspector: string;
  photos: string[]; // URL keys
  claimStatus: string | null;
  claimPoints: number | null;
  request: { status: string; reason: string; note: string | null } | null;
  canRequestUntil: number | null; // set while the household may still ask for re-inspection
}

export function householdInspections(householdId: number, limit = 24): HistoryEntry[] {
  const rows = stmt(
    `select r.id as roundId, r.title, r.starts_at as startsAt, r.published_at as publishedAt, r.status as roundStatus, r.checklist_json,
       i.id as inspectionId, i.status, i.total, i.tier, i.scores_json, i.note, i.absent_reason as absentReason, u.display_name as inspector,
       c.status as claimStatus, c.points as claimPoints, q.status as requestStatus, q.reason as requestReason, q.decision_note as requestNote
     from inspections i join sanitation_rounds r on r.id = i.round_id and r.status = 'published'
     join users u on u.id = i.inspector_user_id
     left join claims c on c.id = i.claim_id
     left join reinspection_requests q on q.round_id = r.id and q.household_id = i.household_id
     where i.household_id = ? order by r.starts_at desc, r.id desc limit ?`,
  ).all(householdId, limit) as {
    roundId: number; title: string; startsAt: number; publishedAt: number; roundStatus: string; checklist_json: string; inspectionId: number;
    status: "scored" | "absent" | "returned"; total: number | null; tier: string | null; scores_json: string | null; note: string; absentReason: string | null;
    inspector: string; claimStatus: string | null; claimPoints: number | null; requestStatus: string | null; requestReason: string | null; requestNote: string | null;
  }[];
  const photos = stmt("select key from inspection_photos where inspection_id = ? order by id");
  return rows.map((r) => {
    const checklist = JSON.parse(r.checklist_json) as ChecklistSpec;
    const scores = r.scores_json ? (JSON.parse(r.scores_json) as number[]) : [];
    const w = requestWindow({ status: r.roundStatus, published_at: r.publishedAt });
    return {
      roundId: r.roundId, title: r.title, startsAt: r.startsAt, publishedAt: r.publishedAt, status: r.status, total: r.total, tier: r.tier,
      items: checklist.items.map((it, k) => ({ name: it.name, max: it.max, score: scores[k] ?? null })),
      note: r.note, absentReason: r.absentReason, inspector: r.inspector,
      photos: (photos.all(r.inspectionId) as { key: string }[]).map((p) => p.key),
      claimStatus: r.claimStatus, claimPoints: r.claimPoints,
      request: r.requestStatus ? { status: r.requestStatus, reason: r.requestReason ?? "", note: r.requestNote } : null,
      canRequestUntil: w.open && !r.requestStatus && r.status !== "returned" ? w.until : null,
    };
  });
}

/** A photo of an inspection in this village and round, by its URL key: its file and the household it shows. */
export function inspectionPhoto(villageId: number, roundId: number, key: string): { file: string; mime: string; householdId: number } | null {
  return (
    (stmt(
      `select p.file, p.mime, i.household_id as householdId from inspection_photos p join inspections i on i.id = p.inspection_id
       where p.key = ? and p.village_id = ? and i.round_id = ?`,
    ).get(key, villageId, roundId) as { file: string; mime: string; householdId: number } | undefined) ?? null
  );
}
