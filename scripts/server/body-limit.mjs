// Caps request bodies before Remix reads them into memory (formData() buffers the whole body).
// Browsers always send Content-Length with a form or fetch body, so a body without one is refused.
// Routes that take uploads get their own, larger cap here.
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const DEFAULT_BYTES = 2 * 1024 * 1024;
const UPLOADS = [
  { path: /^\/v\/\d+\/admin\/import(\.data)?$/, bytes: 3 * 1024 * 1024 },
  // Claim forms: up to 3 photos of 5 MB each (checked one by one in claims/photos.server.ts) plus fields.
  { path: /^\/(v\/\d+\/)?claims\/new(\.data)?$/, bytes: 16 * 1024 * 1024 },
  // Scoring one household in a sanitation round: the same 3 photos of 5 MB each plus the scores.
  { path: /^\/v\/\d+\/rounds\/\d+\/score\/\d+(\.data)?$/, bytes: 16 * 1024 * 1024 },
];

function page(title, text) {
  return (
    '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${title}</title><body style="font:20px/1.6 sans-serif;padding:24px"><h1>${title}</h1><p>${text}</p>` +
    '<p><a href="/">回到首页</a></p></body></html>'
  );
}

export function bodyLimit(req, res, next) {
  if (SAFE.has(req.method)) return next();
  const limit = UPLOADS.find((u) => u.path.test(req.path))?.bytes ?? DEFAULT_BYTES;
  const length = req.get("content-length");
  if (length === undefined && req.get("transfer-encoding")) {
    res.set("Connection", "close").status(411).type("html").send(page("请求被拒绝", "提交的内容缺少长度信息，请回到页面重新提交。"));
    return;
  }
  if (Number(length) > limit) {
    // Close the connection: the rest of the oversized body is never read.
    res.set("Connection", "close").status(413).type("html").send(page("内容太大", `提交的内容超过 ${Math.round(limit / 1024)} KB，请减小后重新提交。`));
    return;
  }
  next();
}
