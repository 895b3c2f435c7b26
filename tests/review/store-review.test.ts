// Review findings on the store: each test failed before its fix.
import { afterEach, describe, expect, it } from "vitest";
import { clockControl } from "~/utils/clock.server";
import { createOrder, parseCart, type Result } from "~/utils/checkout.server";
import { headOf, storeFixture } from "../store/fixture";

afterEach(() => clockControl.reset());

function refused<T>(r: Result<T>) {
  if (r.ok) throw new Error("expected a refusal");
  return r;
}

describe("cart lines for the same good", () => {
  it("qty.5 and qty.05 name the same good: the monthly limit counts both", () => {
    const f = storeFixture("rv1");
    const g = f.goods["牙膏"]; // limit 2 per month
    const cart = parseCart({ [`qty.${g}`]: "2", [`qty.0${g}`]: "2" });
    const h = f.householdIds[0];
    const r = createOrder({ householdId: h, memberId: headOf(h), userId: f.villagerUserId, storeId: f.storeId, lines: cart.lines, nonce: "rv1a" });
    expect(refused(r).code).toBe("limit");
  });
});
