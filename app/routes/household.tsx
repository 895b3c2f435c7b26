import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { HonourHistory } from "~/campaigns/campaign-honours";
import { findGrant, requireHousehold, requireRole } from "~/platform/access.server";
import { householdHonours } from "~/campaigns/views.server";
import { canRedeemSchema, householdMembers, setCanRedeem } from "~/people/household-head.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { InspectionHistory } from "~/sanitation/sanitation";
import { inspectionHistory } from "~/sanitation/pages.server";
import { householdErrandCounts } from "~/errands/errands.server";

export const meta: MetaFunction = () => [{ title: "我的家庭 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  const isHead = !!findGrant(viewer, ["household_head"], viewer.homeVillageId);
  return { isHead, members: await householdMembers(viewer.householdId), villageId: viewer.homeVillageId, inspections: await inspectionHistory(viewer.householdId, 3), honours: await householdHonours(viewer.householdId), errands: await householdErrandCounts(viewer.householdId) };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireHousehold(request);
  const access = await requireRole(request, ["household_head"], viewer.homeVillageId);
  const parsed = canRedeemSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return data({ ok: null, error: fieldErrors(parsed.error)._form ?? "请求有误，请刷新页面后再试" }, { status: 400 });
  const { memberId, canRedeem } = parsed.data;
  const actor = { userId: viewer.userId, role: access.role, villageId: viewer.homeVillageId };
  const out = await setCanRedeem(actor, viewer.householdId, memberId, canRedeem);
  if (!out.ok) return data({ ok: null, error: out.errors._form }, { status: out.status ?? 400 });
  return { ok: canRedeem ? `已允许 ${out.name} 兑换` : `已停止 ${out.name} 兑换`, error: null };
}

export default function Household() {
  const { isHead, members, villageId, inspections, honours, errands } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
    <section className="card">
      <h1>我的家庭</h1>
      <p className="muted">
        {isHead ? "积分属于全家。你可以决定哪些成员能在积分超市用全家的积分兑换。" : "积分属于全家，户主决定哪些成员能兑换。"}
      </p>
      <FormError message={result?.error} />
      <FormOk message={result?.ok} />
      <ul className="entries">
        {members.map((m) => (
          <li key={m.id}>
            <div className="what">
              <div>
                {m.name}
                <span className="muted small">（{m.relation}）</span>
              </div>
              <div className="when">
                {m.can_redeem ? "可以兑换" : "不能兑换"}
                {m.has_login ? " · 有登录账号" : ""}
              </div>
            </div>
            {isHead && !m.is_head ? (
              <Form method="post">
                <input type="hidden" name="memberId" value={m.id} />
                <input type="hidden" name="canRedeem" value={m.can_redeem ? "0" : "1"} />
                <button type="submit" className="secondary" disabled={busy}>{m.can_redeem ? "停止兑换" : "允许兑换"}</button>
              </Form>
            ) : null}
          </li>
        ))}
      </ul>
      <p><Link to="/household/pin">柜台兑换密码 ›</Link></p>
      {/* 代跑 (issue 18): the household's errands both ways; the records are on /errands. */}
      <p><Link to="/errands" data-testid="household-errands">代跑记录：帮别人 {errands.ran} 次 · 别人帮我家 {errands.helped} 次 ›</Link></p>
    </section>
    <InspectionHistory entries={inspections} villageId={villageId} more />
    <HonourHistory rows={honours} />
    </>
  );
}
