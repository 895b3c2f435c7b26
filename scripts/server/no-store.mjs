// Family members share phones: nothing a signed-in person was shown may stay in the browser's cache
// (or be restored by the back button after signing out). Every response to a request that carries
// a session cookie, or that sets one, is `private, no-store`, whatever the route said, whether it
// is a page, single-fetch data, a photo, a CSV or a QR image. Static files are served before this.
import onHeaders from "on-headers";

const SESSION_COOKIE = /(?:^|;)\s*__session=/;
// A good's photo (a bag of rice, the same for the whole village) is no one's personal data and is
// requested at a versioned URL; the store page shows twenty of them over slow networks, so it keeps
// its own long caching. Signing out clears the cache anyway (Clear-Site-Data).
const SHAREABLE = /^\/photos\/goods\/\d+$/;

export function noStoreWhenSignedIn(req, res, next) {
  const signedIn = SESSION_COOKIE.test(req.headers.cookie ?? "");
  if (signedIn && SHAREABLE.test(req.path)) return next();
  onHeaders(res, function () {
    if (signedIn || this.hasHeader("set-cookie")) this.setHeader("Cache-Control", "private, no-store");
  });
  next();
}
