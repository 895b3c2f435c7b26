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
import { stmt, transact } from "~/platform/database.server";
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
  const files = stmt(
    "select file from claim_photos where cleaned_at is null union select file from inspection_photos where cleaned_at is null order by file",
  ).all() as { file: string }[];
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
    transact(() => {
      for (const table of ["claim_photos", "inspection_photos"]) {
        if (clean) stmt(`update ${table} set mime = ?, bytes = ?, cleaned_at = ? where file = ? and cleaned_at is null`).run(EVIDENCE.mime, clean.length, now(), file);
        else stmt(`update ${table} set cleaned_at = ? where file = ? and cleaned_at is null`).run(now(), file);
      }
    });
    report.files++;
  }
  const goods = stmt("select id from goods where photo is not null and photo_cleaned_at is null order by id").all() as { id: number }[];
  for (const { id } of goods) {
    const { photo } = stmt("select photo from goods where id = ?").get(id) as { photo: Buffer };
    const clean = await cleanGoodPhoto(photo);
    // A picture that cannot be decoded is dropped: the good shows 暂无照片 until the admin uploads one.
    transact(() =>
      stmt(
        "update goods set photo = ?, photo_type = ?, photo_version = photo_version + 1, photo_cleaned_at = ? where id = ? and photo_cleaned_at is null",
      ).run(clean?.bytes ?? null, clean?.type ?? null, now(), id),
    );
    report.goods++;
  }
  return report;
}
