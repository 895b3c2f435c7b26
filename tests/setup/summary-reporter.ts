// Ends the run with the plain "N passed, N failed" line that CI reads, after vitest's own summary.
import type { Reporter } from "vitest/reporters";

type Task = { type: string; result?: { state?: string }; tasks?: Task[] };

function count(tasks: Task[], into: { passed: number; failed: number; skipped: number }): void {
  for (const t of tasks) {
    if (t.tasks) count(t.tasks, into);
    if (t.type !== "test") continue;
    const state = t.result?.state;
    if (state === "pass") into.passed++;
    else if (state === "fail") into.failed++;
    else into.skipped++;
  }
}

function hasFailedTest(t: Task): boolean {
  return (t.tasks ?? []).some((c) => (c.type === "test" && c.result?.state === "fail") || hasFailedTest(c));
}

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    const n = { passed: 0, failed: 0, skipped: 0 };
    count(files, n);
    // A file whose setup failed (no test ran, or every test skipped) must still count as a failure.
    n.failed += files.filter((f) => f.result?.state === "fail" && !hasFailedTest(f)).length + errors.length;
    // Deferred so it lands after the default reporter's summary.
    setImmediate(() => process.stdout.write(`\n${n.passed} passed, ${n.failed} failed${n.skipped ? `, ${n.skipped} skipped` : ""}\n`));
  }
}
