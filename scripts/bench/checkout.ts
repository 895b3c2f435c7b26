// The checkout half of `npm run bench`: villagers make codes and store keepers confirm them, at
// CHECKOUT_CONNECTIONS concurrent keepers, through the same single-fetch requests the pages send
// when JavaScript runs: the villager's 生成兑换码 post and the code page it leads to, then the
// keeper's scan post and confirm post, each followed by the page's data reload that Remix makes
// after an action. Every confirm must end in a receipt; anything else marks the run invalid.
import type { Request as CannonRequest } from "autocannon";
import { type CheckoutPair } from "./common";
import { PHONE_UA, measure, signIn, type LoadResult } from "./http";

export const CHECKOUT_CONNECTIONS = 32;

export interface SignedPair extends CheckoutPair {
  villagerCookie: string;
  keeperCookie: string;
}

export interface CheckoutResult extends LoadResult {
  checkoutsPerSecond: number;
  /** Loops that did not end in a receipt (a step's answer was not what the page expects). */
  broken: number;
}

export async function signPairs(url: string, pairs: CheckoutPair[], password: string): Promise<SignedPair[]> {
  const out: SignedPair[] = [];
  for (const p of pairs) {
    out.push({ ...p, villagerCookie: await signIn(url, p.villagerPhone, password), keeperCookie: await signIn(url, p.keeperPhone, password) });
  }
  return out;
}

/** The query Remix's client adds when some routes opt out of a reload: only these routes' loaders. */
const onlyRoute = (routeId: string) => new URLSearchParams({ _routes: routeId }).toString();

type Ctx = { pair?: SignedPair; orderId?: string; qr?: string };

/** The requests of one checkout (create, code page, scan, reload, confirm, reload). */
export const CHECKOUT_REQUESTS = 6;

/**
 * One checkout per loop of each connection: create → code page → scan → reload → confirm → reload.
 * A closed loop (each keeper starts the next checkout as soon as one ends) unless `checkoutsPerSecond`
 * paces all keepers together at that rate.
 */
export async function checkoutLoad(url: string, pairs: SignedPair[], seconds: number, serverPid: number, checkoutsPerSecond?: number): Promise<CheckoutResult> {
  let next = 0;
  let confirmed = 0;
  let broken = 0;
  const origin = new URL(url).origin;
  // No Accept-Encoding: the steps read the answers, and these small data answers are what a
  // phone's fetch gets too (compression only pays above ~1 KB).
  const form = (cookie: string) => ({ cookie, origin, "content-type": "application/x-www-form-urlencoded", "user-agent": PHONE_UA });
  const fail = (c: Ctx, step: string) => {
    broken++;
    if (broken <= 3) console.error(`  checkout step "${step}" did not answer as expected (order ${c.orderId ?? "?"})`);
  };
  // After an action Remix reloads the page's loaders with one GET of its .data URL; the root and
  // store layout skip checkout's reloads (app/platform/revalidate.ts), so the URL names the one route
  // to load, as tests/e2e/store.e2e.ts sees the browser send it.
  const keeperReload: CannonRequest = {
    method: "GET",
    setupRequest: (req, ctx: Ctx) =>
      ctx.qr ? { ...req, path: `/v/${ctx.pair!.villageId}/store/scan.data?${onlyRoute("routes/v.$villageId.store.scan")}`, headers: { cookie: ctx.pair!.keeperCookie, "user-agent": PHONE_UA } } : null,
    onResponse: (status, _body, ctx: Ctx) => {
      if (status !== 200) fail(ctx, "核销页刷新");
    },
  };
  const requests: CannonRequest[] = [
    {
      method: "POST",
      setupRequest: (req, ctx: Ctx) => {
        const pair = pairs[next++ % pairs.length];
        ctx.pair = pair;
        const good = pair.goodIds[next % pair.goodIds.length];
        const nonce = `bench${next.toString(36).padStart(12, "0")}${Math.random().toString(36).slice(2, 8)}`;
        const body = new URLSearchParams({ storeId: String(pair.storeId), nonce, [`qty.${good}`]: "1" }).toString();
        return { ...req, path: "/store.data?index", headers: form(pair.villagerCookie), body };
      },
      onResponse: (status, body, ctx: Ctx) => {
        const m = /"\/store\/orders\/(\d+)"/.exec(body);
        if (status === 202 && m) ctx.orderId = m[1];
        else fail(ctx, "生成兑换码");
      },
    },
    {
      method: "GET",
      setupRequest: (req, ctx: Ctx) =>
        ctx.orderId ? { ...req, path: `/store/orders/${ctx.orderId}.data?${onlyRoute("routes/store.orders.$orderId")}`, headers: { cookie: ctx.pair!.villagerCookie, "user-agent": PHONE_UA } } : null,
      onResponse: (status, body, ctx: Ctx) => {
        const m = /JFDH:[A-Za-z0-9_-]{22}/.exec(body);
        if (status === 200 && m) ctx.qr = m[0];
        else fail(ctx, "兑换码页面");
      },
    },
    {
      method: "POST",
      setupRequest: (req, ctx: Ctx) =>
        ctx.qr
          ? { ...req, path: `/v/${ctx.pair!.villageId}/store/scan.data`, headers: form(ctx.pair!.keeperCookie), body: new URLSearchParams({ intent: "lookup", code: ctx.qr, via: "camera" }).toString() }
          : null,
      onResponse: (status, body, ctx: Ctx) => {
        if (!(status === 200 && body.includes('"review"'))) {
          ctx.qr = undefined;
          fail(ctx, "扫码");
        }
      },
    },
    keeperReload,
    {
      method: "POST",
      setupRequest: (req, ctx: Ctx) =>
        ctx.qr
          ? { ...req, path: `/v/${ctx.pair!.villageId}/store/scan.data`, headers: form(ctx.pair!.keeperCookie), body: new URLSearchParams({ intent: "confirm", orderId: ctx.orderId!, code: ctx.qr }).toString() }
          : null,
      onResponse: (status, body, ctx: Ctx) => {
        if (status === 200 && body.includes('"done"')) confirmed++;
        else fail(ctx, "确认核销");
      },
    },
    keeperReload,
  ];
  const t0 = performance.now();
  const overallRate = checkoutsPerSecond ? checkoutsPerSecond * CHECKOUT_REQUESTS : undefined;
  const r = await measure({ url, connections: CHECKOUT_CONNECTIONS, duration: seconds, timeout: 10, requests, overallRate }, serverPid);
  return { ...r, checkoutsPerSecond: confirmed / ((performance.now() - t0) / 1000), broken };
}
