// What the sanitation pages load and do: each route calls one function here (after parsing its
// params) and renders what comes back. Access is checked first in every one.
import { redirect } from "@remix-run/node";
import { findGrant, notFound, requireHousehold, requireRole, requireVillagePerson, type Access } from "~/platform/access.server";
import { actorOf, echoValues } from "~/platform/forms.server";
import { CLAIM_STATUS_LABELS, householdOfUser } from "~/claims/claims.server";
import { now } from "~/platform/clock.server";
import { db } from "~/platform/database.server";
import { changeRecusals, gridsOf, markAbsent, nextHousehold, recusalsOf, reinspectionAccepted, roundEnded, saveScores, scoringHousehold, scoringList } from "./inspections.server";
import { inspectionPhoto, householdInspections, type HistoryEntry } from "./history.server";
import { acceptRequest, declineRequest, requestReinspection, requestsOfRound } from "./reinspection.server";
import { roundRedBlack } from "./redblack.server";
import {
  checklistFormValues, checklistIn, listChecklists, saveChecklist, setChecklistActive, tierRuleChoices,
} from "./checklists.server";
import { ITEM_ROWS, TIER_ROWS } from "./labels";
import { applyReinspection, publishRound } from "./publish.server";
import {
  assignInspectors, assignments, createRound, gridChoices, inspectorChoices, listRounds, openRound, roundIn, roundIntent, roundTable, sendBack,
} from "./rounds.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { formatMonth } from "~/platform/format";
import { chinaMonth } from "~/platform/clock.server";
import { readPhotoFile } from "~/claims/photos.server";
import { sendKeptSave, type OfflineReply } from "./offline.server";
import { offlineWorkerScript } from "./offline-worker.server";

const BAD_REQUEST = "请求有误，请刷新页面后再试";
// An inspection's item scores, written by the scoring form in the checklist's order.
const parseScores = (json: string): number[] => JSON.parse(json);
const ADMINS = ["village_admin", "township_admin"] as const;
type Errors = Record<string, string>;
export interface Reply {
  intent: string;
  ok: string | null;
  errors: Errors;
  values: Record<string, string>;
  key: number | null; // the household or request a form error belongs to
}

// ---- checklists (village admin) ------------------------------------------------------------------

export async function checklistsPage(request: Request, villageId: number) {
  await requireRole(request, ADMINS, villageId);
  return { villageId, checklists: await listChecklists(villageId), rules: await tierRuleChoices(villageId) };
}

export async function checklistPage(request: Request, villageId: number, checklistId: number | null) {
  await requireRole(request, ADMINS, villageId);
  const c = checklistId === null ? null : await checklistIn(villageId, checklistId);
  if (checklistId !== null && !c) notFound();
  const used = c ? (await db().selectFrom("sanitation_rounds").select((eb) => eb.fn.countAll<number>().as("n")).where("checklist_id", "=", c.id).executeTakeFirstOrThrow()).n : 0;
  return { villageId, id: c?.id ?? null, active: c?.active ?? 1, used, values: checklistFormValues(c), rules: await tierRuleChoices(villageId) };
}

const CHECKLIST_FIELDS = ["name", ...Array.from({ length: ITEM_ROWS }, (_, i) => [`item${i}Name`, `item${i}Max`]).flat(), ...Array.from({ length: TIER_ROWS }, (_, i) => [`tier${i}Name`, `tier${i}Min`, `tier${i}Rule`]).flat()];

