import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { findGrant, idParam, requireRole } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { formatMonth, formatTime } from "~/platform/format";
import { monthQuerySchema, monthReport, settleMonth, settleSchema } from "~/store/reports.server";
import { yuan } from "~/store/format";
import { pickStore, requireKeeper } from "~/store/access.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { StorePeriodFilter } from "~/store/store-filter";

export const meta: MetaFunction = () => [{ title: "月结算 · 积分超市" }];

const VIEW = ["committee", "store_keeper", "village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, VIEW);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const month = monthQuerySchema.parse(url.searchParams.get("month"));
  return { store, stores: ctx.stores, report: await monthReport(store.id, month), committee: !!findGrant(ctx.access.viewer, ["committee"], villageId) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const access = await requireRole(request, ["committee"], villageId);
  const parsed = settleSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return data({ ok: null, error: fieldErrors(parsed.error)._form ?? Object.values(fieldErrors(parsed.error))[0] }, { status: 400 });
  const out = await settleMonth({ ...actorOf(access), villageId }, parsed.data.storeId, parsed.data.month);
  if (!out.ok) return data({ ok: null, error: out.errors._form }, { status: out.status ?? 400 });
  return { ok: "已标记为结算完成", error: null };
}

export default function Settlement() {
  const { store, stores, report: r, committee } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <section className="card">
      <h1>月结算 · {store.name}</h1>
      <p className="print-only">{formatMonth(r.month)}</p>
      <StorePeriodFilter stores={stores} storeId={store.id} period={{ name: "month", label: "月份", value: r.month }} className="filters no-print" />
      <p>{formatMonth(r.month)}：村里应付给超市 <strong className="big-total" data-testid="settle-yuan">{yuan(r.total.cost_fen)}</strong> 元（兑出 {r.total.points} 分，{r.total.qty} 件）</p>
      {r.lines.length === 0 ? <p className="muted">这个月还没有兑换，没有要结算的。可以在上面选别的月份查看。</p> : null}
      <div className="table-wrap" hidden={r.lines.length === 0}>
        <table>
          <thead><tr><th>商品</th><th>数量</th><th>积分</th><th>成本（元）</th></tr></thead>
          <tbody>
            {r.lines.map((l) => <tr key={l.good_id}><td>{l.name}</td><td>{l.qty}{l.unit}</td><td>{l.points}</td><td>{yuan(l.cost_fen)}</td></tr>)}
            <tr><th>合计</th><th>{r.total.qty}</th><th>{r.total.points}</th><th>{yuan(r.total.cost_fen)}</th></tr>
          </tbody>
        </table>
      </div>
      {r.settled ? <p className="form-ok">已结算：{r.settled.by}，{formatTime(r.settled.settled_at)}（{r.settled.points} 分，{yuan(r.settled.cost_fen)} 元）</p> : <p className="muted">{r.finished ? "未结算" : "这个月还没过完，下月初再结算"}</p>}
      <FormOk message={result?.ok} />
      <FormError message={result?.error} />
      <p className="row no-print">
        <a href={`settlement.csv?store=${store.id}&month=${r.month}`} download>下载表格（CSV）</a>
        <span className="muted small">打印：用浏览器的“打印”，页面会排成 A4 表格</span>
      </p>
      {committee && !r.settled && r.finished ? (
        <Form method="post" className="no-print">
          <input type="hidden" name="storeId" value={store.id} />
          <input type="hidden" name="month" value={r.month} />
          <button type="submit" className="primary block" disabled={busy}>核对无误，标记已结算</button>
        </Form>
      ) : null}
    </section>
  );
}
