// npm start: build if needed, then serve (the server migrates and seeds on boot).
import { buildIfNeeded } from "./build-if-needed.mjs";

process.env.NODE_ENV ??= "production";
buildIfNeeded();
await import("./server.mjs");
