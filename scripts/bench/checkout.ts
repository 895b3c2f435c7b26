// The checkout half of `npm run bench`: villagers make codes and store keepers confirm them, at
// CHECKOUT_CONNECTIONS concurrent keepers, through the same single-fetch requests the pages send
// when JavaScript runs: the villager's 生成兑换码 post and the code page it leads to, then the
// keeper's scan post and confirm post, each followed by the page's data reload that Remix makes
// after an action. Every confirm must end in a receipt; anything else marks the run invalid.
import type { Request as CannonRequest } from "autocannon";
import { type CheckoutPair } from "./common";
import http from "node:http";
import { PHONE_UA, measure, paced, send, signIn, type LoadResult } from "./http";

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

/** The steps of one checkout (create → code page → scan → reload → confirm → reload), and their tally. */
function checkoutSteps(url: string, pairs: SignedPair[]) {
  let next = 0;
  const done = { confirmed: 0, broken: 0 };
  const origin = new URL(url).origin;
  // No Accept-Encoding: the steps read the answers, and these small data answers are what a
  // phone's fetch gets too (compression only pays above ~1 KB).
  const form = (cookie: string) => ({ cookie, origin, "content-type": "application/x-www-form-urlencoded", "user-agent": PHONE_UA });
  const fail = (c: Ctx, step: string) => {
    done.broken++;
    if (done.broken <= 3) console.error(`  checkout step "${step}" did not answer as expected (order ${c.orderId ?? "?"})`);
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
        if (status === 200 && body.includes('"done"')) done.confirmed++;
        else fail(ctx, "确认核销");
      },
    },
    keeperReload,
  ];
  return { requests, done };
}

/** Closed loop: each of the 32 keepers starts the next checkout as soon as one ends. */
export async function checkoutLoad(url: string, pairs: SignedPair[], seconds: number, serverPid: number): Promise<CheckoutResult> {
  const { requests, done } = checkoutSteps(url, pairs);
  const t0 = performance.now();
  const r = await measure({ url, connections: CHECKOUT_CONNECTIONS, duration: seconds, timeout: 10, requests }, serverPid);
  return { ...r, checkoutsPerSecond: done.confirmed / ((performance.now() - t0) / 1000), broken: done.broken };
}

/**
 * Open loop: a checkout starts every 1000/rate ms (the pairs in turn), its six requests one after
 * another, whether or not earlier checkouts have ended: what a keeper waits at that rate.
 */
export async function pacedCheckouts(url: string, pairs: SignedPair[], seconds: number, serverPid: number, rate: number): Promise<CheckoutResult> {
  const { requests, done } = checkoutSteps(url, pairs);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const t0 = performance.now();
  try {
    const r = await paced(rate, seconds, serverPid, async (tally) => {
      const ctx: Ctx = {};
      for (const step of requests) {
        const req = step.setupRequest ? step.setupRequest({ method: step.method }, ctx) : step;
        if (!req) return;
        const answer = await send(agent, url, req, tally);
        if (!answer) return;
        step.onResponse?.(answer.status, answer.body, ctx, {});
      }
    });
    return { ...r, checkoutsPerSecond: done.confirmed / ((performance.now() - t0) / 1000), broken: done.broken };
  } finally {
    agent.destroy();
  }
}
