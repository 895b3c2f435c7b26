// 需要关注: what the township (or a village's committee) should look at today. A village with no
// claim approved for 14 days, a review queue whose oldest claim waited more than 7, a store selling
// goods it has none of, a month with redemptions still not settled after the 10th of the next.
import { chinaMonth, chinaMonthStart, now } from "~/platform/clock.server";
import { constant, db } from "~/platform/database.server";
import { formatMonth } from "~/platform/format";
import { ATTENTION_ORDER, addMonths, type AttentionItem } from "./labels";
import { DAY_MS, type ClaimFigures } from "./figures.server";

export const NO_APPROVAL_DAYS = 14;
export const QUEUE_DAYS = 7;
/** A month's settlement is due by the end of this day of the next month. */
export const SETTLE_BY_DAY = 10;

/** Which pages the viewer may open from an item (the rest show as text). */
export interface AttentionLinks {
  review: boolean;
  stock: boolean;
  settlement: boolean;
}

/** When a month with redemptions counts as not settled in time: from the 11th of the next month, China time. */
export function settlementDue(month: string): number {
  return chinaMonthStart(addMonths(month, 1)) + SETTLE_BY_DAY * DAY_MS;
}

export async function attentionList(
  villages: { id: number; name: string }[],
  claims: Map<number, ClaimFigures>,
  links: AttentionLinks,
): Promise<AttentionItem[]> {
  const at = now();
  const names = new Map(villages.map((v) => [v.id, v.name]));
  const ids = villages.map((v) => v.id);
  const items: AttentionItem[] = [];
  const base = (villageId: number) => `/v/${villageId}`;

  for (const v of villages) {
    const c = claims.get(v.id);
    if (!c) continue;
    if (c.lastApprovedAt === null || at - c.lastApprovedAt >= NO_APPROVAL_DAYS * DAY_MS) {
      const days = c.lastApprovedAt === null ? Number.MAX_SAFE_INTEGER : Math.floor((at - c.lastApprovedAt) / DAY_MS);
      items.push({
        kind: "no_approval", villageId: v.id, villageName: v.name, days,
        text: c.lastApprovedAt === null ? "还没有批准过任何积分申报" : `已经 ${days} 天没有批准积分申报`,
        short: c.lastApprovedAt === null ? `${v.name}（从未批准）` : `${v.name} ${days} 天`,
        href: links.review ? `${base(v.id)}/review` : null,
      });
    }
    if (c.waiting.oldestDays !== null && c.waiting.oldestDays >= QUEUE_DAYS) {
      items.push({
        kind: "old_queue", villageId: v.id, villageName: v.name, days: c.waiting.oldestDays,
        text: `最早的申报已等待审核 ${c.waiting.oldestDays} 天（共 ${c.waiting.count} 件待审核）`,
        short: `${v.name} ${c.waiting.oldestDays} 天（${c.waiting.count} 件）`,
        href: links.review ? `${base(v.id)}/review` : null,
      });
    }
  }
  if (!ids.length) return items;

  const empty = await db()
    .selectFrom("goods as g")
    .innerJoin("stores as s", "s.id", "g.store_id")
    .select(["s.village_id", "s.id as store_id", "s.name as store", "g.name"])
    .where("s.village_id", "in", ids)
    .where("s.active", "=", constant(1))
    .where("g.active", "=", constant(1))
    .where("g.stock", "<=", 0)
    .orderBy("s.id")
    .orderBy("g.name")
    .execute();
  const byStore = new Map<number, typeof empty>();
  for (const g of empty) byStore.set(g.store_id, [...(byStore.get(g.store_id) ?? []), g]);
  for (const goods of byStore.values()) {
    const g = goods[0];
    const shown = goods.slice(0, 3).map((x) => x.name).join("、");
    items.push({
      kind: "zero_stock", villageId: g.village_id, villageName: names.get(g.village_id) ?? "", days: 0,
      text: `${g.store}：${goods.length} 种在售商品库存为 0（${shown}${goods.length > 3 ? " 等" : ""}）`,
      short: `${g.store} ${goods.length} 种`,
      href: links.stock ? `${base(g.village_id)}/store/stock?store=${g.store_id}` : null,
    });
  }

  // A store's months with redemptions come from its own account's monthly summary (income = points
  // redeemed into it), so a village with two stores is told which one has not settled.
  const current = chinaMonth(at);
  // Store accounts first (by their unique store_id), then their months by primary key: joined the
  // other way round SQLite walks every household's monthly rows.
  const storeAccounts = db()
    .selectFrom("accounts as sa")
    .innerJoin("stores as ss", "ss.id", "sa.store_id")
    .select("sa.id")
    .where("ss.village_id", "in", ids);
  const open = await db()
    .selectFrom("account_months as m")
    .innerJoin("accounts as a", "a.id", "m.account_id")
    .innerJoin("stores as s", "s.id", "a.store_id")
    .select(["s.village_id", "s.id as store_id", "s.name as store", "m.month"])
    .where("m.account_id", "in", storeAccounts)
    .where("m.income", ">", 0)
    .where("m.month", "<", current)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom("settlements as t").select("t.id").whereRef("t.store_id", "=", "s.id").whereRef("t.month", "=", "m.month"))),
    )
    .orderBy("s.id")
    .orderBy("m.month")
    .execute();
  const late = new Map<number, typeof open>();
  for (const m of open) if (at >= settlementDue(m.month)) late.set(m.store_id, [...(late.get(m.store_id) ?? []), m]);
  for (const months of late.values()) {
    const first = months[0];
    const last = months[months.length - 1];
    const span = months.length === 1 ? formatMonth(first.month) : `${formatMonth(first.month)}起 ${months.length} 个月（最近 ${formatMonth(last.month)}）`;
    items.push({
      kind: "unsettled", villageId: first.village_id, villageName: names.get(first.village_id) ?? "",
      days: Math.floor((at - settlementDue(first.month)) / DAY_MS),
      text: `${first.store}：${span}有兑换，过了次月 ${SETTLE_BY_DAY} 日还没有结算`,
      short: `${first.store} ${months.length} 个月`,
      href: links.settlement ? `${base(first.village_id)}/store/settlement?store=${first.store_id}&month=${first.month}` : null,
    });
  }
  return items.sort((a, b) => ATTENTION_ORDER.indexOf(a.kind) - ATTENTION_ORDER.indexOf(b.kind) || b.days - a.days || a.villageId - b.villageId);
}
