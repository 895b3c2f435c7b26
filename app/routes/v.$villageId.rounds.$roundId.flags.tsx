// A round's 流动红旗 for the committee: who got each flag, and for a tie at the boundary, the tied
// households to pick from with a reason (audited; once: a second member deciding is told who won).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import styles from "~/flags/flags.css";
import { FormError, FormOk } from "~/ui/field";
import { HolderList } from "~/flags/flag-parts";
import { decideFlag, decideSchema, roundFlags } from "~/flags/flags.server";
import { FLAG_LIMITS } from "~/flags/labels";
import { idParam, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.round.title ?? ""}流动红旗 · 积分超市` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const roundId = idParam(params.roundId);
  await requireRole(request, ["committee"], villageId);
  return { villageId, ...(await roundFlags(villageId, roundId)) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const roundId = idParam(params.roundId);
  const access = await requireRole(request, ["committee"], villageId);
  const form = formToObject(await readForm(request));
  const flagId = /^\d{1,12}$/.test(form.flagId ?? "") ? Number(form.flagId) : null;
  const parsed = decideSchema.safeParse(form);
  if (!parsed.success) return data({ ok: null, flagId, errors: fieldErrors(parsed.error), reason: (form.reason ?? "").slice(0, FLAG_LIMITS.reason) }, { status: 400 });
  const out = await decideFlag(actorOf(access), villageId, roundId, parsed.data);
  if (!out.ok) return data({ ok: null, flagId, errors: out.errors, reason: parsed.data.reason }, { status: out.status ?? 400 });
  return { ok: "已决定，红旗已交给这一户。", flagId, errors: {} as Record<string, string>, reason: "" };
}

export default function RoundFlags() {
  const { villageId, round, flags } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const waiting = flags.filter((f) => f.householdId === null && f.endedAt === null);
  const decided = flags.filter((f) => f.householdId !== null);
  const known = result?.flagId != null && waiting.some((f) => f.id === result.flagId);
  return (
    <>
      <p className="muted small"><Link className="back" to={`/v/${villageId}/rounds/${round.id}`}>‹ {round.title}卫生评比</Link></p>
      <section className="card">
        <h1>{round.title}流动红旗</h1>
        <FormOk message={result?.ok} />
        {!known ? <FormError message={result && !result.ok ? result.errors._form ?? result.errors.flagId ?? result.errors.householdId ?? result.errors.reason ?? "请求有误，请刷新页面后再试" : null} /> : null}
        {flags.length === 0 ? <p className="muted">这一轮没有发流动红旗（本村没有开启红旗，或评比还没公布）。</p> : null}
        {decided.length ? (
          <>
            <h2>红旗户</h2>
            <HolderList flags={decided} testId="round-flag-holders" />
          </>
        ) : null}
        {waiting.length ? <h2>得分并列，请村委决定（{waiting.length}）</h2> : null}
        {waiting.map((f) => {
          const mine = result && !result.ok && result.flagId === f.id ? result.errors : null;
          return (
            <div key={f.id} className="flag-tie" data-testid={`flag-tie-${f.id}`}>
              <p>{f.grid ? `${f.grid}：` : ""}以下农户都得了 <strong>{f.total} 分</strong>，并列争这面红旗。请选一户并写明理由（会记入操作记录）。</p>
              <FormError message={mine?._form} />
              <Form method="post" noValidate>
                <input type="hidden" name="flagId" value={f.id} />
                <fieldset aria-invalid={mine?.householdId ? true : undefined} aria-describedby={mine?.householdId ? `h-${f.id}-err` : undefined}>
                  <legend>红旗给哪一户</legend>
                  {f.tied.map((h) => (
                    <label key={h.id} className="choice">
                      <input type="radio" name="householdId" value={h.id} disabled={h.holds} />
                      <span>{h.number}号户{h.head ? ` ${h.head}` : ""}{h.holds ? <span className="muted small">（已得本轮另一面）</span> : null}</span>
                    </label>
                  ))}
                  {mine?.householdId ? <p className="field-error" id={`h-${f.id}-err`}>{mine.householdId}</p> : null}
                </fieldset>
                <label htmlFor={`r-${f.id}`}>理由</label>
                <input
                  id={`r-${f.id}`}
                  name="reason"
                  maxLength={FLAG_LIMITS.reason}
                  autoComplete="off"
                  defaultValue={mine ? result?.reason ?? "" : ""}
                  aria-invalid={mine?.reason ? true : undefined}
                  aria-describedby={mine?.reason ? `r-${f.id}-err` : undefined}
                />
                {mine?.reason ? <p className="field-error" id={`r-${f.id}-err`}>{mine.reason}</p> : null}
                <button type="submit" className="primary block" disabled={busy}>决定</button>
              </Form>
            </div>
          );
        })}
        <p className="flag-links"><Link to={`/v/${villageId}/flags`}>历届红旗户 ›</Link></p>
      </section>
    </>
  );
}
