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

export default class SummaryReporter implements Reporter {
  onFinished(files: Task[] = [], errors: unknown[] = []): void {
    const n = { passed: 0, failed: 0, skipped: 0 };
    count(files, n);
    // A file that failed to load has no tests but must still count as a failure.
    n.failed += files.filter((f) => f.result?.state === "fail" && !(f.tasks ?? []).length).length + errors.length;
    // Deferred so it lands after the default reporter's summary.
    setImmediate(() => process.stdout.write(`\n${n.passed} passed, ${n.failed} failed${n.skipped ? `, ${n.skipped} skipped` : ""}\n`));
  }
}
