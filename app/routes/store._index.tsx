import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import type { ShouldRevalidateFunction } from "@remix-run/react";
import { Link, useActionData, useFetcher, useLoaderData, useLocation, useNavigation } from "@remix-run/react";
import { useEffect, useState } from "react";
import storeStyles from "~/store/store.css";
import { requireHousehold } from "~/platform/access.server";
import { createOrder, parseCart } from "~/store/checkout.server";
import { formatTime } from "~/platform/format";
import { receiptNo } from "~/store/format";
import { canAdd, qtyKey, readQty, sumCart } from "~/store/cart";
import { CartBar } from "~/store/cart-bar";
import { ORDER_STATE_TAGS, ORDER_STATE_WORDS } from "~/store/order-states";
import { QtyStepper, STEPPER_NOSCRIPT } from "~/store/qty-stepper";
import { createOrderSchema, storefront } from "~/store/storefront.server";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";
import { ListRow } from "~/ui/list-row";

// A refused 生成兑换码 mostly means the shelf or the balance moved meanwhile (a good taken off, its
// last units held by another code, points held by a code made on a second phone): reload them with
// the refusal, although it is answered with a 400 (after which Remix would not reload by default).
export const shouldRevalidate: ShouldRevalidateFunction = ({ actionStatus, defaultShouldRevalidate }) =>
  (actionStatus !== undefined && actionStatus >= 400) || defaultShouldRevalidate;

