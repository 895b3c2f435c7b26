import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useSearchParams } from "@remix-run/react";
import claimStyles from "~/claims/claims.css";
import groupStyles from "~/groups/groups.css";
import { ClaimForm } from "~/claims/claim-form";
import { ClaimPoints, ClaimStatusLine } from "~/claims/status";
import { IN_FLIGHT } from "~/claims/labels";
import { FormOk } from "~/ui/field";
import { idParam, requireViewer } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formatTime } from "~/platform/format";
import { fileForGroupHousehold, leaderHousehold } from "~/groups/leader.server";
import { NO_PHONE } from "~/groups/labels";
import { formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: claimStyles }, { rel: "stylesheet", href: groupStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.household.head ?? ""} · 我的联户 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer(request);
  return await leaderHousehold(viewer.userId, idParam(params.householdId));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const viewer = await requireViewer(request);
  const householdId = idParam(params.householdId);
  const h = await leaderHousehold(viewer.userId, householdId);
  const form = await readForm(request);
  const out = await fileForGroupHousehold(viewer.userId, h.group.villageId, householdId, form);
  if (out.ok) return redirect(`/group/h/${householdId}?filed=${out.ids[0]}`);
  return data({ errors: out.errors, values: echoValues(formToObject(form), ["memberId", "ruleId", "date", "quantity", "note"]) }, { status: out.status });
}

export default function GroupHousehold() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const [params] = useSearchParams();
  const filed = /^\d{1,12}$/.test(params.get("filed") ?? "") ? params.get("filed") : null;
  const h = d.household;
  return (
    <>
      <p className="muted small"><Link to="/group" className="back">‹ 我的联户 · {d.group.name}</Link></p>
      <section className="card" data-testid="group-household">
        <h1>{h.head ?? `${h.number}号户`}</h1>
        <p className="muted">{h.number}号户 · {h.address || "无门牌"}</p>
        <p>{h.phone ? <a className="phone-link" href={`tel:${h.phone}`}>{h.phone}</a> : <span className="no-phone">{NO_PHONE}</span>}</p>
        {h.balance !== null ? <p data-testid="balance">积分余额：<strong>{h.balance}</strong> 分</p> : null}
        <h2>家庭成员</h2>
        <ul className="group-members">
          {d.members.map((m) => (
            <li key={m.id}>
              {m.name}（{m.relation}）{m.phone ? <span className="muted"> {m.phone}</span> : null}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" id="claim">
        <h2>替这户申报积分</h2>
        {filed ? <FormOk message={`已提交（申报 #${filed}），等待村委审核，审核通过后在公示栏公示`} /> : null}
        <p className="muted small">由村委审核后公示，公示期满没有异议才入账。只能申报加分。</p>
        <ClaimForm {...d.form} showHousehold={false} errors={result?.errors} values={result?.values} busy={busy} formKey={filed ?? "claim"} />
      </section>
      <section className="card">
        <h2>最近的申报</h2>
        {d.claims.length === 0 ? <p className="muted">还没有申报记录</p> : null}
        <ul className="entries" data-testid="group-claims">
          {d.claims.map((c) => (
            <li key={c.id} data-testid={`claim-${c.id}`}>
              <div className="what">
                <div>{c.rule} · {c.member}</div>
                <div className="when">{formatTime(c.occurred_at).slice(0, 10)} · {c.quantity}{c.unit === "hour" ? " 小时" : " 次"}</div>
                <ClaimStatusLine claim={c} tag={!IN_FLIGHT.includes(c.status)} />
              </div>
              <ClaimPoints claim={c} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
