// Pieces every bad-input sweep shares: what a page shows as an error, and a fingerprint of the
// database that proves a refused request wrote nothing.
import crypto from "node:crypto";
import type { Engine } from "~/platform/database.server";
import { sqlOn } from "./sql";

/** An HTML fragment's visible text: tags, React's text separators and stray NULs gone, entities decoded. */
export function htmlText(s: string): string {
  return s
    .replace(/\u0000/g, "") // see NUL_REPLIES in bad-input.test.ts
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");
}

export interface Shown {
  cls: "field-error" | "form-error";
  id: string | null;
  text: string;
}

/** The field and form error messages on a page, with the id each one is placed under. */
export function shownErrors(html: string): Shown[] {
  return [...html.matchAll(/<p class="(field-error|form-error)"([^>]*)>([\s\S]*?)<\/p>/g)].map((m) => ({
    cls: m[1] as Shown["cls"],
    id: /\bid="([^"]*)"/.exec(m[2])?.[1] ?? null,
    text: htmlText(m[3]),
  }));
}

/** The text of the 4xx/5xx page, or null when the answer is an ordinary page. */
export function errorPage(html: string): string | null {
  const m = /<section class="[^"]*\berror-page\b[^"]*">([\s\S]*?)<\/section>/.exec(html);
  return m ? htmlText(m[1]) : null;
}

/**
 * One fingerprint per table ("<n> rows <sha1>"). A session's last_seen_at is touched by any
 * request now and then, so it is left out; everything else must stay.
 */
export async function tableFingerprints(on: Engine, tables: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const q = sqlOn(on);
  for (const t of tables) {
    const cols = t === "sessions" ? "id, user_id, created_at, expires_at, revoked_at" : "*";
    // Each row as text once, then sorted: PostgreSQL returns rows in no fixed order.
    const rows = (await q.all(`select ${cols} from "${t}"`)).map((r) =>
      JSON.stringify(Object.values(r), (_k, v) => (Buffer.isBuffer(v) ? v.toString("base64") : v)),
    );
    rows.sort();
    out.set(t, `${rows.length} rows ${crypto.createHash("sha1").update(rows.join("\n")).digest("hex")}`);
  }
  return out;
}

export interface RawBody {
  kind: string;
  contentType?: string;
  body?: string;
}

/** Bodies a browser form never sends; `json` is a plausible JSON version of the form. */
export function nonFormBodies(json: string, plain: string): RawBody[] {
  return [
    { kind: "no body, no content type" },
    { kind: "JSON", contentType: "application/json", body: json },
    { kind: "plain text", contentType: "text/plain", body: plain },
    { kind: "broken multipart", contentType: "multipart/form-data; boundary=x", body: "garbage" },
  ];
}

/**
 * Invisible characters every free-text field must refuse, each inside text that is otherwise valid:
 * a right-to-left override (shows the rest of a name reversed on the notice board) and a zero-width
 * space (a name that looks like another villager's but is not).
 */
export const INVISIBLES = [
  { kind: "U+202E", char: "\u202E" },
  { kind: "U+200B", char: "\u200B" },
] as const;
export const invisibleText = (char: string) => `测试${char}文字`;
export const invisibleMessage = (label: string) => `${label}不能包含看不见的特殊字符，请删掉后重新输入`;

/** The app's tables (not the migrator's), by name, on either engine. */
export async function appTables(on: Engine): Promise<string[]> {
  const text = on.kind === "postgres"
    ? "select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely%' order by tablename"
    : "select name from sqlite_master where type = 'table' and name not like 'kysely%' and name <> 'sqlite_sequence' order by name";
  return (await sqlOn(on).all<{ name: string }>(text)).map((r) => r.name);
}

/**
 * Something that changes whenever any connection commits a write, cheap to read: what lets a sweep
 * of hundreds of requests hash the tables only after a request that may have written. SQLite: the
 * file's data_version as another connection sees it. PostgreSQL: the end of the server's WAL (any
 * write anywhere on the server moves it, so it only ever asks for more hashing than needed).
 */
export async function writeMarker(on: Engine): Promise<string> {
  if (on.kind === "sqlite") return String(on.sqlite.pragma("data_version", { simple: true }));
  return String(await sqlOn(on).value("select pg_current_wal_insert_lsn()::text"));
}
