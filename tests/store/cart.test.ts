// The phone's running total (app/store/cart.ts): what is chosen, what is left, and why 生成兑换码
// is off before the server is asked.
import { describe, expect, it } from "vitest";
import { canAdd, readQty, sumCart, type CartGood } from "~/store/cart";

const rice: CartGood = { id: 1, name: "大米", unit: "袋", price: 50, available: 5, limitLeft: 2, most: 2 };
const salt: CartGood = { id: 2, name: "食盐", unit: "袋", price: 4, available: 3, limitLeft: null, most: 3 };
const oil: CartGood = { id: 3, name: "食用油", unit: "桶", price: 80, available: 4, limitLeft: 0, most: 0 };

describe("the cart's sum", () => {
  it("adds up the chosen goods and what would be left", () => {
    expect(sumCart([rice, salt], { "qty.1": "1", "qty.2": "2" }, 100)).toEqual({ units: 3, total: 58, left: 42, lineErrors: {}, refusal: null, empty: false });
    expect(sumCart([rice, salt], {}, 100)).toMatchObject({ total: 0, left: 100, refusal: null, empty: true });
    // A quantity for a good no longer on the shelf does not count.
    expect(sumCart([salt], { "qty.1": "2", "qty.2": "1" }, 100)).toMatchObject({ total: 4, units: 1 });
  });

  it("refuses more than the points, the stock or the month allow, and a quantity that is not a number", () => {
    expect(sumCart([rice, salt], { "qty.1": "2", "qty.2": "1" }, 100).refusal).toBe("积分不够：可用 100 分，还差 4 分，请减少数量");
    expect(sumCart([rice], { "qty.1": "3" }, 1000)).toMatchObject({ lineErrors: { "qty.1": "大米本月还能兑 2袋" }, refusal: "大米本月还能兑 2袋" });
    expect(sumCart([salt], { "qty.2": "4" }, 1000).refusal).toBe("食盐只剩 3袋可兑");
    expect(sumCart([oil], { "qty.3": "1" }, 1000).refusal).toBe("食用油本月已兑满");
    expect(sumCart([salt], { "qty.2": "1.5" }, 1000)).toMatchObject({ lineErrors: { "qty.2": "数量应为 0 到 99 的整数" }, refusal: "食盐：数量应为 0 到 99 的整数", empty: false });
  });

  it("reads typed quantities and lets + go only as far as stock, limit and points allow", () => {
    expect([readQty(""), readQty(" 7 "), readQty("99"), readQty("100"), readQty("-1"), readQty("a")]).toEqual([0, 7, 99, null, null, null]);
    expect(canAdd(rice, 1, 50)).toBe(true);
    expect(canAdd(rice, 1, 49)).toBe(false); // the points left do not pay for one more
    expect(canAdd(rice, 2, 500)).toBe(false); // the month's limit
    expect(canAdd(oil, 0, 500)).toBe(false);
  });
});
