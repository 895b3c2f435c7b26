// 我要找人代跑: post a need (what, where, by when) for my household, or, as a 联户长 or 网格员, for a
// household of my group or grid (those without a phone first).
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import errandStyles from "~/errands/errands.css";
import { postableHouseholds } from "~/errands/errands.server";
import { dayOf, postFromForm } from "~/errands/forms.server";
import { ERRAND_LIMITS } from "~/errands/labels";
import { forbidden, requireViewer } from "~/platform/access.server";
import { now } from "~/platform/clock.server";
import { echoValues } from "~/platform/forms.server";
import { formToObject, readForm } from "~/platform/validation.server";
import { Field, FormError } from "~/ui/field";

export const meta: MetaFunction = () => [{ title: "找人代跑 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: errandStyles }];

async function poster(request: Request) {
  const viewer = await requireViewer(request);
  const households = await postableHouseholds(viewer);
  if (households.length === 0) throw forbidden("你的账号没有关联农户，不能发布代跑需求");
  return { viewer, households };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { households } = await poster(request);
  const at = now();
  return { households, today: dayOf(at), tomorrow: dayOf(at + 86_400_000), last: dayOf(at + ERRAND_LIMITS.dueDays * 86_400_000) };
}

export async function action({ request }: ActionFunctionArgs) {
  const { viewer } = await poster(request);
  const raw = formToObject(await readForm(request));
  const out = await postFromForm(viewer, raw);
  if (out.ok) return redirect(`/errands/${out.id}?posted=1`);
  return data({ errors: out.errors, values: echoValues(raw, ["householdId", "what", "place", "dueDate"]) }, { status: out.status });
}

export default function NewErrand() {
  const { households, tomorrow, today, last } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  const chosen = result?.values?.householdId ?? (households.length === 1 ? String(households[0].id) : "");
  return (
    <section className="card narrow">
      <p className="muted small"><Link to="/errands" className="back">‹ 代跑</Link></p>
      <h1>找人代跑</h1>
      {/* With one household there is no list to put its error under: it shows at the top. */}
      <FormError message={errors._form ?? (households.length === 1 ? errors.householdId : undefined)} />
      <Form method="post" noValidate>
        {households.length === 1 ? (
          <>
            <input type="hidden" name="householdId" value={households[0].id} />
            <p>为 <strong>{households[0].label}</strong> 找人代跑</p>
          </>
        ) : (
          <fieldset className="errand-households" aria-describedby={errors.householdId ? "f-householdId-err" : undefined}>
            <legend>帮哪一户</legend>
            {households.map((h) => (
              <label key={h.id}>
                <input type="radio" name="householdId" value={h.id} defaultChecked={chosen === String(h.id)} />
                <span>{h.label}{h.kind !== "household" ? <span className="tag">{h.kind === "group_leader" ? "本联户" : "本网格"}</span> : <span className="tag">自己家</span>}{h.noPhone ? <span className="tag tag-warn">无手机</span> : null}</span>
              </label>
            ))}
            {errors.householdId ? <p className="field-error" id="f-householdId-err">{errors.householdId}</p> : null}
          </fieldset>
        )}
        <label htmlFor="f-what">要办的事</label>
        <textarea
          id="f-what" name="what" rows={3} maxLength={ERRAND_LIMITS.what} defaultValue={result?.values?.what ?? ""}
          aria-invalid={errors.what ? true : undefined} aria-describedby={errors.what ? "f-what-err" : undefined}
        />
        {errors.what ? <p className="field-error" id="f-what-err">{errors.what}</p> : <p className="muted small">比如“去镇上买两袋化肥”“陪老人去卫生院拿药”</p>}
        <Field label="地点" name="place" maxLength={ERRAND_LIMITS.place} defaultValue={result?.values?.place ?? ""} error={errors.place} hint="在哪里办，或者到哪里接人" />
        <Field label="哪天之前办好" name="dueDate" type="date" min={today} max={last} defaultValue={result?.values?.dueDate ?? tomorrow} error={errors.dueDate} />
        <button type="submit" className="primary block" disabled={busy}>发布需求</button>
      </Form>
      <p className="muted small">发布后本村村民都能看到并接下。一天没人接，网格员会收到提醒。</p>
    </section>
  );
}
