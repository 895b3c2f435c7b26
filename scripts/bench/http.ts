// The HTTP half of `npm run bench`: the production server as a child process, signed-in
// clients, autocannon load, the home page's gzip weight and the server's memory.
import { execSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import autocannon, { type Options as CannonOptions } from "autocannon";
import { percentile } from "./common";
import { SERVER_NODE_FLAGS } from "../server/node-flags.mjs";

export const CONNECTIONS = 16;
// A cheap Android phone's browser: the server renders for people (onShellReady), not for bots.
export const PHONE_UA = "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

export interface Server {
  url: string;
  pid: number;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * The production server of the checkout in `cwd` (this one, or a baseline's worktree) on a database
 * file, with the flags that checkout starts it with (a baseline from before node-flags.mjs had none).
 */
/** The production server on a SQLite file, or on PostgreSQL when `opts.databaseUrl` is given. */
export async function startServer(databasePath: string, opts: { cwd?: string; nodeArgs?: string[]; databaseUrl?: string } = {}): Promise<Server> {
  const cwd = opts.cwd ?? process.cwd();
  const flagsFile = path.join(cwd, "scripts/server/node-flags.mjs");
  const flags: string[] = fs.existsSync(flagsFile) ? (await import(flagsFile)).SERVER_NODE_FLAGS : [];
  const child: ChildProcess = spawn(process.execPath, [...flags, ...(opts.nodeArgs ?? []), "scripts/server.mjs"], {
    cwd,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_PATH: databasePath,
      DATABASE_URL: opts.databaseUrl ?? "",
      SESSION_SECRET: "bench-session-secret",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(timer);
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 120 s:\n${out}`)), 120_000);
    const onExit = (code: number | null) => reject(new Error(`server exited (${code}) before listening:\n${out}`));
    child.on("exit", onExit);
    child.stdout!.on("data", () => {
      const m = /积分超市已启动：http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { url, pid: child.pid!, output: () => out, stop };
}

/** Signs in through the real form action (same-origin POST) and returns the Cookie header to reuse. */
export async function signIn(url: string, phone: string, password: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ phone, password }),
    headers: { origin: url },
    redirect: "manual",
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__session="));
  if ((res.status !== 302 && res.status !== 303) || !cookie) {
    throw new Error(`sign-in as ${phone} failed: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  return cookie.split(";")[0];
}

/** GET with the cookie; fails unless the answer is 200 and the body looks like the page we mean to measure. */
export async function expectPage(url: string, cookie: string, check: (html: string) => string | null): Promise<string> {
  const res = await fetch(url, { headers: { cookie, "user-agent": PHONE_UA }, redirect: "manual" });
  const html = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}, not 200: ${html.slice(0, 300)}`);
  const problem = check(html);
  if (problem) throw new Error(`GET ${url}: ${problem}`);
  return html;
}

export interface LoadResult {
  rps: number; // 2xx responses per second
  p50: number;
  p95: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
  serverCpuMsPerReq: number; // the server process's user+system CPU per answered request
  clientCpuPct: number; // the load generator's own CPU use, in % of one core
}

const CLK_TCK = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;

/** User + system CPU milliseconds a process has used so far. */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the 3rd (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime, stime
}

/** One autocannon run: CONNECTIONS keep-alive connections for `seconds`; latencies of 2xx answers, in ms. */
export function load(url: string, cookie: string | null, seconds: number, serverPid: number): Promise<LoadResult> {
  const headers: Record<string, string> = { "accept-encoding": "gzip", "user-agent": PHONE_UA };
  if (cookie) headers.cookie = cookie;
  return measure({ url, connections: CONNECTIONS, duration: seconds, headers, timeout: 10 }, serverPid);
}

/** What a paced job records: each answer's status and latency, or a failed connection. */
export interface Tally {
  answered(status: number, ms: number): void;
  failed(error: Error): void;
}

/**
 * A steady arrival rate, open loop: one job (a request, or a checkout's requests one after another)
 * starts every 1000/rate ms whether or not earlier ones have ended, so latency is what a person
 * feels at that load. (autocannon's own rate limit sends each connection's quota back to back at the
 * start of every second: a burst of `rate` requests once a second, which measures the burst, not
 * the rate.)
 */
export async function paced(rate: number, seconds: number, serverPid: number, job: (tally: Tally) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let non2xx = 0;
  let errors = 0;
  const tally: Tally = {
    answered(status, ms) {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status >= 200 && status < 300) latencies.push(ms);
      else non2xx++;
    },
    failed(error) {
      // Named, so an invalid run says what failed (a reset connection, a timeout).
      if (++errors <= 3) console.error(`  request failed: ${error.message}`);
    },
  };
  const cpu0 = cpuMsOf(serverPid);
  const client0 = process.cpuUsage();
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    // Sleep until this job's slot; a late timer starts it at once (the schedule does not drift).
    const wait = start + i * interval - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inflight.push(job(tally));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  const serverCpu = cpuMsOf(serverPid) - cpu0;
  const client = process.cpuUsage(client0);
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / elapsed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    ok: latencies.length,
    non2xx,
    errors,
    statuses,
    serverCpuMsPerReq: serverCpu / Math.max(1, latencies.length + non2xx),
    clientCpuPct: ((client.user + client.system) / 1000 / (elapsed * 1000)) * 100,
  };
}

/** One request on a keep-alive agent: its status and body, and its latency counted in `tally`. */
export function send(agent: http.Agent, url: string, req: { method?: string; path?: string; headers?: Record<string, string>; body?: string }, tally: Tally): Promise<{ status: number; body: string } | null> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const t0 = performance.now();
    const r = http.request(
      { agent, host: target.hostname, port: target.port, method: req.method ?? "GET", path: req.path ?? target.pathname + target.search, headers: req.headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          tally.answered(status, performance.now() - t0);
          resolve({ status, body: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    r.on("error", (error) => {
      tally.failed(error);
      resolve(null);
    });
    r.on("timeout", () => r.destroy(new Error("timeout")));
    r.end(req.body);
  });
}

/** A page at a steady `rate` (see `paced`). */
export async function steady(url: string, cookie: string | null, rate: number, seconds: number, serverPid: number): Promise<LoadResult> {
  const headers: Record<string, string> = { "accept-encoding": "gzip", "user-agent": PHONE_UA };
  if (cookie) headers.cookie = cookie;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    return await paced(rate, seconds, serverPid, async (tally) => void (await send(agent, url, { headers }, tally)));
  } finally {
    agent.destroy();
  }
}

/** Runs autocannon with these options and gathers latency percentiles, statuses and CPU figures. */
export async function measure(opts: CannonOptions, serverPid: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let non2xx = 0;
  const statuses: Record<string, number> = {};
  const cpu0 = cpuMsOf(serverPid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const instance = autocannon(opts);
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) latencies.push(ms);
    else non2xx++;
  });
  const result = await instance;
  const elapsed = (performance.now() - t0) / 1000;
  const serverCpu = cpuMsOf(serverPid) - cpu0;
  const client = process.cpuUsage(client0);
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: latencies.length / elapsed,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    ok: latencies.length,
    non2xx,
    errors: result.errors,
    statuses,
    serverCpuMsPerReq: serverCpu / Math.max(1, latencies.length + non2xx),
    clientCpuPct: ((client.user + client.system) / 1000 / (elapsed * 1000)) * 100,
  };
}

export interface Asset {
  path: string;
  kind: "html" | "js" | "css";
  raw: number;
  gzip: number;
}

const gzip = (body: Buffer) => zlib.gzipSync(body, { level: 6 }).length;

/**
 * What a phone downloads for the page: the HTML, every <script src>, modulepreload and stylesheet
 * it references (plus module imports of the inline bootstrap script, and static imports of those
 * files not already preloaded), each gzipped at level 6 like the server's compression middleware.
 * JSON fetched later (route discovery, revalidation) and images are not counted.
 */
export async function pageWeight(url: string, cookie: string, opts: { lazy?: boolean } = {}): Promise<Asset[]> {
  const html = await expectPage(url, cookie, () => null);
  const assets: Asset[] = [{ path: new URL(url).pathname, kind: "html", raw: Buffer.byteLength(html), gzip: gzip(Buffer.from(html)) }];
  const queue: string[] = [];
  const seen = new Set<string>();
  const add = (ref: string, base: string) => {
    const abs = new URL(ref.replace(/&amp;/g, "&"), base);
    if (abs.origin !== new URL(url).origin) return;
    if (!seen.has(abs.pathname)) {
      seen.add(abs.pathname);
      queue.push(abs.href);
    }
  };
  for (const tag of html.match(/<(?:script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string) => new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag)?.[1];
    if (tag.toLowerCase().startsWith("<script")) {
      const src = attr("src");
      if (src) add(src, url);
    } else {
      const rel = (attr("rel") ?? "").toLowerCase().split(/\s+/);
      const href = attr("href");
      if (href && (rel.includes("modulepreload") || rel.includes("stylesheet"))) add(href, url);
    }
  }
  for (const script of html.match(/<script\b[^>]*type="module"[^>]*>[\s\S]*?<\/script>/gi) ?? []) {
    for (const m of script.matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+\.js)["']/g)) add(m[1], url);
  }
  while (queue.length) {
    const href = queue.shift()!;
    const res = await fetch(href);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`GET ${href} answered ${res.status}`);
    const kind = /\.css(\?|$)/.test(href) ? "css" : "js";
    assets.push({ path: new URL(href).pathname, kind, raw: body.length, gzip: gzip(body) });
    if (kind === "js") {
      for (const m of body.toString("utf8").matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+\.js)["']/g)) add(m[1], href);
      // Chunks the page loads on demand (the scanner library and its worker) count when asked for.
      if (opts.lazy) for (const m of body.toString("utf8").matchAll(/\bimport\(\s*["']([^"']+\.js)["']\s*\)/g)) add(m[1], href);
    }
  }
  return assets;
}

/** VmRSS and VmHWM of a process, in bytes. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}
