/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />
import "@remix-run/node";

declare module "@remix-run/node" {
  interface AppLoadContext {
    ip?: string;
    cspNonce?: string;
  }
  interface Future {
    v3_singleFetch: true;
  }
}
