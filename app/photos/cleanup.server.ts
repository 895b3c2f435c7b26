// Photos stored before migration 0008 are the uploads as they came, EXIF and GPS position included.
// Once, at boot and before the server listens, each is re-encoded like a new upload and written
// over its file (a new file renamed into place, so a crash leaves either the original or the clean
// one, never half of one), and its rows get cleaned_at. A crash part-way resumes at the next boot:
// rows still without cleaned_at are done again. A file that cannot be decoded is deleted rather
// than kept with whatever metadata it carries; its rows then serve a 404 like a missing file.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { photoFolder } from "~/claims/photos.server";
import { now } from "~/platform/clock.server";
import { db, unitOfWork } from "~/platform/database.server";
import { cleanImage, EVIDENCE } from "./clean.server";
import { cleanGoodPhoto } from "~/store/goods.server";

export interface CleanupReport {
  files: number;
  removed: string[];
  goods: number;
}

/** Cleans every photo file and goods picture not yet re-encoded; a no-op once all are. */
export async function cleanStoredPhotos(): Promise<CleanupReport> {
  const report: CleanupReport = { files: 0, removed: [], goods: 0 };
  const files = await db()
    .selectFrom("claim_photos")
    .select("file")
    .where("cleaned_at", "is", null)
    .union(db().selectFrom("inspection_photos").select("file").where("cleaned_at", "is", null))
    .orderBy("file")
    .execute();
  for (const { file } of files) {
    const full = path.join(photoFolder(), file);
    let bytes: Buffer | null = null;
    try {
      bytes = fs.readFileSync(full);
    } catch {
      // gone already: nothing left on disk to clean
    }
    const clean = bytes ? await cleanImage(bytes, EVIDENCE) : null;
    if (clean) {
      const tmp = `${full}.${crypto.randomBytes(6).toString("hex")}.tmp`;
      fs.writeFileSync(tmp, clean, { flag: "wx", mode: 0o600 });
      fs.renameSync(tmp, full);
    } else if (bytes) {
      fs.rmSync(full, { force: true });
      report.removed.push(file);
    }
    // Cleaned: the new file's type and size; removed: only the mark, so the row is not tried again.
    const done = clean ? { mime: EVIDENCE.mime, bytes: clean.length, cleaned_at: now() } : { cleaned_at: now() };
    await unitOfWork(async (tx) => {
      await tx.updateTable("claim_photos").set(done).where("file", "=", file).where("cleaned_at", "is", null).execute();
      await tx.updateTable("inspection_photos").set(done).where("file", "=", file).where("cleaned_at", "is", null).execute();
    });
    report.files++;
  }
  const goods = await db().selectFrom("goods").select("id").where("photo", "is not", null).where("photo_cleaned_at", "is", null).orderBy("id").execute();
  for (const { id } of goods) {
    // One picture in memory at a time (up to a few hundred KB each), not all of them at once.
    const row = await db().selectFrom("goods").select("photo").where("id", "=", id).executeTakeFirst();
    if (!row?.photo) continue;
    const clean = await cleanGoodPhoto(row.photo);
    // A picture that cannot be decoded is dropped: the good shows 暂无照片 until the admin uploads one.
    await unitOfWork((tx) =>
      tx
        .updateTable("goods")
        .set((eb) => ({ photo: clean?.bytes ?? null, photo_type: clean?.type ?? null, photo_version: eb("photo_version", "+", 1), photo_cleaned_at: now() }))
        .where("id", "=", id)
        .where("photo_cleaned_at", "is", null)
        .execute(),
    );
    report.goods++;
  }
  return report;
}
