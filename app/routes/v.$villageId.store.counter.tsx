import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FormError } from "~/ui/field";
import { Receipt } from "~/store/receipt";
import { idParam } from "~/platform/access.server";
import { parseCart } from "~/store/checkout.server";
import { counterCheckout, counterHousehold, householdByNumber } from "~/store/counter.server";
import { formatTime } from "~/platform/format";
import { storeGoods } from "~/store/goods.server";
import { counterQuerySchema, counterSellSchema, householdMoney, keeperOf } from "~/store/keeper-desk.server";
import { heldByGood } from "~/store/stock.server";
import { NUMBER_LIMITS, TEXT_LIMITS } from "~/store/labels";
import { pickStore, requireKeeper } from "~/store/access.server";
import { newNonce, photoUrl } from "~/store/storefront.server";
import { normalizeDigits, fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "柜台兑换 · 积分超市" }];

const ROLES = ["store_keeper"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ROLES);
  const url = new URL(request.url);
  const store = pickStore(ctx, url.searchParams.get("store"));
  const q = counterQuerySchema.parse({ household: url.searchParams.get("household"), number: url.searchParams.get("number") });
  if (q.household === null && q.number) {
    const h = await householdByNumber(villageId, normalizeDigits(q.number));
    if (h) throw redirect(`/v/${villageId}/store/counter?household=${h.id}`);
    return { store, household: null, notFound: `本村没有 ${q.number} 这个户号，请核对户卡`, goods: [], money: null, nonce: "" };
  }
  const household = q.household !== null ? await counterHousehold(villageId, q.household) : null;
  if (q.household !== null && !household) return { store, household: null, notFound: "本村没有这一户，请重新扫户卡", goods: [], money: null, nonce: "" };
  // A counter sale may not take what live codes hold: the keeper sees what is free to sell.
  const held = household ? await heldByGood(store.id) : new Map<number, number>();
  const goods = household
    ? (await storeGoods(store.id, true)).map((g) => ({ id: g.id, name: g.name, unit: g.unit, price: g.price, stock: g.stock, held: held.get(g.id) ?? 0, photo: photoUrl(g) }))
    : [];
  return { store, household, notFound: null, goods, money: household ? await householdMoney(household.id) : null, nonce: newNonce() };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ROLES);
  const form = formToObject(await readForm(request));
  const parsed = counterSellSchema.safeParse(form);
  const cart = parseCart(form);
  const values = Object.fromEntries(Object.entries(form).filter(([k]) => k.startsWith("qty.")).map(([k, v]) => [k, v.slice(0, 10)]));
  if (!parsed.success) {
    const e = fieldErrors(parsed.error);
    const errors = e.householdId || e.storeId || e.nonce ? { _form: e.householdId ?? e.storeId ?? e.nonce } : e;
    return data({ errors, values, receipt: null }, { status: 400 });
  }
  if (Object.keys(cart.errors).length) return data({ errors: cart.errors, values, receipt: null }, { status: 400 });
  if (!(await counterHousehold(villageId, parsed.data.householdId))) return data({ errors: { _form: "本村没有这一户，请重新扫户卡" }, values, receipt: null }, { status: 404 });
  const out = await counterCheckout(keeperOf(ctx), { ...parsed.data, lines: cart.lines });
  if (!out.ok) return data({ errors: { [out.field]: out.message }, values, receipt: null }, { status: out.code === "locked" ? 423 : 400 });
  return { errors: {} as Record<string, string>, values: {}, receipt: { order: out.order, replay: !out.created } };
}

