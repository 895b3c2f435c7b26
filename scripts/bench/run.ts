// npm run bench: the township dataset and the production server under load, in one run. Prints
// every figure with its target; exits 0 when the run completed (even if a target is missed) and
// non-zero when it could not measure honestly.
// `npm run bench -- --against <git ref>` runs that commit's server beside this one, alternating,
// and prints both with their ratio. `npm run bench -- --postgres <URL>` (or BENCH_DATABASE_URL) runs
// this checkout on SQLite and on PostgreSQL the same way. Method: docs/decisions/bench-method.md.
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import {
  BENCH_PASSWORD, BENCH_TOWNSHIP_PHONE, DATASET_FILE, DATASET_META, DATASET_VERSION, bytes, duration, fixed, gc, int, median, runChild,
  type DatasetMeta,
} from "./common";
import { prepareBaseline } from "./baseline";
import { dropRunDatabase, freshRunDatabase, preparePostgres } from "./postgres";
import { CHECKOUT_CONNECTIONS, checkoutLoad, pacedCheckouts, signPairs, type CheckoutResult, type SignedPair } from "./checkout";
import { CONNECTIONS, expectPage, load, memoryOf, pageWeight, signIn, startServer, steady, type Asset, type LoadResult, type Server } from "./http";

const ROUNDS = 3;
const SECONDS = 5;
const STEADY_SECONDS = 10;
/**
 * Checkouts per second for the paced checkout row: 32 keepers each starting one every 3.2 s, several
 * times what a village counter sees at its busiest (a closed loop's latency is its queue: see
 * decision 0032).
 */
const STEADY_CHECKOUTS = 10;
/** A township's market day is well under this: what a villager feels, not what the server can take. */
const STEADY_RATE = 50;
const WARMUP_SECONDS = 3;
const TARGET = {
  steadyP95Ms: 50,
  checkoutP99Ms: 150,
  rssBytes: 250 * 1024 * 1024,
  /** Server CPU per request against the baseline in a side-by-side run. */
  cpuRatio: 1.5,
  /** PostgreSQL's throughput against SQLite's on the same machine (the database server shares the cores). */
  postgresThroughput: 0.5,
  /** The township dashboard (乡镇看板) at 16 connections: the township's staff opening it at once. */
  dashboardP95Ms: 100,
  homeBytes: 120 * 1024,
  scannerBytes: 150 * 1024,
};

const benchStarted = performance.now();
const servers: Server[] = [];
const cleanup = async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
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

/** One server under test: this checkout, or the baseline's worktree with its own dataset. */
interface Side {
  label: string;
  cwd: string;
  meta: DatasetMeta;
  datasetFile: string;
  /** PostgreSQL: the URL whose role creates the run's database (the SQLite side: undefined). */
  postgres?: string;
  server?: Server;
  typical?: string;
  deep?: string;
  /** The township admin's cookie, when this side's checkout has the dashboard (a baseline before it has none). */
  township?: string;
  pairs?: SignedPair[];
  statementPath: string;
  rounds: Record<Measure, LoadResult[]>;
  checkout: CheckoutResult[];
  steadyCheckout: CheckoutResult[];
  memory?: { rss: number; hwm: number };
}

type Measure = "healthz" | "home" | "statement" | "dashboard" | "steadyHome" | "steadyStatement" | "steadyDashboard";

const DASHBOARD_PATH = "/township/dashboard";
/** The township's staff, each opening the dashboard once a second: what they feel, beside the closed loop. */
const STEADY_DASHBOARD_RATE = CONNECTIONS;

function side(label: string, cwd: string, meta: DatasetMeta, datasetFile: string, postgres?: string): Side {
  return {
    label, cwd, meta, datasetFile, postgres, statementPath: `/statement?page=${meta.deep.page}`,
    rounds: { healthz: [], home: [], statement: [], dashboard: [], steadyHome: [], steadyStatement: [], steadyDashboard: [] }, checkout: [], steadyCheckout: [],
  };
}

