// Builds the Remix app when the build is missing or older than any source file.
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const output = "build/index.js";

function newest(dir) {
  let t = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

export function buildIfNeeded() {
  const built = fs.existsSync(output) ? fs.statSync(output).mtimeMs : 0;
  const sources = Math.max(newest("app"), newest("db/migrations"), fs.statSync("db/schema.ts").mtimeMs, fs.statSync("remix.config.js").mtimeMs);
  if (built > sources) return false;
  console.log("正在构建……");
  // Always a production build: vitest runs with NODE_ENV=test, which would emit dev-only JSX calls.
  execSync("npx remix build", { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) buildIfNeeded();
