/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />
import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    ip?: string;
    cspNonce?: string;
    /** Puts a server error (with its stack) into the request's log line; the first one wins. */
    reportError?: (error: unknown) => void;
    /** Resolves when the response's unsent bytes are few again: a long download reads on only then. */
    drained?: () => Promise<void>;
  }
  interface Future {
    v3_singleFetch: true;
  }
}