export async function checklistAction(request: Request, villageId: number, checklistId: number | null): Promise<{ reply: Reply; status: number } | Response> {
  const access = await requireRole(request, ADMINS, villageId);
  const raw = formToObject(await readForm(request));
  const values = echoValues(raw, CHECKLIST_FIELDS);
  const intent = raw.intent ?? "";
  const answer = (status: number, errors: Errors, ok: string | null = null) => ({ reply: { intent, ok, errors, values, key: null }, status });
  if (checklistId !== null && !(await checklistIn(villageId, checklistId))) notFound();
  if (intent === "checklist.save") {
    const out = await saveChecklist(actorOf(access), villageId, checklistId, raw);
    if (!out.ok) return answer(out.status ?? 400, out.errors);
    if (checklistId === null) return redirect(`/v/${villageId}/admin/checklists/${out.id}?saved=1`);
    return answer(200, {}, "已保存。已经开始的评比仍按开始时的检查表计分");
  }
  if ((intent === "checklist.retire" || intent === "checklist.restore") && checklistId !== null) {
    const out = await setChecklistActive(actorOf(access), villageId, checklistId, intent === "checklist.restore");
    if (!out.ok) return answer(out.status ?? 400, out.errors);
    return answer(200, {}, intent === "checklist.retire" ? "已停用，新建评比时不再提供这张表" : "已重新启用");
  }
  return answer(400, { _form: BAD_REQUEST });
}

// ---- rounds (committee; inspectors see theirs) ------------------------------------------------------

async function roundStaff(request: Request, villageId: number): Promise<Access> {
  return requireRole(request, ["committee", "inspector"], villageId);
}

export async function roundsPage(request: Request, villageId: number) {
  const access = await roundStaff(request, villageId);
  const committee = !!findGrant(access.viewer, ["committee"], villageId);
  const inspector = !!findGrant(access.viewer, ["inspector"], villageId);
  return {
    villageId, committee, inspector,
    rounds: committee ? await listRounds(villageId) : [],
    mine: inspector ? (await listRounds(villageId, access.viewer.userId)).filter((r) => r.status !== "draft") : [],
  };
}