async function startSide(s: Side): Promise<void> {
  // The load writes (sessions, orders, ledger entries): it runs on a copy, so every run starts from the same data.
  const runFile = s.datasetFile.replace(/\.sqlite$/, ".run.sqlite");
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(runFile + suffix, { force: true });
  // On PostgreSQL the file stays unused but its folder is the data folder (photos).
  if (!s.postgres) fs.copyFileSync(s.datasetFile, runFile);
  const databaseUrl = s.postgres ? await freshRunDatabase(s.postgres) : undefined;
  execSync("sync"); // the copy's dirty pages would otherwise be written back during the load
  s.server = await startServer(runFile, { cwd: s.cwd, databaseUrl });
  servers.push(s.server);
  const url = s.server.url;
  console.log(`  ${s.label}: server pid ${s.server.pid} at ${url}`);
  s.typical = await signIn(url, s.meta.typical.phone, BENCH_PASSWORD);
  s.deep = await signIn(url, s.meta.deep.phone, BENCH_PASSWORD);
  await expectPage(`${url}/healthz`, "", (t) => (t.trim() === "ok" ? null : `unexpected body ${t.slice(0, 80)}`));
  await expectPage(`${url}/`, s.typical, (t) => (t.includes('data-testid="spendable"') ? null : "not the villager home (no balance shown)"));
  await expectPage(`${url}${s.statementPath}`, s.deep, (t) => {
    const text = t.replace(/<!-- -->/g, "");
    const m = /第 (\d+) \/ (\d+) 页/.exec(text);
    if (!m) return "no pager on the statement page";
    if (Number(m[1]) !== s.meta.deep.page) return `asked for page ${s.meta.deep.page}, got page ${m[1]} of ${m[2]}`;
    return (text.match(/<li>/g) ?? []).length >= 20 ? null : "fewer than 20 entries on a deep statement page";
  });
  s.pairs = await signPairs(url, s.meta.checkout, BENCH_PASSWORD);
  s.township = await townshipCookie(s);
  const warm: [string, string, string | null][] = [["/healthz", "/healthz", null], ["home", "/", s.typical], ["statement", s.statementPath, s.deep]];
  if (s.township) warm.push(["dashboard", DASHBOARD_PATH, s.township]);
  for (const [name, path, cookie] of warm) {
    const w = await load(url + path, cookie, WARMUP_SECONDS, s.server.pid);
    console.log(`    warm-up ${name}: ${int(w.rps)} req/s`);
  }
  const cw = await checkoutLoad(url, s.pairs, WARMUP_SECONDS, s.server.pid);
  console.log(`    warm-up checkout: ${int(cw.rps)} req/s${cw.broken ? `, ${cw.broken} broken` : ""}`);
}

/**
 * The township admin signed in, once the dashboard answers with its figures; undefined on a baseline
 * from before the dashboard existed (its row then shows "—"). This checkout must have it.
 */
async function townshipCookie(s: Side): Promise<string | undefined> {
  const url = s.server!.url;
  const cookie = await signIn(url, BENCH_TOWNSHIP_PHONE, BENCH_PASSWORD);
  const probe = await fetch(url + DASHBOARD_PATH, { headers: { cookie }, redirect: "manual" });
  await probe.arrayBuffer();
  if (probe.status === 404 && s.cwd !== process.cwd()) {
    console.log(`  ${s.label}: no township dashboard in this checkout; its row is left empty`);
    return undefined;
  }
  await expectPage(url + DASHBOARD_PATH, cookie, (t) => (t.includes('data-testid="township-dashboard"') && t.includes("<svg") ? null : "not the township dashboard (no figures or charts)"));
  return cookie;
}

function line(label: string, x: LoadResult, extra = ""): void {
  const bad = x.non2xx || x.errors ? `  !! ${x.non2xx} non-2xx ${JSON.stringify(x.statuses)}, ${x.errors} errors` : "";
  console.log(
    `    ${label.padEnd(34)} ${int(x.rps).padStart(6)} req/s  p50 ${fixed(x.p50).padStart(6)}  p95 ${fixed(x.p95).padStart(6)}  p99 ${fixed(x.p99).padStart(6)} ms` +
      `  server CPU ${fixed(x.serverCpuMsPerReq, 2)} ms/req, load ${loadavg()}${extra}${bad}`,
  );
}

