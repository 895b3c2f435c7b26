// A pending order holds its goods (not only its points) until it is confirmed, cancelled, replaced or
// expires. 生成兑换码 and counter sales sum what the store's live pending orders hold, on the hot
// path: this index lets that sum start from the store's few pending orders (rows leave the index as
// soon as their status changes), never from every past sale of a good.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index orders_pending_store on orders (store_id, expires_at) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index orders_pending_store`.execute(db);
}
