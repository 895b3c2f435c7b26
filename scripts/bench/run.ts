// npm run bench: the township dataset, the ledger against bare SQLite, and the production server
// under load, in one run. Prints every figure with its target; exits 0 when the run completed
// (even if a target is missed) and non-zero when it could not measure honestly.
// Method: docs/decisions/bench-method.md.
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import {
  BENCH_PASSWORD, DATASET_FILE, DATASET_META, DATASET_VERSION, bytes, duration, fixed, gc, int, median, runChild,
  type DatasetMeta, type LedgerRatioResult,
} from "./common";
import { CHECKOUT_CONNECTIONS, checkoutLoad, signPairs, type CheckoutResult } from "./checkout";
import { CONNECTIONS, expectPage, load, memoryOf, pageWeight, signIn, startServer, type Asset, type LoadResult, type Server } from "./http";

const ROUNDS = 3;
const SECONDS = 5;
const WARMUP_SECONDS = 3;
const TARGET = { p95Ms: 30, ratio: 0.8, homeBytes: 120 * 1024, checkoutRatio: 0.5, checkoutP99Ms: 100, scannerBytes: 150 * 1024 };
// The load writes (sessions, orders, ledger entries): it runs on a copy, so every run starts from the same data.
const RUN_FILE = DATASET_FILE.replace(/\.sqlite$/, ".run.sqlite");

const benchStarted = performance.now();
let server: Server | undefined;
const cleanup = async () => {
  await server?.stop();
  server = undefined;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void cleanup().finally(() => process.exit(130));
  });
}

const loadavg = () => os.loadavg()[0].toFixed(1);

function section(title: string): void {
  console.log(`\n== ${title}`);
}

// ---- 1. dataset -------------------------------------------------------------------

function cachedMeta(): DatasetMeta | null {
  try {
    const meta = JSON.parse(fs.readFileSync(DATASET_META, "utf8")) as DatasetMeta;
    return meta.version === DATASET_VERSION && fs.existsSync(DATASET_FILE) ? meta : null;
  } catch {
    return null;
  }
}

async function dataset(): Promise<{ meta: DatasetMeta; generated: boolean }> {
  section(`dataset ${DATASET_VERSION}: ${DATASET_FILE}`);
  const cached = cachedMeta();
  if (cached) {
    console.log(`  reusing the cached dataset (generated ${cached.generatedAt} in ${duration(cached.generationSeconds)})`);
    return { meta: cached, generated: false };
  }
  console.log("  no cached dataset of this version: generating it through the app's modules (a few minutes)");
  const meta = await runChild<DatasetMeta>("dataset.ts");
  console.log(`  generated in ${duration(meta.generationSeconds)}`);
  return { meta, generated: true };
}

// ---- 3. HTTP ----------------------------------------------------------------------

interface Route {
  name: string;
  path: string;
  cookie: string | null;
  target: boolean; // has the p95 target
  rounds: LoadResult[];
}

