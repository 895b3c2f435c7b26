import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { idParam } from "~/platform/access.server";
import { storeOrders } from "~/store/checkout.server";
import { receiptNo } from "~/store/format";
import { formatTime } from "~/platform/format";
import { dayQuerySchema, dayStart } from "~/store/reports.server";
import { pickStore, requireKeeper } from "~/store/access.server";
import { StorePeriodFilter } from "~/store/store-filter";
import { ListRow } from "~/ui/list-row";
import { ORDER_STATE_WORDS } from "~/store/order-states";

export const meta: MetaFunction = () => [{ title: "兑换单 · 积分超市" }];


export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireKeeper(request, idParam(params.villageId), ["store_keeper", "committee", "village_admin", "township_admin"]);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const day = dayQuerySchema.parse(url.searchParams.get("day"));
  const from = dayStart(day);
  const orders = (await storeOrders(store.id, from, from + 24 * 3600_000)).map((o) => ({ ...o, no: receiptNo(o.id) }));
  return { store, stores: ctx.stores, day, orders };
}

export default function Orders() {
  const { store, stores, day, orders } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h1>兑换单</h1>
      <StorePeriodFilter stores={stores} storeId={store.id} period={{ name: "day", label: "日期", value: day }} />
      {orders.length === 0 ? <p className="muted">这一天没有兑换单，可以换个日期再点“查看”。</p> : null}
      <ul className="entries tappable">
        {orders.map((o) => (
          <ListRow
            key={o.id}
            what={<><Link to={`${o.id}`}>{o.no}</Link> {o.household_number}号户{o.head ? ` ${o.head}` : ""}<span className="tag">{o.channel === "counter" ? "柜台" : "扫码"}</span>{o.status === "voided" ? <span className="tag">{ORDER_STATE_WORDS.voided}</span> : null}</>}
            when={o.closed_at ? formatTime(o.closed_at) : ""}
            amount={`${o.total} 分`}
          />
        ))}
      </ul>
    </section>
  );
}
