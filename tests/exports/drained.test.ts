// The server's answer to "has the client taken what was sent?", which a long download waits on.
import { describe, expect, it } from "vitest";
import { drained } from "../../scripts/server/drained.mjs";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("drained", () => {
  it("waits while more than a mebibyte is unsent, and resolves once the socket took it or the response is over", async () => {
    const res = { writableLength: 5 << 20, destroyed: false, writableEnded: false };
    let done = false;
    void drained(res).then(() => (done = true));
    await pause(60);
    expect(done).toBe(false);
    res.writableLength = 1 << 20;
    await pause(60);
    expect(done).toBe(true);

    const gone = { writableLength: 5 << 20, destroyed: false, writableEnded: false };
    let over = false;
    void drained(gone).then(() => (over = true));
    await pause(30);
    expect(over).toBe(false);
    gone.destroyed = true; // the client went away: the export's stream is cancelled by Remix, nothing waits forever
    await pause(30);
    expect(over).toBe(true);
  });
});
