// Configuration from the environment, with the defaults the README documents.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export function databasePath(): string {
  return process.env.DATABASE_PATH || path.resolve("db/data/jifen.sqlite");
}

/** Whether `location` names a PostgreSQL server rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

/** DATABASE_URL: a PostgreSQL server instead of the SQLite file (decision 0032); unset by default. */
export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) return undefined;
  if (!isPostgresUrl(url)) throw new Error("DATABASE_URL 须以 postgres:// 开头（不设置则使用内置的 SQLite 数据库文件）");
  return url;
}

export function dataFolder(): string {
  return path.dirname(databasePath());
}

export function demoEnabled(): boolean {
  return process.env.DEMO !== "0";
}

let secret: string | undefined;

/** SESSION_SECRET, or one generated once and kept beside the database. */
export function sessionSecret(): string {
  if (secret) return secret;
  if (process.env.SESSION_SECRET) return (secret = process.env.SESSION_SECRET);
  const file = path.join(dataFolder(), "session-secret");
  fs.mkdirSync(dataFolder(), { recursive: true });
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, crypto.randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
  }
  return (secret = fs.readFileSync(file, "utf8").trim());
}
