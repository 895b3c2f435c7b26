// Who may speak for the client. Behind a reverse proxy the client's address, the https scheme and
// the public host arrive in X-Forwarded-* headers, which anyone can send: they count only when the
// connection comes from the proxy itself, which TRUST_PROXY names by address.

/**
 * Applies TRUST_PROXY as Express's "trust proxy" setting: addresses, subnets or the names Express
 * knows (loopback, linklocal, uniquelocal), comma-separated. Unset: trust nobody. Throws a message
 * for the person starting the server on anything else.
 */
export function configureTrustProxy(app, value) {
  const v = (value ?? "").trim();
  if (v === "") return;
  // A hop count (the old `1`) or `true` trusts whoever connects, so a client that reaches the port
  // directly could pick its own address (and slip past the sign-in throttle) or claim https.
  if (/^\d+$/.test(v) || /^(true|false|yes|no|on|off|\*)$/i.test(v)) {
    throw new Error(
      `TRUST_PROXY=${v} 已不再支持：它会相信任何直接连到本端口的人伪造的 X-Forwarded-For。` +
        "请写反向代理自己的地址：nginx 在同一台机器上写 TRUST_PROXY=loopback，" +
        "在别的机器上写它的地址或网段，例如 TRUST_PROXY=10.0.0.5 或 TRUST_PROXY=10.0.0.0/24。",
    );
  }
  try {
    app.set("trust proxy", v);
  } catch (e) {
    throw new Error(`TRUST_PROXY=${v} 无法识别（${e.message}）。请写反向代理的地址、网段或 loopback，多个用逗号分开。`);
  }
}

// Headers only a trusted proxy may set. X-Forwarded-Host matters even without TRUST_PROXY:
// @remix-run/express takes the request URL's port from it unconditionally.
const FORWARDED = /^(x-forwarded-|forwarded$|x-real-ip$|x-request-id$)/;

/** Removes forwarding headers unless the connection itself comes from a trusted proxy. */
export function dropUntrustedForwarding(req, res, next) {
  const trusted = req.app.get("trust proxy fn");
  if (!trusted(req.socket.remoteAddress, 0)) {
    for (const name of Object.keys(req.headers)) {
      if (FORWARDED.test(name)) delete req.headers[name];
    }
  }
  next();
}
