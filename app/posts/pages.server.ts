// The post pages: who is asking, what each page shows, and the posts (form submissions) each accepts.
// Villagers: /posts (apply, their own record). The committee: /v/:v/posts (define, decide, appoint).
// The committee and 网格员: /v/:v/posts/confirm (a 网格员 sees the holders of their own grids).
import { data } from "@remix-run/node";
import { findGrant, requireHousehold, requireRole } from "~/platform/access.server";
import { chinaMonth, now } from "~/platform/clock.server";
import { echoValues, type StaffActor } from "~/platform/forms.server";
import { fieldErrors, formToObject, pageSchema, readForm } from "~/platform/validation.server";
import { gridsWorkedBy } from "~/groups/groups.server";
import { POST_LIMITS, confirmableMonths } from "./labels";
import {
  appoint, applyForPost, applySchema, committeeIntent, confirmIntent, confirmList, confirmMonth, createPost, decideApplication, endHolding,
  findMembers, memberPosts, setPostActive, updatePost, villageHoldings, villagePosts, type Confirmer,
} from "./posts.server";

export interface PostReply {
  intent: string;
  /** The post or holding the answer is about (its row shows the message). */
  target: number | null;
  errors: Record<string, string>;
  values?: Record<string, string>;
  ok?: string;
  stamp?: number;
}

const BAD = "请求有误，请刷新页面后再试";
const idOf = (s: string | undefined) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null);

function refused(intent: string, target: number | null, errors: Record<string, string>, status: number, values?: Record<string, string>) {
  return data<PostReply>({ intent, target, errors, values }, { status });
}
function done(intent: string, target: number | null, ok: string) {
  return data<PostReply>({ intent, target, errors: {}, ok, stamp: Date.now() });
}

/** Field errors of a malformed post (a hidden id, an unknown intent) shown on top of the form. */
function withFormError(errors: Record<string, string>, ...hidden: string[]): Record<string, string> {
  for (const k of ["intent", ...hidden]) if (errors[k] && !errors._form) errors._form = errors[k];
  return errors;
}

// ---- villagers ---------------------------------------------------------------------------------------------

export async function villagerPage(request: Request) {
  const viewer = await requireHousehold(request);
  const [posts, mine] = await Promise.all([villagePosts(viewer.homeVillageId, true), viewer.memberId ? memberPosts(viewer.memberId) : { holdings: [], months: [] }]);
  return { posts, mine, month: chinaMonth(now()) };
}

export async function villagerAction(request: Request) {
  const viewer = await requireHousehold(request);
  const form = formToObject(await readForm(request));
  const parsed = applySchema.safeParse(form);
  const target = idOf(form.postId);
  if (!parsed.success) return refused(form.intent ?? "", target, withFormError(fieldErrors(parsed.error), "postId"), 400, echoValues(form, ["note"]));
  if (viewer.memberId === null) return refused("apply", target, { _form: "你的账号没有关联村民，不能申请岗位" }, 403);
  const out = await applyForPost(viewer.userId, viewer.memberId, viewer.homeVillageId, parsed.data.postId, parsed.data.note);
  if (!out.ok) return refused("apply", target, out.errors, out.status ?? 400, echoValues(form, ["note"]));
  return done("apply", target, "已提交申请，请等村委处理");
}

// ---- the committee -----------------------------------------------------------------------------------------

const COMMITTEE = ["committee"] as const;

function actorIn(access: { viewer: { userId: number }; role: string }, villageId: number): StaffActor {
  return { userId: access.viewer.userId, role: access.role, villageId };
}

export async function committeePage(request: Request, villageId: number) {
  await requireRole(request, COMMITTEE, villageId);
  const url = new URL(request.url);
  const q = (url.searchParams.get("q") ?? "").trim().slice(0, POST_LIMITS.search);
  const [posts, holdings, found] = await Promise.all([villagePosts(villageId), villageHoldings(villageId), findMembers(villageId, q)]);
  return { villageId, posts, holdings, q, found };
}

const POST_FIELDS = ["name", "duties", "allowance", "seats"];