export default function Counter() {
  const s = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const errors: Record<string, string> = result?.errors ?? {};
  const values: Record<string, string> = result?.values ?? {};
  if (result?.receipt) {
    return (
      <>
        <h1>柜台兑换</h1>
        <Receipt order={result.receipt.order} side="keeper" replay={result.receipt.replay} fresh next={<Link to="." className="button block">下一位</Link>} />
      </>
    );
  }
  return (
    <>
      <h1>柜台兑换</h1>
      <p className="muted small">给没有手机的村民：扫户卡或输入户号，选好商品，请村民在这台手机上输入本户的 6 位兑换密码，点“确认兑换”后再把商品交给村民。</p>
      {!s.household ? (
        <section className="card">
          <FormError message={errors._form} />
          <Form method="get" noValidate className="stack">
            <div>
              <label htmlFor="number">户号（户卡上的号码）</label>
              <input id="number" name="number" autoComplete="off" maxLength={TEXT_LIMITS.cardNumber} aria-invalid={s.notFound ? true : undefined} aria-describedby={s.notFound ? "number-err" : undefined} />
              {s.notFound ? <p className="field-error" id="number-err">{s.notFound}</p> : null}
            </div>
            <button type="submit" className="primary">找这一户</button>
          </Form>
          <p><Link to="../scan">用摄像头扫户卡 ›</Link></p>
        </section>
      ) : (
        <Form method="post" noValidate>
          <input type="hidden" name="householdId" value={s.household.id} />
          <input type="hidden" name="storeId" value={s.store.id} />
          <input type="hidden" name="nonce" value={s.nonce} />
          <section className="card" data-testid="counter-household">
            <h2>{s.household.number}号户 <span className="muted small">{s.household.address}</span></h2>
            <p>可用积分 <strong className="big-total">{s.money!.spendable}</strong> 分</p>
            {s.money!.lock ? <p className="form-error">密码输错太多次，本户柜台兑换锁定到 {formatTime(s.money!.lock).slice(11)}</p> : null}
            <FormError message={errors._form} />
            <label htmlFor="memberId">兑换人</label>
            <select id="memberId" name="memberId" aria-invalid={errors.memberId ? true : undefined} aria-describedby={errors.memberId ? "memberId-err" : undefined}>
              {s.household.members.filter((m) => m.can_redeem).map((m) => (
                <option key={m.id} value={m.id}>{m.name}（{m.relation}）</option>
              ))}
            </select>
            {errors.memberId ? <p className="field-error" id="memberId-err">{errors.memberId}</p> : null}
          </section>
          <ul className="card picklist">
            {s.goods.map((g) => {
              const key = `qty.${g.id}`;
              const free = Math.max(0, g.stock - g.held);
              return (
                <li key={g.id}>
                  <label htmlFor={`c${g.id}`}>
                    {g.name} <span className="muted small">{g.price} 分/{g.unit} · {g.stock === 0 ? "已兑完" : g.held > 0 ? `库存 ${g.stock}，兑换码预留 ${g.held}，可兑 ${free}` : `库存 ${g.stock}`}</span>
                  </label>
                  {free > 0 ? (
                    <input id={`c${g.id}`} name={key} type="number" inputMode="numeric" min={0} max={NUMBER_LIMITS.lineQty[1]} placeholder="0" defaultValue={values[key]}
                      aria-invalid={errors[key] ? true : undefined} aria-describedby={errors[key] ? `c${g.id}-err` : undefined} />
                  ) : <span />}
                  {errors[key] ? <p className="field-error" id={`c${g.id}-err`}>{errors[key]}</p> : null}
                </li>
              );
            })}
          </ul>
          <section className="card">
            <label htmlFor="pin">请村民输入 6 位兑换密码</label>
            <input id="pin" name="pin" type="password" inputMode="numeric" autoComplete="off" maxLength={TEXT_LIMITS.pin}
              aria-invalid={errors.pin ? true : undefined} aria-describedby={errors.pin ? "pin-err" : undefined} />
            {errors.pin ? <p className="field-error" id="pin-err" role="alert">{errors.pin}</p> : null}
            <button type="submit" className="primary block" disabled={busy}>确认兑换</button>
            <p><Link to=".">换一户</Link></p>
          </section>
        </Form>
      )}
    </>
  );
}
