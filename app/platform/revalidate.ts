// When the shell's loaders (root: who is signed in and their menu; the store layout: the village and
// the viewer's store roles) may skip a reload. Checkout's own requests never change that data: the
// villager's 生成兑换码 and the code page's 3-second status check, the keeper's scan and counter
// posts. Skipping them there halves the loaders those requests run; each page's own loader still
// checks who is asking, so nothing is served that was not checked.
import type { ShouldRevalidateFunctionArgs } from "@remix-run/react";

const CHECKOUT_PATH = /^\/(store(\/orders\/\d+)?|v\/\d+\/store\/(scan|counter))\/?(\?|$)/;

export function shellShouldRevalidate({ formAction, currentUrl, nextUrl, defaultShouldRevalidate }: ShouldRevalidateFunctionArgs): boolean {
  // A submission names its action; a revalidation without one (polling) stays on the same URL. The
  // page it lands on must be checkout's too: a post answered with a redirect to /login (session
  // revoked) or /password carries its formAction along, and the header must not keep the old user.
  const path = formAction ?? (currentUrl.href === nextUrl.href ? currentUrl.pathname : null);
  return path !== null && CHECKOUT_PATH.test(path) && CHECKOUT_PATH.test(nextUrl.pathname) ? false : defaultShouldRevalidate;
}
