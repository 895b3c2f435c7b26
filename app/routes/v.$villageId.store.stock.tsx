import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError, FormOk } from "~/ui/field";
import { Movements, StockForms } from "~/store/stock-forms";
import { idParam } from "~/platform/access.server";
import { goodOf, storeGoods } from "~/store/goods.server";
import { heldByGood, heldQty, movementsOf } from "~/store/stock.server";
import { stockAction } from "~/store/stock-page.server";
import { pickStore, requireKeeper } from "~/store/access.server";
import { formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "库存 · 积分超市" }];

const ROLES = ["store_keeper", "village_admin", "township_admin"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ROLES);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const goodParam = url.searchParams.get("good");
  const good = goodParam && /^\d{1,12}$/.test(goodParam) ? (await goodOf(villageId, Number(goodParam))) ?? null : null;
  const shown = good && ctx.stores.some((s) => s.id === good.store_id) ? good : null;
  return {
    store, goods: await storeGoods(store.id, false),
    // Units that live codes hold: on the shelf still, but promised to villagers on their way.
    held: Object.fromEntries(await heldByGood(store.id)),
    good: shown, goodHeld: shown ? await heldQty(shown.store_id, shown.id) : 0,
    movements: shown ? await movementsOf(shown.id) : [],
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ROLES);
  return stockAction(ctx.access, villageId, formToObject(await readForm(request)), { storeIds: ctx.stores.map((s) => s.id) });
}

export default function Stock() {
  const { goods, held, good, goodHeld, movements } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <>
      {good ? (
        <>
          <h1>{good.name} <span className="muted small">库存 {good.stock}{good.unit}</span></h1>
          {goodHeld > 0 ? (
            <p data-testid="held">其中 {goodHeld}{good.unit}已被兑换码预留（村民还没来领），还能兑 {Math.max(0, good.stock - goodHeld)}{good.unit}</p>
          ) : null}
          <FormOk message={reply?.ok} />
          <FormError message={reply?.errors?._form} />
          <StockForms goodId={good.id} unit={good.unit} stock={good.stock} reply={reply} busy={busy} />
          <section className="card"><h2>库存变动</h2><Movements rows={movements} /></section>
          <p><Link to="?">‹ 全部商品</Link></p>
        </>
      ) : (
        <section className="card">
          <h1>库存</h1>
          <FormError message={reply?.errors?._form} />
          <p className="muted">点一种商品可以入库、盘点，查看库存变动。“预留”是村民兑换码里还没领走的数量。</p>
          <ul className="entries tappable">
            {goods.map((g) => (
              <li key={g.id}>
                <div className="what">
                  <div><Link to={`?good=${g.id}`}>{g.name}</Link>{!g.active ? <span className="tag">已下架</span> : null}</div>
                  <div className="when">{g.price} 分/{g.unit}</div>
                </div>
                <div>
                  {g.stock <= g.low_stock ? <span className="low">{g.stock === 0 ? "已兑完" : "库存不足"}</span> : null} <strong>{g.stock}</strong>
                  {held[g.id] ? <div className="muted small" data-testid={`held-${g.id}`}>预留 {held[g.id]}，可兑 {Math.max(0, g.stock - held[g.id])}</div> : null}
                </div>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
