// npm start: build if needed, then serve (the server migrates and seeds on boot) in a Node process
// started with the server's own flags (scripts/server/node-flags.mjs).
import { spawn } from "node:child_process";
import { buildIfNeeded } from "./build-if-needed.mjs";
import { SERVER_NODE_FLAGS } from "./server/node-flags.mjs";

process.env.NODE_ENV ??= "production";
buildIfNeeded();
const server = spawn(process.execPath, [...SERVER_NODE_FLAGS, "scripts/server.mjs"], { stdio: "inherit" });
// Ctrl-C reaches both processes; a SIGTERM sent to this one only is passed on. The server's own
// shutdown is graceful and runs once, so receiving both is harmless.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
