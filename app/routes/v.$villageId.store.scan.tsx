import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { FormError } from "~/ui/field";
import { Receipt } from "~/store/receipt";
import { ScanBox } from "~/store/scan-box";
import { idParam } from "~/platform/access.server";
import { confirmOrder, lookupOrderByCode } from "~/store/checkout.server";
import { householdMoney, keeperOf, scanIntentSchema } from "~/store/keeper-desk.server";
import { requireKeeper } from "~/store/access.server";
import { TEXT_LIMITS } from "~/store/labels";
import { fieldErrors, formToObject, readForm } from "~/platform/validation.server";

export const meta: MetaFunction = () => [{ title: "扫码核销 · 积分超市" }];

const ROLES = ["store_keeper"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const ctx = await requireKeeper(request, idParam(params.villageId), ROLES);
  return { villageId: ctx.villageId, stores: ctx.stores.map((s) => s.name) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const villageId = idParam(params.villageId);
  const ctx = await requireKeeper(request, villageId, ROLES);
  const keeper = keeperOf(ctx);
  const form = formToObject(await readForm(request));
  const parsed = scanIntentSchema.safeParse(form);
  if (!parsed.success) {
    const e = fieldErrors(parsed.error);
    return data({ step: "error" as const, error: e.code ?? e._form ?? e.intent ?? "请求有误，请刷新页面后再试", field: e.code ? "code" : "_form" }, { status: 400 });
  }
  if (parsed.data.intent === "lookup") {
    const out = await lookupOrderByCode(keeper, parsed.data.code, { typed: parsed.data.via === "typed" });
    if (!out.ok) return data({ step: "error" as const, error: out.message, field: "code" }, { status: out.code === "throttled" ? 429 : 400 });
    if (out.scanned.kind === "card") throw redirect(`/v/${villageId}/store/counter?household=${out.scanned.householdId}`);
    const order = out.scanned.order;
    // The review's confirm button carries the code back: confirming needs the code, not just the order id.
    return { step: "review" as const, order, code: parsed.data.code, money: await householdMoney(order.household.id) };
  }
  const out = await confirmOrder(keeper, parsed.data.orderId, parsed.data.code);
  if (!out.ok) return data({ step: "error" as const, error: out.message, field: "_form" }, { status: out.code === "throttled" ? 429 : 400 });
  return { step: "done" as const, order: out.order, replay: !out.created };
}

export default function Scan() {
  const { stores } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle";
  const submit = useSubmit();
  const [js, setJs] = useState(false);
  useEffect(() => setJs(true), []);
  const codeRef = useRef<HTMLInputElement>(null);
  const reviewing = result?.step === "review";
  const onCode = (text: string, via: "camera" | "photo") => submit({ intent: "lookup", code: text, via }, { method: "post" });
  const codeForm = (
    <Form method="post" noValidate className="stack">
      <input type="hidden" name="intent" value="lookup" />
      <input type="hidden" name="via" value="typed" />
      <div>
        <label htmlFor="code" className="code-label">输入 8 位兑换码</label>
        <input
          ref={codeRef} id="code" name="code" inputMode="numeric" autoComplete="off" maxLength={TEXT_LIMITS.code} placeholder="例如 1234 5678"
          aria-invalid={result?.step === "error" && result.field === "code" ? true : undefined} aria-describedby={result?.step === "error" && result.field === "code" ? "code-err" : undefined}
        />
        {result?.step === "error" && result.field === "code" ? <p className="field-error" id="code-err" role="alert">{result.error}</p> : null}
      </div>
      <button type="submit" className="primary" disabled={busy}>查找兑换码</button>
    </Form>
  );
  return (
    <>
      <h1 className="desk-title">扫码核销 <span className="muted small">{stores.join("、")}</span></h1>
      {result?.step === "done" ? (
        // The next code is one tap away, right under what to do now, before the receipt's details.
        <Receipt order={result.order} side="keeper" replay={result.replay} fresh next={<Link to="." className="button block">继续扫下一个</Link>} />
      ) : null}
      {reviewing ? (
        <section className="card" data-testid="review">
          <h2>核对兑换内容</h2>
          <p>
            <strong>{result.order.household.number}号户</strong>{result.order.household.head ? ` · 户主 ${result.order.household.head}` : ""}
            {result.order.member ? <><br />兑换人 {result.order.member}</> : null}
          </p>
          <table className="lines">
            <tbody>
              {result.order.items.map((i) => (
                <tr key={i.goodId}><td>{i.name}</td><td>×{i.qty}{i.unit}</td><td>{i.price * i.qty} 分</td></tr>
              ))}
              <tr><th>合计</th><th /><th className="big-total">{result.order.total} 分</th></tr>
            </tbody>
          </table>
          <p>这户账上 {result.money.balance} 分（其中本单冻结 {result.order.total} 分）</p>
          <Form method="post">
            <input type="hidden" name="intent" value="confirm" />
            <input type="hidden" name="orderId" value={result.order.id} />
            <input type="hidden" name="code" value={result.code} />
            <p className="muted small">核对无误，先点“确认兑换”，再把商品交给村民。</p>
            <button type="submit" className="primary block" disabled={busy}>确认兑换</button>
          </Form>
          <p><Link to=".">不对，重新扫码</Link></p>
        </section>
      ) : null}
      {result?.step === "error" && result.field === "_form" ? <FormError message={result.error} /> : null}
      {!reviewing && result?.step !== "done" ? (
        <section className="card stack">
          {js ? (
            <ScanBox onCode={onCode} paused={busy}>{codeForm}</ScanBox>
          ) : (
            <>
              {codeForm}
              <p className="warn">这个浏览器没有运行脚本，不能用摄像头，请输入村民手机上的 8 位数字。</p>
            </>
          )}
          {js ? <p className="muted small">扫到户卡会转到柜台兑换。</p> : null}
        </section>
      ) : null}
    </>
  );
}
