// The app's pages and forms use GET, HEAD and POST only. Anything else (TRACE, OPTIONS, WebDAV
// scanners, PUT/DELETE probes) is answered here, quietly: further in, Remix would log a stack trace
// per request, run a page's action for PUT or PATCH, and Node's fetch cannot even build a TRACE request.
const ALLOWED = new Set(["GET", "HEAD", "POST"]);
const BODY =
  '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>不支持的请求</title>' +
  '<body><p>不支持这种请求方式。请回到<a href="/">首页</a>。</p></body></html>';

export function onlyGetHeadPost(req, res, next) {
  if (ALLOWED.has(req.method)) return next();
  res.set("Allow", "GET, HEAD, POST").status(405).type("html").send(BODY);
}

// A made-up method (FOO) never reaches Express: Node's HTTP parser refuses it. Answer that 405 too;
// any other malformed request gets what Node would have sent (our listener replaces its default).
const CANNED = {
  HPE_INVALID_METHOD: ["405 Method Not Allowed", "Allow: GET, HEAD, POST\r\nContent-Type: text/html; charset=utf-8\r\n", BODY],
  HPE_HEADER_OVERFLOW: ["431 Request Header Fields Too Large", "", ""],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: ["413 Payload Too Large", "", ""],
  ERR_HTTP_REQUEST_TIMEOUT: ["408 Request Timeout", "", ""],
};

export function answerMalformedRequests(server) {
  server.on("clientError", (err, socket) => {
    // As Node does: answer only when no response on this connection has started (it may be a
    // kept-alive one whose earlier responses are complete), and let the answer flush before closing.
    const inFlight = socket._httpMessage;
    if (socket.writable && !(inFlight && inFlight.headersSent)) {
      const [status, headers, body] = CANNED[err.code] ?? ["400 Bad Request", "", ""];
      socket.end(`HTTP/1.1 ${status}\r\n${headers}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });
}