export const links: LinksFunction = () => [{ rel: "stylesheet", href: storeStyles }];
export const meta: MetaFunction = () => [{ title: "积分超市 · 兑换商品" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const viewer = await requireHousehold(request);
  const search = new URL(request.url).searchParams;
  const shelf = await storefront(viewer.householdId, viewer.homeVillageId, viewer.memberId, search.get("store"));
  return { ...shelf, affordOnly: search.get("afford") === "1" };
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

/** The URL a scriptless post reloads at: the same store and filter, scrolled to the goods (#shelf). */
function postUrl(search: string): string {
  const q = new URLSearchParams(search);
  q.delete("index");
  const rest = q.toString();
  return `/store?index${rest ? `&${rest}` : ""}`;
}

export default function Store() {
  const s = useLoaderData<typeof loader>();
  // With scripts 生成兑换码 goes through a fetcher: a refusal leaves the page where the villager is
  // (the message shows in the bar), and the code's page opens at its top. Without them, the post's
  // answer is the action's data.
  const order = useFetcher<typeof action>();
  const posted = useActionData<typeof action>();
  const navigating = useNavigation().state !== "idle";
  const result = order.data ?? posted;
  const busy = order.state !== "idle" || navigating;
  const location = useLocation();
  const [qty, setQty] = useState<Record<string, string>>(() => result?.values ?? {});
  // Form keys changed since the last refusal: their old messages are stale and go ("*": any change).
  // A fetcher keeps its answer across navigations: the refusal belongs to the page it was made on.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const [refusedAt, setRefusedAt] = useState(location.key);
  useEffect(() => {
    setEdited(new Set());
    setRefusedAt(location.key);
  }, [result]); // only a new answer moves it, not a navigation
  const errors: Record<string, string> = (refusedAt === location.key && result?.errors) || {};
  // The running total needs scripts; until they run the bar shows the balance alone.
  const [live, setLive] = useState(false);
  useEffect(() => setLive(true), []);
  if (!s.store) return <section className="card"><h1>积分超市</h1><p>本村还没有开设积分超市，开设后就能在这里兑换。有疑问请问村委会。</p></section>;

  const onShelf = s.goods.filter((g) => g.available > 0);
  const sum = sumCart(onShelf, qty, s.balance.spendable);
  const setLine = (key: string, value: string) => {
    setQty((q) => ({ ...q, [key]: value }));
    setEdited((e) => new Set(e).add(key).add("*"));
  };
  const serverError = (key: string) => (edited.has(key) ? undefined : errors[key]);
  // 只看买得起的 keeps what is chosen or refused in view: the form sends only the boxes it shows.
  const shown = s.goods.filter((g) => !s.affordOnly || g.canTake > 0 || (readQty(qty[qtyKey(g.id)]) ?? 1) > 0 || errors[qtyKey(g.id)]);
  const groups: { category: string; goods: typeof shown }[] = [];
  for (const g of shown) {
    const last = groups[groups.length - 1];
    if (last && last.category === g.category) last.goods.push(g);
    else groups.push({ category: g.category, goods: [g] });
  }
  const barError = edited.has("*") ? null : barMessage(errors, s.goods);
  const to = postUrl(location.search);
  const storeQuery = s.stores.length > 1 ? `store=${s.store.id}` : "";
  // The filter lands on the goods (#shelf), with or without scripts.
  const filterLink = (afford: boolean) => {
    const q = [storeQuery, afford ? "afford=1" : ""].filter(Boolean).join("&");
    return `/store${q ? `?${q}` : ""}#shelf`;
  };

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
        <p className="muted small elder-hide">选好数量，点最下面的“生成兑换码”，到超市给店主扫码即可领取。</p>
      </section>
      {/* Without scripts the − / + buttons could not work: the number boxes alone are shown. */}
      <noscript dangerouslySetInnerHTML={{ __html: STEPPER_NOSCRIPT }} />
      <form
        method="post" action={`${to}#shelf`} id="shelf" className="shelf-form" noValidate
        onSubmit={(e) => {
          e.preventDefault();
          order.submit(e.currentTarget, { method: "post", action: to });
        }}
      >
        <input type="hidden" name="storeId" value={s.store.id} />
        <input type="hidden" name="nonce" value={s.nonce} />
        <nav className="shelf-nav" aria-label="挑选商品">
          <div className="tabs seg">
            <Link to={filterLink(false)} aria-current={s.affordOnly ? undefined : "page"}>全部商品</Link>
            <Link to={filterLink(true)} aria-current={s.affordOnly ? "page" : undefined} data-testid="afford-only">只看买得起的</Link>
          </div>
          {groups.length > 1 ? (
            <div className="tabs cats">
              {groups.map((c, i) => <a key={c.category} href={`#cat-${i}`}>{c.category}</a>)}
            </div>
          ) : null}
        </nav>
        {groups.length === 0 ? (
          <p className="card">{s.affordOnly ? "现在的积分还不够兑换任何商品，或者想要的已兑完。" : "这个超市还没有上架商品。"}</p>
        ) : null}
        {groups.map((c, i) => (
          <section key={c.category} className="cat" aria-labelledby={`cat-${i}`}>
            <h2 id={`cat-${i}`} className="cat-head">{c.category}</h2>
            <ul className="shelf">
              {c.goods.map((g) => {
                const key = qtyKey(g.id);
                const err = serverError(key) ?? (live ? sum.lineErrors[key] : undefined);
                const errId = `q${g.id}-err`;
                const n = readQty(qty[key]) ?? 0;
                return (
                  <li key={g.id} id={`g-${g.id}`} className={`good${g.available === 0 ? " out" : ""}`}>
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
                        <QtyStepper
                          id={`q${g.id}`} name={key} goodName={g.name} value={qty[key] ?? ""} onChange={(v) => setLine(key, v)}
                          canAdd={canAdd(g, n, sum.left)} error={err} errorId={errId}
                        />
                      </div>
                    ) : null}
                    {err ? <p className="field-error" id={errId}>{err}</p> : null}
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
        <CartBar
          spendable={s.balance.spendable} sum={sum} live={live} error={barError} busy={busy}
          disabledReason={s.canRedeem ? null : "户主没有允许你用全家的积分兑换"}
        />
      </form>
      {s.recent.length ? (
        <section className="card">
          <h2>最近兑换</h2>
          <ul className="entries tappable" data-testid="recent-orders">
            {s.recent.map((o) => (
              <ListRow
                key={o.id}
                what={<><Link to={`/store/orders/${o.id}`}>{receiptNo(o.id)}</Link><span className={ORDER_STATE_TAGS[o.state]}>{ORDER_STATE_WORDS[o.state]}</span></>}
                when={formatTime(o.at)}
                amount={`${o.total} 分`}
              />
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

/**
 * What the bar says after a refused 生成兑换码: the form's message, or the first good's (with its
 * name when the message lacks it). A good that left the shelf meanwhile (taken off, or its last units
 * held by other codes) has no box left to show it by, and is no longer in what the form sends.
 */
function barMessage(errors: Record<string, string>, goods: { id: number; name: string; available: number }[]): string | null {
  if (errors._form) return errors._form;
  const first = Object.entries(errors).find(([k]) => k.startsWith("qty."));
  if (!first) return null;
  const [key, message] = first;
  const good = goods.find((g) => qtyKey(g.id) === key);
  const named = good && !message.includes(good.name) ? `${good.name}：${message}` : message;
  return good && good.available > 0 ? named : `${named}。已从所选中去掉，请看看别的商品`;
}