function defaultRoundValues(): Record<string, string> {
  const month = chinaMonth(now());
  const [y, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { title: formatMonth(month), startsOn: `${month}-01`, endsOn: `${month}-${String(last).padStart(2, "0")}` };
}

export async function newRoundPage(request: Request, villageId: number) {
  await requireRole(request, ["committee"], villageId);
  const checklists = (await listChecklists(villageId, true)).map((c) => ({ id: c.id, name: c.name }));
  return { villageId, checklists, grids: await gridChoices(villageId), inspectors: await inspectorChoices(villageId), values: { ...defaultRoundValues(), checklistId: String(checklists[0]?.id ?? "") } };
}

export async function newRoundAction(request: Request, villageId: number): Promise<{ reply: Reply; status: number } | Response> {
  const access = await requireRole(request, ["committee"], villageId);
  const form = await readForm(request);
  const raw = formToObject(form);
  const assign = form.getAll("assign").filter((x): x is string => typeof x === "string");
  const out = await createRound(actorOf(access), villageId, raw, assign);
  if (!out.ok) return { reply: { intent: "round.create", ok: null, errors: out.errors, values: { ...echoValues(raw, ["title", "checklistId", "startsOn", "endsOn"]), assign: assign.filter((a) => /^\d{1,12}-\d{1,12}$/.test(a)).slice(0, 500).join(",") }, key: null }, status: out.status ?? 400 };
  return redirect(`/v/${villageId}/rounds/${out.roundId}?created=1`);
}

export async function roundPage(request: Request, villageId: number, roundId: number) {
  const access = await requireRole(request, ["committee"], villageId);
  const round = await roundIn(villageId, roundId);
  const table = await roundTable(roundId);
  const me = access.viewer.userId;
  return {
    villageId,
    me,
    myHousehold: await householdOfUser(me),
    round: { id: round.id, title: round.title, status: round.status, starts_at: round.starts_at, ends_at: round.ends_at, published_at: round.published_at, checklist: round.checklist },
    table: table.map((r) => ({ ...r, scores: r.scores_json ? parseScores(r.scores_json) : null, claim_label: r.claim_status === null ? null : CLAIM_STATUS_LABELS[r.claim_status] })),
    grids: await gridChoices(villageId),
    inspectors: await inspectorChoices(villageId),
    assigned: (await assignments(roundId)).map((a) => `${a.gridId}-${a.userId}`),
    requests: await requestsOfRound(roundId),
    scoredByMe: table.some((r) => r.inspector_user_id === me),
    created: new URL(request.url).searchParams.get("created") === "1",
  };
}

export async function roundAction(request: Request, villageId: number, roundId: number): Promise<{ reply: Reply; status: number }> {
  const access = await requireRole(request, ["committee"], villageId);
  await roundIn(villageId, roundId); // 404 for another village's round
  const form = await readForm(request);
  const raw = formToObject(form);
  const parsed = roundIntent.safeParse(raw);
  const intent = raw.intent ?? "";
  const keyText = raw.householdId ?? raw.requestId ?? "";
  const key = /^\d{1,12}$/.test(keyText) ? Number(keyText) : null;
  const answer = (status: number, errors: Errors, ok: string | null = null) => ({ reply: { intent, ok, errors, values: echoValues(raw, ["reason", "note"]), key }, status });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    if (errors.intent || errors.householdId || errors.requestId) errors._form = errors.intent ?? errors.householdId ?? errors.requestId;
    return answer(400, errors);
  }
  const actor = actorOf(access);
  const by = { userId: access.viewer.userId, role: access.role };
  const i = parsed.data;
  switch (i.intent) {
    case "round.open": {
      const out = await openRound(actor, villageId, roundId);
      return out.ok ? answer(200, {}, "评比已开始，检查员可以上门评分了") : answer(out.status ?? 400, out.errors);
    }
    case "round.assign": {
      const out = await assignInspectors(actor, villageId, roundId, form.getAll("assign").filter((x): x is string => typeof x === "string"));
      return out.ok ? answer(200, {}, "分工已保存") : answer(out.status ?? 400, out.errors);
    }
    case "round.publish": {
      const out = await publishRound(by, villageId, roundId);
      if (!out.ok) return answer(out.status ?? 400, out.errors);
      const waiting = out.waiting ? `，其中 ${out.waiting} 条还要另一位村委委员审核${out.ownHousehold ? "（本户的申报你不能审核）" : ""}` : "";
      return answer(200, {}, `已公布，生成 ${out.claims} 条积分申报${waiting}。红黑榜已上公示栏`);
    }
    case "inspection.return": {
      const out = await sendBack(actor, villageId, roundId, i.householdId, i.reason);
      return out.ok ? answer(200, {}, "已退回，检查员重新评分后才能公布") : answer(out.status ?? 400, out.errors);
    }
    case "request.accept":
    case "request.decline":
    case "request.apply": {
      const known = await db().selectFrom("reinspection_requests").select("id").where("id", "=", i.requestId).where("round_id", "=", roundId).executeTakeFirst();
      if (!known) return answer(400, { _form: "找不到这条复查申请" });
      const out =
        i.intent === "request.accept" ? await acceptRequest(by, villageId, i.requestId)
        : i.intent === "request.decline" ? await declineRequest(by, villageId, i.requestId, i.note)
        : await applyReinspection(by, villageId, i.requestId);
      const ok = { "request.accept": "已同意复查，这户已退回检查员重新评分", "request.decline": "已答复不同意复查", "request.apply": "已按复查结果改分，原申报已撤销或驳回，新申报进入审核公示" }[i.intent];
      return out.ok ? answer(200, {}, ok) : answer(out.status ?? 400, out.errors);
    }
  }
}

// ---- scoring (inspectors) -------------------------------------------------------------------------

async function assignedInspector(request: Request, villageId: number, roundId: number) {
  const access = await requireRole(request, ["inspector"], villageId);
  const round = await roundIn(villageId, roundId);
  if ((await gridsOf(roundId, access.viewer.userId)).length === 0) notFound();
  return { access, round };
}

async function savedMessage(roundId: number, householdId: string | null): Promise<string | null> {
  if (!householdId || !/^\d{1,12}$/.test(householdId)) return null;
  const row = await db()
    .selectFrom("inspections as i")
    .innerJoin("households as h", "h.id", "i.household_id")
    .select(["h.number", "i.status", "i.total", "i.tier"])
    .where("i.round_id", "=", roundId)
    .where("i.household_id", "=", Number(householdId))
    .executeTakeFirst();
  if (!row) return null;
  return row.status === "absent" ? `已记下 ${row.number}号户 未检查` : `已保存 ${row.number}号户：${row.total} 分，${row.tier}`;
}