export async function committeeAction(request: Request, villageId: number) {
  const access = await requireRole(request, COMMITTEE, villageId);
  const form = formToObject(await readForm(request));
  const parsed = committeeIntent.safeParse(form);
  const intent = form.intent ?? "";
  const target = idOf(form.postId) ?? idOf(form.holdingId);
  const values = echoValues(form, [...POST_FIELDS, "reason"]);
  if (!parsed.success) return refused(intent, target, withFormError(fieldErrors(parsed.error), "postId", "holdingId", "memberId"), 400, values);
  const i = parsed.data;
  const actor = actorIn(access, villageId);
  switch (i.intent) {
    case "post.create": {
      const out = await createPost(actor, villageId, i);
      return out.ok ? done(i.intent, out.postId, `已新设岗位“${i.name}”`) : refused(i.intent, null, out.errors, out.status ?? 400, values);
    }
    case "post.update": {
      const out = await updatePost(actor, villageId, i.postId, i);
      return out.ok ? done(i.intent, i.postId, "已保存") : refused(i.intent, i.postId, out.errors, out.status ?? 400, values);
    }
    case "post.end":
    case "post.reopen": {
      const out = await setPostActive(actor, villageId, i.postId, i.intent === "post.reopen");
      return out.ok ? done(i.intent, i.postId, i.intent === "post.end" ? "岗位已撤销，在岗的人已卸任" : "岗位已恢复，请重新任命") : refused(i.intent, i.postId, out.errors, out.status ?? 400);
    }
    case "holding.accept":
    case "holding.refuse": {
      const accept = i.intent === "holding.accept";
      const out = await decideApplication(actor, villageId, i.holdingId, accept, accept ? "" : i.reason);
      return out.ok ? done(i.intent, i.holdingId, accept ? "已同意，从本月起在岗" : "已回复不同意") : refused(i.intent, i.holdingId, out.errors, out.status ?? 400, values);
    }
    case "holding.end": {
      const out = await endHolding(actor, villageId, i.holdingId, i.reason);
      return out.ok ? done(i.intent, i.holdingId, "已卸任，本月仍可确认") : refused(i.intent, i.holdingId, out.errors, out.status ?? 400, values);
    }
    case "holding.appoint": {
      const out = await appoint(actor, villageId, i.postId, i.memberId);
      return out.ok ? done(i.intent, i.memberId, "已任命，从本月起在岗") : refused(i.intent, i.memberId, out.errors, out.status ?? 400);
    }
  }
}

// ---- the monthly confirmation ------------------------------------------------------------------------------

/** The committee confirms any holder; an inspector only as the 网格员 of the holder's grid. */
async function confirmer(request: Request, villageId: number): Promise<{ by: Confirmer; grids: number[] | null }> {
  const access = await requireRole(request, ["committee", "inspector"], villageId);
  if (findGrant(access.viewer, ["committee"], villageId)) return { by: { userId: access.viewer.userId, role: "committee" }, grids: null };
  return { by: { userId: access.viewer.userId, role: "inspector" }, grids: await gridsWorkedBy(access.viewer.userId, villageId) };
}

export async function confirmPage(request: Request, villageId: number) {
  const { by, grids } = await confirmer(request, villageId);
  const url = new URL(request.url);
  const current = chinaMonth(now());
  const months = confirmableMonths(current);
  const asked = url.searchParams.get("month") ?? current;
  const month = months.includes(asked) ? asked : current;
  const page = pageSchema.parse(url.searchParams.get("page"));
  const list = await confirmList(villageId, month, grids, page);
  return { villageId, month, months, page, ...list, role: by.role, gridCount: grids?.length ?? null };
}

export async function confirmAction(request: Request, villageId: number) {
  const { by } = await confirmer(request, villageId);
  const form = formToObject(await readForm(request));
  const parsed = confirmIntent.safeParse(form);
  const target = idOf(form.holdingId);
  if (!parsed.success) return refused(form.intent ?? "", target, withFormError(fieldErrors(parsed.error), "holdingId", "month"), 400, echoValues(form, ["reason"]));
  const i = parsed.data;
  const out = await confirmMonth(by, villageId, i.holdingId, i.month, i.intent === "done", i.intent === "not_done" ? i.reason : "");
  if (!out.ok) return refused(i.intent, i.holdingId, withFormError(out.errors, "month"), out.status ?? 400, echoValues(form, ["reason"]));
  return done(i.intent, i.holdingId, i.intent === "done" ? "已确认履职，积分申报已提交，审核和公示后到账" : "已记录本月未履职");
}