/** One round of every measure on one side. */
async function round(s: Side): Promise<void> {
  const { url, pid } = s.server!;
  gc();
  const sh = await steady(url + "/", s.typical!, STEADY_RATE, STEADY_SECONDS, pid);
  s.rounds.steadyHome.push(sh);
  line(`home at ${STEADY_RATE} req/s`, sh);
  const ss = await steady(url + s.statementPath, s.deep!, STEADY_RATE, STEADY_SECONDS, pid);
  s.rounds.steadyStatement.push(ss);
  line(`deep statement at ${STEADY_RATE} req/s`, ss);
  if (s.township) {
    const sd = await steady(url + DASHBOARD_PATH, s.township, STEADY_DASHBOARD_RATE, STEADY_SECONDS, pid);
    s.rounds.steadyDashboard.push(sd);
    line(`dashboard at ${STEADY_DASHBOARD_RATE} req/s`, sd);
  }
  const closed: [Measure, string, string | null][] = [["healthz", "/healthz", null], ["home", "/", s.typical!], ["statement", s.statementPath, s.deep!]];
  if (s.township) closed.push(["dashboard", DASHBOARD_PATH, s.township]);
  for (const [m, path, cookie] of closed) {
    gc();
    const x = await load(url + path, cookie, SECONDS, pid);
    s.rounds[m].push(x);
    line(`${m} at ${CONNECTIONS} connections`, x);
  }
  gc();
  const c = await checkoutLoad(url, s.pairs!, SECONDS, pid);
  s.checkout.push(c);
  line(`checkout at ${CHECKOUT_CONNECTIONS} keepers`, c, `, ${int(c.checkoutsPerSecond)} checkouts/s${c.broken ? `, ${c.broken} broken` : ""}`);
  gc();
  const sc = await pacedCheckouts(url, s.pairs!, STEADY_SECONDS, pid, STEADY_CHECKOUTS);
  s.steadyCheckout.push(sc);
  line(`checkout at ${STEADY_CHECKOUTS} checkouts/s`, sc, `, ${int(sc.checkoutsPerSecond)} checkouts/s${sc.broken ? `, ${sc.broken} broken` : ""}`);
}

