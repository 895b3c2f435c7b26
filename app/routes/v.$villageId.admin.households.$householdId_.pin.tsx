import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { PinForm } from "~/store/pin-form";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { formatTime } from "~/platform/format";
import { pinFormAction, pinState } from "~/store/pin.server";
import { householdInVillage } from "~/people/household-admin.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "兑换密码 · 村务管理 · 积分超市" }];

const ADMIN = ["village_admin", "township_admin"] as const;

/** The household of this village (a 404 otherwise), as the page shows it. */
async function household(villageId: number, householdId: number) {
  const h = await householdInVillage(villageId, householdId);
  return { id: h.id, number: h.number };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ADMIN, villageId);
  const h = await household(villageId, idParam(params.householdId));
  return { household: h, pin: await pinState(h.id) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ADMIN, villageId);
  const h = await household(villageId, idParam(params.householdId));
  const out = await pinFormAction(actorOf(access), h.id, villageId, formToObject(await readForm(request)));
  return data({ errors: out.errors, ok: out.ok }, { status: out.status });
}

export default function AdminPin() {
  const { household: h, pin } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="card">
      <p><Link to={`../households/${h.id}`} className="back">‹ {h.number}号户</Link></p>
      <h2>{h.number}号户 · 柜台兑换密码</h2>
      <p>{pin.set ? `已设置（${formatTime(pin.setAt!)}）` : "还没有设置"}{pin.lockedUntil ? `；输错太多次，锁定到 ${formatTime(pin.lockedUntil).slice(11)}，设新密码会解锁` : ""}</p>
      <p className="muted small">请户主本人当面设置，不要把密码写在户卡上。</p>
      <PinForm errors={r?.errors ?? {}} ok={r?.ok} busy={busy} isSet={pin.set} />
    </section>
  );
}
