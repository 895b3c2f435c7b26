// One client process of the HTTP storm (see ../storm-http.test.ts): signs in to ONE server, loads
// every form it will post (hidden fields, a fresh nonce per sale, as a browser would), waits for the
// common start time, then posts: its lanes run side by side, each lane's attempts one after another.
// Env: PLAN (JSON ClientPlan), OUT (file for the JSON ClientReport). The start: once ready, it says
// "ready" on stdout and reads "go <epoch ms>" on stdin; the parent sends the same instant to every
// process once all are ready, so a slow machine delays the storm instead of staggering it.
import fs from "node:fs";
import { Client, type Reply } from "../../support/harness";

/** A counter sale of one unit of `goodId` for a household, with its PIN. */
export interface CounterStep {
  kind: "counter";
  householdId: number;
  goodId: number;
  pin: string;
}
/** A villager asking for a code for one unit of `goodId` on the phone (signed in as `phone`). */
export interface CodeStep {
  kind: "code";
  phone: string;
  goodId: number;
  /** The good's name, to find its place on the shelf. */
  name: string;
}
export type Step = CounterStep | CodeStep;

export interface ClientPlan {
  worker: number;
  base: string;
  villageId: number;
  /** The keeper this process signs in as (for counter steps). */
  keeper: string;
  /** Run side by side; the steps of one lane one after another. */
  lanes: Step[][];
}

export interface Attempt {
  worker: number;
  base: string;
  kind: Step["kind"];
  householdId: number | null;
  status: number;
  ok: boolean;
  /** The order sold (counter: from the receipt's number) or the order whose code was issued. */
  orderId: number | null;
  /** Counter: the balance after the sale the receipt shows. */
  balanceAfter: number | null;
  /** Code: the 8 digits the villager's order page shows. */
  code: string | null;
  /** What the page said when it refused (the form's or the field's error). */
  message: string;
  /** Code: what the shelf the refusal re-renders says under the good (已兑完, 已被预留 …). */
  shelf: string;
  /** Milliseconds after the common start when it was sent, and how long the answer took. */
  sentAt: number;
  ms: number;
}

export interface ClientReport {
  worker: number;
  base: string;
  /** How late this process was for the start (0 when it was waiting already). */
  lateMs: number;
  startAt: number;
  attempts: Attempt[];
  errors: string[];
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";
const text = (s: string) => s.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, "").trim();
/** The errors a refused form shows (form-level and field-level), in page order. */
const shownErrors = (html: string) => [...html.matchAll(/<p class="(?:field-error|form-error)"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => text(m[1])).join(" / ");

/** The common start instant, from the parent's "go <epoch ms>" line. */
function goSignal(): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (d) => {
      got += d;
      const m = /^go (\d+)\n/.exec(got);
      if (m) {
        process.stdin.pause();
        resolve(Number(m[1]));
      }
    });
    process.stdin.on("end", () => reject(new Error("stdin closed before the start")));
  });
}

interface Ready {
  step: Step;
  client: Client;
  form: Record<string, string>;
}

