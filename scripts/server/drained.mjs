// Remix writes a streamed body to the response without waiting for a slow client (its
// writeReadableStreamToWritable ignores write()'s answer), so a download the client takes slowly
// would pile up in the socket's buffer. A stream that can wait, an export, asks this first: it
// resolves once no more than LIMIT bytes wait to be sent, or the response is over.
// Polled rather than on 'drain': compression wraps the response's events, and a response may end
// without one.
const LIMIT = 1 << 20;
const POLL_MS = 10;

/** @param {Pick<import("node:http").ServerResponse, "writableLength" | "destroyed" | "writableEnded">} res */
export function drained(res) {
  const done = () => res.writableLength <= LIMIT || res.destroyed || res.writableEnded;
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => (done() ? resolve() : setTimeout(check, POLL_MS));
    setTimeout(check, POLL_MS);
  });
}
