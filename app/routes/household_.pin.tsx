import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { PinForm } from "~/store/pin-form";
import { findGrant, forbidden, requireHousehold } from "~/platform/access.server";
import { formatTime } from "~/platform/format";
import { pinFormAction, pinState } from "~/store/pin.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "兑换密码 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  return { isHead: !!findGrant(viewer, ["household_head"], viewer.homeVillageId), pin: await pinState(viewer.householdId) };
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireHousehold(request);
  if (!findGrant(viewer, ["household_head"], viewer.homeVillageId)) throw forbidden("只有户主可以设置兑换密码");
  const out = await pinFormAction({ userId: viewer.userId, role: "household_head", villageId: viewer.homeVillageId }, viewer.householdId, viewer.homeVillageId, formToObject(await readForm(request)));
  return data({ errors: out.errors, ok: out.ok }, { status: out.status });
}

export default function HouseholdPin() {
  const { isHead, pin } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="card">
      <h1>柜台兑换密码</h1>
      <p>家里没有手机的人到超市柜台兑换时，店主扫户卡后，要在店主手机上输入这个 6 位密码才能用全家的积分。</p>
      <p>{pin.set ? `已设置（${formatTime(pin.setAt!)}）` : "还没有设置"}</p>
      {pin.lockedUntil ? <p className="form-error">密码连续输错 5 次，柜台兑换锁定到 {formatTime(pin.lockedUntil).slice(11)}。如果不是家里人输的，请改一个新密码。</p> : null}
      {isHead ? <PinForm errors={r?.errors ?? {}} ok={r?.ok} busy={busy} isSet={pin.set} /> : <p className="muted">只有户主可以设置。</p>}
      <p><Link to="/household">‹ 我的家庭</Link></p>
    </section>
  );
}
