// A household's sanitation inspections month by month; the household head may ask for re-inspection.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { InspectionHistory } from "~/sanitation/sanitation";
import { formatTime } from "~/platform/format";
import { SANITATION_MAX } from "~/sanitation/labels";
import { inspectionsAction, inspectionsPage, type Reply } from "~/sanitation/pages.server";

export const meta: MetaFunction = () => [{ title: "卫生检查记录 · 积分超市" }];

export async function loader({ request }: LoaderFunctionArgs) {
  return inspectionsPage(request);
}

export async function action({ request }: ActionFunctionArgs) {
  const out = await inspectionsAction(request);
  return data(out.reply, { status: out.status });
}

export default function Inspections() {
  const { villageId, isHead, entries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Reply | undefined;
  const busy = useNavigation().state === "submitting";
  const open = entries.filter((e) => e.canRequestUntil !== null);
  const known = result && open.some((e) => e.roundId === result.key);
  return (
    <>
      <FormOk message={result?.ok} />
      {result && !result.ok && !known ? <FormError message={result.errors._form ?? result.errors.reason ?? "请求有误，请刷新页面后再试"} /> : null}
      {isHead && open.length ? (
        <section className="card">
          <h2>申请复查</h2>
          <p className="muted">对检查结果有异议的，公布后 7 天内可以申请复查，写清理由。村委同意后会派检查员重新上门。</p>
          {open.map((e) => {
            const err: Record<string, string | undefined> = result && !result.ok && result.key === e.roundId ? result.errors : {};
            return (
              <Form method="post" noValidate key={e.roundId} className="objection">
                <input type="hidden" name="roundId" value={e.roundId} />
                <p><strong>{e.title}</strong>：{e.status === "absent" ? "未检查" : `${e.total} 分 ${e.tier}`}（{formatTime(e.canRequestUntil ?? 0).slice(0, 16)} 前可申请）</p>
                <FormError message={err._form} />
                <label htmlFor={`f-reason-${e.roundId}`}>复查理由</label>
                <textarea id={`f-reason-${e.roundId}`} name="reason" rows={2} maxLength={SANITATION_MAX.requestReason} aria-invalid={err.reason ? true : undefined} aria-describedby={err.reason ? `f-reason-${e.roundId}-err` : undefined} />
                {err.reason ? <p className="field-error" id={`f-reason-${e.roundId}-err`}>{err.reason}</p> : null}
                <button type="submit" className="secondary block" disabled={busy}>提交复查申请</button>
              </Form>
            );
          })}
        </section>
      ) : null}
      <InspectionHistory entries={entries} villageId={villageId} />
    </>
  );
}
