// The service worker of one round's scoring pages (served by .../score/sw.js with its scope set to
// those pages, registered only from them). It keeps the pages working with no signal:
// - a scoring page (a document or its data) is fetched from the network first and, when there is
//   none, answered from the phone's cache, which the list page fills when the inspector opens the
//   round online (sanitation/offline-queue.ts prepareOffline);
// - the app's JS and CSS (/build/, named by their content, so never stale) come from the cache first.
// Nothing else is cached, and saves never pass through here: the page keeps them in IndexedDB and
// sends them itself, so a resend is the page's and the key's business, not the worker's.
import { OFFLINE_CACHE } from "./offline-names";

export function offlineWorkerScript(scope: string): string {
  return `"use strict";
const CACHE = ${JSON.stringify(OFFLINE_CACHE)};
const SCOPE = ${JSON.stringify(scope)};
const OFFLINE_PAGE = '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
  + '<title>没有网络</title><body style="font:20px/1.6 sans-serif;padding:1rem"><h1>没有网络</h1>'
  + '<p>这一页还没有存到手机上。请回到农户列表，有网时打开过的农户可以离线评分。</p>'
  + '<p><a href="' + SCOPE + '" style="display:inline-block;min-height:48px;padding:.5rem 1rem;font-size:1.2rem">回到农户列表</a></p></body></html>';

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith("jifen-offline") && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

async function fromCache(url) {
  return caches.match(url, { ignoreSearch: true, ignoreVary: true });
}

async function dropScope() {
  const cache = await caches.open(CACHE);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path === SCOPE || path.startsWith(SCOPE + "/") || path === SCOPE + ".data") await cache.delete(request);
  }
}

async function networkFirst(request, url) {
  try {
    const response = await fetch(request);
    // Signed out, or no longer this round's inspector: the phone's copies of these pages go too.
    if (response.type === "opaqueredirect" || response.status === 403 || response.status === 404) void dropScope();
    // A clean page address answered for this inspector: keep the newest copy (not ?saved=… notes).
    if (response.status === 200 && response.type === "basic" && !response.redirected && url.search === "") {
      const copy = response.clone();
      caches.open(CACHE).then((c) => c.put(url.pathname, copy)).catch(() => {});
    }
    return response;
  } catch (error) {
    const hit = await fromCache(url.pathname);
    if (hit) return hit;
    if (request.mode === "navigate") return new Response(OFFLINE_PAGE, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
    throw error;
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request, { ignoreVary: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.status === 200 && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((c) => c.put(request, copy)).catch(() => {});
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/build/")) return event.respondWith(cacheFirst(request));
  if (url.pathname === SCOPE || url.pathname.startsWith(SCOPE + "/") || url.pathname === SCOPE + ".data") {
    if (url.pathname.endsWith("/sw.js")) return;
    return event.respondWith(networkFirst(request, url));
  }
});
`;
}
