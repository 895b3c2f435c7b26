import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { idParam } from "~/platform/access.server";
import { actorOf } from "~/platform/forms.server";
import { receiptNo } from "~/store/format";
import { formatTime } from "~/platform/format";
import { closeDay, dayQuerySchema, dayReport } from "~/store/reports.server";
import { pickStore, requireKeeper } from "~/store/access.server";
import { formToObject, readForm } from "~/platform/validation.server";
import { StorePeriodFilter } from "~/store/store-filter";
import { ListRow } from "~/ui/list-row";

export const meta: MetaFunction = () => [{ title: "日结 · 积分超市" }];

const VIEW = ["store_keeper", "village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireKeeper(request, idParam(params.villageId), VIEW);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const day = dayQuerySchema.parse(url.searchParams.get("day"));
  return { store, stores: ctx.stores, keeper: ctx.role === "store_keeper", report: await dayReport(store.id, day) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ["store_keeper"]);
  const form = formToObject(await readForm(request));
  const bad = form.intent !== "day.close" || (form.day !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(form.day)) || (form.storeId !== undefined && !/^\d{1,12}$/.test(form.storeId));
  if (bad) return data({ ok: null, error: "请求有误，请刷新页面后再试" }, { status: 400 });
  const store = pickStore(ctx, form.storeId);
  // A malformed day is refused by closeDay, never silently turned into today.
  const out = await closeDay({ ...actorOf(ctx.access), villageId }, store.id, form.day ?? dayQuerySchema.parse(null));
  if (!out.ok) return data({ ok: null, error: out.errors._form }, { status: 400 });
  return { ok: "已日结，今天的数字已记下", error: null };
}

export default function DayClose() {
  const { store, stores, keeper, report: r } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      <section className="card">
        <h1>日结 · {r.day}</h1>
        <StorePeriodFilter stores={stores} storeId={store.id} period={{ name: "day", label: "日期", value: r.day }} className="filters no-print" />
        <div className="stat">
          <div>兑换单<strong data-testid="day-orders">{r.orders}</strong></div>
          <div>积分<strong data-testid="day-points">{r.points}</strong></div>
          <div>其中柜台<strong>{r.counter}</strong></div>
          <div>作废<strong>{r.voids.length}</strong></div>
        </div>
      </section>
      <section className="card">
        <h2>出库商品</h2>
        {r.items.length === 0 ? <p className="muted">这一天没有商品出库</p> : (
          <table className="lines"><tbody>
            {r.items.map((i) => <tr key={i.good_id}><td>{i.name}</td><td>×{i.qty}{i.unit}</td><td>{i.points} 分</td></tr>)}
          </tbody></table>
        )}
      </section>
      {r.voids.length ? (
        <section className="card">
          <h2>作废</h2>
          <ul className="entries">{r.voids.map((v) => <ListRow key={v.id} what={`${receiptNo(v.id)} ${v.void_reason}`} when={`${formatTime(v.voided_at)} ${v.by ?? ""}`} amount={`${v.total} 分`} />)}</ul>
        </section>
      ) : null}
      <section className="card">
        <h2>剩余库存</h2>
        <table className="lines"><tbody>
          {r.stock.filter((g) => g.active).map((g) => <tr key={g.id}><td>{g.name}</td><td>{g.low ? <span className="low">{g.stock === 0 ? "已兑完" : "库存不足"}</span> : null}</td><td>{g.stock}{g.unit}</td></tr>)}
        </tbody></table>
      </section>
      {r.closes.length ? <p className="muted">已日结：{r.closes.map((c) => `${formatTime(c.closed_at).slice(11)} ${c.by}`).join("；")}</p> : null}
      <FormOk message={result?.ok} />
      <FormError message={result?.error} />
      {keeper ? (
        <Form method="post" className="no-print">
          <input type="hidden" name="intent" value="day.close" />
          <input type="hidden" name="storeId" value={store.id} />
          <input type="hidden" name="day" value={r.day} />
          <button type="submit" className="primary block" disabled={busy}>核对无误，日结</button>
        </Form>
      ) : null}
    </>
  );
}