async function http(sides: Side[]) {
  section(sides.length > 1 ? "production servers under load, side by side" : "production server under load");
  for (const s of sides) await startSide(s);
  console.log(
    `  per round: home and statement at a steady ${STEADY_RATE} req/s (${STEADY_SECONDS} s each), then /healthz, home, statement and the township dashboard ` +
      `at ${CONNECTIONS} connections and checkout at ${CHECKOUT_CONNECTIONS} (${SECONDS} s each), then checkout paced at ` +
      `${STEADY_CHECKOUTS}/s (${STEADY_SECONDS} s); ${ROUNDS} rounds` +
      (sides.length > 1 ? ", the two servers alternating (the order flips every round)" : ""),
  );
  for (let r = 1; r <= ROUNDS; r++) {
    const order = r % 2 === 1 ? sides : [...sides].reverse();
    for (const s of order) {
      console.log(`  round ${r}/${ROUNDS} — ${s.label}`);
      await round(s);
    }
  }
  for (const s of sides) {
    s.memory = memoryOf(s.server!.pid);
    console.log(`  ${s.label}: server memory after the load: VmRSS ${bytes(s.memory.rss)} (peak VmHWM ${bytes(s.memory.hwm)})`);
  }
  const cur = sides[sides.length - 1];
  const url = cur.server!.url;
  const assets = await pageWeight(`${url}/`, cur.typical!);
  const store = await pageWeight(`${url}/store`, cur.pairs![0].villagerCookie);
  // The scanner page with everything it loads to scan: qr-scanner and its worker are fetched on demand.
  const scanner = await pageWeight(`${url}/v/${cur.pairs![0].villageId}/store/scan`, cur.pairs![0].keeperCookie, { lazy: true });
  for (const [title, list] of [["villager home page", assets], ["villager store page", store], ["keeper scanner page (with the lazily loaded scanner)", scanner]] as const) {
    console.log(`  ${title}, gzip level 6:`);
    for (const a of list) console.log(`    ${a.kind.padEnd(4)} ${a.path.padEnd(56)} ${int(a.raw).padStart(9)} B raw  ${int(a.gzip).padStart(8)} B gzip`);
  }
  await cleanup();
  return { assets, store, scanner };
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

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  console.log(`积分超市 benchmark — ${os.cpus().length} CPU(s), node ${process.version}, ${new Date().toISOString()}`);
  const against = argValue("--against");
  const postgres = argValue("--postgres") ?? (process.env.BENCH_DATABASE_URL?.trim() || undefined);
  if (against && postgres) throw new Error("--against and --postgres: one side-by-side comparison at a time");
  const { meta, generated } = await dataset();
  console.log(
    `  ${meta.villages} villages × ${int(meta.households / meta.villages)} households (${int(meta.members)} members), ` +
      `${int(meta.transfers)} transfers = ${int(meta.entries)} ledger entries, ${bytes(meta.fileBytes)}; ` +
      `deep household ${int(meta.deep.entries)} entries (${meta.deep.pages} pages), typical household ${int(meta.typical.entries)} entries`,
  );
  const sides: Side[] = [];
  if (against) {
    section(`baseline for the side-by-side run: ${against}`);
    const b = prepareBaseline(against);
    sides.push(side(`baseline ${b.sha.slice(0, 9)}`, b.dir, b.meta, b.datasetFile));
  }
  if (postgres) {
    section("PostgreSQL side");
    await preparePostgres(postgres);
    sides.push(side("SQLite", process.cwd(), meta, DATASET_FILE));
    sides.push(side("PostgreSQL", process.cwd(), meta, DATASET_FILE, postgres));
  } else sides.push(side("this checkout", process.cwd(), meta, DATASET_FILE));

  const h = await http(sides);
  if (postgres) await dropRunDatabase(postgres);
  const crash = crashLoops();

  // ---- summary: one column per side, then the ratio this/baseline, the target and the verdict
  const base = sides.length > 1 ? sides[0] : undefined;
  const cur = sides[sides.length - 1];
  const rows: string[][] = [];
  let invalid = false;
  const verdict = (ok: boolean) => (ok ? "PASS" : "FAIL");
  const med = (xs: LoadResult[], k: "rps" | "p50" | "p95" | "p99" | "serverCpuMsPerReq") => median(xs.map((x) => x[k]));
  const bad = (xs: LoadResult[]) => xs.reduce((n, x) => n + x.non2xx + x.errors + ((x as Partial<CheckoutResult>).broken ?? 0), 0);
  const row = (figure: string, value: (s: Side) => number, show: (n: number) => string, target: string, pass: ((n: number, b?: number) => boolean) | null, broken = 0) => {
    if (broken) invalid = true;
    const v = value(cur);
    const b = base ? value(base) : undefined;
    rows.push([
      figure,
      ...(base ? [show(b!)] : []),
      show(v),
      ...(base ? [`${fixed(v / b!, 2)}×`] : []),
      target,
      broken ? `INVALID (${broken} failed requests)` : pass ? verdict(pass(v, b)) : "",
    ]);
  };
  const ms = (n: number) => (Number.isNaN(n) ? "—" : `${fixed(n)} ms`);
  const cpu = (n: number) => (Number.isNaN(n) ? "—" : `${fixed(n, 2)} ms`);
  const rps = (n: number) => `${int(n)}/s`;
  const all = (s: Side, m: Measure) => s.rounds[m];
  const brokenOf = (m: Measure) => sides.reduce((n, s) => n + bad(all(s, m)), 0);

  row(`home p95 at a steady ${STEADY_RATE} req/s`, (s) => med(all(s, "steadyHome"), "p95"), ms, `≤ ${TARGET.steadyP95Ms} ms`, (v) => v <= TARGET.steadyP95Ms, brokenOf("steadyHome"));
  row(`deep statement p95 at a steady ${STEADY_RATE} req/s`, (s) => med(all(s, "steadyStatement"), "p95"), ms, `≤ ${TARGET.steadyP95Ms} ms`, (v) => v <= TARGET.steadyP95Ms, brokenOf("steadyStatement"));
  const checkoutBroken = sides.reduce((n, s) => n + bad(s.checkout), 0);
  row(`checkout p99 at ${CHECKOUT_CONNECTIONS} keepers`, (s) => med(s.checkout, "p99"), ms, `≤ ${TARGET.checkoutP99Ms} ms`, (v) => v <= TARGET.checkoutP99Ms, checkoutBroken);
  row(
    `checkout p99 at ${CHECKOUT_CONNECTIONS} keepers, paced at ${STEADY_CHECKOUTS} checkouts/s`,
    (s) => med(s.steadyCheckout, "p99"), ms, "— (diagnostic)", null, sides.reduce((n, s) => n + bad(s.steadyCheckout), 0),
  );
  row(
    `township dashboard p95 at ${CONNECTIONS} connections`,
    (s) => med(all(s, "dashboard"), "p95"), ms, `≤ ${TARGET.dashboardP95Ms} ms`, (v) => v <= TARGET.dashboardP95Ms, brokenOf("dashboard"),
  );
  row(
    `township dashboard p95 at a steady ${STEADY_DASHBOARD_RATE} req/s`,
    (s) => med(all(s, "steadyDashboard"), "p95"), ms, "— (diagnostic)", null, brokenOf("steadyDashboard"),
  );
  row(`/healthz p95 at ${CONNECTIONS} connections`, (s) => med(all(s, "healthz"), "p95"), ms, "— (framework floor)", null, brokenOf("healthz"));
  row("server RSS after the load", (s) => s.memory!.rss, bytes, `≤ ${bytes(TARGET.rssBytes)}`, (v) => v <= TARGET.rssBytes);
  // Server CPU per request, closed loop: the companion to latency that noise moves least.
  // Against PostgreSQL the app's CPU is not the whole cost (the database server's is not counted).
  const cpuTarget = base && !postgres ? `≤ ${TARGET.cpuRatio}× baseline` : postgres ? "— (app process only)" : "— (diagnostic)";
  const cpuPass = base && !postgres ? (v: number, b?: number) => v <= TARGET.cpuRatio * b! : null;
  row("home server CPU per request", (s) => med(all(s, "home"), "serverCpuMsPerReq"), cpu, cpuTarget, cpuPass, brokenOf("home"));
  row("deep statement server CPU per request", (s) => med(all(s, "statement"), "serverCpuMsPerReq"), cpu, cpuTarget, cpuPass, brokenOf("statement"));
  row("township dashboard server CPU per request", (s) => med(all(s, "dashboard"), "serverCpuMsPerReq"), cpu, "— (diagnostic)", null, brokenOf("dashboard"));
  row("checkout server CPU per request", (s) => med(s.checkout, "serverCpuMsPerReq"), cpu, cpuTarget, cpuPass);
  row("/healthz server CPU per request", (s) => med(all(s, "healthz"), "serverCpuMsPerReq"), cpu, "— (framework floor)", null, brokenOf("healthz"));
  const throughputTarget = postgres ? `≥ ${TARGET.postgresThroughput}× SQLite` : "— (diagnostic)";
  const throughputPass = postgres ? (v: number, b?: number) => v >= TARGET.postgresThroughput * b! : null;
  row(`home req/s at ${CONNECTIONS} connections`, (s) => med(all(s, "home"), "rps"), rps, throughputTarget, throughputPass);
  row(`home p95 at ${CONNECTIONS} connections`, (s) => med(all(s, "home"), "p95"), ms, "— (diagnostic)", null);
  row(`deep statement req/s at ${CONNECTIONS} connections`, (s) => med(all(s, "statement"), "rps"), rps, throughputTarget, throughputPass);
  row(`deep statement p95 at ${CONNECTIONS} connections`, (s) => med(all(s, "statement"), "p95"), ms, "— (diagnostic)", null);
  row(`checkout req/s at ${CHECKOUT_CONNECTIONS} keepers`, (s) => med(s.checkout, "rps"), rps, "— (diagnostic)", null);
  row("checkouts per second", (s) => median(s.checkout.map((x) => x.checkoutsPerSecond)), rps, throughputTarget, throughputPass);
  row("/healthz req/s", (s) => med(all(s, "healthz"), "rps"), rps, "— (diagnostic)", null);
  const pad = (cells: string[]) => rows.push(base ? [cells[0], "", cells[1], "", cells[2], cells[3]] : cells);
  const weight = (label: string, list: Asset[], limit: number | null) => {
    const total = list.reduce((n, a) => n + a.gzip, 0);
    const by = (k: string) => list.filter((a) => a.kind === k).reduce((n, a) => n + a.gzip, 0);
    pad([
      `${label} gzip (HTML+JS+CSS)`,
      `${fixed(total / 1024)} KiB (html ${fixed(by("html") / 1024)} + js ${fixed(by("js") / 1024)} + css ${fixed(by("css") / 1024)}, ${list.length} files)`,
      limit === null ? "— (reported)" : `≤ ${limit / 1024} KiB`,
      limit === null ? "" : verdict(total <= limit),
    ]);
  };
  weight("villager home", h.assets, TARGET.homeBytes);
  weight("villager store page", h.store, null);
  weight("keeper scanner page incl. qr-scanner", h.scanner, TARGET.scannerBytes);
  pad([`SIGKILL crash loops (check:ledger after)`, `${crash.loops} loops in ${duration(crash.seconds)}`, "every committed id kept", verdict(crash.ok)]);
  if (!crash.ok) invalid = true;
  pad([
    "dataset generation",
    generated ? `${duration(meta.generationSeconds)} (this run)` : `${duration(meta.generationSeconds)} (cached; generated ${meta.generatedAt})`,
    "—",
    "",
  ]);

  section(`summary (medians of ${ROUNDS} rounds${base ? `; ${base.label} vs ${cur.label}, alternating` : ""})`);
  const header = base ? ["figure", base.label, cur.label, "ratio", "target", ""] : ["figure", "value", "target", ""];
  const table = [header, ...rows];
  const w = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(`  ${r.map((c, i) => c.padEnd(w[i])).join("  ")}`);
  console.log(`\n  whole run: ${duration((performance.now() - benchStarted) / 1000)}`);
  if (invalid) {
    console.error("\n  Some measured requests did not answer 2xx: those figures are not a benchmark of the pages. Exit 1.");
    return 1;
  }
  return 0;
}

void main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`\nbench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    for (const s of servers) console.error(`server output:\n${s.output().slice(-3000)}`);
    await cleanup();
    process.exit(1);
  });
