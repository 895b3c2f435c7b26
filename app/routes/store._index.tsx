import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "~/ui/field";
import storeStyles from "~/store/store.css";
import { requireHousehold } from "~/platform/access.server";
import { createOrder, parseCart } from "~/store/checkout.server";
import { formatTime } from "~/platform/format";
import { receiptNo } from "~/store/format";
import { NUMBER_LIMITS } from "~/store/labels";
import { createOrderSchema, storefront } from "~/store/storefront.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { ListRow } from "~/ui/list-row";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storeStyles }];
export const meta: MetaFunction = () => [{ title: "积分超市 · 兑换商品" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  return await storefront(viewer.householdId, viewer.homeVillageId, viewer.memberId, new URL(request.url).searchParams.get("store"));
}

export async function action({ request }: ActionFunctionArgs) {
  const viewer = await requireHousehold(request);
  const form = formToObject(await readForm(request));
  const head = createOrderSchema.safeParse(form);
  const cart = parseCart(form);
  const values = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith("qty.")).map(([k, v]) => [k, v.slice(0, 10)]));
  if (!head.success) return data({ errors: { _form: fieldErrors(head.error)._form ?? "请求有误，请刷新页面后再试" }, values }, { status: 400 });
  if (Object.keys(cart.errors).length) return data({ errors: cart.errors, values }, { status: 400 });
  const out = await createOrder({
    householdId: viewer.householdId, memberId: viewer.memberId, userId: viewer.userId, storeId: head.data.storeId, lines: cart.lines, nonce: head.data.nonce,
  });
  if (!out.ok) return data({ errors: { [out.field.startsWith("qty.") ? out.field : "_form"]: out.message }, values }, { status: 400 });
  throw redirect(`/store/orders/${out.orderId}`);
}

export default function Store() {
  const s = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const errors: Record<string, string> = result?.errors ?? {};
  const values: Record<string, string> = result?.values ?? {};
  if (!s.store) return <section className="card"><h1>积分超市</h1><p>本村还没有开设积分超市，开设后就能在这里兑换。有疑问请问村委会。</p></section>;
  return (
    <>
      <section className="card">
        <h1>{s.store.name}</h1>
        {s.stores.length > 1 ? (
          <p className="row">
            {s.stores.map((x) => (
              <Link key={x.id} to={`/store?store=${x.id}`} aria-current={x.id === s.store!.id ? "page" : undefined}>{x.name}</Link>
            ))}
          </p>
        ) : null}
        <p>
          可用积分 <strong className="big-total" data-testid="store-spendable">{s.balance.spendable}</strong> 分
          {s.balance.held > 0 ? <span className="muted small">（另有 {s.balance.held} 分在兑换中）</span> : null}
        </p>
        {s.pending.map((p) => (
          <p key={p.id} className="warn">
            有一张兑换码还没用（{p.total} 分，{formatTime(p.expires_at).slice(11)} 前有效）：<Link to={`/store/orders/${p.id}`}>出示兑换码 ›</Link>
          </p>
        ))}
        {!s.canRedeem ? <p className="warn">户主没有允许你用全家的积分兑换，可以先看看，请户主来兑换。</p> : null}
        <p className="muted small">选好数量，点“生成兑换码”，到超市给店主扫码即可领取。</p>
      </section>
      <Form method="post" noValidate>
        <input type="hidden" name="storeId" value={s.store.id} />
        <input type="hidden" name="nonce" value={s.nonce} />
        <FormError message={errors._form} />
        <ul className="shelf">
          {s.goods.map((g) => {
            const key = `qty.${g.id}`;
            const err = errors[key];
            return (
              <li key={g.id} className={`good${g.available === 0 ? " out" : ""}`}>
                {g.photo ? <img src={g.photo} alt={g.name} width={240} height={240} loading="lazy" /> : <div className="nophoto">暂无照片</div>}
                <div className="name">{g.name}</div>
                <div className="price">{g.price} <small>分/{g.unit}</small></div>
                <div className="state">
                  {g.stock === 0 ? <span className="soldout">已兑完</span> : g.available === 0 ? <><span className="soldout">已被预留</span><br />兑换码过期或取消后可能空出</> : g.canTake > 0 ? `可兑 ${g.canTake}${g.unit}` : g.limitLeft === 0 ? "本月已兑满" : "积分不够"}
                  {g.limit !== null ? <><br />每户每月限 {g.limit}{g.unit}</> : null}
                </div>
                {g.available > 0 ? (
                  <div>
                    <label htmlFor={`q${g.id}`}>数量</label>
                    <input
                      id={`q${g.id}`} name={key} type="number" inputMode="numeric" min={0} max={NUMBER_LIMITS.lineQty[1]} placeholder="0"
                      defaultValue={values[key]} aria-invalid={err ? true : undefined} aria-describedby={err ? `q${g.id}-err` : undefined}
                    />
                    {err ? <p className="field-error" id={`q${g.id}-err`}>{err}</p> : null}
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
        <div className="sticky-submit">
          <button type="submit" className="primary block" disabled={busy || !s.canRedeem}>生成兑换码</button>
        </div>
      </Form>
      {s.recent.length ? (
        <section className="card">
          <h2>最近兑换</h2>
          <ul className="entries">
            {s.recent.map((o) => (
              <ListRow
                key={o.id}
                what={<><Link to={`/store/orders/${o.id}`}>{receiptNo(o.id)}</Link>{o.status === "voided" ? <span className="tag">已作废</span> : null}</>}
                when={o.closed_at ? formatTime(o.closed_at) : ""}
                amount={`${o.total} 分`}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
