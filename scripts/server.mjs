// Production server: Express + Remix, security headers, compression, request log, graceful shutdown.
import crypto from "node:crypto";
import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import { broadcastDevReady } from "@remix-run/node";
import compression from "compression";
import express from "express";
import helmet from "helmet";
import { bodyLimit } from "./server/body-limit.mjs";
import { drained } from "./server/drained.mjs";
import { answerMalformedRequests, onlyGetHeadPost } from "./server/methods.mjs";
import { noStoreWhenSignedIn } from "./server/no-store.mjs";
import { originGuard } from "./server/origin-guard.mjs";
import { configureTrustProxy, dropUntrustedForwarding } from "./server/proxy.mjs";
import { requestLog } from "./server/request-log.mjs";

const BUILD_PATH = path.resolve("build/index.js");
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "0.0.0.0";

const app = express();
app.disable("x-powered-by");
// Remix reads the query from its own Request; Express's qs parse of it (~3% of a data request with a
// `?_routes=` or `?index`) would only fill req.query, which nothing here reads.
app.set("query parser", false);
// Checked before the database is touched: a wrong setting stops the start with its reason.
try {
  configureTrustProxy(app, process.env.TRUST_PROXY);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}

const build = await import(BUILD_PATH);
await build.entry.module.boot();

// First: nothing below may see a forwarding header the proxy did not set.
app.use(dropUntrustedForwarding);
app.use(requestLog);

// Each request's CSP nonce is 16 bytes cut from a pool of CSPRNG bytes, each byte used once: one
// randomBytes call per 256 requests instead of one per request, which cost ~7% of a small data
// request's CPU in a profile (the per-call cost, not the bytes).
const NONCE_BYTES = 16;
let noncePool = Buffer.alloc(0);
let nonceAt = 0;
function nextNonce() {
  if (nonceAt + NONCE_BYTES > noncePool.length) {
    noncePool = crypto.randomBytes(NONCE_BYTES * 256);
    nonceAt = 0;
  }
  nonceAt += NONCE_BYTES;
  return noncePool.toString("base64", nonceAt - NONCE_BYTES, nonceAt);
}
app.use((req, res, next) => {
  res.locals.cspNonce = nextNonce();
  next();
});
app.use(
  helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        "script-src": ["'self'", (req, res) => `'nonce-${res.locals.cspNonce}'`],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        // qr-scanner decodes in a worker it creates from a blob: URL (scanner page only).
        "worker-src": ["'self'", "blob:"],
        "upgrade-insecure-requests": null,
      },
    },
    crossOriginEmbedderPolicy: false,
    // "no-referrer" would make browsers send `Origin: null` on our own form posts, which the
    // origin guard must refuse; "same-origin" keeps the real Origin for same-origin posts only.
    referrerPolicy: { policy: "same-origin" },
    // Over plain http (local demo) HSTS would be wrong; the reverse proxy sets it for https.
    strictTransportSecurity: false,
  }),
);
app.use(onlyGetHeadPost);
app.use(compression());
// Remix flushes after every streamed chunk, which makes gzip emit ~10 sync flushes per page; our
// pages do not stream (no defer), so let compression buffer the whole response instead.
app.use((req, res, next) => {
  delete res.flush;
  next();
});
app.use("/build", express.static("public/build", { immutable: true, maxAge: "1y" }));
// Only files that exist are looked up on disk, so pages do not pay a stat() per request.
const publicFiles = express.static("public", { maxAge: "1h", index: false, redirect: false });
app.use((req, res, next) => (/^\/[\w.-]+\.(svg|png|ico|webp|jpg|txt|webmanifest)$/.test(req.path) ? publicFiles(req, res, next) : next()));
app.use(noStoreWhenSignedIn);
// The signed-in user the app finds (getViewer) is noted in res.locals.scope for the log line.
app.use((req, res, next) => build.entry.module.runInRequestScope((res.locals.scope = { userId: null }), next));
app.use(originGuard);
app.use(bodyLimit);
app.all(
  "*",
  createRequestHandler({
    build,
    mode: process.env.NODE_ENV,
    getLoadContext: (req, res) => ({
      ip: req.ip ?? "unknown",
      cspNonce: res.locals.cspNonce,
      reportError: (error) => void (res.err ??= error),
      drained: () => drained(res),
    }),
  }),
);
// Errors Remix could not handle itself (e.g. a request it cannot build): logged once with the request.
app.use((err, req, res, _next) => {
  res.err ??= err;
  if (res.headersSent) return void req.socket.destroy();
  res.status(500).type("html").send('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>出错了</title><body><p>系统暂时出了点问题，请稍后再试。</p></body></html>');
});

const server = app.listen(port, host, () => {
  console.log(`积分超市已启动：http://localhost:${server.address().port}`);
  if (process.env.NODE_ENV === "development") broadcastDevReady(build);
});
answerMalformedRequests(server);

let closing = false;
function shutdown(signal) {
  if (closing) return;
  closing = true;
  console.log(`收到 ${signal}，正在停止……`);
  server.close(() => {
    build.entry.module.shutdown().finally(() => process.exit(0));
  });
  server.closeIdleConnections?.();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
