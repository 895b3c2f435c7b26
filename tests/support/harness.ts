// Starts the built production server on a free port with a temporary database, and
// gives tests a small browser-like client (cookie jar, same-origin POSTs).
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SERVER_NODE_FLAGS } from "../../scripts/server/node-flags.mjs";
import { createTestDatabase, dropTestDatabase, testDatabaseUrl } from "./postgres";

export interface TestServer {
  url: string;
  /** The server's database: a SQLite file, or on PostgreSQL (TEST_DATABASE_URL) a URL; for openDatabase. */
  database: string;
  /** The server's data folder (photos, the generated secret), whatever the engine. */
  folder: string;
  output: () => string;
  /** What the server wrote to stderr alone (stack traces land there). */
  errors: () => string;
  stop: () => Promise<void>;
}

/**
 * A server on a database of its own, or on `options.database` (another server's, to restart on the
 * same data; then the caller's to remove). Photos and the like go to a folder of its own. On
 * PostgreSQL its own database is a copy of the demo township the global setup seeded, unless the
 * test turns the demo off (DEMO=0) or watches the first boot seed it (`firstBoot`).
 */
export async function startServer(env: Record<string, string> = {}, options: { database?: string; firstBoot?: boolean } = {}): Promise<TestServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-http-"));
  const owned = !options.database;
  const seeded = env.DEMO !== "0" && !options.firstBoot;
  const database = options.database ?? (testDatabaseUrl() ? await createTestDatabase(seeded) : path.join(dir, "app.sqlite"));
  const postgres = database.startsWith("postgres");
  // The seeded copy's photo rows need their files: those the global setup's first boot wrote.
  const demoPhotos = process.env.JIFEN_TEST_DEMO_FOLDER && path.join(process.env.JIFEN_TEST_DEMO_FOLDER, "photos");
  if (postgres && owned && seeded && demoPhotos && fs.existsSync(demoPhotos)) fs.cpSync(demoPhotos, path.join(dir, "photos"), { recursive: true });
  const where = postgres
    ? { DATABASE_URL: database, DATABASE_PATH: path.join(dir, "app.sqlite") }
    : { DATABASE_URL: "", DATABASE_PATH: database };
  const child: ChildProcess = spawn(process.execPath, [...SERVER_NODE_FLAGS, "scripts/server.mjs"], {
    env: { ...process.env, NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", ...where, SESSION_SECRET: "http-test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Whatever happens to the test file (a failed hook, a crash), the server dies with the test process.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => ((out += d), (err += d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 180_000); // a first boot seeding on PostgreSQL on a busy machine
    child.stdout!.on("data", () => {
      const m = /http:\/\/localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  }).catch(async (e) => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (owned && postgres) await dropTestDatabase(database);
    throw e;
  });
  return {
    url,
    database,
    folder: postgres ? dir : path.dirname(database),
    output: () => out,
    errors: () => err,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      if (owned && postgres) await dropTestDatabase(database);
    },
  };
}

export interface Reply {
  status: number;
  location: string | null;
  text: string;
  headers: Headers;
}

/** A cookie-keeping client whose POSTs carry our own Origin unless told otherwise. */
export class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      if (value === "" || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(p: string, headers: Record<string, string> = {}): Promise<Reply> {
    const res = await fetch(this.base + p, { headers: { cookie: this.cookieHeader(), ...headers }, redirect: "manual" });
    this.keep(res);
    return { status: res.status, location: res.headers.get("location"), text: await res.text(), headers: res.headers };
  }

  async post(p: string, body: Record<string, string> | FormData | URLSearchParams, headers: Record<string, string> = { origin: this.base }): Promise<Reply> {
    const form = body instanceof FormData || body instanceof URLSearchParams ? body : new URLSearchParams(body);
    const res = await fetch(this.base + p, { method: "POST", body: form, headers: { cookie: this.cookieHeader(), ...headers }, redirect: "manual" });
    this.keep(res);
    return { status: res.status, location: res.headers.get("location"), text: await res.text(), headers: res.headers };
  }

  /** A same-origin POST of any body with any content type (or none): what a browser form never sends. */
  async postRaw(p: string, raw: { contentType?: string; body?: string }): Promise<Reply> {
    const headers: Record<string, string> = { cookie: this.cookieHeader(), origin: this.base };
    if (raw.contentType) headers["content-type"] = raw.contentType;
    const res = await fetch(this.base + p, { method: "POST", body: raw.body, headers, redirect: "manual" });
    return { status: res.status, location: res.headers.get("location"), text: await res.text(), headers: res.headers };
  }

  async login(phone: string, password = "jifen2026"): Promise<Reply> {
    const r = await this.post("/login", { phone, password });
    if (r.status !== 302 && r.status !== 303) throw new Error(`login ${phone} failed: ${r.status} ${r.text.slice(0, 300)}`);
    return r;
  }
}

/** One signed-in client per entry of a phone table (demo password), signed in one after another. */
export async function signInEach<K extends string>(url: string, phones: Record<K, string>): Promise<Map<K, Client>> {
  const clients = new Map<K, Client>();
  for (const who of Object.keys(phones) as K[]) {
    const c = new Client(url);
    await c.login(phones[who]);
    clients.set(who, c);
  }
  return clients;
}

/** One line of the server's request log (JSON on stdout). */
export interface LogLine {
  level: number;
  reqId: string;
  msg: string;
  req?: { method: string; path: string; ip: string };
  res?: { status: number };
  ms?: number;
  userId?: number | null;
  err?: { type: string; message: string; stack: string };
  [key: string]: unknown;
}

export function logLines(server: TestServer): LogLine[] {
  return server
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as LogLine);
}

/** The log lines of one request (by its X-Request-Id), once its line is written (after the response). */
export async function linesOf(server: TestServer, reqId: string | null): Promise<LogLine[]> {
  if (!reqId) throw new Error("the response carries no X-Request-Id");
  for (let i = 0; i < 100; i++) {
    const lines = logLines(server).filter((l) => l.reqId === reqId);
    if (lines.some((l) => l.res)) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no request log line for ${reqId}`);
}