export async function scoreListPage(request: Request, villageId: number, roundId: number) {
  const { access, round } = await assignedInspector(request, villageId, roundId);
  const list = await scoringList(round, access.viewer.userId);
  return {
    villageId, round: { id: round.id, title: round.title, status: round.status, starts_at: round.starts_at, ends_at: round.ends_at }, ended: roundEnded(round),
    ...list, next: await nextHousehold(round, access.viewer.userId, -1, list.rows), saved: await savedMessage(roundId, new URL(request.url).searchParams.get("saved")),
  };
}

export async function scoreHouseholdPage(request: Request, villageId: number, roundId: number, householdId: number) {
  const { access, round } = await assignedInspector(request, villageId, roundId);
  const one = await scoringHousehold(round, access.viewer.userId, householdId);
  const { done, total } = await scoringList(round, access.viewer.userId);
  const reopened = round.status === "published" && (await reinspectionAccepted(roundId, householdId));
  return {
    villageId, round: { id: round.id, title: round.title, status: round.status, ends_at: round.ends_at, checklist: round.checklist }, done, total, reopened, ended: roundEnded(round),
    household: one.household, conflict: one.conflict, photos: one.photos, inspector: one.inspector,
    inspection: one.inspection && { status: one.inspection.status, scores: one.inspection.scores_json ? parseScores(one.inspection.scores_json) : null, total: one.inspection.total, tier: one.inspection.tier, note: one.inspection.note, absent_reason: one.inspection.absent_reason, returned_reason: one.inspection.returned_reason, version: one.inspection.version, mine: one.inspection.inspector_user_id === access.viewer.userId },
    saved: await savedMessage(roundId, new URL(request.url).searchParams.get("saved")),
  };
}

export async function scoreHouseholdAction(request: Request, villageId: number, roundId: number, householdId: number): Promise<{ reply: Reply; status: number } | Response> {
  const { access, round } = await assignedInspector(request, villageId, roundId);
  const form = await readForm(request);
  const raw = formToObject(form);
  const intent = raw.intent ?? "";
  const by = { userId: access.viewer.userId, role: access.role };
  const keys = ["note", "reason", ...round.checklist.items.map((_, i) => `s${i}`)];
  let out;
  if (intent === "score") out = await saveScores(by, round, householdId, form, raw);
  else if (intent === "absent") out = await markAbsent(by, round, householdId, raw);
  else return { reply: { intent, ok: null, errors: { _form: BAD_REQUEST }, values: echoValues(raw, keys), key: null }, status: 400 };
  if (!out.ok) return { reply: { intent, ok: null, errors: out.errors, values: echoValues(raw, keys), key: null }, status: out.status };
  const next = round.status === "open" ? await nextHousehold(round, by.userId, householdId) : null;
  const base = `/v/${villageId}/rounds/${roundId}/score`;
  return redirect(next ? `${base}/${next}?saved=${householdId}` : `${base}?saved=${householdId}`, 303);
}

// ---- offline scoring: the service worker and the kept saves' sending -----------------------------------

/** The service worker of one round's scoring pages, for an inspector of the round; its scope is those pages only. */
export async function offlineWorkerResponse(request: Request, villageId: number, roundId: number): Promise<Response> {
  await assignedInspector(request, villageId, roundId);
  const scope = `/v/${villageId}/rounds/${roundId}/score`;
  return new Response(offlineWorkerScript(scope), {
    headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", "service-worker-allowed": scope },
  });
}

/** What the server holds for one household, for a phone that wants to check after sending. */
export async function keptSavePage(request: Request, villageId: number, roundId: number, householdId: number) {
  const { access, round } = await assignedInspector(request, villageId, roundId);
  const one = await scoringHousehold(round, access.viewer.userId, householdId);
  return { household: one.household.number, status: one.inspection?.status ?? null, total: one.inspection?.total ?? null, tier: one.inspection?.tier ?? null };
}

