// The village store: goods, stock movements, orders (phone and counter checkout), household PINs,
// day closes and monthly settlements. Points still move only through the ledger tables of 0001.
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

export async function up(db: Kysely<any>): Promise<void> {
  // Which store keepers work at which store (a village may have several stores).
  await db.schema
    .createTable("store_keepers")
    .addColumn("store_id", "integer", (c) => c.notNull().references("stores.id"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("store_keepers_pk", ["store_id", "user_id"])
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("goods")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("store_id", "integer", (c) => c.notNull().references("stores.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("category", "text", (c) => c.notNull())
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("price", "integer", (c) => c.notNull().check(sql`price > 0`))
    // Cost in fen (1/100 yuan): what the village pays the store per unit at settlement.
    .addColumn("cost_fen", "integer", (c) => c.notNull().check(sql`cost_fen >= 0`))
    .addColumn("monthly_limit", "integer", (c) => c.check(sql`monthly_limit is null or monthly_limit > 0`))
    .addColumn("low_stock", "integer", (c) => c.notNull().defaultTo(5).check(sql`low_stock >= 0`))
    // Kept equal to the sum of the good's stock movements, in the same transaction; never negative.
    .addColumn("stock", "integer", (c) => c.notNull().defaultTo(0).check(sql`stock >= 0`))
    .addColumn("active", "integer", (c) => c.notNull().defaultTo(1).check(sql`active in (0, 1)`))
    .addColumn("photo", "blob")
    .addColumn("photo_type", "text")
    .addColumn("photo_version", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("updated_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("goods_store").on("goods").columns(["store_id", "active"]).execute();

  await db.schema
    .createTable("orders")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("store_id", "integer", (c) => c.notNull().references("stores.id"))
    .addColumn("household_id", "integer", (c) => c.notNull().references("households.id"))
    .addColumn("member_id", "integer", (c) => c.references("members.id"))
    .addColumn("channel", "text", (c) => c.notNull().check(sql`channel in ('phone', 'counter')`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('pending', 'confirmed', 'cancelled', 'replaced', 'expired', 'voided')`),
    )
    // 8 digits for typing, and a long random token for the QR code; both single-use.
    .addColumn("code", "text")
    .addColumn("token", "text", (c) => c.unique())
    .addColumn("total", "integer", (c) => c.notNull().check(sql`total > 0`))
    .addColumn("idem_key", "text", (c) => c.notNull().unique())
    .addColumn("hold_id", "integer", (c) => c.references("holds.id"))
    .addColumn("txn_id", "integer", (c) => c.unique().references("ledger_transactions.id"))
    .addColumn("balance_after", "integer")
    .addColumn("created_by", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("expires_at", "integer")
    .addColumn("closed_at", "integer")
    .addColumn("confirmed_by", "integer", (c) => c.references("users.id"))
    .addColumn("void_txn_id", "integer", (c) => c.unique().references("ledger_transactions.id"))
    .addColumn("voided_by", "integer", (c) => c.references("users.id"))
    .addColumn("voided_role", "text")
    .addColumn("voided_at", "integer")
    .addColumn("void_reason", "text")
    // A fresh code replaces a pending order by a new one; the old one points at it.
    .addColumn("replaced_by", "integer", (c) => c.references("orders.id"))
    .modifyEnd(strict)
    .execute();
  // A typed code finds at most one live order.
  await sql`create unique index orders_live_code on orders (code) where status = 'pending'`.execute(db);
  await db.schema.createIndex("orders_code").on("orders").column("code").execute();
  await db.schema.createIndex("orders_household").on("orders").columns(["household_id", "created_at"]).execute();
  await db.schema.createIndex("orders_store_closed").on("orders").columns(["store_id", "closed_at"]).execute();
  await sql`create index orders_pending_expiry on orders (expires_at) where status = 'pending'`.execute(db);

  // What was bought, at the price of the moment the order was made (a later price change never touches it).
  await db.schema
    .createTable("order_items")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("order_id", "integer", (c) => c.notNull().references("orders.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("good_id", "integer", (c) => c.notNull().references("goods.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("unit", "text", (c) => c.notNull())
    .addColumn("price", "integer", (c) => c.notNull().check(sql`price > 0`))
    .addColumn("cost_fen", "integer", (c) => c.notNull())
    .addColumn("qty", "integer", (c) => c.notNull().check(sql`qty > 0`))
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("order_items_order").on("order_items").column("order_id").execute();
  await db.schema.createIndex("order_items_good").on("order_items").column("good_id").execute();
  await sql`create trigger order_items_no_update before update on order_items
    begin select raise(abort, 'order_items are append-only'); end`.execute(db);

  await db.schema
    .createTable("stock_movements")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("good_id", "integer", (c) => c.notNull().references("goods.id"))
    .addColumn("kind", "text", (c) => c.notNull().check(sql`kind in ('restock', 'redemption', 'void', 'correction')`))
    .addColumn("delta", "integer", (c) => c.notNull().check(sql`delta <> 0`))
    .addColumn("stock_after", "integer", (c) => c.notNull().check(sql`stock_after >= 0`))
    .addColumn("source", "text")
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("order_id", "integer", (c) => c.references("orders.id"))
    .addColumn("actor_user_id", "integer", (c) => c.references("users.id"))
    .addColumn("created_at", "integer", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("stock_movements_good").on("stock_movements").columns(["good_id", "id"]).execute();
  for (const op of ["update", "delete"]) {
    await sql`${sql.raw(`create trigger stock_movements_no_${op} before ${op} on stock_movements
      begin select raise(abort, 'stock_movements is append-only'); end`)}`.execute(db);
  }

  // The household PIN for counter checkout: a bcrypt hash only, with its own lockout counter.
  await db.schema
    .createTable("household_pins")
    .addColumn("household_id", "integer", (c) => c.primaryKey().references("households.id"))
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("pin_hash", "text", (c) => c.notNull())
    .addColumn("set_by", "integer", (c) => c.references("users.id"))
    .addColumn("set_at", "integer", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_failure_at", "integer")
    .modifyEnd(strict)
    .execute();

  await db.schema
    .createTable("day_closes")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("store_id", "integer", (c) => c.notNull().references("stores.id"))
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("closed_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("closed_at", "integer", (c) => c.notNull())
    .addColumn("summary_json", "text", (c) => c.notNull())
    .modifyEnd(strict)
    .execute();
  await db.schema.createIndex("day_closes_store_day").on("day_closes").columns(["store_id", "day"]).execute();

  await db.schema
    .createTable("settlements")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("store_id", "integer", (c) => c.notNull().references("stores.id"))
    .addColumn("month", "text", (c) => c.notNull())
    .addColumn("points", "integer", (c) => c.notNull())
    .addColumn("cost_fen", "integer", (c) => c.notNull())
    .addColumn("settled_by", "integer", (c) => c.notNull().references("users.id"))
    .addColumn("settled_at", "integer", (c) => c.notNull())
    .addUniqueConstraint("settlements_store_month", ["store_id", "month"])
    .modifyEnd(strict)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ["settlements", "day_closes", "household_pins", "stock_movements", "order_items", "orders", "goods", "store_keepers"]) {
    await db.schema.dropTable(t).execute();
  }
}
