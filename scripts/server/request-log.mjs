// One JSON line per request on stdout: request id, method, path, status, time, address and the
// signed-in user once the app knows them. Never the query string (check-in tokens and search terms
// travel there), headers (the session cookie) or bodies (passwords, PINs, codes). A server error's
// stack is logged once, in its request's line.
import crypto from "node:crypto";
import pino from "pino";
import pinoHttp from "pino-http";

const level = process.env.LOG_LEVEL || "info";
if (!(level in pino.levels.values) && level !== "silent") {
  console.error(`LOG_LEVEL=${level} 无法识别：请写 error、warn、info（默认）、debug 或 silent。`);
  process.exit(1);
}
export const logger = pino({ level });

// A proxy's own id is kept (its headers reach us only from a trusted proxy, see proxy.mjs) when it
// looks like one; anything else gets a fresh id.
const PROXY_ID = /^[\w.:-]{1,64}$/;

function requestId(req, res) {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && PROXY_ID.test(given) ? given : crypto.randomUUID();
  res.setHeader("X-Request-Id", id);
  return id;
}

function pathOf(url) {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

const withUser = (res, fields) => ({ ...fields, userId: res.locals.scope?.userId ?? null });
const MADE_UP = /^failed with status code \d+$/;

export const requestLog = pinoHttp({
  logger,
  genReqId: requestId,
  // req.log (handed to the app for its own lines) carries only the request id.
  quietReqLogger: true,
  wrapSerializers: false,
  serializers: {
    req: (req) => ({ method: req.method, path: pathOf(req.originalUrl ?? req.url), ip: req.ip }),
    res: (res) => ({ status: res.statusCode }),
    err: pino.stdSerializers.err,
  },
  customAttributeKeys: { responseTime: "ms" },
  customLogLevel: (req, res, err) => (err || res.err || res.statusCode >= 500 ? "error" : "info"),
  customSuccessMessage: (req, res) => (res.writableEnded ? "request" : "request aborted"),
  customErrorMessage: () => "request failed",
  customSuccessObject: (req, res, fields) => withUser(res, fields),
  // For a 5xx without a reported error pino-http makes up an Error whose stack is its own code.
  customErrorObject: (req, res, err, { err: _, ...fields }) => withUser(res, res.err || !MADE_UP.test(err?.message) ? { ...fields, err } : fields),
});