async function main(): Promise<ClientReport> {
  const plan = JSON.parse(process.env.PLAN!) as ClientPlan;
  const report: ClientReport = { worker: plan.worker, base: plan.base, lateMs: 0, startAt: 0, attempts: [], errors: [] };
  const villagers = new Map<string, Client>();
  let keeper: Client | null = null;

  // Before the start: sign in and load each form once per attempt (each sale its own nonce).
  const lanes: Ready[][] = [];
  for (const lane of plan.lanes) {
    const ready: Ready[] = [];
    for (const step of lane) {
      if (step.kind === "counter") {
        if (!keeper) {
          keeper = new Client(plan.base);
          await keeper.login(plan.keeper);
        }
        const page = await keeper.get(`/v/${plan.villageId}/store/counter?household=${step.householdId}`);
        const memberId = /name="memberId"[^>]*>\s*<option value="(\d+)"/.exec(page.text)?.[1] ?? "";
        if (page.status !== 200 || !hidden(page.text, "nonce") || !memberId || !page.text.includes(`name="qty.${step.goodId}"`)) {
          const body = /<main[\s\S]*<\/main>/.exec(page.text)?.[0] ?? page.text;
          throw new Error(`counter form for household ${step.householdId}: ${page.status} nonce=${hidden(page.text, "nonce")} member=${memberId} ${text(body).slice(0, 1500)}`);
        }
        const form = {
          householdId: hidden(page.text, "householdId"), storeId: hidden(page.text, "storeId"), nonce: hidden(page.text, "nonce"),
          memberId, [`qty.${step.goodId}`]: "1", pin: step.pin,
        };
        ready.push({ step, client: keeper, form });
      } else {
        let villager = villagers.get(step.phone);
        if (!villager) {
          villager = new Client(plan.base);
          await villager.login(step.phone);
          villagers.set(step.phone, villager);
        }
        const page = await villager.get("/store");
        if (page.status !== 200 || !hidden(page.text, "nonce") || !page.text.includes(`name="qty.${step.goodId}"`)) {
          throw new Error(`store page of ${step.phone}: ${page.status} ${page.text.slice(0, 300)}`);
        }
        ready.push({ step, client: villager, form: { storeId: hidden(page.text, "storeId"), nonce: hidden(page.text, "nonce"), [`qty.${step.goodId}`]: "1" } });
      }
    }
    lanes.push(ready);
  }

  process.stdout.write("ready\n");
  const startAt = await goSignal();
  report.startAt = startAt;
  report.lateMs = Math.max(0, Date.now() - startAt);
  if (Date.now() < startAt) await new Promise((r) => setTimeout(r, startAt - Date.now()));
  // setTimeout may wake a little early; the start is a promise to the other processes.
  while (Date.now() < startAt) await new Promise((r) => setImmediate(r));

  const one = async ({ step, client, form }: Ready): Promise<Attempt> => {
    const sentAt = Date.now() - startAt;
    const t0 = performance.now();
    const base = { worker: plan.worker, base: plan.base, kind: step.kind, sentAt, orderId: null, balanceAfter: null, code: null, message: "", shelf: "" };
    if (step.kind === "counter") {
      // To the page's own URL, as a browser's form does: a refusal is shown on the household's form.
      const r: Reply = await client.post(`/v/${plan.villageId}/store/counter?household=${step.householdId}`, form);
      const ms = performance.now() - t0;
      // Sold: the receipt of a NEW sale (a replayed nonce would show the same receipt with a note).
      const ok = r.status === 200 && r.text.includes("兑换成功") && !r.text.includes("刚才已经确认过");
      const no = /data-testid="receipt-no">No\.(\d+)</.exec(r.text)?.[1];
      const after = /data-testid="receipt-balance">(-?\d+)</.exec(r.text)?.[1];
      return {
        ...base, householdId: step.householdId, status: r.status, ok, ms,
        orderId: ok && no ? Number(no) : null, balanceAfter: ok && after !== undefined ? Number(after) : null, message: ok ? "" : shownErrors(r.text) || text(r.text).slice(0, 200),
      };
    }
    const r = await client.post("/store", form);
    const ms = performance.now() - t0;
    const id = r.status === 302 ? /^\/store\/orders\/(\d+)$/.exec(r.location ?? "")?.[1] : undefined;
    if (!id) {
      const item = r.text.split(/<li /).find((li) => li.includes(`<div class="name">${step.name}</div>`)) ?? "";
      const shelf = text(/<div class="state">([\s\S]*?)<\/div>/.exec(item)?.[1] ?? "");
      return { ...base, householdId: null, status: r.status, ok: false, ms, message: shownErrors(r.text), shelf: shelf || text(r.text).slice(0, 200) };
    }
    const shown = await client.get(r.location!);
    return { ...base, householdId: null, status: r.status, ok: true, ms, orderId: Number(id), code: /data-code="(\d{8})"/.exec(shown.text)?.[1] ?? null };
  };

  await Promise.all(
    lanes.map(async (lane) => {
      for (const ready of lane) {
        try {
          report.attempts.push(await one(ready));
        } catch (e) {
          report.errors.push(`${ready.step.kind}: ${String((e as Error).stack ?? e)}`);
        }
      }
    }),
  );
  return report;
}

try {
  fs.writeFileSync(process.env.OUT!, JSON.stringify(await main()));
  process.exit(0);
} catch (e) {
  console.error(String((e as Error).stack ?? e));
  process.exit(1);
}
