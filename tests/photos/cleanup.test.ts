// Photos stored before migration 0008: the migration gives every row a random URL key and marks it
// not yet cleaned; the boot pass re-encodes each file in place without its metadata (GPS position
// included) and shrinks it, drops what cannot be decoded, cleans goods pictures in the database,
// and does nothing the second time.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Migrator } from "kysely";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { migrations } from "../../db/migrations/index";
import { fileClaimBatch } from "~/claims/claims.server";
import { photoFolder } from "~/claims/photos.server";
import { openDatabase } from "~/platform/database.server";
import { createGood } from "~/store/goods.server";
import { cleanStoredPhotos } from "~/photos/cleanup.server";
import { claimVillage } from "../claims/fixture";
import { seedVillage } from "../ledger/helpers";
import { onPostgres, sqlOn } from "../support/sql";

/** A phone picture: EXIF with a GPS position (and a marker text), rotated by orientation 6. */
async function gpsJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: "#58a" } })
    .withExif({ IFD0: { ImageDescription: "GPS-TEST-MARKER" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "30/1 15/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "120/1 10/1 0/1" } })
    .withMetadata({ orientation: 6 })
    .jpeg()
    .toBuffer();
}

describe("migration 0008 on photos stored before it", () => {
  // SQLite only: a PostgreSQL database starts empty or is copied from a SQLite one at the latest
  // migration (copy-to-postgres refuses any other), so 0008 never meets stored photos there.
  it.skipIf(onPostgres())("keeps every row, gives each a distinct random key, and leaves them marked not yet cleaned", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "jifen-0008-"));
    const old = openDatabase(path.join(dir, "old.sqlite"));
    if (old.kind !== "sqlite") throw new Error("a file opens as SQLite");
    try {
      const migrator = new Migrator({ db: old.writer, provider: { getMigrations: async () => migrations } });
      const to7 = await migrator.migrateTo("0007_campaigns");
      expect(to7.error).toBeUndefined();
      // Rows as 0004/0006 stored them; the claims and inspections they point at do not matter here.
      old.sqlite.pragma("foreign_keys = OFF");
      const addClaim = old.sqlite.prepare("insert into claim_photos (village_id, claim_id, file, mime, bytes, created_at) values (1, ?, ?, 'image/png', 10, 5)");
      const addInspection = old.sqlite.prepare("insert into inspection_photos (village_id, inspection_id, file, mime, bytes, created_at) values (1, ?, ?, 'image/jpeg', 20, 6)");
      for (let i = 1; i <= 40; i++) addClaim.run(i, `1/c${i}.png`);
      for (let i = 1; i <= 10; i++) addInspection.run(i, `1/i${i}.jpg`);
      const latest = await migrator.migrateToLatest(); // foreign keys still off: these rows point at nothing
      expect(latest.error).toBeUndefined();
      old.sqlite.pragma("foreign_keys = ON");

      const claims = old.sqlite.prepare("select id, claim_id, key, file, mime, bytes, created_at, cleaned_at from claim_photos order by id").all() as Record<string, unknown>[];
      const inspections = old.sqlite.prepare("select id, inspection_id, key, file, cleaned_at from inspection_photos order by id").all() as Record<string, unknown>[];
      expect(claims).toHaveLength(40);
      expect(inspections).toHaveLength(10);
      expect(claims[6]).toMatchObject({ id: 7, claim_id: 7, file: "1/c7.png", mime: "image/png", bytes: 10, created_at: 5, cleaned_at: null });
      expect(inspections[3]).toMatchObject({ id: 4, inspection_id: 4, file: "1/i4.jpg", cleaned_at: null });
      const keys = [...claims, ...inspections].map((r) => r.key as string);
      for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(new Set(keys).size).toBe(keys.length);
      // The key is required and unique from now on.
      expect(() => old.sqlite.prepare("insert into claim_photos (village_id, claim_id, file, mime, bytes, created_at) values (1, 1, 'x', 'image/jpeg', 1, 1)").run()).toThrow(/NOT NULL/);
      expect(() => old.sqlite.prepare("update claim_photos set key = ? where id = 2").run(claims[0].key)).toThrow(/UNIQUE/);
      expect(() => old.sqlite.prepare("update inspection_photos set key = ? where id = 2").run(inspections[0].key)).toThrow(/UNIQUE/);
      expect(old.sqlite.prepare("select photo_cleaned_at from goods").all()).toEqual([]); // the column exists
    } finally {
      await old.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves the key required and unique, on either engine", async () => {
    const v = await claimVillage("PK1");
    const photo = (file: string) => ({ file, mime: "image/jpeg", bytes: 10, cleanedAt: Date.now() }); // clean: not for the boot pass below
    const [claimId] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" },
      items: [{ memberId: v.memberA, ruleId: v.rules.litter, occurredAt: Date.now() - 3600_000, quantity: 1, note: "照片键", photos: [photo("pk/a.jpg"), photo("pk/b.jpg")] }],
    });
    const q = sqlOn();
    const [a, b] = await q.all<{ id: number; key: string }>("select id, key from claim_photos where claim_id = ? order by id", claimId);
    expect(a.key).not.toBe(b.key);
    await expect(q.run("insert into claim_photos (village_id, claim_id, file, mime, bytes, created_at) values (?, ?, 'pk/c.jpg', 'image/jpeg', 1, 1)", v.villageId, claimId))
      .rejects.toThrow(/NOT NULL constraint failed|violates not-null constraint/);
    await expect(q.run("update claim_photos set key = ? where id = ?", a.key, b.id)).rejects.toThrow(/UNIQUE constraint failed|violates unique constraint/);
  });
});