/** A save kept on the phone, sent (again): a JSON answer the phone shows beside the household. */
export async function keptSaveAction(request: Request, villageId: number, roundId: number, householdId: number): Promise<{ reply: OfflineReply; status: number }> {
  const access = await requireRole(request, ["inspector"], villageId);
  const round = await roundIn(villageId, roundId); // 404 for another village's round
  const form = await readForm(request);
  return sendKeptSave({ userId: access.viewer.userId, role: access.role }, round, householdId, form, formToObject(form));
}

export async function recusalPage(request: Request, villageId: number) {
  const access = await requireRole(request, ["inspector"], villageId);
  return { villageId, recusals: await recusalsOf(access.viewer.userId, villageId) };
}

export async function recusalAction(request: Request, villageId: number): Promise<{ reply: Reply; status: number }> {
  const access = await requireRole(request, ["inspector"], villageId);
  const raw = formToObject(await readForm(request));
  const out = await changeRecusals({ userId: access.viewer.userId, role: access.role }, villageId, raw);
  const reply = { intent: raw.intent ?? "", ok: out.ok ? out.message : null, errors: out.ok ? {} : out.errors, values: echoValues(raw, ["number", "relation"]), key: null };
  return { reply, status: out.ok ? 200 : out.status };
}

// ---- the 红黑榜 poster and inspection photos -----------------------------------------------------------

export async function posterPage(request: Request, villageId: number, roundId: number) {
  await requireVillagePerson(request, villageId);
  const board = await roundRedBlack(villageId, roundId);
  if (!board) notFound();
  const village = await db().selectFrom("villages").select("name").where("id", "=", villageId).executeTakeFirstOrThrow();
  return { villageId, village: village.name, board };
}

/**
 * Committee and inspectors of the village, its admins (who see the household's inspections on its
 * page) and the township admin, and the household itself, may see an inspection photo. Anyone else
 * of the village gets the same 404 as for a photo that does not exist.
 */
export async function inspectionPhotoResponse(request: Request, villageId: number, roundId: number, key: string): Promise<Response> {
  const viewer = await requireVillagePerson(request, villageId);
  const photo = await inspectionPhoto(villageId, roundId, key);
  if (!photo) notFound();
  const staff = !!findGrant(viewer, ["committee", "inspector", "township_admin", "village_admin"], villageId);
  if (!staff && viewer.householdId !== photo.householdId) notFound();
  const body = readPhotoFile(photo.file);
  if (!body) notFound();
  return new Response(new Uint8Array(body), { headers: { "content-type": photo.mime, "cache-control": "private, no-store", "content-disposition": "inline" } });
}

// ---- the household's own page ----------------------------------------------------------------------

export async function inspectionsPage(request: Request) {
  const viewer = await requireHousehold(request);
  const isHead = !!findGrant(viewer, ["household_head"], viewer.homeVillageId);
  return { villageId: viewer.homeVillageId, isHead, entries: await householdInspections(viewer.householdId) };
}

export async function inspectionsAction(request: Request): Promise<{ reply: Reply; status: number }> {
  const viewer = await requireHousehold(request);
  await requireRole(request, ["household_head"], viewer.homeVillageId);
  const raw = formToObject(await readForm(request));
  const key = /^\d{1,12}$/.test(raw.roundId ?? "") ? Number(raw.roundId) : null;
  const out = await requestReinspection({ userId: viewer.userId, householdId: viewer.householdId, villageId: viewer.homeVillageId }, raw);
  const reply = { intent: "request", ok: out.ok ? "复查申请已提交，村委会处理后这里会显示结果" : null, errors: out.ok ? {} : out.errors, values: echoValues(raw, ["reason"]), key };
  return { reply, status: out.ok ? 200 : out.status ?? 400 };
}

/** For a household page: the last few published inspections of a household (the caller checked access). */
export function inspectionHistory(householdId: number, limit = 6): Promise<HistoryEntry[]> {
  return householdInspections(householdId, limit);
}
