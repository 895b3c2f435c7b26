// Refuses state-changing requests that do not prove they come from our own pages.
// Browsers send Origin on every form POST and fetch, same-origin included; a POST without it is
// not one of ours (curl, a replayed form, a stripping proxy) and is refused, whatever its Referer.
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(value) {
  try {
    return new URL(value).host;
  } catch {
    return null;
  }
}

export function isSameOrigin(req) {
  if (SAFE.has(req.method)) return true;
  if (req.get("sec-fetch-site") === "cross-site") return false;
  // The public host is the proxy's X-Forwarded-Host, but only when the connection is the proxy's.
  const viaProxy = req.app.get("trust proxy fn")(req.socket.remoteAddress, 0);
  const host = (viaProxy && req.get("x-forwarded-host")) || req.get("host");
  const origin = req.get("origin");
  return !!origin && origin !== "null" && hostOf(origin) === host;
}

export function originGuard(req, res, next) {
  if (isSameOrigin(req)) return next();
  res
    .status(403)
    .type("html")
    .send(
      '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
        '<title>请求被拒绝</title><body style="font:20px/1.6 sans-serif;padding:24px"><h1>请求被拒绝</h1>' +
        '<p>这个请求不是从本站页面发出的，为了安全已被拒绝。请回到<a href="/">首页</a>重新操作。</p></body></html>',
    );
}
