// Builds the server once before HTTP tests need it.
import { execSync } from "node:child_process";

export default function setup(): void {
  execSync("node scripts/build-if-needed.mjs", { stdio: "inherit" });
}