describe("the boot pass over photos stored before 0008", () => {
  it("re-encodes each file in place without metadata, shrinks it, drops the undecodable, cleans goods pictures, once", async () => {
    const v = await claimVillage("PC1");
    const folder = photoFolder();
    fs.mkdirSync(path.join(folder, "legacy"), { recursive: true });
    const originals: Record<string, Buffer> = {
      "legacy/big.jpg": await gpsJpeg(4000, 3000),
      "legacy/small.png": await sharp({ create: { width: 120, height: 90, channels: 4, background: "#0000" } }).png().toBuffer(),
      "legacy/broken.jpg": Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 7), Buffer.from("GPS-TEST-MARKER")]),
    };
    for (const [file, bytes] of Object.entries(originals)) fs.writeFileSync(path.join(folder, file), bytes);
    const photo = (file: string) => ({ file, mime: file.endsWith(".png") ? "image/png" : "image/jpeg", bytes: originals[file].length, cleanedAt: null });
    const [claimId] = await fileClaimBatch({
      villageId: v.villageId, filer: { userId: v.inspector, role: "inspector" },
      items: [{ memberId: v.memberA, ruleId: v.rules.litter, occurredAt: Date.now() - 3600_000, quantity: 1, note: "旧照片", photos: Object.keys(originals).map(photo) }],
    });
    const shop = await seedVillage("PC2", 1);
    const made = await createGood({ userId: v.committee1, role: "village_admin", villageId: shop.villageId }, shop.villageId, shop.storeId, {
      name: "旧照片香皂", category: "日用", unit: "块", price: 5, cost: 200, monthlyLimit: null, lowStock: 2, active: true,
    }, null);
    if (!made.ok) throw new Error(JSON.stringify(made.errors));
    const goodId = made.goodId;
    await sqlOn().run("update goods set photo = ?, photo_type = 'image/jpeg', photo_version = 1, photo_cleaned_at = null where id = ?", await gpsJpeg(1200, 900), goodId);

    const report = await cleanStoredPhotos();
    expect(report).toEqual({ files: 3, removed: ["legacy/broken.jpg"], goods: 1 });

    const rows = await sqlOn().all<{ file: string; mime: string; bytes: number; cleaned_at: number | null }>("select file, mime, bytes, cleaned_at from claim_photos where claim_id = ? order by file", claimId);
    for (const r of rows) expect(r.cleaned_at, r.file).not.toBeNull();
    const big = fs.readFileSync(path.join(folder, "legacy/big.jpg"));
    const bigMeta = await sharp(big).metadata();
    expect({ format: bigMeta.format, width: bigMeta.width, height: bigMeta.height, exif: bigMeta.exif }).toEqual({ format: "jpeg", width: 1200, height: 1600, exif: undefined });
    expect(big.includes("GPS-TEST-MARKER")).toBe(false);
    expect(rows.find((r) => r.file === "legacy/big.jpg")).toMatchObject({ mime: "image/jpeg", bytes: big.length });
    const small = fs.readFileSync(path.join(folder, "legacy/small.png"));
    expect(await sharp(small).metadata()).toMatchObject({ format: "jpeg", width: 120, height: 90 }); // the name stays; the row says what it is
    expect(rows.find((r) => r.file === "legacy/small.png")).toMatchObject({ mime: "image/jpeg", bytes: small.length });
    expect(fs.existsSync(path.join(folder, "legacy/broken.jpg"))).toBe(false);
    expect(fs.readdirSync(path.join(folder, "legacy")).sort()).toEqual(["big.jpg", "small.png"]); // no temporary file left

    const good = (await sqlOn().get<{ photo: Buffer; photo_type: string; photo_version: number; photo_cleaned_at: number | null }>("select photo, photo_type, photo_version, photo_cleaned_at from goods where id = ?", goodId))!;
    expect(good).toMatchObject({ photo_type: "image/webp", photo_version: 2 });
    expect(good.photo_cleaned_at).not.toBeNull();
    const goodMeta = await sharp(good.photo).metadata();
    expect({ format: goodMeta.format, width: goodMeta.width, height: goodMeta.height, exif: goodMeta.exif }).toEqual({ format: "webp", width: 480, height: 640, exif: undefined });
    expect(good.photo.includes("GPS-TEST-MARKER")).toBe(false);

    // Done once: a second boot touches nothing.
    expect(await cleanStoredPhotos()).toEqual({ files: 0, removed: [], goods: 0 });
    expect(fs.readFileSync(path.join(folder, "legacy/big.jpg")).equals(big)).toBe(true);
  });
});
