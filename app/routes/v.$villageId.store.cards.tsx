import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useLocation } from "@remix-run/react";
import { idParam, requireRole } from "~/platform/access.server";
import { CARDS_PER_BATCH, householdCards, villageGrids } from "~/store/cards.server";
import { villageOr404 } from "~/people/village-admin.server";

export const meta: MetaFunction = () => [{ title: "户卡 · 积分超市" }];

const num = (s: string | null) => (s && /^\d{1,12}$/.test(s) ? Number(s) : null);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  await requireRole(request, ["store_keeper", "village_admin", "township_admin"], villageId);
  const url = new URL(request.url);
  const householdId = num(url.searchParams.get("household"));
  const gridId = num(url.searchParams.get("grid"));
  const grids = await villageGrids(villageId);
  const show = householdId !== null || gridId !== null || url.searchParams.get("all") === "1";
  const batch = num(url.searchParams.get("batch")) ?? 1;
  const found = show ? await householdCards(villageId, { householdId, gridId, batch }) : { cards: [], total: 0, first: 0 };
  return { village: (await villageOr404(villageId)).name, grids, gridId, ...found, show, batchSize: CARDS_PER_BATCH };
}

export default function Cards() {
  const { village, grids, gridId, cards, show, total, first, batchSize } = useLoaderData<typeof loader>();
  const { search } = useLocation();
  const batchLink = (n: number) => {
    const q = new URLSearchParams(search);
    q.set("batch", String(n));
    return `?${q}`;
  };
  const batch = Math.floor(first / batchSize) + 1;
  return (
    <>
      <section className="card no-print">
        <h1>户卡</h1>
        <p className="muted small">没有手机的村民拿户卡到超市，店主扫户卡后，村民输入本户 6 位兑换密码才能兑换。户卡本身不能花积分。选好后用浏览器的“打印”，A4 纸每页 10 张。</p>
        <Form method="get" className="filters">
          <div>
            <label htmlFor="grid">网格</label>
            <select id="grid" name="grid" defaultValue={gridId ?? ""}>
              <option value="">全部网格</option>
              {grids.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </div>
          <input type="hidden" name="all" value="1" />
          <button type="submit" className="secondary">显示户卡</button>
        </Form>
      </section>
      {show && cards.length === 0 ? <p className="card">没有找到住户</p> : null}
      {total > batchSize ? (
        <p className="card no-print" data-testid="card-batches">
          共 {total} 户，这一批是第 {first + 1}–{first + cards.length} 户（每批 {batchSize} 张）。打印完这一批再打下一批。{" "}
          {batch > 1 ? <Link to={batchLink(batch - 1)}>‹ 上一批</Link> : null}{" "}
          {first + cards.length < total ? <Link to={batchLink(batch + 1)}>下一批 ›</Link> : null}
        </p>
      ) : null}
      <div className="cards">
        {cards.map((c) => (
          <div className="hcard" key={c.id} data-testid="household-card">
            <img src={c.qr} alt={`${c.number}号户户卡二维码`} width={120} height={120} />
            <div>
              <div className="t"><span className="seg">{village}积分超市</span> <span className="seg">户卡</span></div>
              <div>户号 <strong>{c.number}</strong></div>
              <div>户主 {c.head ?? "—"}</div>
              <div className="small muted">{c.grid ? <span className="seg">{c.grid}</span> : null} <span className="seg">{c.address}</span></div>
            </div>
          </div>
        ))}
      </div>
    </>
  );
}
