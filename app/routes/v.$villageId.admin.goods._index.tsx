import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Tag } from "~/ui/form-parts";
import { idParam, requireRole } from "~/platform/access.server";
import { villageGoods } from "~/store/goods.server";
import { photoUrl } from "~/store/storefront.server";
import { yuan } from "~/store/format";

export const meta: MetaFunction = () => [{ title: "商品 · 村务管理 · 积分超市" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["village_admin", "township_admin"], villageId);
  return { goods: (await villageGoods(villageId)).map((g) => ({ ...g, photo: photoUrl(g), cost: yuan(g.cost_fen) })) };
}

export default function Goods() {
  const { goods } = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <div className="toolbar">
        <h2>商品（{goods.length} 种）</h2>
        <Link to="new" className="button">新增商品</Link>
      </div>
      <ul className="list">
        {goods.map((g) => (
          <li key={g.id}>
            <Link to={`${g.id}`} className="item">
              <span className="main">
                <span className="title">{g.name} {!g.active ? <Tag tone="off">已下架</Tag> : null}{g.stock === 0 ? <Tag tone="warn">已兑完</Tag> : g.stock <= g.low_stock ? <Tag tone="warn">库存不足</Tag> : null}</span>
                <span className="sub muted small">{g.store} · {g.category} · {g.price} 分/{g.unit} · 进价 {g.cost} 元{g.monthly_limit ? ` · 每户每月限 ${g.monthly_limit}` : ""}</span>
              </span>
              <span className="nowrap">库存 {g.stock}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
