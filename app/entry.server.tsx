import { Writable } from "node:stream";
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { RemixServer, isRouteErrorResponse } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "~/platform/nonce";

export { boot, shutdown } from "~/platform/boot.server";
export { runInRequestScope } from "~/platform/request-scope.server";

/**
 * Remix calls this for every error a loader, action or render throws; it is the only place a server
 * error is logged, with its stack, in the request's log line (the server's reportError).
 */
export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  // The router's own 4xx (a POST to a page without a form, an unknown route) is the client's
  // mistake: its status is in the request line, a stack trace would only bury real errors.
  if (isRouteErrorResponse(error) && error.status < 500) return;
  const cause = isRouteErrorResponse(error) && (error as { error?: unknown }).error ? (error as { error?: unknown }).error : error;
  report(context, cause);
};

function report(context: AppLoadContext | undefined, error: unknown): void {
  if (typeof context?.reportError === "function") context.reportError(error);
  else console.error(error);
}

export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = typeof loadContext?.cspNonce === "string" ? loadContext.cspNonce : undefined;
  // No route defers data, so the page is rendered completely (onAllReady) and sent as one buffer:
  // one gzip pass, a correct status even if rendering fails late, and no per-chunk hops through
  // Node and web streams, which cost more than the rendering of a small page (decision 0015).
  return new Promise<Response>((resolve, reject) => {
    let rendered = false;
    let timer: NodeJS.Timeout | undefined; // set below; React calls back asynchronously, but never rely on it
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={streamTimeout} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onAllReady() {
          rendered = true;
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          pipe(
            collect((html) => {
              clearTimeout(timer);
              resolve(new Response(html, { headers: responseHeaders, status: responseStatusCode }));
            }),
          );
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (rendered) report(loadContext, error);
        },
      },
    );
    timer = setTimeout(abort, streamTimeout + 1000);
  });
}

/**
 * A writable that gathers the rendered page and hands it over once React ends the stream.
 * React 18.3.1's streaming renderer can emit NUL bytes at chunk boundaries (react#31134); in
 * UTF-8 a 0x00 byte is only ever the NUL character, so dropping those bytes is safe.
 */
function collect(done: (html: Uint8Array<ArrayBuffer>) => void): Writable {
  const chunks: Uint8Array[] = [];
  return new Writable({
    // React listens for "close" to abort; after a finished render that only builds an error nobody sees.
    emitClose: false,
    write(chunk: Buffer, _encoding, next) {
      chunks.push(chunk.includes(0) ? chunk.filter((b) => b !== 0) : chunk);
      next();
    },
    final(next) {
      const html = Buffer.concat(chunks);
      done(new Uint8Array(html.buffer as ArrayBuffer, html.byteOffset, html.length));
      next();
    },
  });
}
