// Search boxes: "this column contains what was typed", alike on SQLite and PostgreSQL.
import { sql, type Expression, type RawBuilder, type SqlBool } from "kysely";

/** ASCII letters in lower case: SQLite's lower() folds nothing else, so neither does the pattern. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * `column` contains `q`, ignoring the case of ASCII letters. Written with `sql` because the
 * builder's `like` cannot name an escape character, and without one a "%" or "_" typed in a search
 * box would match anything; `escape '\'` means the same on SQLite and PostgreSQL. Both sides go
 * through lower() because SQLite's LIKE ignores ASCII case and PostgreSQL's does not: "12a" finds
 * 户号 "12A" on either.
 */
export function containsText(column: Expression<string | null>, q: string): RawBuilder<SqlBool> {
  const pattern = `%${asciiLower(q).replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
  return sql<SqlBool>`lower(${column}) like ${pattern} escape '\\'`;
}
