// Sign-in throttling by lane (decision 0026): each row counts failed password checks in one lane
// (an account from unknown devices, an account from one address, one address, one known device,
// one session) and is deleted once expires_at has passed, so the table holds about a day of
// failures. login_throttle stays for the store's typed-code counter; the sign-in rows it held
// under the old scheme (decision 0004) are removed.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sign_in_throttle")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("first_failure_at", "integer", (c) => c.notNull())
    .addColumn("blocked_until", "integer", (c) => c.notNull())
    .addColumn("expires_at", "integer", (c) => c.notNull())
    .modifyEnd(sql`strict`)
    .execute();
  await db.schema.createIndex("sign_in_throttle_expires").on("sign_in_throttle").column("expires_at").execute();
  await sql`delete from login_throttle where key like 'account:%' or key like 'ip:%'`.execute(db);
}
