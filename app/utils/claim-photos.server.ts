// Evidence photos: only real JPEG, PNG or WebP (judged by the file's first bytes, never by its name
// or the browser's word), at most 5 MB each and 3 per claim, stored in the data folder beside the
// database and served only to people of the claim's village.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataFolder } from "./env.server";
import { stmt } from "./db.server";
import type { StoredPhoto } from "./claims.server";

export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;
export const MAX_PHOTOS = 3;

const KINDS: { mime: string; ext: string; test: (b: Buffer) => boolean }[] = [
  { mime: "image/jpeg", ext: "jpg", test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { mime: "image/png", ext: "png", test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { mime: "image/webp", ext: "webp", test: (b) => b.length > 12 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP" },
];

export function photoFolder(): string {
  return path.join(dataFolder(), "photos");
}

/** The files a form sent under `name`, ignoring the empty part a browser sends when none is chosen. */
export function uploadedFiles(form: FormData, name = "photos"): File[] {
  return form.getAll(name).filter((v): v is File => typeof v !== "string" && v.size > 0);
}

export interface CheckedPhoto {
  bytes: Buffer;
  mime: string;
  ext: string;
}

/** Reads and checks the uploads; a message for the photo field when any is refused. */
export async function checkPhotos(files: File[]): Promise<{ ok: true; photos: CheckedPhoto[] } | { ok: false; message: string }> {
  if (files.length > MAX_PHOTOS) return { ok: false, message: `最多上传 ${MAX_PHOTOS} 张照片` };
  const photos: CheckedPhoto[] = [];
  for (const [i, f] of files.entries()) {
    if (f.size > MAX_PHOTO_BYTES) return { ok: false, message: `第 ${i + 1} 张照片超过 5 MB，请换一张小一些的` };
    const bytes = Buffer.from(await f.arrayBuffer());
    const kind = KINDS.find((k) => k.test(bytes));
    if (!kind) return { ok: false, message: `第 ${i + 1} 张不是照片，只能上传 JPG、PNG 或 WebP 图片` };
    photos.push({ bytes, mime: kind.mime, ext: kind.ext });
  }
  return { ok: true, photos };
}

/** Writes the photos before the claim's transaction; the caller removes them if that transaction fails. */
export function storePhotos(villageId: number, photos: CheckedPhoto[]): StoredPhoto[] {
  const dir = path.join(photoFolder(), String(villageId));
  if (photos.length) fs.mkdirSync(dir, { recursive: true });
  return photos.map((p) => {
    const file = `${villageId}/${crypto.randomBytes(16).toString("hex")}.${p.ext}`;
    fs.writeFileSync(path.join(photoFolder(), file), p.bytes, { flag: "wx", mode: 0o600 });
    return { file, mime: p.mime, bytes: p.bytes.length };
  });
}

export function removePhotos(stored: StoredPhoto[]): void {
  for (const p of stored) fs.rmSync(path.join(photoFolder(), p.file), { force: true });
}

/** A photo of this village (the caller has checked the viewer belongs to it), or null. */
export function readPhoto(villageId: number, photoId: number): { body: Buffer; mime: string } | null {
  const row = stmt("select file, mime from claim_photos where id = ? and village_id = ?").get(photoId, villageId) as { file: string; mime: string } | undefined;
  if (!row) return null;
  try {
    return { body: fs.readFileSync(path.join(photoFolder(), row.file)), mime: row.mime };
  } catch {
    return null;
  }
}
