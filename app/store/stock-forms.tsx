// Restock and stock-take forms for one good, shared by the keeper's stock page and the admin's good page.
import { Form } from "@remix-run/react";
import { SelectField } from "~/ui/form-parts";
import { Field } from "~/ui/field";
import { formatTime } from "~/platform/format";
import { ListRow } from "~/ui/list-row";
import { digitsOf, NUMBER_LIMITS, RESTOCK_SOURCES, STOCK_KIND_LABELS, TEXT_LIMITS } from "./labels";
import type { MovementView } from "./stock.server";

export interface StockReply {
  intent?: string;
  errors?: Record<string, string>;
  ok?: string | null;
}

export function StockForms({ goodId, unit, stock, reply, busy }: { goodId: number; unit: string; stock: number; reply?: StockReply; busy: boolean }) {
  const e = (intent: string) => (reply?.intent === intent ? reply.errors ?? {} : {});
  const r = e("stock.restock");
  const c = e("stock.correct");
  return (
    <>
      <Form method="post" noValidate className="card" key={`r${goodId}-${reply?.ok ?? ""}`}>
        <h3>入库（补货）</h3>
        <input type="hidden" name="intent" value="stock.restock" />
        <input type="hidden" name="goodId" value={goodId} />
        <Field label={`数量（${unit}）`} name="qty" id="restock-qty" inputMode="numeric" maxLength={digitsOf(NUMBER_LIMITS.restockQty[1])} autoComplete="off" error={r.qty} />
        <SelectField label="来源" name="source" id="restock-source" options={RESTOCK_SOURCES.map((s) => ({ value: s, label: s }))} error={r.source} />
        <Field label="备注（写明批次或捐赠人，如：镇里第 3 批拨付）" name="note" id="restock-note" maxLength={TEXT_LIMITS.stockNote} autoComplete="off" error={r.note} />
        <button type="submit" className="primary block" disabled={busy}>入库</button>
      </Form>
      <Form method="post" noValidate className="card" key={`c${goodId}-${reply?.ok ?? ""}`}>
        <h3>盘点修正</h3>
        <p className="muted small">账上 {stock}{unit}。数了实物和账上不一样时，填实际数量和原因。</p>
        <input type="hidden" name="intent" value="stock.correct" />
        <input type="hidden" name="goodId" value={goodId} />
        <Field label={`实际数量（${unit}）`} name="count" id="correct-count" inputMode="numeric" maxLength={digitsOf(NUMBER_LIMITS.stockCount[1])} autoComplete="off" error={c.count} />
        <Field label="原因" name="note" id="correct-note" maxLength={TEXT_LIMITS.stockNote} autoComplete="off" error={c.note} />
        <button type="submit" className="secondary block" disabled={busy}>修正库存</button>
      </Form>
    </>
  );
}

export function Movements({ rows }: { rows: MovementView[] }) {
  if (rows.length === 0) return <p className="muted">还没有库存变动</p>;
  return (
    <ul className="entries">
      {rows.map((m) => (
        <ListRow
          key={m.id}
          what={`${STOCK_KIND_LABELS[m.kind] ?? m.kind}${m.source ? `（${m.source}）` : ""}${m.note ? ` ${m.note}` : ""}`}
          when={`${formatTime(m.created_at)} ${m.actor ?? ""} · 结存 ${m.stock_after}`}
          delta={m.delta}
        />
      ))}
    </ul>
  );
}
