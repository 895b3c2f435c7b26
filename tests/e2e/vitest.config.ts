import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: path.resolve(import.meta.dirname, "../.."),
  // tests/support/sql.ts imports the app as ~/…, like the app itself.
  resolve: { alias: { "~": path.resolve(import.meta.dirname, "../../app") } },
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    pool: "forks",
    reporters: ["default", "./tests/setup/summary-reporter.ts"],
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
