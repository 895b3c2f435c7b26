// The villager's cart while choosing (no server code here): the running total, what would be left,
// and why 生成兑换码 cannot be asked for yet. Only the phone uses it; the server checks it all again.
import { NUMBER_LIMITS } from "./labels";

export interface CartGood {
  id: number;
  name: string;
  unit: string;
  price: number;
  /** Stock not held by live codes. */
  available: number;
  /** What the monthly limit still allows (null: no limit). */
  limitLeft: number | null;
  /** Units the household may take now by stock and monthly limit (points aside), at most 99. */
  most: number;
}

export const qtyKey = (goodId: number) => `qty.${goodId}`;

/** A quantity as typed: "" is 0, anything but a whole number in 0..99 is null. */
export function readQty(raw: string | undefined): number | null {
  const v = (raw ?? "").trim();
  if (v === "") return 0;
  return /^\d{1,2}$/.test(v) ? Number(v) : null;
}

/** Why no more of a good can be taken, in the words of the server's refusal. */
export function mostWords(g: CartGood): string {
  if (g.limitLeft !== null && g.limitLeft <= g.available) return g.limitLeft === 0 ? `${g.name}本月已兑满` : `${g.name}本月还能兑 ${g.limitLeft}${g.unit}`;
  return g.available === 0 ? `${g.name}已兑完` : `${g.name}只剩 ${g.available}${g.unit}可兑`;
}

export interface CartSum {
  /** Units chosen (goods still on the shelf only). */
  units: number;
  total: number;
  /** Points left after this cart; negative when it costs more than the household has. */
  left: number;
  /** By form key: why that line cannot be asked for. */
  lineErrors: Record<string, string>;
  /** The first reason the cart cannot be sent, or null. An empty cart is `empty`, not a refusal. */
  refusal: string | null;
  empty: boolean;
}

/** The cart's sum over the goods on the shelf (a quantity for a good no longer there does not count). */
export function sumCart(goods: CartGood[], qty: Record<string, string>, spendable: number): CartSum {
  let units = 0;
  let total = 0;
  const lineErrors: Record<string, string> = {};
  for (const g of goods) {
    const key = qtyKey(g.id);
    const n = readQty(qty[key]);
    if (n === null) {
      lineErrors[key] = `数量应为 0 到 ${NUMBER_LIMITS.lineQty[1]} 的整数`;
      continue;
    }
    if (n > g.most) lineErrors[key] = mostWords(g);
    units += n;
    total += n * g.price;
  }
  const left = spendable - total;
  const firstLine = Object.entries(lineErrors)[0];
  const named = firstLine && (firstLine[1].startsWith("数量") ? `${goods.find((g) => qtyKey(g.id) === firstLine[0])!.name}：${firstLine[1]}` : firstLine[1]);
  const refusal = named || (left < 0 ? `积分不够：可用 ${spendable} 分，还差 ${-left} 分，请减少数量` : null);
  return { units, total, left, lineErrors, refusal, empty: units === 0 && !refusal };
}

/** Whether + may add one more of a good: within stock and limit, and the points left pay for it. */
export function canAdd(g: CartGood, qty: number, left: number): boolean {
  return qty < g.most && g.price <= left;
}
