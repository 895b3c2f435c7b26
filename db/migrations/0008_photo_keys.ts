// Evidence photos get an unguessable key for their URL (the row ids are sequential, so anyone could
// walk them), and a mark that their file was re-encoded without metadata (GPS position included).
// Rows from before this migration keep cleaned_at null: the boot pass (photos/cleanup.server.ts)
// re-encodes their files in place and sets it. SQLite cannot add a NOT NULL UNIQUE column to a
// table with rows, so both photo tables are rebuilt; nothing references them.
import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";

const strict = sql`strict`;

// 16 random bytes, base64url: the same form the app gives new photos (claims/photos.server.ts).
const newKey = () => crypto.randomBytes(16).toString("base64url");
const keyCheck = sql`length(key) = 22`;

interface PhotoRow {
  id: number;
  village_id: number;
  file: string;
  mime: string;
  bytes: number;
  created_at: number;
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("claim_photos_0008")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("claim_id", "integer", (c) => c.notNull().references("claims.id"))
    .addColumn("key", "text", (c) => c.notNull().check(keyCheck))
    .addColumn("file", "text", (c) => c.notNull().unique()) // relative to the photo folder
    .addColumn("mime", "text", (c) => c.notNull().check(sql`mime in ('image/jpeg', 'image/png', 'image/webp')`))
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("cleaned_at", "integer") // null: the file may still be an original with its metadata
    .modifyEnd(strict)
    .execute();
  const claimPhotos = (await db.selectFrom("claim_photos").selectAll().orderBy("id").execute()) as (PhotoRow & { claim_id: number })[];
  for (const p of claimPhotos) {
    await db.insertInto("claim_photos_0008").values({ ...p, key: newKey(), cleaned_at: null }).execute();
  }
  await db.schema.dropTable("claim_photos").execute();
  await sql`alter table claim_photos_0008 rename to claim_photos`.execute(db);
  await db.schema.createIndex("claim_photos_claim").on("claim_photos").column("claim_id").execute();
  await db.schema.createIndex("claim_photos_key").on("claim_photos").column("key").unique().execute();

  await db.schema
    .createTable("inspection_photos_0008")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("village_id", "integer", (c) => c.notNull().references("villages.id"))
    .addColumn("inspection_id", "integer", (c) => c.notNull().references("inspections.id"))
    .addColumn("key", "text", (c) => c.notNull().check(keyCheck))
    .addColumn("file", "text", (c) => c.notNull())
    .addColumn("mime", "text", (c) => c.notNull())
    .addColumn("bytes", "integer", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .addColumn("cleaned_at", "integer")
    .modifyEnd(strict)
    .execute();
  const inspectionPhotos = (await db.selectFrom("inspection_photos").selectAll().orderBy("id").execute()) as (PhotoRow & { inspection_id: number })[];
  for (const p of inspectionPhotos) {
    await db.insertInto("inspection_photos_0008").values({ ...p, key: newKey(), cleaned_at: null }).execute();
  }
  await db.schema.dropTable("inspection_photos").execute();
  await sql`alter table inspection_photos_0008 rename to inspection_photos`.execute(db);
  await db.schema.createIndex("inspection_photos_inspection").on("inspection_photos").column("inspection_id").execute();
  await db.schema.createIndex("inspection_photos_key").on("inspection_photos").column("key").unique().execute();

  // Goods photos are blobs in the row; those stored before this migration are cleaned at boot too.
  await sql`alter table goods add column photo_cleaned_at integer`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("goods").dropColumn("photo_cleaned_at").execute();
  for (const t of ["claim_photos", "inspection_photos"]) {
    await db.schema.dropIndex(`${t}_key`).execute();
    await db.schema.alterTable(t).dropColumn("key").execute();
    await db.schema.alterTable(t).dropColumn("cleaned_at").execute();
  }
}
