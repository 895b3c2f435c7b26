// Test-only: moves the server's clock and runs the periodic jobs, for the end-to-end test.
// A 404 unless platform/test-clock.server.ts says the test clock is enabled.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { tick } from "~/platform/boot.server";
import { advanceSchema, advanceTestClock, testClockEnabled } from "~/platform/test-clock.server";
import { formToObject, readForm } from "~/platform/validation.server";

const missing = () => new Response("找不到这个页面", { status: 404 });

export async function loader(_: LoaderFunctionArgs) {
  return missing();
}

export async function action({ request }: ActionFunctionArgs) {
  if (!testClockEnabled()) return missing();
  const parsed = advanceSchema.safeParse(formToObject(await readForm(request)));
  if (!parsed.success) return new Response("advanceMs 应为毫秒数", { status: 400 });
  const at = advanceTestClock(parsed.data.advanceMs);
  await tick(); // the answer comes after the jobs, so the test sees what they credited
  return Response.json({ now: at });
}
