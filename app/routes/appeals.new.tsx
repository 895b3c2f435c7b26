// 申诉: the household appeals one award or deduction of its statement (?txn=), with a reason and up
// to 3 photos; without ?txn the page lists the entries still inside the appeal period.
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import appealStyles from "~/appeals/appeals.css";
import { AppealError, appealableEntries, householdEntry } from "~/appeals/appeals.server";
import { entryQuerySchema, fileAppealFromForm } from "~/appeals/forms.server";
import { APPEAL_LIMITS, signed } from "~/appeals/labels";
import { MAX_PHOTO_MB, MAX_PHOTOS, PHOTO_ACCEPT } from "~/claims/labels";
import { notFound, requireHousehold, requireRole } from "~/platform/access.server";
import { echoValues } from "~/platform/forms.server";
import { formatTime } from "~/platform/format";
import { formToObject, readForm } from "~/platform/validation.server";
import { FormError } from "~/ui/field";
import { ListRow } from "~/ui/list-row";
import { FilePicker } from "~/ui/pickers";

export const meta: MetaFunction = () => [{ title: "申诉 · 积分超市" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: appealStyles }];

const VILLAGER = ["household_head", "villager"] as const;

async function appellant(request: Request) {
  const viewer = await requireHousehold(request);
  const access = await requireRole(request, VILLAGER, viewer.homeVillageId);
  return { viewer, role: access.role };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const { viewer } = await appellant(request);
  const txn = entryQuerySchema.parse(new URL(request.url).searchParams.get("txn"));
  if (txn === null) return { entry: null, choices: await appealableEntries(viewer.householdId) };
  try {
    return { entry: await householdEntry(viewer.householdId, txn), choices: [] };
  } catch (e) {
    if (e instanceof AppealError && e.status === 404) notFound();
    throw e;
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { viewer, role } = await appellant(request);
  const form = await readForm(request);
  const out = await fileAppealFromForm({ householdId: viewer.householdId, userId: viewer.userId, role }, viewer.homeVillageId, form);
  if (out.ok) return redirect(`/appeals/${out.id}?filed=1`);
  return data({ errors: out.errors, values: echoValues(formToObject(form), ["reason"]) }, { status: out.status });
}

function day(ms: number): string {
  return formatTime(ms).slice(0, 10);
}

export default function NewAppeal() {
  const { entry, choices } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const errors = result?.errors ?? {};
  return (
    <section className="card narrow">
      <p className="muted small"><Link to="/appeals" className="back">‹ 我的申诉</Link></p>
      <h1>申诉</h1>
      <FormError message={errors._form} />
      {entry === null ? (
        <>
          <p className="muted">选一条要申诉的奖励或扣分。入账后的申诉期内才能申诉。</p>
          {choices.length === 0 ? <p className="muted">现在没有可以申诉的记录。</p> : (
            <ul className="entries appeals-list">
              {choices.map((c) => (
                <ListRow
                  key={c.txnId}
                  what={<Link to={`/appeals/new?txn=${c.txnId}`}>{c.memo}</Link>}
                  when={<>{formatTime(c.at)}{c.member ? ` · ${c.member}` : ""} · {day(c.deadline - 1)} 前可申诉</>}
                  delta={c.amount}
                />
              ))}
            </ul>
          )}
        </>
      ) : (
        <>
          <div className="appeal-entry" data-testid="appeal-entry">
            <div>{entry.memo}</div>
            <div className={`amount ${entry.amount > 0 ? "plus" : "minus"}`}>{signed(entry.amount)} 分</div>
            <div className="muted">{entry.kind === "award" ? "奖励" : "扣分"} · 入账 {formatTime(entry.at)}{entry.member ? ` · ${entry.member}` : ""}</div>
          </div>
          {entry.refusal ? (
            <p className="form-error" role="alert" data-testid="appeal-refused">{entry.refusal}</p>
          ) : (
            <Form method="post" encType="multipart/form-data" noValidate>
              <input type="hidden" name="txnId" value={entry.txnId} />
              <p className="muted">申诉期到 {day(entry.deadline - 1)}。村委会另请一位没有参与原来审核的委员处理，结果会显示在积分明细里。</p>
              <label htmlFor="f-reason">申诉理由</label>
              <textarea
                id="f-reason" name="reason" rows={4} maxLength={APPEAL_LIMITS.reason} defaultValue={result?.values?.reason ?? ""}
                aria-invalid={errors.reason ? true : undefined} aria-describedby={errors.reason ? "f-reason-err" : undefined}
              />
              {errors.reason ? <p className="field-error" id="f-reason-err">{errors.reason}</p> : <p className="muted small">写清楚哪里不对，比如“那天我在场，有照片为证”</p>}
              <FilePicker label={`照片（选填，最多 ${MAX_PHOTOS} 张，每张不超过 ${MAX_PHOTO_MB} MB）`} name="photos" accept={PHOTO_ACCEPT} multiple error={errors.photos} />
              <button type="submit" className="primary block" disabled={busy}>提交申诉</button>
            </Form>
          )}
        </>
      )}
    </section>
  );
}
