import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { idParam } from "~/platform/access.server";
import { storeGoods } from "~/store/goods.server";
import { chinaDay } from "~/store/order-void.server";
import { now } from "~/platform/clock.server";
import { dayTotals } from "~/store/reports.server";
import { requireKeeper } from "~/store/access.server";

export const meta: MetaFunction = () => [{ title: "店务 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireKeeper(request, idParam(params.villageId), ["store_keeper", "committee", "village_admin", "township_admin"]);
  const stores = [];
  for (const s of ctx.stores) {
    const today = await dayTotals(s.id, chinaDay(now()));
    const low = (await storeGoods(s.id, true)).filter((g) => g.stock <= g.low_stock).map((g) => ({ id: g.id, name: g.name, stock: g.stock }));
    stores.push({ id: s.id, name: s.name, orders: today.orders, points: today.points, low });
  }
  return { stores, keeper: ctx.role === "store_keeper" };
}

export default function StoreHome() {
  const { stores, keeper } = useLoaderData<typeof loader>();
  return (
    <>
      {/* The tabs above already link every job; the tiles repeated them. */}
      <h1>店务</h1>
      {keeper ? <p className="muted">村民出示兑换码时点“扫码核销”；没有手机的村民拿户卡来，点“柜台兑换”。</p> : null}
      {stores.map((s) => (
        <section className="card" key={s.id}>
          <h2>{s.name}</h2>
          <p>今天已兑换 {s.orders} 单，共 {s.points} 分</p>
          {s.low.length ? (
            <p className="warn">
              库存不足：{s.low.map((g) => `${g.name}（${g.stock === 0 ? "已兑完" : `剩 ${g.stock}`}）`).join("、")}
            </p>
          ) : <p className="muted">库存充足</p>}
        </section>
      ))}
    </>
  );
}
