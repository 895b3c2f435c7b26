// When the root (signed-in header, menu) and the store layout may skip a reload: only around
// checkout's own posts and polling, never when the answer leads somewhere else (sign-in, password).
import type { ShouldRevalidateFunctionArgs } from "@remix-run/react";
import { describe, expect, it } from "vitest";
import { shellShouldRevalidate } from "~/platform/revalidate";

const base = "http://localhost";
function args(from: string, to: string, formAction?: string): ShouldRevalidateFunctionArgs {
  return {
    currentUrl: new URL(from, base), nextUrl: new URL(to, base), formAction, formMethod: formAction ? "POST" : undefined,
    currentParams: {}, nextParams: {}, defaultShouldRevalidate: true,
  } as ShouldRevalidateFunctionArgs;
}

describe("shell revalidation around checkout", () => {
  it("skips after the villager's 生成兑换码, the code page's polling and the keeper's scan and counter posts", () => {
    expect(shellShouldRevalidate(args("/store", "/store/orders/12", "/store?index"))).toBe(false);
    expect(shellShouldRevalidate(args("/store/orders/12", "/store/orders/12"))).toBe(false);
    expect(shellShouldRevalidate(args("/store/orders/12", "/store", "/store/orders/12"))).toBe(false);
    expect(shellShouldRevalidate(args("/v/1/store/scan", "/v/1/store/scan", "/v/1/store/scan"))).toBe(false);
    expect(shellShouldRevalidate(args("/v/1/store/scan", "/v/1/store/counter?household=3", "/v/1/store/scan"))).toBe(false);
    expect(shellShouldRevalidate(args("/v/1/store/counter?household=3", "/v/1/store/counter?household=3", "/v/1/store/counter?household=3"))).toBe(false);
  });

  it("reloads when a checkout post is answered with the sign-in or password page (session revoked, password to change)", () => {
    expect(shellShouldRevalidate(args("/v/1/store/scan", "/login?next=%2Fv%2F1%2Fstore%2Fscan", "/v/1/store/scan"))).toBe(true);
    expect(shellShouldRevalidate(args("/store", "/login?next=%2Fstore", "/store?index"))).toBe(true);
    expect(shellShouldRevalidate(args("/store/orders/12", "/password", "/store/orders/12"))).toBe(true);
  });

  it("reloads everywhere else as Remix would", () => {
    expect(shellShouldRevalidate(args("/store", "/", "/logout"))).toBe(true);
    expect(shellShouldRevalidate(args("/v/1/admin/users", "/v/1/admin/users", "/v/1/admin/users"))).toBe(true);
    expect(shellShouldRevalidate(args("/", "/"))).toBe(true);
    expect(shellShouldRevalidate(args("/v/1/store/orders", "/v/1/store/orders"))).toBe(true);
    expect(shellShouldRevalidate(args("/storefront", "/storefront"))).toBe(true);
  });
});