async function http(meta: DatasetMeta) {
  section("production server under load");
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(RUN_FILE + suffix, { force: true });
  fs.copyFileSync(DATASET_FILE, RUN_FILE);
  execSync("sync"); // the copy's dirty pages would otherwise be written back during the load
  server = await startServer(RUN_FILE);
  console.log(`  server pid ${server.pid} at ${server.url}`);
  const typical = await signIn(server.url, meta.typical.phone, BENCH_PASSWORD);
  const deep = await signIn(server.url, meta.deep.phone, BENCH_PASSWORD);
  const statementPath = `/statement?page=${meta.deep.page}`;
  await expectPage(`${server.url}/healthz`, "", (t) => (t.trim() === "ok" ? null : `unexpected body ${t.slice(0, 80)}`));
  await expectPage(`${server.url}/`, typical, (t) => (t.includes('data-testid="spendable"') ? null : "not the villager home (no balance shown)"));
  await expectPage(`${server.url}${statementPath}`, deep, (t) => {
    const text = t.replace(/<!-- -->/g, "");
    const m = /第 (\d+) \/ (\d+) 页/.exec(text);
    if (!m) return "no pager on the statement page";
    if (Number(m[1]) !== meta.deep.page) return `asked for page ${meta.deep.page}, got page ${m[1]} of ${m[2]}`;
    return (text.match(/<li>/g) ?? []).length >= 20 ? null : "fewer than 20 entries on a deep statement page";
  });

  const pairs = await signPairs(server.url, meta.checkout, BENCH_PASSWORD);
  const checkout: CheckoutResult[] = [];

  const routes: Route[] = [
    { name: "GET /healthz", path: "/healthz", cookie: null, target: false, rounds: [] },
    // The cheapest full page (no session, one small form): what any server-rendered page costs here.
    { name: "GET /login (page floor)", path: "/login", cookie: null, target: false, rounds: [] },
    { name: "GET / (villager home)", path: "/", cookie: typical, target: true, rounds: [] },
    { name: `GET ${statementPath}`, path: statementPath, cookie: deep, target: true, rounds: [] },
  ];
  console.log(`  ${CONNECTIONS} connections; warm-up ${WARMUP_SECONDS} s per route, then ${ROUNDS} rounds × ${SECONDS} s per route (routes interleaved)`);
  for (const r of routes) {
    const w = await load(server.url + r.path, r.cookie, WARMUP_SECONDS, server.pid);
    console.log(`  warm-up ${r.name}: ${int(w.rps)} req/s`);
  }
  const cw = await checkoutLoad(server.url, pairs, WARMUP_SECONDS, server.pid);
  console.log(`  warm-up checkout: ${int(cw.rps)} req/s, ${int(cw.checkoutsPerSecond)} checkouts/s${cw.broken ? `, ${cw.broken} broken` : ""}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const r of routes) {
      gc();
      const x = await load(server.url + r.path, r.cookie, SECONDS, server.pid);
      r.rounds.push(x);
      const bad = x.non2xx || x.errors ? `  !! ${x.non2xx} non-2xx ${JSON.stringify(x.statuses)}, ${x.errors} errors` : "";
      console.log(
        `  round ${round}/${ROUNDS} ${r.name.padEnd(30)} ${int(x.rps).padStart(6)} req/s  p50 ${fixed(x.p50).padStart(6)}  p95 ${fixed(x.p95).padStart(6)}  p99 ${fixed(x.p99).padStart(6)} ms` +
          `  server CPU ${fixed(x.serverCpuMsPerReq, 2)} ms/req, client ${Math.round(x.clientCpuPct)}% CPU, load ${loadavg()}${bad}`,
      );
    }
    gc();
    const c = await checkoutLoad(server.url, pairs, SECONDS, server.pid);
    checkout.push(c);
    const bad = c.non2xx || c.errors || c.broken ? `  !! ${c.non2xx} non-2xx ${JSON.stringify(c.statuses)}, ${c.errors} errors, ${c.broken} broken` : "";
    console.log(
      `  round ${round}/${ROUNDS} ${"checkout (6 requests each)".padEnd(30)} ${int(c.rps).padStart(6)} req/s  p50 ${fixed(c.p50).padStart(6)}  p95 ${fixed(c.p95).padStart(6)}  p99 ${fixed(c.p99).padStart(6)} ms` +
        `  ${int(c.checkoutsPerSecond)} checkouts/s, server CPU ${fixed(c.serverCpuMsPerReq, 2)} ms/req, load ${loadavg()}${bad}`,
    );
  }
  const memory = memoryOf(server.pid);
  console.log(`  server memory after the load: VmRSS ${bytes(memory.rss)} (peak VmHWM ${bytes(memory.hwm)})`);

  const assets = await pageWeight(`${server.url}/`, typical);
  const store = await pageWeight(`${server.url}/store`, pairs[0].villagerCookie);
  // The scanner page with everything it loads to scan: qr-scanner and its worker are fetched on demand.
  const scanner = await pageWeight(`${server.url}/v/${pairs[0].villageId}/store/scan`, pairs[0].keeperCookie, { lazy: true });
  for (const [title, list] of [["villager home page", assets], ["villager store page", store], ["keeper scanner page (with the lazily loaded scanner)", scanner]] as const) {
    console.log(`  ${title}, gzip level 6:`);
    for (const a of list) console.log(`    ${a.kind.padEnd(4)} ${a.path.padEnd(56)} ${int(a.raw).padStart(9)} B raw  ${int(a.gzip).padStart(8)} B gzip`);
  }
  await cleanup();
  return { routes, memory, assets, store, scanner, checkout };
}

// ---- crash loops ---------------------------------------------------------------------

/** The test suite kills the writer 50 times; the bench runs the same test with many more loops. */
function crashLoops(): { loops: number; seconds: number; ok: boolean } {
  const loops = Number(process.env.BENCH_CRASH_LOOPS) || 300;
  section(`crash: ${loops} SIGKILL loops (tests/ledger/crash.test.ts with CRASH_LOOPS=${loops})`);
  const t0 = performance.now();
  let ok = true;
  try {
    execSync("npx vitest run --config tests/vitest.config.ts tests/ledger/crash.test.ts", {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, CRASH_LOOPS: String(loops) },
    });
  } catch {
    ok = false;
  }
  return { loops, seconds: (performance.now() - t0) / 1000, ok };
}

// ---- report -------------------------------------------------------------------------

async function main(): Promise<number> {
  console.log(`积分超市 benchmark — ${os.cpus().length} CPU(s), node ${process.version}, ${new Date().toISOString()}`);
  const { meta, generated } = await dataset();
  console.log(
    `  ${meta.villages} villages × ${int(meta.households / meta.villages)} households (${int(meta.members)} members), ` +
      `${int(meta.transfers)} transfers = ${int(meta.entries)} ledger entries, ${bytes(meta.fileBytes)}; ` +
      `deep household ${int(meta.deep.entries)} entries (${meta.deep.pages} pages), typical household ${int(meta.typical.entries)} entries`,
  );

  section("ledger module vs bare better-sqlite3 (temporary database, same pragmas)");
  // Dirty pages of a fresh dataset would otherwise be written back during the fsync-bound rounds.
  execSync("sync");
  const ratio = await runChild<LedgerRatioResult>("ledger-ratio.ts");

  const h = await http(meta);
  const crash = crashLoops();

  // ---- summary
  const rows: [string, string, string, string][] = [];
  let invalid = false;
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  for (const r of h.routes) {
    const m = (k: "rps" | "p50" | "p95" | "p99") => median(r.rounds.map((x) => x[k]));
    const non2xx = r.rounds.reduce((n, x) => n + x.non2xx + x.errors, 0);
    if (non2xx) invalid = true;
    const ceiling = median(h.routes[0].rounds.map((x) => x.rps));
    const note = r === h.routes[0] ? "— (framework ceiling)" : `${fixed(m("rps") / ceiling, 2)} × ceiling`;
    rows.push([`${r.name} req/s`, int(m("rps")), note, ""]);
    rows.push([`${r.name} server CPU per request`, `${fixed(median(r.rounds.map((x) => x.serverCpuMsPerReq)), 2)} ms`, "— (diagnostic)", ""]);
    rows.push([
      `${r.name} p50 / p95 / p99`,
      `${fixed(m("p50"))} / ${fixed(m("p95"))} / ${fixed(m("p99"))} ms`,
      r.target ? `p95 ≤ ${TARGET.p95Ms} ms` : "—",
      non2xx ? `INVALID (${non2xx} non-2xx/errors)` : r.target ? verdict(m("p95") <= TARGET.p95Ms) : "",
    ]);
  }
  rows.push([
    "ledger / bare transfers per second",
    `${fixed(ratio.ratio, 2)} (${int(ratio.ledgerMedian)} / ${int(ratio.bareMedian)} per s)`,
    `≥ ${TARGET.ratio}`,
    verdict(ratio.ratio >= TARGET.ratio),
  ]);
  rows.push([
    "  same, per round (paired ratios)",
    ratio.ledger.map((a, i) => fixed(a / ratio.bare[i], 2)).join(" / "),
    "— (diagnostic)",
    "",
  ]);
  rows.push([
    "  CPU per transfer, ledger / bare",
    `${int(median(ratio.ledgerCpuUs))} / ${int(median(ratio.bareCpuUs))} µs (CPU ratio ${fixed(median(ratio.bareCpuUs) / median(ratio.ledgerCpuUs), 2)})`,
    "— (diagnostic)",
    "",
  ]);
  const ceiling = median(h.routes[0].rounds.map((x) => x.rps));
  const cm = (k: "rps" | "p50" | "p95" | "p99" | "checkoutsPerSecond") => median(h.checkout.map((x) => x[k]));
  const checkoutBad = h.checkout.reduce((n, x) => n + x.non2xx + x.errors + x.broken, 0);
  if (checkoutBad) invalid = true;
  rows.push([
    `checkout at ${CHECKOUT_CONNECTIONS} keepers req/s`,
    `${int(cm("rps"))} (${int(cm("checkoutsPerSecond"))} checkouts/s)`,
    `ratio ≥ ${TARGET.checkoutRatio}`,
    checkoutBad ? `INVALID (${checkoutBad} failed steps)` : `${fixed(cm("rps") / ceiling, 2)} × ceiling ${verdict(cm("rps") / ceiling >= TARGET.checkoutRatio)}`,
  ]);
  rows.push([
    "checkout p50 / p95 / p99 (per request)",
    `${fixed(cm("p50"))} / ${fixed(cm("p95"))} / ${fixed(cm("p99"))} ms`,
    `p99 ≤ ${TARGET.checkoutP99Ms} ms`,
    checkoutBad ? "INVALID" : verdict(cm("p99") <= TARGET.checkoutP99Ms),
  ]);
  rows.push(["checkout server CPU per request", `${fixed(median(h.checkout.map((x) => x.serverCpuMsPerReq)), 2)} ms`, "— (diagnostic)", ""]);
  const weight = (label: string, list: Asset[], limit: number | null) => {
    const total = list.reduce((n, a) => n + a.gzip, 0);
    const by = (k: string) => list.filter((a) => a.kind === k).reduce((n, a) => n + a.gzip, 0);
    rows.push([
      `${label} gzip (HTML+JS+CSS)`,
      `${fixed(total / 1024)} KiB (html ${fixed(by("html") / 1024)} + js ${fixed(by("js") / 1024)} + css ${fixed(by("css") / 1024)}, ${list.length} files)`,
      limit === null ? "— (reported)" : `≤ ${limit / 1024} KiB`,
      limit === null ? "" : verdict(total <= limit),
    ]);
  };
  weight("villager home", h.assets, TARGET.homeBytes);
  weight("villager store page", h.store, null);
  weight("keeper scanner page incl. qr-scanner", h.scanner, TARGET.scannerBytes);
  rows.push(["server RSS after load", bytes(h.memory.rss), "— (reported)", ""]);
  rows.push([`SIGKILL crash loops (check:ledger after)`, `${crash.loops} loops in ${duration(crash.seconds)}`, "every committed id kept", verdict(crash.ok)]);
  if (!crash.ok) invalid = true;
  rows.push([
    "dataset generation",
    generated ? `${duration(meta.generationSeconds)} (this run)` : `${duration(meta.generationSeconds)} (cached; generated ${meta.generatedAt})`,
    "—",
    "",
  ]);

  section(`summary (medians of ${ROUNDS} rounds; ${CONNECTIONS} connections; ledger N = ${int(ratio.n)} per round)`);
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`  ${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
  console.log(`\n  whole run: ${duration((performance.now() - benchStarted) / 1000)}`);
  if (invalid) {
    console.error("\n  Some measured requests did not answer 2xx: those figures are not a benchmark of the pages. Exit 1.");
    return 1;
  }
  return 0;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`\nbench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    if (server) console.error(`server output:\n${server.output().slice(-3000)}`);
    await cleanup();
    process.exit(1);
  });
